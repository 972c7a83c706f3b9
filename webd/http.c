/*
 * evhttp on OpenSSL bufferevents.  Each accepted connection is a TLS
 * bufferevent under the gate (gate.c) under evhttp; its state is a
 * struct conn reachable from the SSL object.  Connections over the
 * maximum stay in the kernel's backlog: the listener pauses.  Every
 * answer goes out through reply(), which adds the security headers and
 * writes the access log line.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "form.h"
#include "log.h"
#include "util.h"
#include "webd.h"

#include <event2/http_struct.h>	/* the request's HTTP version */

static struct {
	struct event_base	*base;
	struct evhttp		*http;
	struct evconnlistener	*listener;
	SSL_CTX			*ctx;
	int			 nconn;
	int			 max;
	int			 paused;
	int			 started;
} H;

int
http_connections(void)
{
	return H.nconn;
}

static void
http_listen_update(void)
{
	int	pause = H.nconn >= H.max;

	if (!H.started || pause == H.paused)
		return;
	if (pause)
		(void)evconnlistener_disable(H.listener);
	else
		(void)evconnlistener_enable(H.listener);
	H.paused = pause;
}

static void
conn_free(void *arg)
{
	struct conn	*c = arg;

	SSL_set_app_data(c->ssl, NULL);
	(void)evbuffer_remove_cb_entry(bufferevent_get_output(c->ssl_bev),
	    c->out_cb);
	event_free(c->deadline);
	event_free(c->kick);
	explicit_bzero(c, sizeof(*c));
	free(c);
	H.nconn--;
	http_listen_update();
}

/* The TLS layer wrote everything: a closing connection may go now. */
static void
conn_out(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn	*c = arg;

	if (c->closing && info->n_deleted > 0 &&
	    evbuffer_get_length(buf) == 0)
		event_active(c->kick, EV_TIMEOUT, 0);
}

/*
 * After an answer: close the connection once the answer is written, or
 * pass on a pipelined request waiting below the gate.
 */
static void
conn_kick(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(c->ssl_bev)) ==
		    0)
			http_close(c);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_input(c->ssl_bev)) > 0)
		bufferevent_trigger(c->ssl_bev, EV_READ, 0);
}

static void
conn_done(struct evhttp_request *req, void *arg)
{
	struct conn	*c = arg;

	event_active(c->kick, EV_TIMEOUT, 0);
}

/* evhttp tears the connection down as if the peer had closed it. */
void
http_close(struct conn *c)
{
	bufferevent_trigger_event(c->bev, BEV_EVENT_EOF | BEV_EVENT_READING,
	    0);
}

static struct bufferevent *
http_bevcb(struct event_base *base, void *arg)
{
	struct conn	*c;
	SSL		*ssl;

	/* A NULL here would make evhttp speak plain HTTP: never. */
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (ssl = SSL_new(H.ctx)) == NULL)
		fatalx("out of memory for a connection");
	SSL_set_app_data(ssl, c);
	c->ssl = ssl;
	if ((c->ssl_bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->bev = bufferevent_filter_new(c->ssl_bev, gate_input, NULL,
	    BEV_OPT_CLOSE_ON_FREE, conn_free, c)) == NULL ||
	    (c->deadline = evtimer_new(base, gate_deadline_cb, c)) == NULL ||
	    (c->kick = event_new(base, -1, 0, conn_kick, c)) == NULL)
		fatalx("out of memory for a connection");
	if ((c->out_cb = evbuffer_add_cb(bufferevent_get_output(c->ssl_bev),
	    conn_out, c)) == NULL)
		fatalx("out of memory for a connection");
	H.nconn++;
	gate_arm(c);
	http_listen_update();
	return c->bev;
}

struct conn *
http_conn(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	SSL				*ssl;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (bev = bufferevent_get_underlying(bev)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_app_data(ssl);
}

const char *
status_text(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 423: return "Locked";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void
access_log(struct wreq *w, int code, size_t bytes)
{
	struct evhttp_request	*req = w->req;
	const char		*uri = evhttp_request_get_uri(req), *m;
	char			 when[64], line[300];
	struct tm		 tm;
	time_t			 now = time(NULL);
	size_t			 i, j;

	switch (w->method) {
	case EVHTTP_REQ_GET: m = "GET"; break;
	case EVHTTP_REQ_HEAD: m = "HEAD"; break;
	case EVHTTP_REQ_POST: m = "POST"; break;
	case EVHTTP_REQ_PUT: m = "PUT"; break;
	case EVHTTP_REQ_DELETE: m = "DELETE"; break;
	case EVHTTP_REQ_PATCH: m = "PATCH"; break;
	case EVHTTP_REQ_OPTIONS: m = "OPTIONS"; break;
	default: m = "-"; break;
	}
	/* The gate let only visible ASCII through; quotes are escaped. */
	for (i = j = 0; uri != NULL && uri[i] != '\0' && j + 4 < sizeof(line);
	    i++) {
		if (uri[i] == '"' || uri[i] == '\\') {
			(void)snprintf(line + j, 4, "%%%02X",
			    (unsigned char)uri[i]);
			j += 3;
		} else
			line[j++] = uri[i];
	}
	line[j] = '\0';
	(void)gmtime_r(&now, &tm);
	(void)strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
	log_info("%s - %s [%s] \"%s %s HTTP/%d.%d\" %d %zu", w->peer,
	    w->admin.known ? w->admin.name : "-", when, m, line, req->major,
	    req->minor, code, bytes);
}

/* HTTP/1.0 without keep-alive, or "Connection: close". */
static int
http_wants_close(struct evhttp_request *req)
{
	const char	*v;

	v = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Connection");

	if (req->major == 1 && req->minor == 0)
		return v == NULL || strcasecmp(v, "keep-alive") != 0;
	return v != NULL && strcasecmp(v, "close") == 0;
}

void
reply(struct wreq *w, int code, const char *type, struct evbuffer *body)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(w->req);
	struct conn		*c;
	int			 closing;
	size_t			 len = body != NULL ?
				    evbuffer_get_length(body) : 0;

	evhttp_add_header(h, "Strict-Transport-Security",
	    "max-age=63072000; includeSubDomains");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'self'; "
	    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
	if (evhttp_find_header(h, "Cache-Control") == NULL)
		evhttp_add_header(h, "Cache-Control", "no-store");
	if (type != NULL)
		evhttp_add_header(h, "Content-Type", type);
	access_log(w, code, len);
	c = http_conn(w->req);
	closing = w->closing || http_wants_close(w->req);
	evhttp_send_reply(w->req, code, status_text(code), body);
	if (c != NULL && closing) {
		/*
		 * evhttp would shut the socket down once the gate took the
		 * answer, before the TLS layer wrote it: it is told the
		 * connection stays, and conn_kick() closes it when written.
		 */
		evhttp_remove_header(evhttp_request_get_input_headers(w->req),
		    "Connection");
		evhttp_remove_header(h, "Connection");
		w->req->minor = 1;
		c->closing = 1;
		c->closed = 1;
	}
	/*
	 * evhttp queued the answer while the gate was not yet enabled for
	 * writing, and enabling a filter does not move what is queued.
	 */
	if (c != NULL)
		(void)bufferevent_flush(c->bev, EV_WRITE, BEV_NORMAL);
	wreq_free(w);
}

void
reply_redirect(struct wreq *w, const char *location)
{
	evhttp_add_header(evhttp_request_get_output_headers(w->req),
	    "Location", location);
	reply(w, 303, NULL, NULL);
}

void
wreq_free(struct wreq *w)
{
	size_t	i;

	json_decref(w->query);
	json_decref(w->form);
	for (i = 0; i < nitems(w->res); i++)
		json_decref(w->res[i]);
	free(w->body);
	free(w->ctx);
	free(w);
}

const char *
wreq_query(struct wreq *w, const char *key)
{
	return json_string_value(json_object_get(w->query, key));
}

/*
 * The path split on "/", each segment percent-decoded (so a key may hold
 * an encoded "/"); -1 when it is not one we could serve.
 */
static int
wreq_path(struct wreq *w, const struct evhttp_uri *uri)
{
	const char	*path = evhttp_uri_get_path(uri), *p, *e;
	char		*out = w->pathbuf;
	size_t		 left = sizeof(w->pathbuf), len;

	if (path == NULL || path[0] != '/' ||
	    strlcpy(w->path, path, sizeof(w->path)) >= sizeof(w->path))
		return -1;
	for (p = path + 1; *p != '\0'; p = *e == '/' ? e + 1 : e) {
		e = p + strcspn(p, "/");
		if (e == p || w->nparts == (int)nitems(w->parts) ||
		    form_decode(p, (size_t)(e - p), out, left, 0, &len) == -1)
			return -1;
		w->parts[w->nparts++] = out;
		out += len + 1;
		left -= len + 1;
	}
	return 0;
}

static void
http_request_cb(struct evhttp_request *req, void *arg)
{
	struct conn		*c = http_conn(req);
	struct wreq		*w;
	const struct evhttp_uri	*uri;
	const char		*q;
	struct evbuffer		*in;
	char			*host;
	ev_uint16_t		 port;

	if (c == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	c->handled++;
	evhttp_request_set_on_complete_cb(req, conn_done, c);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatalx("out of memory for a request");
	w->req = req;
	w->method = evhttp_request_get_command(req);
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &host,
	    &port);
	(void)strlcpy(w->peer, host != NULL ? host : "-", sizeof(w->peer));
	w->api = 0;
	if (c->reject != 0 && c->handled == c->heads) {
		w->closing = 1;
		reply_error(w, c->reject, NULL);
		return;
	}
	if (!c->have_fpr) {
		/* The handshake verified it; this only reads it. */
		if (tls_fingerprint(c->ssl, c->fpr) == -1) {
			w->closing = 1;
			reply_error(w, 403, "no client certificate");
			return;
		}
		c->have_fpr = 1;
	}
	memcpy(w->fpr, c->fpr, sizeof(w->fpr));
	w->admin = c->admin;

	uri = evhttp_request_get_evhttp_uri(req);
	w->api = strncmp(evhttp_request_get_uri(req), "/api/", 5) == 0;
	if (uri == NULL || wreq_path(w, uri) == -1) {
		reply_error(w, 404, "no such page");
		return;
	}
	q = evhttp_uri_get_query(uri);
	if ((w->query = form_parse(q != NULL ? q : "",
	    q != NULL ? strlen(q) : 0)) == NULL) {
		reply_error(w, 400, "malformed query string");
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	if ((w->bodylen = evbuffer_get_length(in)) > WEB_BODY_MAX) {
		reply_error(w, 413, NULL);
		return;
	}
	if ((w->body = malloc(w->bodylen + 1)) == NULL)
		fatalx("out of memory for a request");
	if (evbuffer_remove(in, w->body, w->bodylen) != (int)w->bodylen)
		fatalx("request body");
	w->body[w->bodylen] = '\0';
	if (w->api)
		api_handle(w);
	else
		ui_handle(w);
}

/* The admin as dbd named it, kept for the pages and the log. */
void
http_set_admin(struct wreq *w, const struct admin *a)
{
	struct conn	*c = http_conn(w->req);

	w->admin = *a;
	if (c != NULL)
		c->admin = *a;
}

void
http_forget_admin(struct wreq *w)
{
	struct conn	*c = http_conn(w->req);

	w->admin.known = 0;
	if (c != NULL)
		c->admin.known = 0;
}

static void
http_whoami_done(struct wreq *w)
{
	struct admin	 a;
	json_t		*o = w->res[0];
	const char	*name, *role;
	size_t		 i;

	if (w->status[0] != DB_OK) {
		reply_error(w, db_status_http(w->status[0]),
		    db_status_text(w->status[0]));
		return;
	}
	memset(&a, 0, sizeof(a));
	if ((name = json_string_value(json_object_get(o, "name"))) == NULL ||
	    (role = json_string_value(json_object_get(o, "role"))) == NULL) {
		reply_error(w, 500, "malformed answer from the database");
		return;
	}
	(void)strlcpy(a.name, name, sizeof(a.name));
	(void)strlcpy(a.role, role, sizeof(a.role));
	/* The name goes into the log: printable ASCII only. */
	for (i = 0; a.name[i] != '\0'; i++)
		if (a.name[i] <= ' ' || a.name[i] >= 0x7f || a.name[i] == '"')
			a.name[i] = '_';
	a.tenant_id = json_integer_value(json_object_get(o, "tenant_id"));
	a.known = 1;
	http_set_admin(w, &a);
	json_decref(w->res[0]);
	w->res[0] = NULL;
	w->identified(w);
}

/* Who is asking: dbd tells once per connection; dbd still checks each. */
void
http_identify(struct wreq *w, void (*next)(struct wreq *))
{
	if (w->admin.known) {
		next(w);
		return;
	}
	w->identified = next;
	wreq_begin(w, http_whoami_done);
	wreq_fetch(w, 0, DB_OP_WHOAMI, NULL, NULL);
	wreq_end(w);
}

void
reply_error(struct wreq *w, int code, const char *msg)
{
	if (msg == NULL)
		msg = status_text(code);
	if (w->api)
		api_error(w, code, msg, NULL);
	else
		ui_error(w, code, msg);
}

void
http_set_ctx(SSL_CTX *ctx)
{
	SSL_CTX_free(H.ctx);	/* open connections hold their own ref */
	H.ctx = ctx;
}

void
http_set_conf(const struct msg_conf_webd *conf)
{
	H.max = conf->max_connections > 0 ? (int)conf->max_connections : 1;
	evhttp_set_timeout(H.http, (int)conf->idle_timeout);
	http_listen_update();
}

int
http_init(struct event_base *base, int fd, const struct msg_conf_webd *conf,
    SSL_CTX *ctx)
{
	struct evhttp_bound_socket	*bound;
	int				 one = 1;

	/* Accepted connections inherit it: answers go out at once. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		return -1;
	H.base = base;
	H.ctx = ctx;
	if ((H.http = evhttp_new(base)) == NULL)
		return -1;
	/* The gate enforces both first; these only back it up. */
	evhttp_set_max_headers_size(H.http, WEB_HEAD_MAX + 1024);
	evhttp_set_max_body_size(H.http, WEB_BODY_MAX);
	evhttp_set_allowed_methods(H.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(H.http, "text/plain; charset=utf-8");
	evhttp_set_bevcb(H.http, http_bevcb, NULL);
	evhttp_set_gencb(H.http, http_request_cb, NULL);
	http_set_conf(conf);
	if ((bound = evhttp_accept_socket_with_handle(H.http, fd)) == NULL)
		return -1;
	H.listener = evhttp_bound_socket_get_listener(bound);
	/* Nothing is accepted before START. */
	(void)evconnlistener_disable(H.listener);
	H.paused = 1;
	return 0;
}

void
http_start(void)
{
	H.started = 1;
	H.paused = 1;
	http_listen_update();
}
