/*
 * The stand-in server certificate of `trunkctl setup`: ECDSA P-384,
 * self-signed with SHA-384, for this host's name and the console's listen
 * address, so that the console can start before the operator has a real
 * certificate.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ctl.h"

#define CERT_DAYS	397	/* what browsers accept at most */

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 rv;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	rv = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rv;
}

/* Names: the host name, and the listen address unless it is a wildcard. */
static int
cert_names(X509 *x, const char *addr)
{
	char		 host[HOST_NAME_MAX + 1], san[2 * sizeof(host) + 16];
	X509_NAME	*name = X509_get_subject_name(x);

	if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
		(void)strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)host, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		return -1;
	if (strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0)
		(void)snprintf(san, sizeof(san), "DNS:%s", host);
	else if (snprintf(san, sizeof(san), "DNS:%s,IP:%s", host, addr) >=
	    (int)sizeof(san))
		return -1;
	return add_ext(x, NID_subject_alt_name, san);
}

static int
cert_serial(X509 *x)
{
	unsigned char	 buf[16];
	BIGNUM		*bn;
	int		 rv = -1;

	if (RAND_bytes(buf, sizeof(buf)) != 1)
		return -1;
	buf[0] &= 0x7f;		/* positive */
	if ((bn = BN_bin2bn(buf, sizeof(buf), NULL)) != NULL &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL)
		rv = 0;
	BN_free(bn);
	return rv;
}

/* The key, or else the certificate, as PEM; fd is closed in any case. */
static int
pem_out(int fd, EVP_PKEY *key, X509 *x)
{
	FILE	*fp;
	int	 ok;

	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	ok = key != NULL ? PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
	    NULL) : PEM_write_X509(fp, x);
	if (fflush(fp) != 0 || fsync(fileno(fp)) == -1)
		ok = 0;
	if (fclose(fp) != 0)
		ok = 0;
	return ok == 1 ? 0 : -1;
}

int
setup_cert_write(const char *listen_addr, int key_fd, int cert_fd)
{
	EVP_PKEY	*key;
	X509		*x = NULL;
	int		 rv = -1;

	if ((key = EVP_EC_gen("P-384")) == NULL || (x = X509_new()) == NULL)
		goto done;
	if (X509_set_version(x, X509_VERSION_3) != 1 || cert_serial(x) == -1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x),
	    (long)CERT_DAYS * 86400) == NULL ||
	    X509_set_pubkey(x, key) != 1 || cert_names(x, listen_addr) == -1 ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") == -1 ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") == -1 ||
	    X509_sign(x, key, EVP_sha384()) == 0)
		goto done;
	rv = 0;
done:
	/* Both descriptors are closed, written or not. */
	if (rv == 0)
		rv = pem_out(key_fd, key, NULL);
	else
		close(key_fd);
	if (rv == 0)
		rv = pem_out(cert_fd, NULL, x);
	else
		close(cert_fd);
	X509_free(x);
	EVP_PKEY_free(key);
	return rv;
}
