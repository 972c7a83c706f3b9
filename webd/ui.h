/* The console's shared pieces: the page frame and the error page. */
#ifndef TRUNKD_WEBD_UI_H
#define TRUNKD_WEBD_UI_H

#include "html.h"
#include "res.h"
#include "webd.h"

struct evbuffer	*ui_page(struct wreq *, const char *title);
void		 ui_send(struct wreq *, int code, struct evbuffer *);
/* A status badge whose colour follows the value. */
void		 ui_badge(struct evbuffer *, const json_t *);
/* A hidden CSRF field for a form of this admin. */
void		 ui_csrf(struct evbuffer *, struct wreq *);
/* res/ui_res.c */
void		 ui_res(struct wreq *, const struct resource *);
void		 ui_dashboard(struct wreq *);

#endif /* TRUNKD_WEBD_UI_H */
