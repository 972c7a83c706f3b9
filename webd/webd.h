/*
 * webd's pieces and how they meet:
 *   tls.c    the OpenSSL 3 context from the parent's blobs, identities
 *   conn.c   TLS connections on libevent: accept, handshake, reading
 *            heads and bodies, writing answers, deadlines, closing
 *   gate.c   the strict parser every request head passes first
 *   http.c   requests: their fields, the answers with the security
 *            headers, the access log, routing
 *   db.c     requests to dbd and their answers
 *   csrf.c   form tokens bound to the certificate fingerprint
 *   html.c   escaping; form.c the urlencoded bodies; procs.c the
 *            process table from the parent
 *   res.c    the objects of the console and the API (one table)
 *   ui_*.c   the pages; api.c the JSON API
 */
#ifndef TRUNKD_WEBD_H
#define TRUNKD_WEBD_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "proto.h"

#define WEB_HEAD_MAX	8192		/* request line + headers -> 431 */
#define WEB_BODY_MAX	(64 * 1024)	/* -> 413 */
#define WEB_NAME_MAX	PROTO_NAME_MAX

/* ---- tls.c ---- */
/* A server context from the blobs, which are wiped; NULL on error. */
SSL_CTX	*tls_ctx_new(const char *groups, char *err, size_t errlen);
/* tls_verify.c: the client certificate's checks in each handshake */
int	 tls_verify_init(SSL_CTX *);
/* The CRLs (signatures checked) the context's handshakes look up. */
int	 tls_verify_crls(SSL_CTX *, STACK_OF(X509_CRL) *);
int	 tls_crl_expired(const X509_CRL *);
/* SHA-256 of the peer's certificate; -1 without one. */
int	 tls_fingerprint(SSL *, uint8_t fpr[PROTO_FPR_LEN]);

/* ---- one TLS connection (conn.c) ---- */
struct admin {
	int		known;		/* WHOAMI answered on this connection */
	char		name[WEB_NAME_MAX];
	char		role[32];
	int64_t		tenant_id;	/* 0: all tenants */
};

/* A request head the gate accepted (pointers into the head). */
struct head {
	int		 method;	/* enum evhttp_cmd_type */
	int		 minor;		/* HTTP/1.minor */
	const char	*target;	/* not NUL-terminated */
	size_t		 targetlen;
	uint64_t	 body;		/* Content-Length */
	int		 close;		/* no keep-alive after the answer */
	int		 expect;	/* Expect: 100-continue */
};

enum conn_state {
	CS_HANDSHAKE,	/* TLS handshake */
	CS_READ,	/* reading a head, then its body */
	CS_BUSY,	/* a request is being answered */
	CS_WRITE,	/* its answer is being written */
	CS_LINGER	/* answered and closing: what arrives is dropped */
};

struct wreq;

struct conn {
	int			 fd;
	SSL			*ssl;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*timer;		/* the deadline of the state */
	enum conn_state		 state;
	int			 read_wants_write;
	int			 write_wants_read;
	int			 in_run;	/* conn_run() is on the stack */
	/* input: request heads (and what follows) as they arrive */
	char			 in[WEB_HEAD_MAX];
	size_t			 inlen;
	size_t			 hl;		/* the current head, once whole */
	struct head		 h;
	char			*body;
	size_t			 bodylen;
	size_t			 bodyin;	/* of it, what came in in[] */
	/* output, and what happens once it is written */
	struct evbuffer		*out;
	int			 close_after;
	struct wreq		*w;		/* the request in http.c */
	/* who */
	char			 peer[64];
	uint8_t			 fpr[PROTO_FPR_LEN];
	struct admin		 admin;
};

/* ---- webd.c ---- */
const struct msg_conf_webd *webd_conf(void);

/* ---- gate.c ---- */
/* Parse and check a complete head: 0, or the status to answer with. */
int	 gate_parse(const char *head, size_t len, struct head *);
/* Its fields as "name\0value\0" pairs in out (len bytes); their length. */
size_t	 gate_fields(const char *head, size_t len, char *out);

/* ---- conn.c ---- */
int	 conn_init(struct event_base *, int listen_fd, SSL_CTX *);
void	 conn_set_ctx(SSL_CTX *);
void	 conn_set_conf(void);
void	 conn_start(void);
int	 conn_count(void);
/* The answer is in c->out: write it, then go on or close. */
void	 conn_answered(struct conn *, int close);

/* ---- http.c ---- */
/* A whole request (head c->in[0..c->hl), body c->body) to answer. */
void	 http_request(struct conn *);
/* A head the gate refused: answer with this status and close. */
void	 http_refuse(struct conn *, int status);
/* The connection of a request waiting for dbd has closed. */
void	 http_detach(struct wreq *);

/* A request being answered, possibly after one or more calls to dbd. */
struct wreq {
	struct conn		*conn;		/* NULL once it has gone */
	enum evhttp_cmd_type	 method;
	int			 minor;		/* HTTP/1.minor */
	int			 api;		/* under /api/ */
	int			 closing;	/* Connection: close */
	char			*head;		/* header fields, NUL-split */
	size_t			 headlen;
	char			*target;	/* as sent */
	char			 path[512];	/* as sent, without query */
	char			 pathbuf[512];
	char			*parts[8];	/* path split on "/" */
	int			 nparts;
	json_t			*query;		/* decoded, as strings */
	char			*body;		/* NUL-terminated */
	size_t			 bodylen;
	json_t			*form;		/* POST body as strings */
	char			 xhdr[1024];	/* extra answer header lines */
	size_t			 xhdrlen;
	uint8_t			 fpr[PROTO_FPR_LEN];
	struct admin		 admin;		/* copy: the conn may go */
	/* dbd calls made in parallel; done() when the last answers */
	int			 pending;
	void			(*done)(struct wreq *);
	json_t			*res[4];
	int			 status[4];
	uint64_t		 stamp;		/* of every answer so far */
	int			 nocache;	/* an answer had none, or another */
	struct wfetch {
		struct wreq	*w;
		int		 slot;
	}			 fetch[4];
	void			(*identified)(struct wreq *);
	void			*ctx;		/* the page's own, freed with it */
	long long		 id;
};

void	 reply(struct wreq *, int code, const char *type,
	    struct evbuffer *body);
void	 reply_redirect(struct wreq *, const char *location);
/* A whole error page (HTML) or object (API) with this status. */
void	 reply_error(struct wreq *, int code, const char *msg);
const char *status_text(int code);
void	 wreq_free(struct wreq *);
const char *wreq_query(struct wreq *, const char *key);
/* A field of the request head, or NULL. */
const char *wreq_header(struct wreq *, const char *name);
/* A field for the answer (known, valid names and values only). */
void	 wreq_add_header(struct wreq *, const char *name, const char *value);
void	 http_set_admin(struct wreq *, const struct admin *);
void	 http_forget_admin(struct wreq *);
/* WHOAMI once per connection, then next(); errors are answered. */
void	 http_identify(struct wreq *, void (*next)(struct wreq *));

/* ---- db.c ---- */
typedef void	(*db_cb)(void *arg, int status, json_t *answer,
		    uint64_t stamp);
void	 db_init(struct event_base *);
/* Ask dbd (body NULL: {}); cb is called once, also when dbd does not
 * answer in time. */
void	 db_call(uint32_t op, const uint8_t fpr[PROTO_FPR_LEN],
	    const char *totp, json_t *body, db_cb, void *arg);
int	 db_answer(const void *data, size_t len);
/*
 * Parallel calls for one request: wreq_begin(), wreq_fetch() for each
 * (the answer lands in res[slot], status[slot]), wreq_end(); done() runs
 * once all have answered.  wreq_fetch takes the reference to body.
 */
void	 wreq_begin(struct wreq *, void (*done)(struct wreq *));
void	 wreq_fetch(struct wreq *, int slot, uint32_t op, json_t *body,
	    const char *totp);
void	 wreq_end(struct wreq *);
int	 db_status_http(int status);
/* procs.c: the parent's process table into res[slot], like a fetch. */
void	 procs_fetch(struct wreq *, int slot);
int	 procs_answer(const void *data, size_t len);
const char *db_status_text(int status);

/* ---- pages.c: GET answers kept while dbd's stamp stays ---- */
int	 pages_have(const struct wreq *);
/* 1: the kept page went out (the stamp and admin are the same). */
int	 pages_send(struct wreq *);
void	 pages_keep(const struct wreq *, int code, const char *type,
	    struct evbuffer *body);
void	 pages_state(char *buf, size_t len);

/* ---- csrf.c ---- */
int	 csrf_init(void);
void	 csrf_token(const uint8_t fpr[PROTO_FPR_LEN], char *out, size_t len);
int	 csrf_check(const uint8_t fpr[PROTO_FPR_LEN], const char *token);
#define CSRF_TOKEN_LEN	(16 + 1 + 64 + 1)

/* ---- static.c: compiled-in files ---- */
extern const char	webd_css[];
extern const size_t	webd_css_len;

/* ---- routing: ui.c, api.c ---- */
void	 ui_handle(struct wreq *);
void	 ui_error(struct wreq *, int code, const char *msg);
void	 api_handle(struct wreq *);
void	 api_error(struct wreq *, int code, const char *msg,
	    const char *field);

#endif /* TRUNKD_WEBD_H */
