/*
 * The console: routing of page requests, the page frame, the error page
 * and the stylesheet.  Pages need no JavaScript; the one stylesheet is
 * compiled in.  A POST is refused (403) without a valid CSRF token before
 * anything else happens.
 */
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "form.h"
#include "util.h"
#include "ui.h"

struct evbuffer *
ui_page(struct wreq *w, const char *title)
{
	struct evbuffer	*b;
	size_t		 i;
	const char	*cur = w->nparts > 0 ? w->parts[0] : "";

	if ((b = evbuffer_new()) == NULL)
		return NULL;
	html_raw(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	html_text(b, title);
	html_raw(b, " - trunkd</title>"
	    "<link rel=\"stylesheet\" href=\"/static/style.css\"></head>\n"
	    "<body><header class=\"top\"><a class=\"brand\" href=\"/\">"
	    "trunkd</a><nav>");
	if (w->admin.known) {
		html_raw(b, "<a href=\"/\"%s>Dashboard</a>",
		    w->nparts == 0 ? " class=\"on\"" : "");
		for (i = 0; i < nresources; i++) {
			if (resources[i].superadmin &&
			    strcmp(w->admin.role, "superadmin") != 0)
				continue;
			html_raw(b, "<a href=\"/%s\"%s>%s</a>",
			    resources[i].path, strcmp(cur, resources[i].path)
			    == 0 ? " class=\"on\"" : "", resources[i].title);
		}
	}
	html_raw(b, "</nav>");
	if (w->admin.known) {
		html_raw(b, "<span class=\"who\">");
		html_text(b, w->admin.name);
		html_raw(b, " <small>");
		html_text(b, w->admin.role);
		html_raw(b, "</small></span>");
	}
	html_raw(b, "</header>\n<main><h1>");
	html_text(b, title);
	html_raw(b, "</h1>\n");
	return b;
}

void
ui_send(struct wreq *w, int code, struct evbuffer *b)
{
	html_raw(b, "</main>\n<footer>trunkd admin console</footer>"
	    "</body></html>\n");
	reply(w, code, "text/html; charset=utf-8", b);
	evbuffer_free(b);
}

void
ui_error(struct wreq *w, int code, const char *msg)
{
	struct evbuffer	*b;
	char		 title[64];

	(void)snprintf(title, sizeof(title), "%d %s", code, status_text(code));
	if ((b = ui_page(w, title)) == NULL) {
		reply(w, code, NULL, NULL);
		return;
	}
	html_raw(b, "<p class=\"msg err\">");
	html_text(b, msg);
	html_raw(b, "</p>");
	if (code != 403 || w->admin.known)
		html_raw(b, "<p><a href=\"/\">Back to the dashboard</a></p>");
	ui_send(w, code, b);
}

void
ui_csrf(struct evbuffer *b, struct wreq *w)
{
	char	tok[CSRF_TOKEN_LEN];

	csrf_token(w->fpr, tok, sizeof(tok));
	html_raw(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", tok);
}

static const char *const badge_good[] = {
	"ok", "up", "running", "connected", "applied", "active", "enabled",
	"yes", "filter"
};
static const char *const badge_bad[] = {
	"down", "error", "failed", "disconnected", "unavailable", "disabled",
	"no", "locked"
};

void
ui_badge(struct evbuffer *b, const json_t *v)
{
	const char	*s = json_string_value(v), *cls = "";
	size_t		 i;

	if (v == NULL || json_is_null(v) || (s != NULL && *s == '\0')) {
		html_raw(b, "<span class=\"none\">-</span>");
		return;
	}
	if (json_is_true(v))
		cls = " good";
	else if (json_is_false(v))
		cls = " bad";
	for (i = 0; s != NULL && i < nitems(badge_good); i++)
		if (strcasecmp(s, badge_good[i]) == 0)
			cls = " good";
	for (i = 0; s != NULL && i < nitems(badge_bad); i++)
		if (strcasecmp(s, badge_bad[i]) == 0)
			cls = " bad";
	if (s != NULL && strcasecmp(s, "pending") == 0)
		cls = " warn";
	html_raw(b, "<span class=\"badge%s\">", cls);
	html_jtext(b, v);
	html_raw(b, "</span>");
}

static void
ui_static(struct wreq *w)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL) {
		reply(w, 500, NULL, NULL);
		return;
	}
	(void)evbuffer_add_reference(b, webd_css, webd_css_len, NULL, NULL);
	wreq_add_header(w, "Cache-Control", "max-age=3600");
	reply(w, 200, "text/css; charset=utf-8", b);
	evbuffer_free(b);
}

static void
ui_route(struct wreq *w)
{
	const struct resource	*r;

	if (w->nparts == 0) {
		ui_dashboard(w);
		return;
	}
	if ((r = res_find(w->parts[0])) == NULL) {
		ui_error(w, 404, "There is no such page.");
		return;
	}
	ui_res(w, r);
}

void
ui_handle(struct wreq *w)
{
	const char	*type;

	if (w->method != EVHTTP_REQ_GET && w->method != EVHTTP_REQ_HEAD &&
	    w->method != EVHTTP_REQ_POST) {
		ui_error(w, 405, "The console takes GET and POST only.");
		return;
	}
	if (w->nparts == 2 && strcmp(w->parts[0], "static") == 0 &&
	    strcmp(w->parts[1], "style.css") == 0) {
		ui_static(w);
		return;
	}
	if (w->method == EVHTTP_REQ_POST) {
		type = wreq_header(w, "Content-Type");
		if (type == NULL || strncasecmp(type,
		    "application/x-www-form-urlencoded", 33) != 0) {
			ui_error(w, 415, "Forms are sent url-encoded.");
			return;
		}
		if ((w->form = form_parse(w->body, w->bodylen)) == NULL) {
			ui_error(w, 400, "The form could not be read.");
			return;
		}
		if (csrf_check(w->fpr, json_string_value(json_object_get(
		    w->form, "csrf"))) == -1) {
			ui_error(w, 403, "The form's security token is missing "
			    "or wrong: reload the page and send it again.");
			return;
		}
	}
	http_identify(w, ui_route);
}
