/*
 * trunkctl db init and audit verify, and what the local commands share:
 * the configuration, the owner's connection (TLS, server certificate
 * verified against the configured CA), the data key.
 */
#include <err.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbd/audit.h"
#include "dbd/crypt.h"
#include "dbd/db.h"
#include "local.h"
#include "dbd/schema.h"

int
ctl_local_args(int argc, char *argv[], const char *usage, int min, int max,
    struct trunkd_conf *conf)
{
	const char	*path = CONF_DEFAULT_PATH;
	int		 c;

	optind = 1;
	while ((c = getopt(argc, argv, "+f:")) != -1) {
		if (c != 'f')
			errx(1, "usage: trunkctl %s", usage);
		path = optarg;
	}
	if (argc - optind < min || argc - optind > max)
		errx(1, "usage: trunkctl %s", usage);
	if (config_parse(path, conf, 1) == -1)
		errx(1, "%s: fix the configuration first", path);
	return optind;
}

/* A root-only file into buf (NUL-terminated); the length. */
static size_t
read_secret(const char *path, char *buf, size_t size)
{
	char	why[256];
	ssize_t	n;
	size_t	len = 0;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		err(1, "%s", path);
	if (config_check_fd(fd, 1, why, sizeof(why)) == -1)
		errx(1, "%s: %s", path, why);
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len + 1 >= size)
		errx(1, "%s: too large", path);
	buf[len] = '\0';
	return len;
}

struct db *
ctl_db_owner(const struct trunkd_conf *conf)
{
	struct db_params	 p;
	struct db		*db;
	char			 pw[256], err[256];
	size_t			 len;

	if (conf->db_owner_user[0] == '\0' ||
	    conf->db_owner_password_file[0] == '\0')
		errx(1, "%s: the database block names no owner", conf->path);
	len = read_secret(conf->db_owner_password_file, pw, sizeof(pw));
	while (len > 0 && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
		pw[--len] = '\0';
	memset(&p, 0, sizeof(p));
	p.host = conf->db_host;
	p.port = conf->db_port;
	p.name = conf->db_name;
	p.user = conf->db_owner_user;
	p.password = pw;
	p.ca_path = conf->db_tls_ca;
	p.timeout = 10;
	if (db_library_init() == -1 || (db = db_new()) == NULL)
		errx(1, "database connector");
	if (db_connect(db, &p, err, sizeof(err)) == -1) {
		explicit_bzero(pw, sizeof(pw));
		errx(1, "database %s:%u: %s", p.host, p.port, err);
	}
	explicit_bzero(pw, sizeof(pw));
	return db;
}

void
ctl_data_key(const struct trunkd_conf *conf, uint8_t *key)
{
	char	buf[256];
	size_t	len;

	len = read_secret(conf->db_data_key_file, buf, sizeof(buf));
	if (crypt_key_parse((const uint8_t *)buf, len, key) == -1)
		errx(1, "%s: 32 bytes or 64 hex digits expected",
		    conf->db_data_key_file);
	explicit_bzero(buf, sizeof(buf));
}

int
ctl_db_change(struct db *db, const char *action, uint64_t id,
    int64_t tenant_id, const char *detail)
{
	static const char sql_lock[] =
	    "SELECT generation FROM generation WHERE id = 1 FOR UPDATE";
	static const char sql_set[] =
	    "UPDATE generation SET generation = ? WHERE id = 1";
	struct audit_row	row;
	struct db_res		res;
	struct db_val		v;
	uint64_t		gen;
	int			f;

	if (db_exec(db, sql_lock, NULL, 0, &res) == -1)
		return -1;
	f = db_fetch(&res);
	gen = f == 1 ? (uint64_t)db_int(&res, 0) + 1 : 0;
	db_res_free(&res);
	if (f != 1)
		return -1;
	v = DB_INT(gen);
	memset(&row, 0, sizeof(row));
	row.ts = time(NULL);
	row.admin = "trunkctl";
	row.tenant_id = tenant_id;
	row.action = action;
	row.object = "admin";
	row.object_id = id;
	row.generation = gen;
	row.detail = detail;
	if (db_exec(db, sql_set, &v, 1, NULL) == -1 ||
	    audit_append(db, &row) == -1)
		return -1;
	return 0;
}

static int
say(const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int
cmd_db_init(int argc, char *argv[])
{
	struct trunkd_conf	 conf;
	struct db		*db;
	char			 err[256];

	(void)ctl_local_args(argc, argv, "db init [-f file]", 0, 0, &conf);
	db = ctl_db_owner(&conf);
	if (schema_migrate(db, conf.db_name, conf.db_user, say, err,
	    sizeof(err)) == -1) {
		db_free(db);
		errx(1, "db init: %s", err);
	}
	printf("schema %s at version %d; %s granted its privileges\n",
	    conf.db_name, SCHEMA_VERSION, conf.db_user);
	db_free(db);
	return 0;
}

int
cmd_audit_verify(int argc, char *argv[])
{
	struct trunkd_conf	 conf;
	struct db		*db;
	uint64_t		 n, bad;
	char			 why[256];
	int			 r;

	(void)ctl_local_args(argc, argv, "audit verify [-f file]", 0, 0,
	    &conf);
	db = ctl_db_owner(&conf);
	r = audit_verify(db, &n, &bad, why, sizeof(why));
	if (r == -1)
		errx(1, "audit verify: %s", db_last_msg(db));
	db_free(db);
	if (r == 1) {
		printf("audit chain BROKEN at row %llu: it %s\n",
		    (unsigned long long)bad, why);
		return 1;
	}
	printf("audit chain intact: %llu rows\n", (unsigned long long)n);
	return 0;
}
