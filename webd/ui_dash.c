/*
 * The dashboard: whatever dbd's DASHBOARD answer holds (processes and
 * their sandbox, database and Asterisk state, configuration generation
 * applied and pending, firewall counters, bans), rendered generically:
 * an object as a card of name/value rows, a list of objects as a table.
 * Values that look like states get a coloured badge.
 */
#include <string.h>

#include <event2/buffer.h>

#include "ui.h"

static void
label(struct evbuffer *b, const char *key)
{
	char	buf[PROTO_NAME_MAX];
	size_t	i;

	(void)strlcpy(buf, key, sizeof(buf));
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '_')
			buf[i] = ' ';
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	html_text(b, buf);
}

static void
value(struct evbuffer *b, json_t *v)
{
	json_t		*e;
	const char	*k;
	size_t		 i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (i > 0)
				html_raw(b, ", ");
			value(b, e);
		}
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			html_text(b, k);
			html_raw(b, ": ");
			value(b, e);
			html_raw(b, " ");
		}
	} else if (json_is_null(v))
		html_raw(b, "<span class=\"none\">-</span>");
	else if (json_is_boolean(v) || json_is_string(v))
		ui_badge(b, v);
	else
		html_jtext(b, v);
}

static void
table(struct evbuffer *b, json_t *rows)
{
	json_t		*first = json_array_get(rows, 0), *row, *v;
	const char	*k;
	size_t		 i;

	html_raw(b, "<div class=\"tablewrap\"><table><thead><tr>");
	json_object_foreach(first, k, v) {
		html_raw(b, "<th>");
		label(b, k);
		html_raw(b, "</th>");
	}
	html_raw(b, "</tr></thead><tbody>");
	json_array_foreach(rows, i, row) {
		html_raw(b, "<tr>");
		json_object_foreach(first, k, v) {
			html_raw(b, "<td>");
			value(b, json_object_get(row, k));
			html_raw(b, "</td>");
		}
		html_raw(b, "</tr>");
	}
	html_raw(b, "</tbody></table></div>");
}

static void
dash_done(struct wreq *w)
{
	struct evbuffer	*b;
	json_t		*d = w->res[0], *v, *e;
	const char	*k, *k2;

	if (w->status[0] == DB_E_UNKNOWN_ADMIN) {
		http_forget_admin(w);
		ui_error(w, 403, db_status_text(w->status[0]));
		return;
	}
	if ((b = ui_page(w, "Dashboard")) == NULL) {
		reply(w, 500, NULL, NULL);
		return;
	}
	html_raw(b, "<div class=\"cards\"><section class=\"card wide\">"
	    "<h2>Processes and their sandbox</h2>");
	if (w->status[1] == DB_OK && json_array_size(w->res[1]) > 0)
		table(b, w->res[1]);
	else
		html_raw(b, "<p class=\"empty\">Not available.</p>");
	html_raw(b, "</section></div>\n");
	if (w->status[0] != DB_OK) {
		html_raw(b, "<p class=\"msg err\" role=\"alert\">");
		html_text(b, db_status_text(w->status[0]));
		html_raw(b, "</p>");
		ui_send(w, db_status_http(w->status[0]), b);
		return;
	}
	html_raw(b, "<div class=\"cards\">");
	json_object_foreach(d, k, v) {
		if (json_is_null(v))
			continue;
		html_raw(b, "<section class=\"card%s\"><h2>",
		    json_is_array(v) ? " wide" : "");
		label(b, k);
		html_raw(b, "</h2>");
		if (json_is_array(v) && json_is_object(json_array_get(v, 0)))
			table(b, v);
		else if (json_is_object(v)) {
			html_raw(b, "<dl>");
			json_object_foreach(v, k2, e) {
				html_raw(b, "<dt>");
				label(b, k2);
				html_raw(b, "</dt><dd>");
				value(b, e);
				html_raw(b, "</dd>");
			}
			html_raw(b, "</dl>");
		} else if (json_is_array(v) && json_array_size(v) == 0)
			html_raw(b, "<p class=\"empty\">None.</p>");
		else {
			html_raw(b, "<p class=\"big\">");
			value(b, v);
			html_raw(b, "</p>");
		}
		html_raw(b, "</section>\n");
	}
	html_raw(b, "</div>\n");
	ui_send(w, 200, b);
}

void
ui_dashboard(struct wreq *w)
{
	if (w->method == EVHTTP_REQ_POST) {
		ui_error(w, 405, "This page cannot be posted to.");
		return;
	}
	wreq_begin(w, dash_done);
	wreq_fetch(w, 0, DB_OP_DASHBOARD, NULL, NULL);
	procs_fetch(w, 1);
	wreq_end(w);
}
