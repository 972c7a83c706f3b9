/*
 * MariaDB through Connector/C: TLS 1.3 with the server's certificate
 * verified against a CA file, prepared statements kept per connection,
 * every column fetched as bytes into buffers sized from the stored result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "db.h"

#define DB_CACHE	96	/* distinct statements of a connection */
#define DB_PARAMS	24	/* most parameters of one statement */
#define DB_COL_MAX	(256U * 1024)	/* largest column value */

struct db_stmt {
	const char	*sql;		/* a constant: compared by address */
	MYSQL_STMT	*st;
};

struct db {
	MYSQL		*m;
	struct db_stmt	 cache[DB_CACHE];
	size_t		 ncache;
	enum db_err	 err;
	char		 msg[256];
	uint64_t	 affected;
	uint64_t	 insert_id;
};

int
db_library_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

struct db *
db_new(void)
{
	return calloc(1, sizeof(struct db));
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

int
db_connected(const struct db *db)
{
	return db->m != NULL;
}

void
db_disconnect(struct db *db)
{
	size_t	i;

	for (i = 0; i < db->ncache; i++)
		mysql_stmt_close(db->cache[i].st);
	db->ncache = 0;
	if (db->m != NULL)
		mysql_close(db->m);
	db->m = NULL;
}

static void
db_seterr(struct db *db, unsigned int code, const char *msg)
{
	switch (code) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case ER_NET_READ_ERROR:
	case ER_NET_READ_INTERRUPTED:
	case ER_NET_ERROR_ON_WRITE:
	case ER_NET_WRITE_INTERRUPTED:
		db->err = DB_ERR_GONE;
		break;
	case ER_DUP_ENTRY:
	case ER_DUP_KEY:
		db->err = DB_ERR_DUPLICATE;
		break;
	case ER_CONSTRAINT_FAILED:
	case ER_ROW_IS_REFERENCED_2:
	case ER_NO_REFERENCED_ROW_2:
	case ER_SIGNAL_EXCEPTION:
	case ER_BAD_NULL_ERROR:
		db->err = DB_ERR_CONSTRAINT;
		break;
	default:
		/* Any other client-side error leaves the link unusable. */
		db->err = code >= CR_MIN_ERROR && code <= CR_MAX_ERROR ?
		    DB_ERR_GONE : DB_ERR_OTHER;
		break;
	}
	(void)snprintf(db->msg, sizeof(db->msg), "%u: %s", code, msg);
	if (db->err == DB_ERR_GONE)
		db_disconnect(db);
}

enum db_err
db_last_err(const struct db *db)
{
	return db->err;
}

const char *
db_last_msg(const struct db *db)
{
	return db->msg;
}

int
db_connect(struct db *db, const struct db_params *p, char *err,
    size_t errlen)
{
	unsigned int	 timeout = p->timeout;
	my_bool		 yes = 1, no = 0;

	db_disconnect(db);
	db->err = DB_ERR_NONE;
	if ((db->m = mysql_init(NULL)) == NULL) {
		(void)snprintf(err, errlen, "mysql_init failed");
		return -1;
	}
	/*
	 * TLS 1.3 or nothing, and the server must prove itself with a
	 * certificate for the host, issued by our CA.  Session settings are
	 * constants: strict modes, and READ COMMITTED so that a mutation
	 * that holds the generation lock sees every earlier commit.
	 */
	if (mysql_optionsv(db->m, MYSQL_OPT_SSL_CA, p->ca_path) != 0 ||
	    mysql_optionsv(db->m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
	    &yes) != 0 ||
	    mysql_optionsv(db->m, MYSQL_OPT_SSL_ENFORCE, &yes) != 0 ||
	    mysql_optionsv(db->m, MARIADB_OPT_TLS_VERSION, "TLSv1.3") != 0 ||
	    mysql_optionsv(db->m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) != 0 ||
	    mysql_optionsv(db->m, MYSQL_OPT_READ_TIMEOUT, &timeout) != 0 ||
	    mysql_optionsv(db->m, MYSQL_OPT_WRITE_TIMEOUT, &timeout) != 0 ||
	    mysql_optionsv(db->m, MYSQL_OPT_RECONNECT, &no) != 0 ||
	    mysql_optionsv(db->m, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0 ||
	    mysql_optionsv(db->m, MYSQL_INIT_COMMAND, "SET SESSION sql_mode = "
	    "'STRICT_ALL_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
	    "NO_ENGINE_SUBSTITUTION'") != 0 ||
	    mysql_optionsv(db->m, MYSQL_INIT_COMMAND, "SET SESSION "
	    "TRANSACTION ISOLATION LEVEL READ COMMITTED") != 0) {
		(void)snprintf(err, errlen, "connector options refused");
		db_disconnect(db);
		return -1;
	}
	if (mysql_real_connect(db->m, p->host, p->user, p->password, p->name,
	    p->port, NULL, CLIENT_FOUND_ROWS) == NULL) {
		(void)snprintf(err, errlen, "%s", mysql_error(db->m));
		db_disconnect(db);
		return -1;
	}
	return 0;
}

static MYSQL_STMT *
db_stmt(struct db *db, const char *sql)
{
	MYSQL_STMT	*st;
	size_t		 i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].st;
	if ((st = mysql_stmt_init(db->m)) == NULL) {
		db_seterr(db, mysql_errno(db->m), mysql_error(db->m));
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		db_seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (db->ncache == DB_CACHE) {
		/* A full cache is a bug: more statements than there are. */
		mysql_stmt_close(db->cache[0].st);
		memmove(db->cache, db->cache + 1,
		    (DB_CACHE - 1) * sizeof(db->cache[0]));
		db->ncache--;
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return st;
}

static int
db_stmt_fail(struct db *db, MYSQL_STMT *st)
{
	db_seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st));
	return -1;
}

static int
db_bind_result(struct db *db, MYSQL_STMT *st, struct db_res *res)
{
	MYSQL_RES	*meta;
	MYSQL_FIELD	*f;
	MYSQL_BIND	*b;
	unsigned int	 i;
	unsigned long	 size;

	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return 0;
	res->ncols = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	res->bind = b = calloc(res->ncols, sizeof(MYSQL_BIND));
	res->buf = calloc(res->ncols, sizeof(char *));
	res->len = calloc(res->ncols, sizeof(unsigned long));
	res->null = calloc(res->ncols, 1);
	if (b == NULL || res->buf == NULL || res->len == NULL ||
	    res->null == NULL)
		goto nomem;
	for (i = 0; i < res->ncols; i++) {
		/* max_length is the longest stored value; numbers as text. */
		size = f[i].max_length < 64 ? 64 : f[i].max_length;
		if (size > DB_COL_MAX) {
			mysql_free_result(meta);
			(void)snprintf(db->msg, sizeof(db->msg),
			    "column %u too long", i);
			db->err = DB_ERR_OTHER;
			return -1;
		}
		if ((res->buf[i] = malloc(size + 1)) == NULL)
			goto nomem;
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].buffer = res->buf[i];
		b[i].buffer_length = size;
		b[i].length = &res->len[i];
		b[i].is_null = (my_bool *)&res->null[i];
	}
	mysql_free_result(meta);
	if (mysql_stmt_bind_result(st, b) != 0)
		return db_stmt_fail(db, st);
	return 0;
nomem:
	mysql_free_result(meta);
	(void)snprintf(db->msg, sizeof(db->msg), "out of memory");
	db->err = DB_ERR_OTHER;
	return -1;
}

int
db_exec(struct db *db, const char *sql, const struct db_val *v, size_t n,
    struct db_res *res)
{
	MYSQL_BIND	 pb[DB_PARAMS];
	int64_t		 ints[DB_PARAMS];
	MYSQL_STMT	*st;
	my_bool		 yes = 1;
	size_t		 i;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	db->err = DB_ERR_NONE;
	db->msg[0] = '\0';
	if (db->m == NULL) {
		db->err = DB_ERR_GONE;
		(void)snprintf(db->msg, sizeof(db->msg), "not connected");
		return -1;
	}
	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	if (n > DB_PARAMS || mysql_stmt_param_count(st) != n) {
		db->err = DB_ERR_OTHER;
		(void)snprintf(db->msg, sizeof(db->msg),
		    "parameter count %zu for: %.80s", n, sql);
		return -1;
	}
	memset(pb, 0, sizeof(pb));
	for (i = 0; i < n; i++) {
		switch (v[i].type) {
		case DBV_NULL:
			pb[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DBV_INT:
			ints[i] = v[i].i;
			pb[i].buffer_type = MYSQL_TYPE_LONGLONG;
			pb[i].buffer = &ints[i];
			break;
		case DBV_TEXT:
		case DBV_BLOB:
			pb[i].buffer_type = v[i].type == DBV_TEXT ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			pb[i].buffer = (void *)(uintptr_t)v[i].p;
			pb[i].buffer_length = v[i].len;
			break;
		}
	}
	if ((n > 0 && mysql_stmt_bind_param(st, pb) != 0) ||
	    mysql_stmt_execute(st) != 0)
		return db_stmt_fail(db, st);
	db->affected = mysql_stmt_affected_rows(st);
	db->insert_id = mysql_stmt_insert_id(st);
	if (res == NULL) {
		(void)mysql_stmt_free_result(st);
		return 0;
	}
	res->st = st;
	if (mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &yes) != 0 ||
	    mysql_stmt_store_result(st) != 0) {
		(void)db_stmt_fail(db, st);
		db_res_free(res);
		return -1;
	}
	res->nrows = mysql_stmt_num_rows(st);
	if (db_bind_result(db, st, res) == -1) {
		db_res_free(res);
		return -1;
	}
	return 0;
}

int
db_fetch(struct db_res *res)
{
	unsigned int	i;
	int		r;

	if (res->st == NULL || res->ncols == 0)
		return 0;
	r = mysql_stmt_fetch(res->st);
	if (r == MYSQL_NO_DATA)
		return 0;
	if (r != 0)
		return -1;	/* an error, or MYSQL_DATA_TRUNCATED */
	for (i = 0; i < res->ncols; i++)
		res->buf[i][res->null[i] ? 0 : res->len[i]] = '\0';
	return 1;
}

void
db_res_free(struct db_res *res)
{
	unsigned int	i;

	if (res->st != NULL)
		(void)mysql_stmt_free_result(res->st);
	if (res->buf != NULL)
		for (i = 0; i < res->ncols; i++)
			free(res->buf[i]);
	free(res->buf);
	free(res->bind);
	free(res->len);
	free(res->null);
	memset(res, 0, sizeof(*res));
}

int
db_isnull(const struct db_res *res, unsigned int col)
{
	return col >= res->ncols || res->null[col];
}

int64_t
db_int(const struct db_res *res, unsigned int col)
{
	if (db_isnull(res, col))
		return 0;
	return strtoll(res->buf[col], NULL, 10);
}

const char *
db_str(const struct db_res *res, unsigned int col)
{
	if (db_isnull(res, col))
		return "";
	return res->buf[col];
}

const uint8_t *
db_blob(const struct db_res *res, unsigned int col, size_t *len)
{
	if (db_isnull(res, col)) {
		*len = 0;
		return NULL;
	}
	*len = res->len[col];
	return (const uint8_t *)res->buf[col];
}

uint64_t
db_affected(const struct db *db)
{
	return db->affected;
}

uint64_t
db_insert_id(const struct db *db)
{
	return db->insert_id;
}

static int
db_api_fail(struct db *db)
{
	db_seterr(db, mysql_errno(db->m), mysql_error(db->m));
	return -1;
}

int
db_ddl(struct db *db, const char *sql)
{
	MYSQL_RES	*r;

	db->err = DB_ERR_NONE;
	if (db->m == NULL) {
		db->err = DB_ERR_GONE;
		return -1;
	}
	if (mysql_real_query(db->m, sql, strlen(sql)) != 0)
		return db_api_fail(db);
	if ((r = mysql_store_result(db->m)) != NULL)
		mysql_free_result(r);
	return 0;
}

int
db_begin(struct db *db)
{
	db->err = DB_ERR_NONE;
	if (db->m == NULL) {
		db->err = DB_ERR_GONE;
		return -1;
	}
	return mysql_autocommit(db->m, 0) != 0 ? db_api_fail(db) : 0;
}

int
db_commit(struct db *db)
{
	if (db->m == NULL)
		return -1;
	if (mysql_commit(db->m) != 0)
		return db_api_fail(db);
	return mysql_autocommit(db->m, 1) != 0 ? db_api_fail(db) : 0;
}

void
db_rollback(struct db *db)
{
	enum db_err	saved = db->err;
	char		msg[sizeof(db->msg)];

	/* Keep the error that made us roll back. */
	memcpy(msg, db->msg, sizeof(msg));
	if (db->m != NULL &&
	    (mysql_rollback(db->m) != 0 || mysql_autocommit(db->m, 1) != 0))
		(void)db_api_fail(db);
	if (saved != DB_ERR_NONE) {
		db->err = saved;
		memcpy(db->msg, msg, sizeof(msg));
	}
}
