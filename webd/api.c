/*
 * The JSON API, /api/v1/...: the operations of the console on the same
 * mTLS identity, with the object table of res.c.
 *
 *   GET    /api/v1/whoami | /api/v1/dashboard
 *   GET    /api/v1/{res}?page=&per_page=&{filter}=...	list
 *   GET    /api/v1/{res}/{key}				one
 *   POST   /api/v1/{res}				create
 *   PUT    /api/v1/{res}/{key}				update
 *   DELETE /api/v1/{res}/{key}				delete
 *
 * Changes need the X-TOTP header and a JSON object body (Content-Type:
 * application/json).  A cross-site form can send neither, so the API needs
 * no CSRF token.  Errors are {"error": "...", "field": "..."}.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "res.h"
#include "webd.h"

static int
api_put(const char *buf, size_t len, void *b)
{
	return evbuffer_add(b, buf, len);
}

/* One JSON object as the answer, written straight into its buffer. */
static void
api_json(struct wreq *w, int code, const json_t *o)
{
	struct evbuffer	*b;

	if (o == NULL || (b = evbuffer_new()) == NULL) {
		reply(w, 500, NULL, NULL);
		return;
	}
	if (json_dump_callback(o, api_put, b, JSON_COMPACT) == -1 ||
	    evbuffer_add(b, "\n", 1) == -1) {
		evbuffer_free(b);
		reply(w, 500, NULL, NULL);
		return;
	}
	reply(w, code, "application/json", b);
	evbuffer_free(b);
}

void
api_error(struct wreq *w, int code, const char *msg, const char *field)
{
	json_t	*o;

	o = field != NULL ? json_pack("{s:s, s:s}", "error", msg, "field",
	    field) : json_pack("{s:s}", "error", msg);
	api_json(w, code, o);
	json_decref(o);
}

/* dbd's answer as it is (it was checked to be a JSON object). */
static void
api_done(struct wreq *w)
{
	const char	*msg, *field;
	int		 st = w->status[0];

	if (st != DB_OK) {
		if (st == DB_E_UNKNOWN_ADMIN)
			http_forget_admin(w);
		msg = json_string_value(json_object_get(w->res[0], "error"));
		field = json_string_value(json_object_get(w->res[0], "field"));
		if (st == DB_E_TOTP)
			field = "totp";
		api_error(w, db_status_http(st), msg != NULL && st !=
		    DB_E_UNKNOWN_ADMIN ? msg : db_status_text(st), field);
		return;
	}
	api_json(w, w->method == EVHTTP_REQ_POST ? 201 : 200, w->res[0]);
}

static void
api_call(struct wreq *w, uint32_t op, json_t *body, const char *totp)
{
	wreq_begin(w, api_done);
	wreq_fetch(w, 0, op, body, totp);
	wreq_end(w);
}

/* The JSON body of a change, and its TOTP code. */
static json_t *
api_body(struct wreq *w, const char **totp)
{
	const char	*type = wreq_header(w, "Content-Type");
	json_t		*o;
	json_error_t	 err;

	*totp = wreq_header(w, "X-TOTP");
	if (*totp == NULL || strlen(*totp) < 6 || strlen(*totp) > 8 ||
	    strspn(*totp, "0123456789") != strlen(*totp)) {
		api_error(w, 403, "a fresh TOTP code is needed in X-TOTP",
		    "totp");
		return NULL;
	}
	if (w->method == EVHTTP_REQ_DELETE && w->bodylen == 0)
		return json_object();
	if (type == NULL || strncasecmp(type, "application/json", 16) != 0) {
		api_error(w, 415, "the body must be application/json", NULL);
		return NULL;
	}
	o = json_loadb(w->body, w->bodylen, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		api_error(w, 400, "the body must be one JSON object", NULL);
		return NULL;
	}
	return o;
}

static json_t *
api_key(struct wreq *w, const struct resource *r, const char *key)
{
	json_t	*k;

	if ((k = res_key(r, key)) == NULL)
		api_error(w, 404, "no such object", NULL);
	return k;
}

static void
api_list(struct wreq *w, const struct resource *r)
{
	const char	*p = wreq_query(w, "page"), *pp = wreq_query(w,
			    "per_page"), *err = NULL;
	long long	 page = 1, per = 25;

	if (p != NULL)
		page = strtonum(p, 1, 1000000, &err);
	if (err == NULL && pp != NULL)
		per = strtonum(pp, 1, 500, &err);
	if (err != NULL) {
		api_error(w, 400, "page or per_page out of range", p != NULL &&
		    page == 0 ? "page" : "per_page");
		return;
	}
	api_call(w, r->op_list, json_pack("{s:o, s:I, s:I}", "filter",
	    res_filter(r, w->query), "page", (json_int_t)page, "per_page",
	    (json_int_t)per), NULL);
}

static void
api_route(struct wreq *w)
{
	const struct resource	*r;
	const char		*totp, *key;
	json_t			*body, *k;
	enum evhttp_cmd_type	 m = w->method;
	uint32_t		 op = 0;

	if (w->nparts == 3 && m == EVHTTP_REQ_GET &&
	    strcmp(w->parts[2], "whoami") == 0) {
		api_call(w, DB_OP_WHOAMI, NULL, NULL);
		return;
	}
	if (w->nparts == 3 && m == EVHTTP_REQ_GET &&
	    strcmp(w->parts[2], "dashboard") == 0) {
		api_call(w, DB_OP_DASHBOARD, NULL, NULL);
		return;
	}
	if (w->nparts < 3 || w->nparts > 4 ||
	    (r = res_find(w->parts[2])) == NULL) {
		api_error(w, 404, "no such resource", NULL);
		return;
	}
	key = w->nparts == 4 ? w->parts[3] : NULL;
	if (key == NULL && m == EVHTTP_REQ_GET && r->op_list) {
		api_list(w, r);
		return;
	}
	if (key == NULL && m == EVHTTP_REQ_POST)
		op = r->op_create;
	else if (key != NULL && m == EVHTTP_REQ_GET)
		op = r->op_get;
	else if (key != NULL && (m == EVHTTP_REQ_PUT || m == EVHTTP_REQ_PATCH))
		op = r->op_update;
	else if (key != NULL && m == EVHTTP_REQ_DELETE)
		op = r->op_delete;
	if (op == 0) {
		api_error(w, 405, "not an operation of this resource", NULL);
		return;
	}
	if (m == EVHTTP_REQ_GET) {
		if ((k = api_key(w, r, key)) != NULL)
			api_call(w, op, k, NULL);
		return;
	}
	if ((body = api_body(w, &totp)) == NULL)
		return;
	if (key != NULL) {
		if ((k = api_key(w, r, key)) == NULL) {
			json_decref(body);
			return;
		}
		(void)json_object_update(body, k);
		json_decref(k);
	}
	api_call(w, op, body, totp);
}

void
api_handle(struct wreq *w)
{
	if (w->nparts < 2 || strcmp(w->parts[0], "api") != 0 ||
	    strcmp(w->parts[1], "v1") != 0) {
		api_error(w, 404, "no such API; see /api/v1/", NULL);
		return;
	}
	http_identify(w, api_route);
}
