/*
 * base64.h - RFC 4648 base64, standard alphabet, padded (Go's StdEncoding).
 *
 * kubeconfig's *-data fields and KUBERNETES_EXEC_INFO's
 * certificate-authority-data use it.  Decoding is as strict as Go's: '\r'
 * and '\n' are skipped (PEM-style line breaks), anything else outside the
 * alphabet, missing padding or bits after the padding is an error.
 *
 * Ownership: base64_encode() returns a malloc'd NUL-terminated string the
 * caller frees; base64_decode() appends to the caller's strbuf.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

#include "strbuf.h"

char *base64_encode(const void *data, size_t len);

/* Appends the decoded bytes of s[0..len) to out; 0, or -1 (out unchanged). */
int base64_decode(struct strbuf *out, const char *s, size_t len);

#endif
