/*
 * The admin CA: ECDSA P-384, SHA-384 signatures.  `trunkctl ca init`
 * makes it (and an empty CRL); admin.c issues client certificates with
 * it and revokes them.  The CA key lives beside the certificate named by
 * `tls client ca` in trunkd.conf, root-only.
 */
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "local.h"

#define CA_DAYS		3650
#define CRL_DAYS	30

void
ca_key_path(const char *ca, char *buf, size_t len)
{
	size_t	n = strlen(ca);

	if (n > 4 && (strcmp(ca + n - 4, ".crt") == 0 ||
	    strcmp(ca + n - 4, ".pem") == 0))
		n -= 4;
	if ((size_t)snprintf(buf, len, "%.*s.key", (int)n, ca) >= len)
		errx(1, "%s: path too long", ca);
}

void
ca_crl_path(const struct trunkd_conf *conf, char *buf, size_t len)
{
	char	dir[PATH_MAX];

	if (conf->tls_crl[0] != '\0') {
		if (strlcpy(buf, conf->tls_crl, len) >= len)
			errx(1, "%s: path too long", conf->tls_crl);
		return;
	}
	(void)strlcpy(dir, conf->tls_client_ca, sizeof(dir));
	if ((size_t)snprintf(buf, len, "%s/crl.pem", dirname(dir)) >= len)
		errx(1, "CRL path too long");
}

EVP_PKEY *
ca_newkey(void)
{
	EVP_PKEY	*k;

	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")) == NULL)
		errx(1, "P-384 key generation failed");
	return k;
}

/* Write a PEM (or DER via fn) atomically: temp file, fsync, rename. */
void
ca_write(const char *path, mode_t mode, int (*fn)(FILE *, void *),
    void *obj)
{
	char	 tmp[PATH_MAX];
	FILE	*f;
	int	 fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		errx(1, "%s: path too long", path);
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode)) == -1)
		err(1, "%s", tmp);
	if ((f = fdopen(fd, "w")) == NULL)
		err(1, "%s", tmp);
	if (fn(f, obj) != 1 || fflush(f) != 0 || fsync(fd) == -1) {
		(void)unlink(tmp);
		errx(1, "%s: cannot write", tmp);
	}
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		(void)unlink(tmp);
		err(1, "%s", path);
	}
}

int
ca_pem_cert(FILE *f, void *x)
{
	return PEM_write_X509(f, x);
}

int
ca_pem_key(FILE *f, void *k)
{
	return PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
}

static int
pem_crl(FILE *f, void *c)
{
	return PEM_write_X509_CRL(f, c);
}

static void
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    X509_add_ext(cert, ext, -1) != 1)
		errx(1, "certificate extension %s", OBJ_nid2sn(nid));
	X509_EXTENSION_free(ext);
}

/* A certificate for `key`, named cn, signed by (issuer, ikey); self-signed
 * when issuer is NULL. */
X509 *
ca_issue(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    int days, int is_ca)
{
	X509		*x;
	X509_NAME	*name;
	BIGNUM		*bn;
	ASN1_INTEGER	*serial;

	if ((x = X509_new()) == NULL || (bn = BN_new()) == NULL ||
	    BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		errx(1, "certificate");
	BN_free(bn);
	(void)X509_set_version(x, 2);
	(void)X509_set_serialNumber(x, serial);
	ASN1_INTEGER_free(serial);
	(void)X509_gmtime_adj(X509_getm_notBefore(x), -300);
	(void)X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400);
	(void)X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"trunkd", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		errx(1, "certificate name");
	(void)X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name);
	if (issuer == NULL) {
		issuer = x;
		ikey = key;
	}
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	if (is_ca) {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE,"
		    "pathlen:0");
		add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,"
		    "cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
		add_ext(x, issuer, NID_ext_key_usage, "clientAuth");
	}
	if (X509_sign(x, ikey, EVP_sha384()) == 0)
		errx(1, "signing the certificate");
	return x;
}

/* The CA certificate and key named by trunkd.conf. */
void
ca_load(const struct trunkd_conf *conf, X509 **cert, EVP_PKEY **key)
{
	char	 kpath[PATH_MAX];
	char	 why[256];
	FILE	*f;

	ca_key_path(conf->tls_client_ca, kpath, sizeof(kpath));
	if ((f = fopen(conf->tls_client_ca, "r")) == NULL)
		err(1, "%s (run trunkctl ca init)", conf->tls_client_ca);
	*cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if ((f = fopen(kpath, "r")) == NULL)
		err(1, "%s", kpath);
	if (config_check_fd(fileno(f), 1, why, sizeof(why)) == -1)
		errx(1, "%s: %s", kpath, why);
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (*cert == NULL || *key == NULL ||
	    X509_check_private_key(*cert, *key) != 1)
		errx(1, "%s and %s: not a matching certificate and key",
		    conf->tls_client_ca, kpath);
}

/* Sign a new CRL holding the old one's entries and `serial` (if any). */
void
ca_crl_update(const struct trunkd_conf *conf, X509 *cacert, EVP_PKEY *cakey,
    const ASN1_INTEGER *serial)
{
	X509_CRL	*crl, *old = NULL;
	X509_REVOKED	*rev;
	ASN1_TIME	*now;
	char		 path[PATH_MAX];
	FILE		*f;
	int		 i;

	ca_crl_path(conf, path, sizeof(path));
	if ((f = fopen(path, "r")) != NULL) {
		old = PEM_read_X509_CRL(f, NULL, NULL, NULL);
		fclose(f);
	}
	if ((crl = X509_CRL_new()) == NULL || (now = ASN1_TIME_new()) == NULL)
		errx(1, "CRL");
	(void)X509_CRL_set_version(crl, 1);
	(void)X509_CRL_set_issuer_name(crl, X509_get_subject_name(cacert));
	(void)X509_gmtime_adj(now, 0);
	(void)X509_CRL_set1_lastUpdate(crl, now);
	(void)X509_gmtime_adj(now, (long)CRL_DAYS * 86400);
	(void)X509_CRL_set1_nextUpdate(crl, now);
	for (i = 0; old != NULL &&
	    i < sk_X509_REVOKED_num(X509_CRL_get_REVOKED(old)); i++) {
		rev = X509_REVOKED_dup(sk_X509_REVOKED_value(
		    X509_CRL_get_REVOKED(old), i));
		if (rev == NULL || X509_CRL_add0_revoked(crl, rev) != 1)
			errx(1, "CRL entry");
	}
	if (serial != NULL) {
		if ((rev = X509_REVOKED_new()) == NULL ||
		    X509_REVOKED_set_serialNumber(rev,
		    (ASN1_INTEGER *)(uintptr_t)serial) != 1)
			errx(1, "CRL entry");
		(void)X509_gmtime_adj(now, 0);
		(void)X509_REVOKED_set_revocationDate(rev, now);
		if (X509_CRL_add0_revoked(crl, rev) != 1)
			errx(1, "CRL entry");
	}
	(void)X509_CRL_sort(crl);
	if (X509_CRL_sign(crl, cakey, EVP_sha384()) == 0)
		errx(1, "signing the CRL");
	ca_write(path, 0644, pem_crl, crl);
	ASN1_TIME_free(now);
	X509_CRL_free(crl);
	X509_CRL_free(old);
}

int
cmd_ca_init(int argc, char *argv[])
{
	struct trunkd_conf	 conf;
	struct stat		 sb;
	EVP_PKEY		*key;
	X509			*cert;
	char			 kpath[PATH_MAX], crl[PATH_MAX];

	(void)ctl_local_args(argc, argv, "ca init [-f file]", 0, 0, &conf);
	ca_key_path(conf.tls_client_ca, kpath, sizeof(kpath));
	if (stat(conf.tls_client_ca, &sb) == 0 || stat(kpath, &sb) == 0)
		errx(1, "%s or %s exists: an admin CA is there already",
		    conf.tls_client_ca, kpath);
	key = ca_newkey();
	cert = ca_issue(key, "trunkd admin CA", NULL, NULL, CA_DAYS, 1);
	ca_write(kpath, 0600, ca_pem_key, key);
	ca_write(conf.tls_client_ca, 0644, ca_pem_cert, cert);
	ca_crl_update(&conf, cert, key, NULL);
	ca_crl_path(&conf, crl, sizeof(crl));
	printf("admin CA (ECDSA P-384, SHA-384): %s\nkey: %s\nCRL: %s\n",
	    conf.tls_client_ca, kpath, crl);
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}
