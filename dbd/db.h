/*
 * The MariaDB connection and prepared statements, shared by dbd and
 * trunkctl (db init, admin, audit verify).  Every statement is prepared
 * and takes its values as bound parameters; SQL text is always a constant.
 * Every connection uses TLS 1.3 and verifies the server's certificate
 * against a CA file.
 */
#ifndef TRUNKD_DB_H
#define TRUNKD_DB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct db;

struct db_params {
	const char	*host;		/* an address literal */
	uint16_t	 port;
	const char	*name;		/* the schema */
	const char	*user;
	const char	*password;
	const char	*ca_path;	/* PEM, read on every (re)connection */
	unsigned int	 timeout;	/* connect, read, write: seconds */
};

enum db_vtype { DBV_NULL, DBV_INT, DBV_TEXT, DBV_BLOB };

/* A bound parameter; text and blobs are not copied. */
struct db_val {
	enum db_vtype	 type;
	int64_t		 i;
	const void	*p;
	size_t		 len;
};

#define DB_NULL		((struct db_val){ DBV_NULL, 0, NULL, 0 })
#define DB_INT(v)	((struct db_val){ DBV_INT, (int64_t)(v), NULL, 0 })
#define DB_TEXT(s)	((struct db_val){ DBV_TEXT, 0, (s), strlen(s) })
#define DB_BLOB(b, n)	((struct db_val){ DBV_BLOB, 0, (b), (n) })

/* The rows of one statement, stored on the client side. */
struct db_res {
	void		*st;		/* MYSQL_STMT, owned by the cache */
	unsigned int	 ncols;
	void		*bind;		/* MYSQL_BIND[ncols] */
	char		**buf;
	unsigned long	*len;
	char		*null;
	uint64_t	 nrows;
};

enum db_err {
	DB_ERR_NONE = 0,
	DB_ERR_GONE,		/* the connection is lost: reconnect */
	DB_ERR_DUPLICATE,	/* a unique key */
	DB_ERR_CONSTRAINT,	/* CHECK, foreign key, trigger */
	DB_ERR_OTHER,
};

/* Once, before any chroot: the connector and its TLS library. */
int		 db_library_init(void);
struct db	*db_new(void);
void		 db_free(struct db *);
/* -1 with err filled (no secret in it). */
int		 db_connect(struct db *, const struct db_params *, char *err,
		    size_t errlen);
void		 db_disconnect(struct db *);
int		 db_connected(const struct db *);

/*
 * Run one statement with n parameters.  With res, its rows are stored
 * for db_fetch(); release them with db_res_free() before the same SQL
 * runs again.  -1 on error (see db_last_err()).
 */
int		 db_exec(struct db *, const char *sql, const struct db_val *,
		    size_t n, struct db_res *res);
/* 1 a row, 0 no more, -1 error. */
int		 db_fetch(struct db_res *);
void		 db_res_free(struct db_res *);
int		 db_isnull(const struct db_res *, unsigned int col);
int64_t		 db_int(const struct db_res *, unsigned int col);
const char	*db_str(const struct db_res *, unsigned int col);
const uint8_t	*db_blob(const struct db_res *, unsigned int col, size_t *len);
/* Of the last db_exec(): rows changed, AUTO_INCREMENT id. */
uint64_t	 db_affected(const struct db *);
uint64_t	 db_insert_id(const struct db *);

/*
 * DDL and GRANT, which the prepared-statement protocol does not take:
 * migrations only (trunkctl db init), constant text or identifiers from
 * trunkd.conf checked to a closed character set, never request input.
 */
int		 db_ddl(struct db *, const char *sql);

int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);

enum db_err	 db_last_err(const struct db *);
const char	*db_last_msg(const struct db *);

#endif /* TRUNKD_DB_H */
