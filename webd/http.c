/*
 * Requests and answers.  conn.c hands over each request the gate
 * accepted; here it becomes a struct wreq (its path split and decoded,
 * its query and fields readable) for the console (ui.c) or the API
 * (api.c).  Every answer goes out through reply(), which adds the
 * security headers and writes the access log line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

#include "form.h"
#include "log.h"
#include "util.h"
#include "webd.h"

/* The same for every answer: written once. */
static const char security_headers[] =
    "Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n"
    "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'\r\n"
    "X-Frame-Options: DENY\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n";

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

static const char *
method_name(int m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_PATCH: return "PATCH";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	default: return "-";
	}
}

/* The time for the log and the Date field, made once a second. */
static void
http_now(const char **logtime, const char **date)
{
	static time_t	last = -1;
	static char	logbuf[64], datebuf[64];
	struct tm	tm;
	time_t		now = time(NULL);

	if (now != last) {
		(void)gmtime_r(&now, &tm);
		(void)strftime(logbuf, sizeof(logbuf),
		    "%d/%b/%Y:%H:%M:%S +0000", &tm);
		(void)strftime(datebuf, sizeof(datebuf),
		    "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	*logtime = logbuf;
	*date = datebuf;
}

static void
access_log(struct wreq *w, const char *when, int code, size_t bytes)
{
	const char	*uri = w->target;
	char		 line[300];
	size_t		 i, j;

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
	log_info("%s - %s [%s] \"%s %s HTTP/1.%d\" %d %zu", w->conn != NULL ?
	    w->conn->peer : "-", w->admin.known ? w->admin.name : "-", when,
	    method_name(w->method), j > 0 ? line : "-", w->minor, code, bytes);
}

void
reply(struct wreq *w, int code, const char *type, struct evbuffer *body)
{
	struct conn	*c = w->conn;
	const char	*when, *date;
	size_t		 len = body != NULL ? evbuffer_get_length(body) : 0;

	http_now(&when, &date);
	access_log(w, when, code, len);
	if (c == NULL) {	/* the client has gone */
		wreq_free(w);
		return;
	}
	if (strcasestr(w->xhdr, "Cache-Control:") == NULL)
		wreq_add_header(w, "Cache-Control", "no-store");
	if (type != NULL)
		wreq_add_header(w, "Content-Type", type);
	(void)evbuffer_add_printf(c->out, "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Content-Length: %zu\r\n%s%s%.*s\r\n", code, status_text(code),
	    date, len, w->closing ? "Connection: close\r\n" : w->minor == 0 ?
	    "Connection: keep-alive\r\n" : "", security_headers,
	    (int)w->xhdrlen, w->xhdr);
	if (body != NULL && w->method != EVHTTP_REQ_HEAD) {
		pages_keep(w, code, type, body);
		(void)evbuffer_add_buffer(c->out, body);
	}
	conn_answered(c, w->closing);
	wreq_free(w);
}

void
reply_redirect(struct wreq *w, const char *location)
{
	wreq_add_header(w, "Location", location);
	reply(w, 303, NULL, NULL);
}

void
wreq_free(struct wreq *w)
{
	size_t	i;

	if (w->conn != NULL)
		w->conn->w = NULL;
	json_decref(w->query);
	json_decref(w->form);
	for (i = 0; i < nitems(w->res); i++)
		json_decref(w->res[i]);
	/* X-TOTP in the head, the totp field in a form: wiped */
	if (w->head != NULL)
		freezero(w->head, w->headlen);
	free(w->target);
	if (w->body != NULL)
		freezero(w->body, w->bodylen + 1);
	free(w->ctx);
	free(w);
}

/* The connection closed while its request waited for dbd. */
void
http_detach(struct wreq *w)
{
	w->conn = NULL;
}

const char *
wreq_query(struct wreq *w, const char *key)
{
	return json_string_value(json_object_get(w->query, key));
}

const char *
wreq_header(struct wreq *w, const char *name)
{
	const char	*p = w->head, *end = w->head + w->headlen, *v;

	/* "name\0value\0" pairs, as gate_fields() left them */
	while (p < end) {
		v = p + strlen(p) + 1;
		if (strcasecmp(p, name) == 0)
			return v;
		p = v + strlen(v) + 1;
	}
	return NULL;
}

void
wreq_add_header(struct wreq *w, const char *name, const char *value)
{
	size_t	left = sizeof(w->xhdr) - w->xhdrlen;
	int	n;

	if (strpbrk(value, "\r\n") != NULL)
		fatalx("header %s: a line break in its value", name);
	n = snprintf(w->xhdr + w->xhdrlen, left, "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= left)
		fatalx("header %s: too long", name);
	w->xhdrlen += (size_t)n;
}

/*
 * The path split on "/", each segment percent-decoded (so a key may hold
 * an encoded "/"); -1 when it is not one we could serve.
 */
static int
wreq_path(struct wreq *w, const char *path, size_t pathlen)
{
	const char	*p, *e, *end;
	char		*out = w->pathbuf;
	size_t		 left = sizeof(w->pathbuf), len;

	if (pathlen == 0 || path[0] != '/' || pathlen >= sizeof(w->path))
		return -1;
	memcpy(w->path, path, pathlen);
	w->path[pathlen] = '\0';
	end = w->path + pathlen;
	for (p = w->path + 1; p < end; p = e < end ? e + 1 : e) {
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

static struct wreq *
wreq_new(struct conn *c)
{
	struct wreq	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatalx("out of memory for a request");
	w->conn = c;
	c->w = w;
	memcpy(w->fpr, c->fpr, sizeof(w->fpr));
	w->admin = c->admin;
	w->minor = 1;
	return w;
}

void
http_refuse(struct conn *c, int status)
{
	struct wreq	*w = wreq_new(c);

	w->closing = 1;
	reply_error(w, status, NULL);
}

void
http_request(struct conn *c)
{
	struct wreq	*w = wreq_new(c);
	const char	*q, *t = c->h.target;
	size_t		 pathlen;

	w->method = c->h.method;
	w->minor = c->h.minor;
	w->closing = c->h.close;
	if ((w->target = strndup(t, c->h.targetlen)) == NULL ||
	    (w->head = malloc(c->hl)) == NULL)
		fatalx("out of memory for a request");
	w->headlen = gate_fields(c->in, c->hl, w->head);
	/* the body is the request's now */
	w->body = c->body != NULL ? c->body : strdup("");
	w->bodylen = c->bodylen;
	c->body = NULL;
	if (w->body == NULL)
		fatalx("out of memory for a request");
	w->body[w->bodylen] = '\0';
	w->api = strncmp(w->target, "/api/", 5) == 0;
	q = memchr(t, '?', c->h.targetlen);
	pathlen = q != NULL ? (size_t)(q - t) : c->h.targetlen;
	if (wreq_path(w, t, pathlen) == -1) {
		reply_error(w, 404, "no such page");
		return;
	}
	/* No query: no object (lookups in NULL find nothing). */
	if (q != NULL && (w->query = form_parse(q + 1,
	    c->h.targetlen - pathlen - 1)) == NULL) {
		reply_error(w, 400, "malformed query string");
		return;
	}
	if (w->api)
		api_handle(w);
	else
		ui_handle(w);
}

/* The admin as dbd named it, kept for the pages and the log. */
void
http_set_admin(struct wreq *w, const struct admin *a)
{
	w->admin = *a;
	if (w->conn != NULL)
		w->conn->admin = *a;
}

void
http_forget_admin(struct wreq *w)
{
	w->admin.known = 0;
	if (w->conn != NULL)
		w->conn->admin.known = 0;
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
	if (pages_send(w))
		return;
	w->identified(w);
}

/*
 * Who is asking: dbd tells once per connection, and before a kept page
 * is sent again (pages.c); dbd still checks each request it gets.
 */
void
http_identify(struct wreq *w, void (*next)(struct wreq *))
{
	if (w->admin.known && !pages_have(w)) {
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
