/*
 * tls_certs.h - the serving certificate, reloadable without a restart.
 *
 * libmicrohttpd (GnuTLS) asks for the certificate on every TLS handshake
 * through MHD_OPTION_HTTPS_CERT_CALLBACK; tls_certs_callback() answers with
 * the current pair.  tls_certs_maybe_reload(), called about once a second,
 * stats both files (device, inode, size, mtime, ctime: a Secret volume swaps
 * a symlink, cert-manager rewrites in place) and, when they changed, loads
 * the new pair.  A pair that does not parse, or whose key does not match
 * the certificate (a rotation caught half way), is refused and the old one
 * stays in service; the reload is retried while the files differ from what
 * is loaded.  A replaced pair is kept alive for a while, because GnuTLS
 * does not copy it and a handshake in flight may still be using it.
 *
 * The callback carries no closure, so there is one certificate store per
 * process.  The private key never leaves this module and is never logged.
 *
 * GnuTLS is reached through the symbols libmicrohttpd already loaded (the
 * build links libmicrohttpd, not libgnutls); see tls_certs.c.
 */
#ifndef WEBHOOK_TLS_CERTS_H
#define WEBHOOK_TLS_CERTS_H

#include <time.h>

struct errbuf;

/* Loads the pair the first time; -1 if it cannot be used. */
int tls_certs_init(const char *cert_file, const char *key_file, struct errbuf *err);

/* 0: unchanged, 1: reloaded, -1: the files changed but the new pair was
 * refused (err says why; the old pair is still served). */
int tls_certs_maybe_reload(struct errbuf *err);

/* The function pointer for MHD_OPTION_HTTPS_CERT_CALLBACK. */
void *tls_certs_callback(void);

int tls_certs_loaded(void);
/* notAfter of the certificate in service (the leaf), or 0. */
time_t tls_certs_not_after(void);

/* Frees every pair; call only once the TLS server has stopped. */
void tls_certs_shutdown(void);

#endif
