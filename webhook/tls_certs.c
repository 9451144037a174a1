#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "errbuf.h"
#include "strbuf.h"
#include "tls_certs.h"
#include "xalloc.h"

#define MAX_PEM (1024 * 1024)
#define MAX_CHAIN 16
/* How long a replaced pair stays allocated: far longer than any handshake. */
#define RETIRE_SECONDS 600

struct pair {
	struct pair *next; /* in the retired list */
	time_t retired_at;
	gnutls_pcert_st chain[MAX_CHAIN];
	unsigned int chain_len;
	gnutls_privkey_t key;
	time_t not_after;
};

struct file_stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pair *current;
static struct pair *retired;
static char *cert_path, *key_path;
static struct file_stamp loaded_stamp[2], refused_stamp[2];

static void pair_free(struct pair *p)
{
	if (!p)
		return;
	for (unsigned int i = 0; i < p->chain_len; i++)
		gnutls_pcert_deinit(&p->chain[i]);
	if (p->key)
		gnutls_privkey_deinit(p->key);
	free(p);
}

/* OpenSSL checks that the pair is whole and matching, and reads notAfter. */
static int check_pair(const struct strbuf *cert, const struct strbuf *key, time_t *not_after,
                      struct errbuf *err)
{
	BIO *cb = BIO_new_mem_buf(cert->buf, (int)cert->len);
	BIO *kb = BIO_new_mem_buf(key->buf, (int)key->len);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	struct tm tm;
	int ret = -1;

	if (!x)
		errbuf_set(err, "no PEM certificate found");
	else if (!k)
		errbuf_set(err, "no PEM private key found (encrypted keys are not supported)");
	else if (X509_check_private_key(x, k) != 1)
		errbuf_set(err, "the private key does not match the certificate");
	else if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		errbuf_set(err, "the certificate has an unreadable expiry time");
	else {
		*not_after = timegm(&tm);
		ret = 0;
	}
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	BIO_free(kb);
	return ret;
}

static struct pair *import_pair(const struct strbuf *cert, const struct strbuf *key,
                                struct errbuf *err)
{
	struct pair *p = xcalloc(1, sizeof(*p));
	gnutls_datum_t cd = { (unsigned char *)cert->buf, (unsigned int)cert->len };
	gnutls_datum_t kd = { (unsigned char *)key->buf, (unsigned int)key->len };
	int rc;

	if (check_pair(cert, key, &p->not_after, err)) {
		free(p);
		return NULL;
	}
	p->chain_len = MAX_CHAIN;
	rc = gnutls_pcert_list_import_x509_raw(p->chain, &p->chain_len, &cd, GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0) {
		p->chain_len = 0;
		errbuf_set(err, "GnuTLS cannot use the certificate chain (error %d)", rc);
	} else if ((rc = gnutls_privkey_init(&p->key)) < 0 ||
	           (rc = gnutls_privkey_import_x509_raw(p->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) <
	                   0) {
		errbuf_set(err, "GnuTLS cannot use the private key (error %d)", rc);
	} else {
		return p;
	}
	pair_free(p);
	return NULL;
}

static int stamp_file(const char *path, struct file_stamp *st)
{
	struct stat sb;

	if (stat(path, &sb))
		return -1;
	memset(st, 0, sizeof(*st));
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->size = sb.st_size;
	st->mtime = sb.st_mtim;
	st->ctime = sb.st_ctim;
	return 0;
}

static int stamps_equal(const struct file_stamp *a, const struct file_stamp *b)
{
	return !memcmp(a, b, 2 * sizeof(*a));
}

static struct pair *load_files(struct file_stamp stamp[2], struct errbuf *err)
{
	struct strbuf cert = STRBUF_INIT, key = STRBUF_INIT;
	struct pair *p = NULL;

	if (stamp_file(cert_path, &stamp[0]) || stamp_file(key_path, &stamp[1]))
		errbuf_set(err, "cannot stat %s or %s", cert_path, key_path);
	else if (strbuf_read_file(&cert, cert_path, MAX_PEM))
		errbuf_set(err, "%s: cannot read the certificate", cert_path);
	else if (strbuf_read_file(&key, key_path, MAX_PEM))
		errbuf_set(err, "%s: cannot read the private key", key_path);
	else
		p = import_pair(&cert, &key, err);
	OPENSSL_cleanse(key.buf, key.len);
	strbuf_release(&cert);
	strbuf_release(&key);
	return p;
}

static void free_old_retired(time_t now)
{
	struct pair **pp = &retired;

	while (*pp) {
		struct pair *p = *pp;

		if (now - p->retired_at >= RETIRE_SECONDS) {
			*pp = p->next;
			pair_free(p);
		} else {
			pp = &p->next;
		}
	}
}

int tls_certs_init(const char *cert_file, const char *key_file, struct errbuf *err)
{
	struct pair *p;

	free(cert_path);
	free(key_path);
	cert_path = xstrdup(cert_file);
	key_path = xstrdup(key_file);
	if (!(p = load_files(loaded_stamp, err)))
		return -1;
	pthread_mutex_lock(&lock);
	current = p;
	pthread_mutex_unlock(&lock);
	return 0;
}

int tls_certs_maybe_reload(struct errbuf *err)
{
	struct file_stamp now_stamp[2], new_stamp[2];
	struct pair *p;

	if (!cert_path || stamp_file(cert_path, &now_stamp[0]) || stamp_file(key_path, &now_stamp[1]))
		return 0; /* mid-swap or gone: keep serving, look again later */
	if (stamps_equal(now_stamp, loaded_stamp) || stamps_equal(now_stamp, refused_stamp))
		return 0;
	if (!(p = load_files(new_stamp, err))) {
		memcpy(refused_stamp, now_stamp, sizeof(refused_stamp));
		return -1;
	}
	memcpy(loaded_stamp, new_stamp, sizeof(loaded_stamp));
	pthread_mutex_lock(&lock);
	if (current) {
		current->retired_at = time(NULL);
		current->next = retired;
		retired = current;
	}
	current = p;
	free_old_retired(time(NULL));
	pthread_mutex_unlock(&lock);
	return 1;
}

static int retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                    gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
	int ret = -1;

	pthread_mutex_lock(&lock);
	if (current) {
		*pcert = current->chain;
		*pcert_length = current->chain_len;
		*privkey = current->key;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

void *tls_certs_callback(void)
{
	gnutls_certificate_retrieve_function2 *fn = retrieve;

	return (void *)fn;
}

int tls_certs_loaded(void)
{
	int ret;

	pthread_mutex_lock(&lock);
	ret = current != NULL;
	pthread_mutex_unlock(&lock);
	return ret;
}

time_t tls_certs_not_after(void)
{
	time_t t;

	pthread_mutex_lock(&lock);
	t = current ? current->not_after : 0;
	pthread_mutex_unlock(&lock);
	return t;
}

void tls_certs_shutdown(void)
{
	pthread_mutex_lock(&lock);
	pair_free(current);
	current = NULL;
	while (retired) {
		struct pair *n = retired->next;

		pair_free(retired);
		retired = n;
	}
	pthread_mutex_unlock(&lock);
	free(cert_path);
	free(key_path);
	cert_path = key_path = NULL;
	memset(loaded_stamp, 0, sizeof(loaded_stamp));
	memset(refused_stamp, 0, sizeof(refused_stamp));
}
