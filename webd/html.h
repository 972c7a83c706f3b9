/*
 * HTML output: every value that did not come from this program's own
 * string literals goes through html_text() (or html_jtext() for JSON
 * values), which escapes & < > " ' so it renders as text in an element or
 * a quoted attribute.
 */
#ifndef TRUNKD_WEBD_HTML_H
#define TRUNKD_WEBD_HTML_H

#include <event2/buffer.h>
#include <jansson.h>

void	html_text(struct evbuffer *, const char *);
/* A JSON scalar as text: strings, numbers, true/false; null as "". */
void	html_jtext(struct evbuffer *, const json_t *);
/* Markup from literals only: no untrusted %s. */
void	html_raw(struct evbuffer *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* TRUNKD_WEBD_HTML_H */
