/*
 * How an admin's client certificate is checked in each handshake.
 *
 * The first time a certificate is seen (per TLS context, that is per
 * client CA and CRL loaded), OpenSSL verifies its chain in full; then
 * its issuer's CRL is looked up (revoked, no CRL for its issuer, or a
 * CRL past its next update: refused).  The CRL's own signature was
 * checked when it was loaded (tls.c), not in every handshake.
 *
 * A certificate whose chain verified is remembered by the SHA-256 of
 * all of its bytes, with the time its chain is valid.  The same bytes
 * verify the same way against the same CA, so the next handshake with
 * it skips only that verification (one ECDSA P-384 verification, a
 * fifth of a handshake); its dates and the CRL are checked again each
 * time, and the client still proves with its own signature in every
 * handshake that it holds the key.  This is not session resumption:
 * every connection is a full handshake.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "webd.h"

#define VERIFIED_MAX	64	/* certificates remembered per context */

struct verified {
	uint8_t		md[SHA256_DIGEST_LENGTH];
	time_t		not_before;	/* of the whole chain */
	time_t		not_after;
};

struct verified_set {
	struct verified	v[VERIFIED_MAX];
	size_t		n;
	size_t		next;		/* the oldest, replaced first */
};

static int	crl_index = -1, set_index = -1;

static void
crls_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	sk_X509_CRL_pop_free(ptr, X509_CRL_free);
}

static void
set_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	freezero(ptr, sizeof(struct verified_set));
}

int
tls_crl_expired(const X509_CRL *crl)
{
	return X509_CRL_get0_nextUpdate(crl) != NULL &&
	    X509_cmp_time(X509_CRL_get0_nextUpdate(crl), NULL) < 0;
}

int
tls_verify_crls(SSL_CTX *ctx, STACK_OF(X509_CRL) *crls)
{
	return SSL_CTX_set_ex_data(ctx, crl_index, crls) == 1 ? 0 : -1;
}

/* X509_V_OK, or why the context's CRLs refuse the certificate. */
static int
tls_crl_check(SSL_CTX *ctx, X509 *cert)
{
	STACK_OF(X509_CRL)	*crls;
	X509_CRL		*crl = NULL;
	X509_REVOKED		*rev;
	int			 i;

	if ((crls = SSL_CTX_get_ex_data(ctx, crl_index)) == NULL)
		return X509_V_OK;	/* no CRL configured */
	for (i = 0; i < sk_X509_CRL_num(crls) && crl == NULL; i++)
		if (X509_NAME_cmp(X509_CRL_get_issuer(sk_X509_CRL_value(crls,
		    i)), X509_get_issuer_name(cert)) == 0)
			crl = sk_X509_CRL_value(crls, i);
	if (crl == NULL)
		return X509_V_ERR_UNABLE_TO_GET_CRL;
	if (tls_crl_expired(crl))
		return X509_V_ERR_CRL_HAS_EXPIRED;
	if (X509_CRL_get0_by_serial(crl, &rev,
	    X509_get0_serialNumber(cert)) == 1)
		return X509_V_ERR_CERT_REVOKED;
	return X509_V_OK;
}

/* After OpenSSL verified the chain: the leaf against the CRL. */
static int
tls_verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL	*ssl;
	int	 e;

	if (!ok || X509_STORE_CTX_get_error_depth(x) != 0)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL)
		return 0;
	if ((e = tls_crl_check(SSL_get_SSL_CTX(ssl),
	    X509_STORE_CTX_get_current_cert(x))) != X509_V_OK) {
		X509_STORE_CTX_set_error(x, e);
		return 0;
	}
	return 1;
}

static int
asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm	tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* Remember a verified chain with the time all of it is valid. */
static void
tls_remember(struct verified_set *set, const uint8_t *md,
    STACK_OF(X509) *chain)
{
	struct verified	 v;
	X509		*c;
	time_t		 t;
	int		 i;

	memcpy(v.md, md, sizeof(v.md));
	v.not_before = 0;
	v.not_after = (time_t)INT64_MAX;
	for (i = 0; i < sk_X509_num(chain); i++) {
		c = sk_X509_value(chain, i);
		if (asn1_time(X509_get0_notBefore(c), &t) == -1)
			return;
		if (t > v.not_before)
			v.not_before = t;
		if (asn1_time(X509_get0_notAfter(c), &t) == -1)
			return;
		if (t < v.not_after)
			v.not_after = t;
	}
	set->v[set->next] = v;
	set->next = (set->next + 1) % VERIFIED_MAX;
	if (set->n < VERIFIED_MAX)
		set->n++;
}

/* In place of X509_verify_cert(): see the top of the file. */
static int
tls_cert_verify(X509_STORE_CTX *x, void *arg)
{
	SSL			*ssl;
	SSL_CTX			*ctx;
	struct verified_set	*set;
	X509			*cert = X509_STORE_CTX_get0_cert(x);
	uint8_t			 md[SHA256_DIGEST_LENGTH];
	unsigned int		 len = 0;
	time_t			 now = time(NULL);
	size_t			 i;
	int			 e;

	ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL || cert == NULL || (set = SSL_CTX_get_ex_data(ctx =
	    SSL_get_SSL_CTX(ssl), set_index)) == NULL ||
	    X509_digest(cert, EVP_sha256(), md, &len) != 1 ||
	    len != sizeof(md))
		return X509_verify_cert(x);
	for (i = 0; i < set->n; i++) {
		if (memcmp(set->v[i].md, md, sizeof(md)) != 0)
			continue;
		if (now < set->v[i].not_before)
			e = X509_V_ERR_CERT_NOT_YET_VALID;
		else if (now > set->v[i].not_after)
			e = X509_V_ERR_CERT_HAS_EXPIRED;
		else
			e = tls_crl_check(ctx, cert);
		X509_STORE_CTX_set_error(x, e);
		return e == X509_V_OK;
	}
	if (X509_verify_cert(x) != 1)
		return 0;
	tls_remember(set, md, X509_STORE_CTX_get0_chain(x));
	return 1;
}

int
tls_verify_init(SSL_CTX *ctx)
{
	struct verified_set	*set;

	if ((crl_index == -1 && (crl_index = SSL_CTX_get_ex_new_index(0,
	    NULL, NULL, NULL, crls_free)) == -1) ||
	    (set_index == -1 && (set_index = SSL_CTX_get_ex_new_index(0,
	    NULL, NULL, NULL, set_free)) == -1))
		return -1;
	if ((set = calloc(1, sizeof(*set))) == NULL)
		return -1;
	if (SSL_CTX_set_ex_data(ctx, set_index, set) != 1) {
		free(set);
		return -1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE,
	    tls_verify_cb);
	SSL_CTX_set_cert_verify_callback(ctx, tls_cert_verify, NULL);
	return 0;
}
