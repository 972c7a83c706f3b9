/*
 * webd's pieces and how they meet:
 *   tls.c    the OpenSSL 3 context from the parent's blobs, identities
 *   http.c   evhttp on OpenSSL bufferevents: connections, limits,
 *            security headers, the access log, routing
 *   gate.c   the input filter in front of evhttp: request heads held
 *            until complete, their size, timeout and framing checked
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

#include <event2/bufferevent.h>
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
/* SHA-256 of the peer's certificate; -1 without one. */
int	 tls_fingerprint(SSL *, uint8_t fpr[PROTO_FPR_LEN]);

/* ---- one TLS connection (http.c, gate.c) ---- */
struct admin {
	int		known;		/* WHOAMI answered on this connection */
	char		name[WEB_NAME_MAX];
	char		role[32];
	int64_t		tenant_id;	/* 0: all tenants */
};

struct conn {
	struct bufferevent	*bev;		/* the gate, read by evhttp */
	struct bufferevent	*ssl_bev;
	SSL			*ssl;
	struct event		*deadline;	/* handshake + head timeout */
	struct event		*kick;		/* after an answer */
	struct evbuffer_cb_entry *out_cb;	/* the TLS layer wrote */
	int			 closing;	/* once the answer is out */
	/* the gate: one request head at a time, then its body */
	char			 head[WEB_HEAD_MAX];
	size_t			 headlen;
	uint64_t		 body_left;
	int			 reject;	/* status of the last request */
	int			 closed;	/* nothing more is read */
	unsigned int		 heads;		/* heads passed to evhttp */
	unsigned int		 handled;	/* requests seen by http.c */
	/* identity */
	int			 have_fpr;
	uint8_t			 fpr[PROTO_FPR_LEN];
	struct admin		 admin;
};

/* ---- webd.c ---- */
const struct msg_conf_webd *webd_conf(void);

/* ---- gate.c ---- */
enum bufferevent_filter_result gate_input(struct evbuffer *,
	    struct evbuffer *, ev_ssize_t, enum bufferevent_flush_mode, void *);
/* The handshake and the head of a request must be done by then. */
void	 gate_arm(struct conn *);
void	 gate_deadline_cb(evutil_socket_t, short, void *);
/* Parse a complete head: 0, or the status to answer with. */
int	 gate_check_head(const char *head, size_t len, uint64_t *body);

/* ---- http.c ---- */
int	 http_init(struct event_base *, int listen_fd,
	    const struct msg_conf_webd *, SSL_CTX *);
void	 http_set_ctx(SSL_CTX *);
void	 http_start(void);
int	 http_connections(void);
struct conn *http_conn(struct evhttp_request *);
void	 http_close(struct conn *);
void	 http_set_conf(const struct msg_conf_webd *);

/* A request being answered, possibly after one or more calls to dbd. */
struct wreq {
	struct evhttp_request	*req;
	enum evhttp_cmd_type	 method;
	int			 api;		/* under /api/ */
	int			 closing;	/* Connection: close */
	char			 peer[64];
	char			 path[512];	/* as sent, without query */
	char			 pathbuf[512];
	char			*parts[8];	/* path split on "/" */
	int			 nparts;
	json_t			*query;		/* decoded, as strings */
	char			*body;		/* NUL-terminated */
	size_t			 bodylen;
	json_t			*form;		/* POST body as strings */
	uint8_t			 fpr[PROTO_FPR_LEN];
	struct admin		 admin;		/* copy: the conn may go */
	/* dbd calls made in parallel; done() when the last answers */
	int			 pending;
	void			(*done)(struct wreq *);
	json_t			*res[4];
	int			 status[4];
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
void	 http_set_admin(struct wreq *, const struct admin *);
void	 http_forget_admin(struct wreq *);
/* WHOAMI once per connection, then next(); errors are answered. */
void	 http_identify(struct wreq *, void (*next)(struct wreq *));

/* ---- db.c ---- */
typedef void	(*db_cb)(void *arg, int status, json_t *answer,
		    const char *raw, size_t rawlen);
void	 db_init(struct event_base *);
/* Ask dbd; cb is called once, also when dbd does not answer in time. */
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
