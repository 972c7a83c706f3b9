/*
 * trunkctl admin add | list | revoke.
 *
 * add: a P-384 client certificate from the admin CA (PEM, and PKCS#12
 * with a printed password for browsers), a TOTP secret sealed under the
 * data key (shown once, as an otpauth:// URI and a QR code), and the
 * admin's row with the certificate's SHA-256 fingerprint: one
 * transaction with its audit row.  revoke: the admin is disabled and its
 * certificate added to the CRL that webd uses.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <qrencode.h>

#include "ca.h"
#include "dbd/crypt.h"
#include "dbd/db.h"
#include "local.h"
#include "dbd/totp.h"

#define ADMIN_DAYS	397
#define P12_PASS_LEN	20

static const char sql_tenant[] = "SELECT id FROM tenants WHERE name = ?";
static const char sql_taken[] = "SELECT COUNT(*) FROM admins WHERE name = ?";
static const char sql_insert[] =
    "INSERT INTO admins (name, fingerprint, role, tenant_id, totp_secret,"
    " cert_serial, created) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_list[] =
    "SELECT a.name, a.role, COALESCE(t.name, '-'), a.disabled,"
    " a.locked_until, HEX(a.fingerprint) FROM admins a"
    " LEFT JOIN tenants t ON t.id = a.tenant_id ORDER BY a.name";
static const char sql_find[] =
    "SELECT id, cert_serial, COALESCE(tenant_id, -1), disabled"
    " FROM admins WHERE name = ?";
static const char sql_disable[] =
    "UPDATE admins SET disabled = 1 WHERE id = ?";

static __attribute__((noreturn)) void
fail_db(struct db *db, const char *what)
{
	errx(1, "%s: %s", what, db_last_msg(db));
}

/* The QR code in the terminal: two rows of modules per line. */
static void
qr_print(const char *text)
{
	static const char *const blocks[4] = { " ", "\u2580", "\u2584",
	    "\u2588" };
	QRcode	*qr;
	int	 x, y, w, top, bot;

	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL) {
		warnx("QR code: %s", strerror(errno));
		return;
	}
	w = qr->width;
	/* Dark modules light on a dark terminal would not scan: invert. */
	for (y = -2; y < w + 2; y += 2) {
		for (x = -2; x < w + 2; x++) {
			top = y >= 0 && y < w && x >= 0 && x < w &&
			    (qr->data[y * w + x] & 1);
			bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w &&
			    (qr->data[(y + 1) * w + x] & 1);
			fputs(blocks[(!top) | (!bot) << 1], stdout);
		}
		putchar('\n');
	}
	QRcode_free(qr);
}

static int
p12_write(FILE *f, void *p12)
{
	return i2d_PKCS12_fp(f, p12);
}

static void
admin_dir(const struct trunkd_conf *conf, char *buf, size_t len)
{
	char	dir[PATH_MAX];

	(void)strlcpy(dir, conf->tls_client_ca, sizeof(dir));
	if ((size_t)snprintf(buf, len, "%s/admins", dirname(dir)) >= len)
		errx(1, "admin directory path too long");
	if (mkdir(buf, 0700) == -1 && errno != EEXIST)
		err(1, "%s", buf);
}

/* Parse NAME --role R [--tenant T]. */
static void
add_args(int argc, char *argv[], const char **name, const char **role,
    const char **tenant)
{
	int	i;

	*name = argv[0];
	*role = *tenant = NULL;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--role") == 0)
			*role = argv[i + 1];
		else if (strcmp(argv[i], "--tenant") == 0)
			*tenant = argv[i + 1];
		else
			break;
	}
	if (i != argc || *role == NULL)
		errx(1, "usage: admin add NAME --role R [--tenant T]");
	if (strlen(*name) > 64 || !config_name_ok(*name) ||
	    !isalnum((unsigned char)(*name)[0]))
		errx(1, "admin name \"%s\": letters, digits, \"_.-\", up to 64",
		    *name);
	if (strcmp(*role, "superadmin") != 0 &&
	    strcmp(*role, "tenant-admin") != 0 && strcmp(*role, "viewer") != 0)
		errx(1, "role must be superadmin, tenant-admin or viewer");
	if (strcmp(*role, "tenant-admin") == 0 && *tenant == NULL)
		errx(1, "a tenant-admin needs --tenant");
	if (strcmp(*role, "superadmin") == 0 && *tenant != NULL)
		errx(1, "a superadmin has no tenant");
}

static int64_t
tenant_id(struct db *db, const char *name)
{
	struct db_res	res;
	struct db_val	v;
	int64_t		id = -1;

	if (name == NULL)
		return -1;
	v = DB_TEXT(name);
	if (db_exec(db, sql_tenant, &v, 1, &res) == -1)
		fail_db(db, "tenant");
	if (db_fetch(&res) == 1)
		id = db_int(&res, 0);
	db_res_free(&res);
	if (id < 0)
		errx(1, "no tenant named \"%s\"", name);
	return id;
}

int
cmd_admin_add(int argc, char *argv[])
{
	struct trunkd_conf	 conf;
	struct db		*db;
	struct db_res		 res;
	struct db_val		 v[7];
	const char		*name, *role, *tenant;
	X509			*cacert, *cert;
	EVP_PKEY		*cakey, *key;
	PKCS12			*p12;
	BIGNUM			*bn;
	char			*serial;
	uint8_t			 dkey[CRYPT_KEY_LEN], secret[TOTP_SECRET_LEN];
	uint8_t			 sealed[TOTP_SECRET_LEN + CRYPT_OVERHEAD];
	uint8_t			 fpr[EVP_MAX_MD_SIZE];
	char			 dir[PATH_MAX], crt[PATH_MAX], kfile[PATH_MAX];
	char			 pfile[PATH_MAX], aad[128], uri[512], detail[256];
	char			 p12pass[P12_PASS_LEN + 1];
	unsigned int		 fprlen;
	size_t			 slen;
	int64_t			 tid;
	uint64_t		 taken = 1;
	int			 i;

	i = ctl_local_args(argc, argv, "admin add [-f file] NAME --role R "
	    "[--tenant T]", 3, 5, &conf);
	add_args(argc - i, argv + i, &name, &role, &tenant);
	ctl_data_key(&conf, dkey);
	ca_load(&conf, &cacert, &cakey);
	db = ctl_db_owner(&conf);
	tid = tenant_id(db, tenant);
	v[0] = DB_TEXT(name);
	if (db_exec(db, sql_taken, v, 1, &res) == -1)
		fail_db(db, "admins");
	if (db_fetch(&res) == 1)
		taken = (uint64_t)db_int(&res, 0);
	db_res_free(&res);
	if (taken != 0)
		errx(1, "an admin named \"%s\" exists already", name);

	key = ca_newkey();
	cert = ca_issue(key, name, cacert, cakey, ADMIN_DAYS, 0);
	if (X509_digest(cert, EVP_sha256(), fpr, &fprlen) != 1 ||
	    fprlen != 32 || (bn = ASN1_INTEGER_to_BN(
	    X509_get_serialNumber(cert), NULL)) == NULL ||
	    (serial = BN_bn2hex(bn)) == NULL)
		errx(1, "certificate fingerprint");
	BN_free(bn);
	crypt_password(p12pass, sizeof(p12pass));
	if ((p12 = PKCS12_create(p12pass, name, key, cert, NULL, 0, 0, 0, 0,
	    0)) == NULL)
		errx(1, "PKCS#12");

	totp_secret_new(secret);
	(void)snprintf(aad, sizeof(aad), "trunkd admin totp %s", name);
	if (crypt_seal(dkey, aad, secret, sizeof(secret), sealed,
	    sizeof(sealed), &slen) == -1)
		errx(1, "sealing the TOTP secret");
	explicit_bzero(dkey, sizeof(dkey));

	admin_dir(&conf, dir, sizeof(dir));
	if ((size_t)snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name) >=
	    sizeof(crt) || (size_t)snprintf(kfile, sizeof(kfile), "%s/%s.key",
	    dir, name) >= sizeof(kfile) || (size_t)snprintf(pfile,
	    sizeof(pfile), "%s/%s.p12", dir, name) >= sizeof(pfile))
		errx(1, "%s: path too long", dir);
	ca_write(kfile, 0600, ca_pem_key, key);
	ca_write(crt, 0644, ca_pem_cert, cert);
	ca_write(pfile, 0600, p12_write, p12);

	v[0] = DB_TEXT(name);
	v[1] = DB_BLOB(fpr, 32);
	v[2] = DB_TEXT(role);
	v[3] = tid < 0 ? DB_NULL : DB_INT(tid);
	v[4] = DB_BLOB(sealed, slen);
	v[5] = DB_TEXT(serial);
	v[6] = DB_INT(time(NULL));
	(void)snprintf(detail, sizeof(detail), "{\"name\":\"%s\",\"role\":"
	    "\"%s\"}", name, role);
	if (db_begin(db) == -1 || db_exec(db, sql_insert, v, 7, NULL) == -1 ||
	    ctl_db_change(db, "enroll", db_insert_id(db), tid, detail) == -1 ||
	    db_commit(db) == -1) {
		(void)unlink(crt);
		(void)unlink(kfile);
		(void)unlink(pfile);
		fail_db(db, "enrolling the admin");
	}
	if (totp_uri(secret, sizeof(secret), "trunkd", name, uri,
	    sizeof(uri)) == -1)
		errx(1, "otpauth URI");
	explicit_bzero(secret, sizeof(secret));
	printf("admin %s (%s%s%s) enrolled\n", name, role,
	    tenant != NULL ? ", tenant " : "", tenant != NULL ? tenant : "");
	printf("certificate: %s\nkey: %s\nPKCS#12: %s\nPKCS#12 password: %s\n",
	    crt, kfile, pfile, p12pass);
	printf("TOTP (shown once; scan it or type it into an authenticator):"
	    "\n%s\n", uri);
	qr_print(uri);
	explicit_bzero(uri, sizeof(uri));
	explicit_bzero(p12pass, sizeof(p12pass));
	OPENSSL_free(serial);
	PKCS12_free(p12);
	X509_free(cert);
	X509_free(cacert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cakey);
	db_free(db);
	return 0;
}

int
cmd_admin_list(int argc, char *argv[])
{
	struct trunkd_conf	 conf;
	struct db		*db;
	struct db_res		 res;
	int			 f;

	(void)ctl_local_args(argc, argv, "admin list [-f file]", 0, 0, &conf);
	db = ctl_db_owner(&conf);
	if (db_exec(db, sql_list, NULL, 0, &res) == -1)
		fail_db(db, "admins");
	printf("%-20s %-13s %-20s %-8s %s\n", "NAME", "ROLE", "TENANT",
	    "STATE", "SHA-256 FINGERPRINT");
	while ((f = db_fetch(&res)) == 1)
		printf("%-20s %-13s %-20s %-8s %s\n", db_str(&res, 0),
		    db_str(&res, 1), db_str(&res, 2), db_int(&res, 3) ?
		    "disabled" : db_int(&res, 4) > time(NULL) ? "locked" :
		    "active", db_str(&res, 5));
	db_res_free(&res);
	db_free(db);
	return f == -1;
}

int
cmd_admin_revoke(int argc, char *argv[])
{
	struct trunkd_conf	 conf;
	struct db		*db;
	struct db_res		 res;
	struct db_val		 v;
	X509			*cacert;
	EVP_PKEY		*cakey;
	BIGNUM			*bn = NULL;
	ASN1_INTEGER		*serial;
	char			 detail[128];
	int64_t			 id = -1, tid = -1;
	int			 i;

	i = ctl_local_args(argc, argv, "admin revoke [-f file] NAME", 1, 1,
	    &conf);
	if (!config_name_ok(argv[i]) || strlen(argv[i]) > 64)
		errx(1, "no admin named \"%s\"", argv[i]);
	ca_load(&conf, &cacert, &cakey);
	db = ctl_db_owner(&conf);
	v = DB_TEXT(argv[i]);
	if (db_begin(db) == -1 || db_exec(db, sql_find, &v, 1, &res) == -1)
		fail_db(db, "admins");
	if (db_fetch(&res) == 1) {
		id = db_int(&res, 0);
		tid = db_int(&res, 2);
		if (BN_hex2bn(&bn, db_str(&res, 1)) == 0)
			errx(1, "admin %s: bad certificate serial", argv[i]);
	}
	db_res_free(&res);
	if (id < 0)
		errx(1, "no admin named \"%s\"", argv[i]);
	(void)snprintf(detail, sizeof(detail), "{\"name\":\"%s\"}", argv[i]);
	v = DB_INT(id);
	if (db_exec(db, sql_disable, &v, 1, NULL) == -1 ||
	    ctl_db_change(db, "revoke", (uint64_t)id, tid, detail) == -1 ||
	    db_commit(db) == -1)
		fail_db(db, "revoking the admin");
	if ((serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		errx(1, "serial");
	ca_crl_update(&conf, cacert, cakey, serial);
	printf("admin %s disabled; its certificate is in the CRL\n", argv[i]);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_free(cacert);
	EVP_PKEY_free(cakey);
	db_free(db);
	return 0;
}
