/*
 * The TLS server context, built from the key material the parent sent
 * (webd reads no files): TLS 1.3 only, TLS_AES_256_GCM_SHA384 only, the
 * configured groups, an ECDSA P-384 server key, and a client certificate
 * required at the handshake, verified against the admin CA and its CRL.
 * No session resumption: no tickets, no cache; every connection is a full
 * handshake with a certificate check.  The blobs are wiped once parsed.
 * The CRL's signature is checked once, when it is loaded (and on every
 * reload), not in every handshake as X509_V_FLAG_CRL_CHECK would; how a
 * client certificate is checked is in tls_verify.c.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "blob.h"
#include "log.h"
#include "webd.h"

#define TLS_SUITE	"TLS_AES_256_GCM_SHA384"
#define TLS_GROUPS	"secp384r1"
#define TLS_DEPTH	4

static int
tls_err(char *err, size_t errlen, const char *what)
{
	unsigned long	e = ERR_peek_last_error();

	(void)snprintf(err, errlen, "%s%s%s", what, e != 0 ? ": " : "",
	    e != 0 ? ERR_reason_error_string(e) : "");
	ERR_clear_error();
	return -1;
}

static BIO *
tls_blob_bio(enum conf_blob_kind kind)
{
	const uint8_t	*data;
	size_t		 len;

	if ((data = blob_get(kind, &len)) == NULL || len > INT_MAX)
		return NULL;
	return BIO_new_mem_buf(data, (int)len);
}

/* The server certificate, its chain and its key (ECDSA P-384 only). */
static int
tls_server_keys(SSL_CTX *ctx, char *err, size_t errlen)
{
	BIO		*bio;
	X509		*x;
	EVP_PKEY	*pkey = NULL;
	char		 group[32];
	int		 n = 0, rv = -1;

	if ((bio = tls_blob_bio(BLOB_TLS_CERT)) == NULL)
		return tls_err(err, errlen, "no server certificate");
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if ((n++ == 0 ? SSL_CTX_use_certificate(ctx, x) :
		    SSL_CTX_add0_chain_cert(ctx, x)) != 1) {
			X509_free(x);
			BIO_free(bio);
			return tls_err(err, errlen, "server certificate");
		}
		if (n == 1)
			X509_free(x);
	}
	ERR_clear_error();	/* the end of the PEM list */
	BIO_free(bio);
	if (n == 0)
		return tls_err(err, errlen, "server certificate");

	if ((bio = tls_blob_bio(BLOB_TLS_KEY)) == NULL)
		return tls_err(err, errlen, "no server key");
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL)
		return tls_err(err, errlen, "server key");
	if (!EVP_PKEY_is_a(pkey, "EC") || EVP_PKEY_get_group_name(pkey, group,
	    sizeof(group), NULL) != 1 || strcmp(group, "secp384r1") != 0) {
		(void)snprintf(err, errlen, "server key: ECDSA P-384 only");
		goto out;
	}
	if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		(void)tls_err(err, errlen, "server key");
		goto out;
	}
	rv = 0;
out:
	EVP_PKEY_free(pkey);
	return rv;
}

/* A CRL signed by one of the CAs: 0, or -1. */
static int
tls_crl_ok(X509_STORE *store, X509_CRL *crl)
{
	STACK_OF(X509_OBJECT)	*objs = X509_STORE_get0_objects(store);
	X509			*ca;
	int			 i;

	if (tls_crl_expired(crl))
		log_warnx("the client CRL is past its next update: no admin "
		    "gets in until a new one is loaded");
	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (ca != NULL && X509_NAME_cmp(X509_get_subject_name(ca),
		    X509_CRL_get_issuer(crl)) == 0 &&
		    X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1)
			return 0;
	}
	return -1;
}

/* The admin CA (trust and the names offered to browsers) and the CRL. */
static int
tls_client_ca(SSL_CTX *ctx, char *err, size_t errlen)
{
	STACK_OF(X509_NAME)	*names;
	STACK_OF(X509_CRL)	*crls;
	X509_STORE		*store = SSL_CTX_get_cert_store(ctx);
	X509			*x;
	X509_CRL		*crl;
	BIO			*bio;
	int			 n = 0;

	if ((names = sk_X509_NAME_new_null()) == NULL)
		return tls_err(err, errlen, "memory");
	if ((bio = tls_blob_bio(BLOB_CLIENT_CA)) == NULL) {
		sk_X509_NAME_free(names);
		return tls_err(err, errlen, "no client CA");
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_NAME *nm = X509_NAME_dup(X509_get_subject_name(x));

		if (nm == NULL || X509_STORE_add_cert(store, x) != 1 ||
		    sk_X509_NAME_push(names, nm) == 0) {
			X509_NAME_free(nm);
			X509_free(x);
			BIO_free(bio);
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			return tls_err(err, errlen, "client CA");
		}
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (n == 0) {
		sk_X509_NAME_free(names);
		return tls_err(err, errlen, "client CA: no certificate");
	}
	SSL_CTX_set_client_CA_list(ctx, names);

	if ((bio = tls_blob_bio(BLOB_CLIENT_CRL)) == NULL)
		return 0;	/* optional */
	if ((crls = sk_X509_CRL_new_null()) == NULL ||
	    tls_verify_crls(ctx, crls) == -1) {
		sk_X509_CRL_free(crls);
		BIO_free(bio);
		return tls_err(err, errlen, "memory");
	}
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		if (tls_crl_ok(store, crl) == -1) {
			X509_CRL_free(crl);
			BIO_free(bio);
			ERR_clear_error();
			return tls_err(err, errlen, "client CRL: not signed by "
			    "the client CA");
		}
		if (sk_X509_CRL_push(crls, crl) == 0) {
			X509_CRL_free(crl);
			BIO_free(bio);
			return tls_err(err, errlen, "memory");
		}
	}
	ERR_clear_error();
	BIO_free(bio);
	if (sk_X509_CRL_num(crls) == 0)
		return tls_err(err, errlen, "client CRL: none in the file");
	return 0;
}

/* Browsers offer h2 first; the console speaks HTTP/1.1. */
static int
tls_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char	 http11[] = "\x08http/1.1";
	unsigned char			*sel;

	if (SSL_select_next_proto(&sel, outlen, http11, sizeof(http11) - 1,
	    in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

SSL_CTX *
tls_ctx_new(const char *groups, char *err, size_t errlen)
{
	SSL_CTX	*ctx = NULL;
	int	 ok;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    tls_verify_init(ctx) == -1) {
		(void)tls_err(err, errlen, "SSL_CTX_new");
		goto fail;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, TLS_SUITE) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, groups[0] != '\0' ? groups :
	    TLS_GROUPS) != 1) {
		(void)tls_err(err, errlen, "TLS settings (tls groups?)");
		goto fail;
	}
	/* No resumption: no tickets, no server-side cache. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
	(void)SSL_CTX_set_num_tickets(ctx, 0);
	(void)SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* conn.c writes from an evbuffer that may move, in parts. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* A record and what follows it in one read(). */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_verify_depth(ctx, TLS_DEPTH);
	SSL_CTX_set_alpn_select_cb(ctx, tls_alpn, NULL);
	ok = tls_server_keys(ctx, err, errlen) == 0 &&
	    tls_client_ca(ctx, err, errlen) == 0;
	if (!ok)
		goto fail;
	blob_wipe(BLOB_TLS_KEY);
	blob_wipe(BLOB_TLS_CERT);
	blob_wipe(BLOB_CLIENT_CA);
	blob_wipe(BLOB_CLIENT_CRL);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	blob_wipe(BLOB_TLS_KEY);
	return NULL;
}

int
tls_fingerprint(SSL *ssl, uint8_t fpr[PROTO_FPR_LEN])
{
	X509		*x;
	unsigned int	 len = 0;

	if (SSL_get_verify_result(ssl) != X509_V_OK ||
	    (x = SSL_get0_peer_certificate(ssl)) == NULL)
		return -1;
	if (X509_digest(x, EVP_sha256(), fpr, &len) != 1 ||
	    len != PROTO_FPR_LEN)
		return -1;
	return 0;
}
