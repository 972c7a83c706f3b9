/* Escaping: see html.h. */
#include <stdarg.h>
#include <string.h>

#include "html.h"

void
html_text(struct evbuffer *b, const char *s)
{
	const char	*p, *rep;
	size_t		 run;

	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p += run) {
		run = strcspn(p, "&<>\"'");
		if (run > 0) {
			(void)evbuffer_add(b, p, run);
			continue;
		}
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: rep = "&#39;"; break;
		}
		(void)evbuffer_add(b, rep, strlen(rep));
		run = 1;
	}
}

void
html_jtext(struct evbuffer *b, const json_t *v)
{
	if (v == NULL)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		html_text(b, json_string_value(v));
		break;
	case JSON_INTEGER:
		(void)evbuffer_add_printf(b, "%lld",
		    (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		(void)evbuffer_add_printf(b, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		(void)evbuffer_add(b, "yes", 3);
		break;
	case JSON_FALSE:
		(void)evbuffer_add(b, "no", 2);
		break;
	default:
		break;
	}
}

void
html_raw(struct evbuffer *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)evbuffer_add_vprintf(b, fmt, ap);
	va_end(ap);
}
