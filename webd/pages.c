/*
 * Answers to GET requests, kept as they were sent while the database
 * has not changed.  Every answer from dbd carries a stamp (dbd/cache.c):
 * the same stamp means nothing these answers depend on changed.  A page
 * is kept when every dbd answer it was made from (the admin's WHOAMI
 * included) carried one and the same stamp; it is made for one
 * certificate and one target (path and query).
 *
 * dbd still decides each request: a request for a kept page first asks
 * dbd who the admin is (WHOAMI, answered from dbd's cache), and the page
 * is sent only when that answer carries the page's stamp and names the
 * same admin, role and tenant; otherwise the page is made again.  Pages
 * hold CSRF tokens, so none is older than PAGE_MAX_AGE.  At most
 * PAGES_MAX pages and PAGES_BYTES_MAX bytes; the least recently used go
 * first, and a dropped page is wiped (it names customers).
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "util.h"
#include "webd.h"

#define PAGES_MAX	128
#define PAGES_BYTES_MAX	(8 * 1024 * 1024)
#define PAGE_BODY_MAX	(512 * 1024)
#define PAGE_MAX_AGE	600	/* seconds; CSRF tokens live 12 hours */

struct page {
	TAILQ_ENTRY(page)	 lru;		/* the most recent first */
	uint8_t			 fpr[PROTO_FPR_LEN];
	struct admin		 admin;		/* whom it was made for */
	uint64_t		 stamp;
	time_t			 made;
	int			 code;
	char			*target;
	char			*type;
	char			*xhdr;		/* its extra header lines */
	size_t			 xhdrlen;
	size_t			 size;		/* all of it, for the bound */
	size_t			 len;
	unsigned char		*body;
	int			 refs;		/* answers still sending it */
	int			 dropped;	/* freed with the last of them */
};

static TAILQ_HEAD(page_lru, page) pages = TAILQ_HEAD_INITIALIZER(pages);
static size_t			npages, nbytes;
static unsigned long long	nsent;

static void
page_free(struct page *p)
{
	freezero(p->body, p->len);
	free(p->target);
	free(p->type);
	free(p->xhdr);
	freezero(p, sizeof(*p));
}

static void
page_drop(struct page *p)
{
	TAILQ_REMOVE(&pages, p, lru);
	npages--;
	nbytes -= p->size;
	p->dropped = 1;
	if (p->refs == 0)
		page_free(p);
}

/* An answer that sent the page's body without copying it is written. */
static void
page_unref(const void *data, size_t len, void *arg)
{
	struct page	*p = arg;

	if (--p->refs == 0 && p->dropped)
		page_free(p);
}

static int
admin_same(const struct admin *a, const struct admin *b)
{
	return a->known && b->known && a->tenant_id == b->tenant_id &&
	    strcmp(a->name, b->name) == 0 && strcmp(a->role, b->role) == 0;
}

static struct page *
page_find(const struct wreq *w)
{
	struct page	*p;

	if (w->method != EVHTTP_REQ_GET || w->target == NULL)
		return NULL;
	TAILQ_FOREACH(p, &pages, lru)
		if (memcmp(p->fpr, w->fpr, sizeof(p->fpr)) == 0 &&
		    strcmp(p->target, w->target) == 0)
			return p;
	return NULL;
}

int
pages_have(const struct wreq *w)
{
	return page_find(w) != NULL;
}

int
pages_send(struct wreq *w)
{
	struct page	*p;
	struct evbuffer	*b;

	if ((p = page_find(w)) == NULL || w->nocache || w->stamp == 0 ||
	    p->stamp != w->stamp || !admin_same(&p->admin, &w->admin))
		return 0;
	if (monotime() - p->made > PAGE_MAX_AGE) {
		page_drop(p);
		return 0;
	}
	if ((b = evbuffer_new()) == NULL ||
	    evbuffer_add_reference(b, p->body, p->len, page_unref, p) == -1) {
		if (b != NULL)
			evbuffer_free(b);
		return 0;
	}
	p->refs++;
	TAILQ_REMOVE(&pages, p, lru);
	TAILQ_INSERT_HEAD(&pages, p, lru);
	memcpy(w->xhdr, p->xhdr, p->xhdrlen);
	w->xhdrlen = p->xhdrlen;
	w->nocache = 1;		/* it is kept already */
	nsent++;
	reply(w, p->code, p->type, b);
	evbuffer_free(b);
	return 1;
}

void
pages_keep(const struct wreq *w, int code, const char *type,
    struct evbuffer *body)
{
	struct page	*p, *old;
	size_t		 len = evbuffer_get_length(body);

	if (w->method != EVHTTP_REQ_GET || code != 200 || w->nocache ||
	    w->stamp == 0 || !w->admin.known || type == NULL ||
	    len > PAGE_BODY_MAX)
		return;
	if ((old = page_find(w)) != NULL)
		page_drop(old);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->target = strdup(w->target)) == NULL ||
	    (p->type = strdup(type)) == NULL ||
	    (p->xhdr = malloc(w->xhdrlen + 1)) == NULL ||
	    (p->body = malloc(len + 1)) == NULL ||
	    evbuffer_copyout(body, p->body, len) != (ev_ssize_t)len) {
		if (p != NULL) {
			free(p->target);
			free(p->type);
			free(p->xhdr);
			free(p->body);
			free(p);
		}
		return;
	}
	memcpy(p->xhdr, w->xhdr, w->xhdrlen);
	p->xhdrlen = w->xhdrlen;
	memcpy(p->fpr, w->fpr, sizeof(p->fpr));
	p->admin = w->admin;
	p->stamp = w->stamp;
	p->made = monotime();
	p->code = code;
	p->len = len;
	p->size = sizeof(*p) + strlen(p->target) + strlen(p->type) +
	    p->xhdrlen + len;
	while (npages > 0 && (npages >= PAGES_MAX ||
	    nbytes + p->size > PAGES_BYTES_MAX))
		page_drop(TAILQ_LAST(&pages, page_lru));
	TAILQ_INSERT_HEAD(&pages, p, lru);
	npages++;
	nbytes += p->size;
}

void
pages_state(char *buf, size_t len)
{
	(void)snprintf(buf, len, "%zu pages kept (%zu KiB), %llu sent again",
	    npages, (nbytes + 1023) / 1024, nsent);
}
