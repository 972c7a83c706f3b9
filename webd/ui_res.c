/*
 * The pages of every object in res.c: list (filters, paging), detail,
 * create and edit forms, delete with confirmation.  Forms that change
 * anything carry a CSRF token and a TOTP field; when dbd refuses, the
 * form comes back with what the admin typed and the message beside its
 * field.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "form.h"
#include "ui.h"

#define PER_PAGE	25
#define REFS_MAX	500

enum { S_MAIN, S_TENANTS, S_TRUNKS };

enum page { P_LIST, P_DETAIL, P_NEW, P_EDIT, P_DELETE };

/* What a page of one object remembers between its dbd calls. */
struct page_ctx {
	const struct resource	*r;
	enum page		 page;
	const char		*key;		/* parts[1], decoded */
	const char		*msg;		/* a message for the top */
	char			 field[PROTO_NAME_MAX];	/* and its field */
};

static int
has_kind(const struct resource *r, enum field_kind k)
{
	size_t	i;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].kind == k)
			return 1;
	return 0;
}

static json_t *
list_body(json_t *filter, long long page, int per_page)
{
	return json_pack("{s:o, s:I, s:i}", "filter",
	    filter != NULL ? filter : json_object(), "page", (json_int_t)page,
	    "per_page", per_page);
}

/* Names for tenant and trunk ids, for columns and select boxes. */
static void
fetch_refs(struct wreq *w, const struct resource *r)
{
	if (has_kind(r, F_TENANT))
		wreq_fetch(w, S_TENANTS, DB_OP_TENANT_LIST,
		    list_body(NULL, 1, REFS_MAX), NULL);
	if (has_kind(r, F_TRUNK))
		wreq_fetch(w, S_TRUNKS, DB_OP_TRUNK_LIST,
		    list_body(NULL, 1, REFS_MAX), NULL);
}

static json_t *
refs(struct wreq *w, enum field_kind k)
{
	int	slot = k == F_TENANT ? S_TENANTS : S_TRUNKS;

	if (w->status[slot] != DB_OK)
		return NULL;
	return json_object_get(w->res[slot], "items");
}

/* One <option> per tenant or trunk, the one whose id is `v` selected. */
static void
ref_options(struct evbuffer *b, json_t *items, const char *v)
{
	json_t	*it;
	size_t	 i;
	char	 id[32];

	json_array_foreach(items, i, it) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)
		    json_integer_value(json_object_get(it, "id")));
		html_raw(b, "<option value=\"%s\"%s>", id, v != NULL &&
		    strcmp(v, id) == 0 ? " selected" : "");
		html_jtext(b, json_object_get(it, "name"));
		html_raw(b, "</option>");
	}
}

static const char *
ref_name(struct wreq *w, enum field_kind k, json_int_t id)
{
	json_t	*items = refs(w, k), *it;
	size_t	 i;

	json_array_foreach(items, i, it)
		if (json_integer_value(json_object_get(it, "id")) == id)
			return json_string_value(json_object_get(it, "name"));
	return NULL;
}

/* The object's key for a URL, percent-encoded. */
static char *
key_of(const struct resource *r, const json_t *obj)
{
	const json_t	*v = json_object_get(obj, r->key);
	char		 num[32];

	if (json_is_integer(v)) {
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		return form_encode(num, 0);
	}
	if (json_is_string(v))
		return form_encode(json_string_value(v), 0);
	return NULL;
}

static void
cell(struct evbuffer *b, struct wreq *w, const struct field *f,
    const json_t *v)
{
	const char	*name;
	json_t		*e;
	size_t		 i;
	char		*s, when[32];
	struct tm	 tm;
	time_t		 t;

	switch (f->kind) {
	case F_TENANT:
	case F_TRUNK:
		if ((name = ref_name(w, f->kind, json_integer_value(v))) !=
		    NULL)
			html_text(b, name);
		else
			html_jtext(b, v);
		break;
	case F_LIST:
		json_array_foreach(v, i, e) {
			if (i > 0)
				html_raw(b, ", ");
			html_jtext(b, e);
		}
		break;
	case F_BOOL:
		ui_badge(b, v);
		break;
	case F_SECRET:
		break;
	case F_TIME:
		t = (time_t)json_integer_value(v);
		if (json_is_integer(v) && gmtime_r(&t, &tm) != NULL &&
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) > 0)
			html_text(b, when);
		break;
	default:
		if (json_is_object(v) || json_is_array(v)) {
			if ((s = json_dumps(v, JSON_COMPACT)) != NULL)
				html_text(b, s);
			free(s);
		} else
			html_jtext(b, v);
		break;
	}
}

/* A page that could not get its data: the frame and the reason. */
static void
ui_db_failed(struct wreq *w, const char *title, int status, json_t *ans)
{
	struct evbuffer	*b;
	const char	*msg;

	msg = json_string_value(json_object_get(ans, "error"));

	if (status == DB_E_UNKNOWN_ADMIN)
		http_forget_admin(w);
	if (status == DB_E_UNKNOWN_ADMIN || status == DB_E_NOT_FOUND) {
		ui_error(w, db_status_http(status), db_status_text(status));
		return;
	}
	if ((b = ui_page(w, title)) == NULL) {
		reply(w, 500, NULL, NULL);
		return;
	}
	html_raw(b, "<p class=\"msg err\" role=\"alert\">");
	html_text(b, db_status_text(status));
	if (msg != NULL) {
		html_raw(b, ": ");
		html_text(b, msg);
	}
	html_raw(b, "</p>");
	ui_send(w, db_status_http(status), b);
}

/* ---- list ---- */

static void
filter_form(struct evbuffer *b, struct wreq *w, const struct resource *r)
{
	const struct field	*f;
	const char		*v;
	json_t			*items;
	size_t			 i, n = 0;

	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & FF_FILTER)
			n++;
	if (n == 0)
		return;
	html_raw(b, "<form method=\"get\" class=\"filters\" action=\"/%s\">",
	    r->path);
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if ((f->flags & FF_FILTER) == 0)
			continue;
		v = wreq_query(w, f->name);
		html_raw(b, "<label>%s ", f->label);
		if ((f->kind == F_TENANT || f->kind == F_TRUNK) &&
		    (items = refs(w, f->kind)) != NULL) {
			html_raw(b, "<select name=\"%s\"><option value=\"\">"
			    "all</option>", f->name);
			ref_options(b, items, v);
			html_raw(b, "</select></label>");
			continue;
		}
		html_raw(b, "<input type=\"search\" name=\"%s\" value=\"",
		    f->name);
		html_text(b, v);
		html_raw(b, "\"></label>");
	}
	html_raw(b, "<button type=\"submit\">Filter</button> "
	    "<a href=\"/%s\">Reset</a></form>\n", r->path);
}

/* The query string of this list with another page number. */
static void
page_link(struct evbuffer *b, struct wreq *w, long long page)
{
	const char	*k;
	json_t		*v;
	char		*enc;

	html_raw(b, "?page=%lld", page);
	json_object_foreach(w->query, k, v) {
		if (strcmp(k, "page") == 0 || json_string_length(v) == 0)
			continue;
		if ((enc = form_encode(k, 0)) != NULL) {
			html_raw(b, "&amp;");
			html_text(b, enc);
			free(enc);
		}
		if ((enc = form_encode(json_string_value(v), 1)) !=
		    NULL) {
			html_raw(b, "=");
			html_text(b, enc);
			free(enc);
		}
	}
}

static void
list_done(struct wreq *w)
{
	const struct page_ctx	*pc = w->ctx;
	const struct resource	*r = pc->r;
	const struct field	*f;
	struct evbuffer		*b;
	json_t			*items, *it;
	long long		 total, page, pages;
	size_t			 i, j;
	char			*key;

	if (w->status[S_MAIN] != DB_OK) {
		ui_db_failed(w, r->title, w->status[S_MAIN], w->res[S_MAIN]);
		return;
	}
	items = json_object_get(w->res[S_MAIN], "items");
	total = json_integer_value(json_object_get(w->res[S_MAIN], "total"));
	page = json_integer_value(json_object_get(w->res[S_MAIN], "page"));
	if (page < 1)
		page = 1;
	pages = total > 0 ? (total + PER_PAGE - 1) / PER_PAGE : 1;
	if ((b = ui_page(w, r->title)) == NULL) {
		reply(w, 500, NULL, NULL);
		return;
	}
	if (r->op_create)
		html_raw(b, "<p class=\"actions\"><a class=\"button\" "
		    "href=\"/%s/new\">%s %s</a></p>\n", r->path,
		    r->op_create == DB_OP_BAN_ADD ? "Ban an" : "New",
		    r->op_create == DB_OP_BAN_ADD ? "address" : r->one);
	filter_form(b, w, r);
	if (json_array_size(items) == 0) {
		html_raw(b, "<p class=\"empty\">Nothing to show.</p>\n");
		ui_send(w, 200, b);
		return;
	}
	html_raw(b, "<div class=\"tablewrap\"><table><thead><tr>");
	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & FF_LIST)
			html_raw(b, "<th>%s</th>", r->fields[i].label);
	if (r->op_update || r->op_delete)
		html_raw(b, "<th><span class=\"sr\">Actions</span></th>");
	html_raw(b, "</tr></thead>\n<tbody>");
	json_array_foreach(items, j, it) {
		int	first = 1;

		key = key_of(r, it);
		html_raw(b, "<tr>");
		for (i = 0; i < r->nfields; i++) {
			f = &r->fields[i];
			if ((f->flags & FF_LIST) == 0)
				continue;
			html_raw(b, "<td data-label=\"%s\">", f->label);
			if (first && r->op_get && key != NULL) {
				html_raw(b, "<a href=\"/%s/", r->path);
				html_text(b, key);
				html_raw(b, "\">");
			}
			cell(b, w, f, json_object_get(it, f->name));
			if (first && r->op_get && key != NULL)
				html_raw(b, "</a>");
			first = 0;
			html_raw(b, "</td>");
		}
		if ((r->op_update || r->op_delete) && key != NULL) {
			html_raw(b, "<td class=\"rowact\">");
			if (r->op_update) {
				html_raw(b, "<a href=\"/%s/", r->path);
				html_text(b, key);
				html_raw(b, "/edit\">Edit</a> ");
			}
			if (r->op_delete) {
				html_raw(b, "<a class=\"danger\" href=\"/%s/",
				    r->path);
				html_text(b, key);
				html_raw(b, "/delete\">%s</a>",
				    r->op_delete == DB_OP_BAN_REMOVE ?
				    "Unban" : "Delete");
			}
			html_raw(b, "</td>");
		} else if (r->op_update || r->op_delete)
			html_raw(b, "<td></td>");
		html_raw(b, "</tr>\n");
		free(key);
	}
	html_raw(b, "</tbody></table></div>\n<nav class=\"pager\">");
	if (page > 1) {
		html_raw(b, "<a href=\"");
		page_link(b, w, page - 1);
		html_raw(b, "\">&larr; Previous</a>");
	}
	html_raw(b, "<span>Page %lld of %lld (%lld in all)</span>", page,
	    pages, total);
	if (page < pages) {
		html_raw(b, "<a href=\"");
		page_link(b, w, page + 1);
		html_raw(b, "\">Next &rarr;</a>");
	}
	html_raw(b, "</nav>\n");
	ui_send(w, 200, b);
}

/* ---- detail ---- */

static void
detail(struct wreq *w, const struct resource *r, const json_t *obj,
    int code, const char *note)
{
	const struct field	*f;
	struct evbuffer		*b;
	const json_t		*pw;
	char			 title[128], *key = key_of(r, obj);
	size_t			 i;

	(void)snprintf(title, sizeof(title), "%c%s", r->one[0] & ~0x20,
	    r->one + 1);
	if ((b = ui_page(w, title)) == NULL) {
		free(key);
		reply(w, 500, NULL, NULL);
		return;
	}
	if (note != NULL) {
		html_raw(b, "<p class=\"msg ok\" role=\"status\">");
		html_text(b, note);
		html_raw(b, "</p>");
	}
	/* A digest trunk's password is shown once, right after creation. */
	if ((pw = json_object_get(obj, "sip_password")) != NULL) {
		html_raw(b, "<div class=\"msg warn\"><p>SIP password (shown "
		    "only now, copy it):</p><p><code>");
		html_jtext(b, pw);
		html_raw(b, "</code></p></div>");
	}
	html_raw(b, "<dl class=\"detail\">");
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if (f->kind == F_SECRET)
			continue;
		html_raw(b, "<dt>%s</dt><dd>", f->label);
		cell(b, w, f, json_object_get(obj, f->name));
		html_raw(b, "</dd>");
	}
	html_raw(b, "</dl>\n<p class=\"actions\">");
	if (key != NULL && r->op_update) {
		html_raw(b, "<a class=\"button\" href=\"/%s/", r->path);
		html_text(b, key);
		html_raw(b, "/edit\">Edit</a> ");
	}
	if (key != NULL && r->op_delete) {
		html_raw(b, "<a class=\"button danger\" href=\"/%s/", r->path);
		html_text(b, key);
		html_raw(b, "/delete\">Delete</a> ");
	}
	html_raw(b, "<a href=\"/%s\">All %s</a></p>\n", r->path, r->title);
	free(key);
	ui_send(w, code, b);
}

static void
detail_done(struct wreq *w)
{
	const struct page_ctx	*pc = w->ctx;

	if (w->status[S_MAIN] != DB_OK) {
		ui_db_failed(w, pc->r->title, w->status[S_MAIN],
		    w->res[S_MAIN]);
		return;
	}
	detail(w, pc->r, w->res[S_MAIN], 200, NULL);
}

/* ---- forms ---- */

static void
field_input(struct evbuffer *b, struct wreq *w, const struct field *f,
    const json_t *vals, const char *err)
{
	const char	*v, *p, *e;
	json_t		*items;

	v = json_string_value(json_object_get(vals, f->name));
	html_raw(b, "<div class=\"field%s\"><label for=\"f-%s\">%s</label>",
	    err != NULL ? " invalid" : "", f->name, f->label);
	switch (f->kind) {
	case F_BOOL:
		html_raw(b, "<input type=\"checkbox\" id=\"f-%s\" name=\"%s\" "
		    "value=\"on\"%s>", f->name, f->name, v != NULL ?
		    " checked" : "");
		break;
	case F_LIST:
		html_raw(b, "<textarea id=\"f-%s\" name=\"%s\" rows=\"4\">",
		    f->name, f->name);
		html_text(b, v);
		html_raw(b, "</textarea>");
		break;
	case F_CHOICE:
		html_raw(b, "<select id=\"f-%s\" name=\"%s\">", f->name,
		    f->name);
		for (p = f->choices; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
			e = p + strcspn(p, "|");
			html_raw(b, "<option%s>%.*s</option>", v != NULL &&
			    strlen(v) == (size_t)(e - p) && strncmp(v, p,
			    (size_t)(e - p)) == 0 ? " selected" : "",
			    (int)(e - p), p);
		}
		html_raw(b, "</select>");
		break;
	case F_TENANT:
	case F_TRUNK:
		if ((items = refs(w, f->kind)) != NULL) {
			html_raw(b, "<select id=\"f-%s\" name=\"%s\">"
			    "<option value=\"\">-</option>", f->name, f->name);
			ref_options(b, items, v);
			html_raw(b, "</select>");
			break;
		}
		/* FALLTHROUGH */
	default:
		html_raw(b, "<input id=\"f-%s\" name=\"%s\" type=\"%s\"%s "
		    "value=\"", f->name, f->name, f->kind == F_SECRET ?
		    "password" : "text", f->kind == F_TEXT ? "" :
		    " inputmode=\"numeric\"");
		if (f->kind != F_SECRET)
			html_text(b, v);
		html_raw(b, "\">");
		break;
	}
	if (f->hint != NULL)
		html_raw(b, "<p class=\"hint\">%s</p>", f->hint);
	if (err != NULL) {
		html_raw(b, "<p class=\"error\">");
		html_text(b, err);
		html_raw(b, "</p>");
	}
	html_raw(b, "</div>\n");
}

static void
totp_input(struct evbuffer *b, const char *err)
{
	html_raw(b, "<div class=\"field totp%s\"><label for=\"f-totp\">"
	    "TOTP code</label><input id=\"f-totp\" name=\"totp\" "
	    "type=\"text\" inputmode=\"numeric\" "
	    "autocomplete=\"one-time-code\" maxlength=\"8\" required><p class=\"hint\">From your "
	    "authenticator app; every change needs a fresh code.</p>",
	    err != NULL ? " invalid" : "");
	if (err != NULL) {
		html_raw(b, "<p class=\"error\">");
		html_text(b, err);
		html_raw(b, "</p>");
	}
	html_raw(b, "</div>\n");
}

static void
form_page(struct wreq *w, const json_t *vals, int code)
{
	const struct page_ctx	*pc = w->ctx;
	const struct resource	*r = pc->r;
	struct evbuffer		*b;
	char			 title[128], *key = NULL;
	size_t			 i;

	(void)snprintf(title, sizeof(title), "%s %s", pc->page == P_NEW ?
	    (r->op_create == DB_OP_BAN_ADD ? "Ban" : "New") : "Edit",
	    r->op_create == DB_OP_BAN_ADD ? "an address" : r->one);
	if ((b = ui_page(w, title)) == NULL) {
		reply(w, 500, NULL, NULL);
		return;
	}
	if (pc->msg != NULL) {
		html_raw(b, "<p class=\"msg err\" role=\"alert\">");
		html_text(b, pc->msg);
		html_raw(b, "</p>");
	}
	if (pc->page == P_NEW)
		html_raw(b, "<form method=\"post\" class=\"form\" "
		    "action=\"/%s/new\">", r->path);
	else {
		key = form_encode(pc->key, 0);
		html_raw(b, "<form method=\"post\" class=\"form\" "
		    "action=\"/%s/", r->path);
		html_text(b, key);
		html_raw(b, "/edit\">");
	}
	ui_csrf(b, w);
	for (i = 0; i < r->nfields; i++)
		if (r->fields[i].flags & FF_FORM)
			field_input(b, w, &r->fields[i], vals,
			    strcmp(pc->field, r->fields[i].name) == 0 ?
			    pc->msg : NULL);
	totp_input(b, strcmp(pc->field, "totp") == 0 ? pc->msg : NULL);
	html_raw(b, "<div class=\"actions\"><button type=\"submit\">%s"
	    "</button> <a href=\"/%s", pc->page == P_NEW ?
	    (r->op_create == DB_OP_BAN_ADD ? "Ban" : "Create") : "Save",
	    r->path);
	if (key != NULL) {
		html_raw(b, "/");
		html_text(b, key);
	}
	html_raw(b, "\">Cancel</a></div></form>\n");
	free(key);
	ui_send(w, code, b);
}

static void
form_get_done(struct wreq *w)
{
	const struct page_ctx	*pc = w->ctx;
	json_t			*vals;

	if (pc->page == P_EDIT && w->status[S_MAIN] != DB_OK) {
		ui_db_failed(w, pc->r->title, w->status[S_MAIN],
		    w->res[S_MAIN]);
		return;
	}
	vals = pc->page == P_EDIT ? res_to_form(pc->r, w->res[S_MAIN]) :
	    json_object();
	if (pc->page == P_NEW && pc->r->op_create == DB_OP_TRUNK_CREATE)
		(void)json_object_set_new(vals, "enabled", json_string("on"));
	form_page(w, vals, 200);
	json_decref(vals);
}

/* dbd's "networks[1]" is the field "networks". */
static void
set_field(struct page_ctx *pc, const char *field)
{
	(void)strlcpy(pc->field, field != NULL ? field : "",
	    sizeof(pc->field));
	pc->field[strcspn(pc->field, "[.")] = '\0';
}

static void
form_post_done(struct wreq *w)
{
	struct page_ctx	*pc = w->ctx;
	const char	*msg;
	char		*key, loc[600];
	int		 st = w->status[S_MAIN];

	if (pc->msg != NULL) {		/* refused before dbd was asked */
		form_page(w, w->form, 422);
		return;
	}
	if (st == DB_OK) {
		if (pc->page == P_NEW && pc->r->op_get) {
			detail(w, pc->r, w->res[S_MAIN], 201, "Created.");
			return;
		}
		key = pc->page == P_EDIT && pc->r->op_get ?
		    form_encode(pc->key, 0) : NULL;
		(void)snprintf(loc, sizeof(loc), "/%s%s%s", pc->r->path,
		    key != NULL ? "/" : "", key != NULL ? key : "");
		free(key);
		reply_redirect(w, loc);
		return;
	}
	if (st == DB_E_UNKNOWN_ADMIN || st == DB_E_NOT_FOUND ||
	    st == DB_E_UNAVAILABLE || st == DB_E_INTERNAL) {
		ui_db_failed(w, pc->r->title, st, w->res[S_MAIN]);
		return;
	}
	msg = json_string_value(json_object_get(w->res[S_MAIN], "error"));
	pc->msg = msg != NULL ? msg : db_status_text(st);
	if (st == DB_E_TOTP || st == DB_E_LOCKED) {
		pc->msg = db_status_text(st);
		set_field(pc, "totp");
	} else
		set_field(pc, json_string_value(json_object_get(
		    w->res[S_MAIN], "field")));
	form_page(w, w->form, db_status_http(st));
}

static const char *
form_totp(struct wreq *w)
{
	const char	*t;

	t = json_string_value(json_object_get(w->form, "totp"));

	if (t == NULL || strlen(t) < 6 || strlen(t) > 8 ||
	    strspn(t, "0123456789") != strlen(t))
		return NULL;
	return t;
}

static void
form_post(struct wreq *w, struct page_ctx *pc)
{
	const struct resource	*r = pc->r;
	const struct field	*bad = NULL;
	const char		*totp;
	json_t			*body, *key;

	wreq_begin(w, form_post_done);
	fetch_refs(w, r);
	body = res_from_form(r, w->form, pc->page == P_NEW, &bad);
	if (body == NULL) {
		pc->msg = bad != NULL ? "Please check this field." :
		    "The form could not be read.";
		set_field(pc, bad != NULL ? bad->name : NULL);
	} else if ((totp = form_totp(w)) == NULL) {
		pc->msg = "Enter the 6-digit code from your authenticator.";
		set_field(pc, "totp");
		json_decref(body);
	} else {
		if (pc->page == P_EDIT) {
			key = res_key(r, pc->key);
			(void)json_object_update(body, key);
			json_decref(key);
		}
		wreq_fetch(w, S_MAIN, pc->page == P_NEW ? r->op_create :
		    r->op_update, body, totp);
	}
	wreq_end(w);
}

/* ---- delete ---- */

static void
delete_page(struct wreq *w, int code)
{
	const struct page_ctx	*pc = w->ctx;
	const struct resource	*r = pc->r;
	struct evbuffer		*b;
	const char		*name = NULL;
	char			 title[128], *key;

	(void)snprintf(title, sizeof(title), "%s %s",
	    r->op_delete == DB_OP_BAN_REMOVE ? "Unban" : "Delete", r->one);
	if ((b = ui_page(w, title)) == NULL) {
		reply(w, 500, NULL, NULL);
		return;
	}
	if (w->status[S_MAIN] == DB_OK && w->res[S_MAIN] != NULL)
		name = json_string_value(json_object_get(w->res[S_MAIN],
		    "name"));
	if (pc->msg != NULL) {
		html_raw(b, "<p class=\"msg err\" role=\"alert\">");
		html_text(b, pc->msg);
		html_raw(b, "</p>");
	}
	html_raw(b, "<p>%s %s <strong>", r->op_delete == DB_OP_BAN_REMOVE ?
	    "Lift the ban of" : "Delete the", r->op_delete ==
	    DB_OP_BAN_REMOVE ? "" : r->one);
	html_text(b, name != NULL ? name : pc->key);
	html_raw(b, "</strong>?%s</p>", r->op_delete == DB_OP_BAN_REMOVE ?
	    "" : " This cannot be undone.");
	key = form_encode(pc->key, 0);
	html_raw(b, "<form method=\"post\" class=\"form\" action=\"/%s/",
	    r->path);
	html_text(b, key);
	html_raw(b, "/delete\">");
	free(key);
	ui_csrf(b, w);
	totp_input(b, NULL);
	html_raw(b, "<div class=\"actions\"><button type=\"submit\" "
	    "class=\"danger\">%s</button> <a href=\"/%s\">Cancel</a></div>"
	    "</form>\n", r->op_delete == DB_OP_BAN_REMOVE ? "Unban" : "Delete",
	    r->path);
	ui_send(w, code, b);
}

static void
delete_get_done(struct wreq *w)
{
	const struct page_ctx	*pc = w->ctx;

	if (pc->r->op_get && w->status[S_MAIN] != DB_OK) {
		ui_db_failed(w, pc->r->title, w->status[S_MAIN],
		    w->res[S_MAIN]);
		return;
	}
	delete_page(w, 200);
}

static void
delete_post_done(struct wreq *w)
{
	struct page_ctx	*pc = w->ctx;
	char		 loc[128];
	int		 st = w->status[S_MAIN];

	if (pc->msg == NULL && st == DB_OK) {
		(void)snprintf(loc, sizeof(loc), "/%s", pc->r->path);
		reply_redirect(w, loc);
		return;
	}
	if (pc->msg == NULL) {
		if (st != DB_E_TOTP && st != DB_E_LOCKED &&
		    st != DB_E_CONFLICT) {
			ui_db_failed(w, pc->r->title, st, w->res[S_MAIN]);
			return;
		}
		pc->msg = st == DB_E_CONFLICT ? json_string_value(
		    json_object_get(w->res[S_MAIN], "error")) : NULL;
		if (pc->msg == NULL)
			pc->msg = db_status_text(st);
	}
	json_decref(w->res[S_MAIN]);
	w->res[S_MAIN] = NULL;
	w->status[S_MAIN] = DB_E_NOT_FOUND;
	delete_page(w, st == DB_OK ? 422 : db_status_http(st));
}

/* ---- routing ---- */

void
ui_res(struct wreq *w, const struct resource *r)
{
	struct page_ctx	*pc;
	const char	*act = w->nparts == 3 ? w->parts[2] : NULL;
	const char	*totp;
	json_t		*key = NULL;
	long long	 page;
	int		 post = w->method == EVHTTP_REQ_POST;

	if ((pc = calloc(1, sizeof(*pc))) == NULL) {
		ui_error(w, 500, "out of memory");
		return;
	}
	w->ctx = pc;
	pc->r = r;
	if (w->nparts == 1)
		pc->page = P_LIST;
	else if (w->nparts == 2 && strcmp(w->parts[1], "new") == 0 &&
	    r->op_create)
		pc->page = P_NEW;
	else if (w->nparts == 2 && r->op_get)
		pc->page = P_DETAIL;
	else if (act != NULL && strcmp(act, "edit") == 0 && r->op_update)
		pc->page = P_EDIT;
	else if (act != NULL && strcmp(act, "delete") == 0 && r->op_delete)
		pc->page = P_DELETE;
	else {
		ui_error(w, 404, "There is no such page.");
		return;
	}
	if (r->superadmin && strcmp(w->admin.role, "superadmin") != 0) {
		ui_error(w, 403, "Only superadmins manage admins.");
		return;
	}
	if (pc->page != P_LIST && pc->page != P_NEW) {
		pc->key = w->parts[1];
		if ((key = res_key(r, pc->key)) == NULL) {
			ui_error(w, 404, "There is no such object.");
			return;
		}
	}
	if (post && pc->page != P_NEW && pc->page != P_EDIT &&
	    pc->page != P_DELETE) {
		json_decref(key);
		ui_error(w, 405, "This page cannot be posted to.");
		return;
	}
	switch (pc->page) {
	case P_LIST:
		page = strtonum(wreq_query(w, "page") != NULL ?
		    wreq_query(w, "page") : "1", 1, 1000000, NULL);
		wreq_begin(w, list_done);
		wreq_fetch(w, S_MAIN, r->op_list, list_body(res_filter(r,
		    w->query), page > 0 ? page : 1, PER_PAGE), NULL);
		fetch_refs(w, r);
		wreq_end(w);
		break;
	case P_DETAIL:
		wreq_begin(w, detail_done);
		wreq_fetch(w, S_MAIN, r->op_get, key, NULL);
		fetch_refs(w, r);
		wreq_end(w);
		break;
	case P_NEW:
	case P_EDIT:
		if (post) {
			json_decref(key);
			form_post(w, pc);
			break;
		}
		wreq_begin(w, form_get_done);
		if (pc->page == P_EDIT)
			wreq_fetch(w, S_MAIN, r->op_get, key, NULL);
		fetch_refs(w, r);
		wreq_end(w);
		break;
	case P_DELETE:
		if (!post) {
			wreq_begin(w, delete_get_done);
			if (r->op_get)
				wreq_fetch(w, S_MAIN, r->op_get, key, NULL);
			else
				json_decref(key);
			wreq_end(w);
			break;
		}
		wreq_begin(w, delete_post_done);
		if ((totp = form_totp(w)) == NULL) {
			pc->msg = "Enter the 6-digit code from your "
			    "authenticator.";
			json_decref(key);
		} else
			wreq_fetch(w, S_MAIN, r->op_delete, key, totp);
		wreq_end(w);
		break;
	}
}
