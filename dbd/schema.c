/*
 * Migrations: each version is a list of constant DDL statements written
 * so that running them again changes nothing (IF NOT EXISTS, OR REPLACE,
 * INSERT IGNORE), because MariaDB commits DDL one statement at a time and
 * a migration cut short must be able to run again.
 *
 * What the schema itself guarantees, whatever a client does:
 *  - an IP-authenticated trunk has a network: trunks.net_count is kept
 *    equal to its rows in `networks` by triggers, and CHECK refuses
 *    auth = 'ip' with net_count = 0 (so the last network of an IP trunk
 *    cannot be deleted, nor a trunk switched to ip without one);
 *  - a network belongs to exactly one trunk or carrier, is stored once
 *    (family, address, prefix) and has a prefix length valid for its
 *    family; DIDs are E.164 and unique, and their trunk is their tenant's;
 *  - a tenant-admin has a tenant, a superadmin has none;
 *  - the generation counter is one row.
 * dbd's account may only SELECT and INSERT the audit table: rows cannot be
 * changed through it (the hash chain shows it if they are by other means).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "schema.h"

static const char *const migration1[] = {
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version INT UNSIGNED NOT NULL PRIMARY KEY,"
	" applied BIGINT NOT NULL"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS generation ("
	" id TINYINT UNSIGNED NOT NULL PRIMARY KEY,"
	" generation BIGINT UNSIGNED NOT NULL,"
	" CONSTRAINT generation_one_row CHECK (id = 1)"
	") ENGINE=InnoDB",

	"INSERT IGNORE INTO generation (id, generation) VALUES (1, 0)",

	"CREATE TABLE IF NOT EXISTS tenants ("
	" id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" name VARCHAR(64) NOT NULL,"
	" max_trunks INT UNSIGNED NOT NULL,"
	" max_channels INT UNSIGNED NOT NULL,"
	" allowed_prefixes VARCHAR(1024) NOT NULL,"
	" max_call_seconds INT UNSIGNED NOT NULL,"
	" UNIQUE KEY tenant_name (name)"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS trunks ("
	" id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" tenant_id INT UNSIGNED NOT NULL,"
	" name VARCHAR(64) NOT NULL,"
	" description VARCHAR(255) NOT NULL DEFAULT '',"
	" auth ENUM('ip','digest') NOT NULL,"
	" transport ENUM('udp','tcp','tls') NOT NULL,"
	" codecs VARCHAR(255) NOT NULL,"
	" max_channels INT UNSIGNED NOT NULL,"
	" enabled BOOLEAN NOT NULL,"
	" callerid_policy ENUM('dids','any') NOT NULL,"
	" username VARCHAR(64) NULL,"
	" md5_cred VARBINARY(128) NULL,"
	" net_count INT UNSIGNED NOT NULL,"
	" UNIQUE KEY trunk_name (name),"
	" UNIQUE KEY trunk_tenant (id, tenant_id),"
	" CONSTRAINT trunk_tenant_fk FOREIGN KEY (tenant_id)"
	"  REFERENCES tenants (id),"
	" CONSTRAINT trunk_ip_needs_network CHECK (auth <> 'ip' OR"
	"  net_count > 0),"
	" CONSTRAINT trunk_digest_has_cred CHECK (auth <> 'digest' OR"
	"  (username IS NOT NULL AND md5_cred IS NOT NULL))"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS carriers ("
	" id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" name VARCHAR(64) NOT NULL,"
	" host VARCHAR(253) NOT NULL,"
	" port SMALLINT UNSIGNED NOT NULL,"
	" transport ENUM('udp','tcp','tls') NOT NULL,"
	" register BOOLEAN NOT NULL,"
	" username VARCHAR(64) NOT NULL,"
	" password VARBINARY(256) NULL,"
	" UNIQUE KEY carrier_name (name),"
	" CONSTRAINT carrier_port CHECK (port > 0)"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS networks ("
	" id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" trunk_id INT UNSIGNED NULL,"
	" carrier_id INT UNSIGNED NULL,"
	" family TINYINT UNSIGNED NOT NULL,"
	" prefixlen TINYINT UNSIGNED NOT NULL,"
	" addr VARBINARY(16) NOT NULL,"
	" cidr VARCHAR(43) NOT NULL,"
	" UNIQUE KEY network (family, addr, prefixlen),"
	" CONSTRAINT network_trunk_fk FOREIGN KEY (trunk_id)"
	"  REFERENCES trunks (id) ON DELETE CASCADE,"
	" CONSTRAINT network_carrier_fk FOREIGN KEY (carrier_id)"
	"  REFERENCES carriers (id) ON DELETE CASCADE,"
	" CONSTRAINT network_one_owner CHECK"
	"  ((trunk_id IS NULL) <> (carrier_id IS NULL)),"
	" CONSTRAINT network_prefix CHECK"
	"  ((family = 4 AND LENGTH(addr) = 4 AND prefixlen BETWEEN 1 AND 32)"
	"  OR (family = 6 AND LENGTH(addr) = 16 AND"
	"  prefixlen BETWEEN 1 AND 128))"
	") ENGINE=InnoDB",

	/* Foreign key cascades fire no trigger: a trunk's delete is fine. */
	"CREATE OR REPLACE TRIGGER networks_count_ins AFTER INSERT ON networks"
	" FOR EACH ROW UPDATE trunks SET net_count ="
	" (SELECT COUNT(*) FROM networks WHERE trunk_id = NEW.trunk_id)"
	" WHERE id = NEW.trunk_id",

	"CREATE OR REPLACE TRIGGER networks_count_del AFTER DELETE ON networks"
	" FOR EACH ROW UPDATE trunks SET net_count ="
	" (SELECT COUNT(*) FROM networks WHERE trunk_id = OLD.trunk_id)"
	" WHERE id = OLD.trunk_id",

	"CREATE OR REPLACE TRIGGER networks_no_move BEFORE UPDATE ON networks"
	" FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT ="
	" 'networks are added and deleted, never moved'",

	"CREATE TABLE IF NOT EXISTS dids ("
	" id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" number VARCHAR(16) NOT NULL,"
	" tenant_id INT UNSIGNED NOT NULL,"
	" trunk_id INT UNSIGNED NOT NULL,"
	" UNIQUE KEY did_number (number),"
	" CONSTRAINT did_trunk_fk FOREIGN KEY (trunk_id, tenant_id)"
	"  REFERENCES trunks (id, tenant_id) ON DELETE CASCADE,"
	" CONSTRAINT did_e164 CHECK (number REGEXP '^[+][1-9][0-9]{1,14}$')"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS admins ("
	" id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" name VARCHAR(64) NOT NULL,"
	" fingerprint BINARY(32) NOT NULL,"
	" role ENUM('superadmin','tenant-admin','viewer') NOT NULL,"
	" tenant_id INT UNSIGNED NULL,"
	" totp_secret VARBINARY(128) NOT NULL,"
	" totp_last_step BIGINT NOT NULL DEFAULT 0,"
	" totp_failures INT UNSIGNED NOT NULL DEFAULT 0,"
	" locked_until BIGINT NOT NULL DEFAULT 0,"
	" disabled BOOLEAN NOT NULL DEFAULT FALSE,"
	" cert_serial VARCHAR(64) NOT NULL,"
	" created BIGINT NOT NULL,"
	" UNIQUE KEY admin_name (name),"
	" UNIQUE KEY admin_fingerprint (fingerprint),"
	" CONSTRAINT admin_tenant_fk FOREIGN KEY (tenant_id)"
	"  REFERENCES tenants (id),"
	" CONSTRAINT admin_role_tenant CHECK"
	"  ((role = 'superadmin' AND tenant_id IS NULL) OR"
	"  (role = 'tenant-admin' AND tenant_id IS NOT NULL) OR"
	"  role = 'viewer')"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS bans ("
	" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" family TINYINT UNSIGNED NOT NULL,"
	" prefixlen TINYINT UNSIGNED NOT NULL,"
	" addr VARBINARY(16) NOT NULL,"
	" cidr VARCHAR(43) NOT NULL,"
	" reason VARCHAR(64) NOT NULL,"
	" source ENUM('autoban','admin') NOT NULL,"
	" first_seen BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL,"
	" expires BIGINT NOT NULL,"
	" offences INT UNSIGNED NOT NULL,"
	" UNIQUE KEY ban_network (family, addr, prefixlen),"
	" KEY ban_expires (expires)"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS audit ("
	" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" ts BIGINT NOT NULL,"
	" admin VARCHAR(64) NOT NULL,"
	" tenant_id INT UNSIGNED NULL,"
	" action VARCHAR(32) NOT NULL,"
	" object VARCHAR(32) NOT NULL,"
	" object_id BIGINT UNSIGNED NOT NULL,"
	" generation BIGINT UNSIGNED NOT NULL,"
	" detail TEXT NOT NULL,"
	" prev_hash BINARY(32) NOT NULL,"
	" hash BINARY(32) NOT NULL,"
	" KEY audit_ts (ts)"
	") ENGINE=InnoDB",

	"CREATE TABLE IF NOT EXISTS applied ("
	" generation BIGINT UNSIGNED NOT NULL PRIMARY KEY,"
	" ok BOOLEAN NOT NULL,"
	" error VARCHAR(256) NOT NULL,"
	" ts BIGINT NOT NULL"
	") ENGINE=InnoDB",
	NULL
};

/*
 * 2: where an IP trunk's calls go.  No host: calls to its DIDs are
 * refused; a digest trunk has none (it is reached at the contact it
 * registers).  Rows of version 1 get no host and port 5060.
 */
static const char *const migration2[] = {
	"ALTER TABLE trunks"
	" ADD COLUMN IF NOT EXISTS host VARCHAR(253) NULL,"
	" ADD COLUMN IF NOT EXISTS port SMALLINT UNSIGNED NOT NULL"
	"  DEFAULT 5060",

	"ALTER TABLE trunks ADD CONSTRAINT IF NOT EXISTS trunk_port"
	" CHECK (port > 0)",

	"ALTER TABLE trunks ADD CONSTRAINT IF NOT EXISTS trunk_host_ip_only"
	" CHECK (auth = 'ip' OR host IS NULL)",
	NULL
};

static const char *const *const migrations[SCHEMA_VERSION] = {
	migration1,
	migration2,
};

/* What dbd's account may do, table by table. */
static const struct {
	const char	*table;
	const char	*privileges;
} grants[] = {
	{ "schema_version", "SELECT" },
	{ "generation", "SELECT, UPDATE" },
	{ "tenants", "SELECT, INSERT, UPDATE, DELETE" },
	{ "trunks", "SELECT, INSERT, UPDATE, DELETE" },
	{ "carriers", "SELECT, INSERT, UPDATE, DELETE" },
	{ "networks", "SELECT, INSERT, DELETE" },
	{ "dids", "SELECT, INSERT, UPDATE, DELETE" },
	{ "admins", "SELECT, UPDATE" },
	{ "bans", "SELECT, INSERT, UPDATE, DELETE" },
	{ "audit", "SELECT, INSERT" },
	{ "applied", "SELECT, INSERT, UPDATE" },
};

static const char sql_version[] =
    "SELECT COALESCE(MAX(version), 0) FROM schema_version";
static const char sql_has_version_table[] =
    "SELECT COUNT(*) FROM information_schema.tables"
    " WHERE table_schema = DATABASE() AND table_name = 'schema_version'";
static const char sql_record[] =
    "INSERT IGNORE INTO schema_version (version, applied)"
    " VALUES (?, UNIX_TIMESTAMP())";
static const char sql_current_user[] = "SELECT CURRENT_USER()";

int
schema_version(struct db *db)
{
	struct db_res	res;
	int		v = -1;

	if (db_exec(db, sql_has_version_table, NULL, 0, &res) == -1)
		return -1;
	if (db_fetch(&res) == 1)
		v = (int)db_int(&res, 0);
	db_res_free(&res);
	if (v <= 0)
		return v;
	if (db_exec(db, sql_version, NULL, 0, &res) == -1)
		return -1;
	v = db_fetch(&res) == 1 ? (int)db_int(&res, 0) : -1;
	db_res_free(&res);
	return v;
}

/* An identifier or host written into GRANT: a closed character set. */
static int
ident_ok(const char *s, const char *extra)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' &&
		    strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* The host part of the owner's account: dbd's is granted for the same. */
static int
owner_host(struct db *db, char *host, size_t len)
{
	struct db_res	 res;
	const char	*at;
	int		 rv = -1;

	if (db_exec(db, sql_current_user, NULL, 0, &res) == -1)
		return -1;
	if (db_fetch(&res) == 1 && (at = strrchr(db_str(&res, 0), '@')) !=
	    NULL && strlcpy(host, at + 1, len) < len && ident_ok(host, ".:%-"))
		rv = 0;
	db_res_free(&res);
	return rv;
}

static int
grant_all(struct db *db, const char *schema, const char *user, char *err,
    size_t errlen)
{
	char	host[80], sql[512];
	size_t	i;

	if (owner_host(db, host, sizeof(host)) == -1) {
		(void)snprintf(err, errlen, "cannot tell the owner's host");
		return -1;
	}
	for (i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
		/* Identifiers from trunkd.conf, checked by ident_ok(). */
		if ((size_t)snprintf(sql, sizeof(sql), "GRANT %s ON `%s`.`%s` "
		    "TO '%s'@'%s'", grants[i].privileges, schema,
		    grants[i].table, user, host) >= sizeof(sql) ||
		    db_ddl(db, sql) == -1) {
			(void)snprintf(err, errlen, "grant on %s: %s",
			    grants[i].table, db_last_msg(db));
			return -1;
		}
	}
	return 0;
}

int
schema_migrate(struct db *db, const char *schema, const char *user,
    int (*say)(const char *, ...), char *err, size_t errlen)
{
	struct db_val	 v;
	const char	*const *stmt;
	int		 have, ver;

	if (!ident_ok(schema, "") || !ident_ok(user, "")) {
		(void)snprintf(err, errlen, "schema or user name not plain");
		return -1;
	}
	if ((have = schema_version(db)) == -1) {
		(void)snprintf(err, errlen, "%s", db_last_msg(db));
		return -1;
	}
	if (have > SCHEMA_VERSION) {
		(void)snprintf(err, errlen, "the database has schema version "
		    "%d, newer than this trunkd's %d", have, SCHEMA_VERSION);
		return -1;
	}
	for (ver = have + 1; ver <= SCHEMA_VERSION; ver++) {
		if (say != NULL)
			say("applying migration %d\n", ver);
		for (stmt = migrations[ver - 1]; *stmt != NULL; stmt++)
			if (db_ddl(db, *stmt) == -1) {
				(void)snprintf(err, errlen, "migration %d: %s",
				    ver, db_last_msg(db));
				return -1;
			}
		v = DB_INT(ver);
		if (db_exec(db, sql_record, &v, 1, NULL) == -1) {
			(void)snprintf(err, errlen, "migration %d: %s", ver,
			    db_last_msg(db));
			return -1;
		}
	}
	if (have == SCHEMA_VERSION && say != NULL)
		say("schema is at version %d: nothing to migrate\n", have);
	return grant_all(db, schema, user, err, errlen);
}
