/*
 * Requests to dbd: a fixed table of pending requests, each with its
 * callback and a deadline.  The request id holds the slot and a sequence
 * number, so a late answer to a request that timed out is recognised and
 * dropped.  Every answer is checked (length, status, JSON object) before
 * a callback sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "log.h"
#include "util.h"
#include "webd.h"

#define DB_SLOTS	1024		/* a power of two */
#define DB_TIMEOUT	10		/* seconds */

struct db_pending {
	uint32_t	 reqid;		/* 0: free */
	time_t		 deadline;
	db_cb		 cb;
	void		*arg;
};

static struct db_pending	 slots[DB_SLOTS];
static struct msg_db_req	*dbreq;
static uint32_t			 seq;
static struct event		*ev_tick;

static void
db_finish(struct db_pending *p, int status, json_t *answer, uint64_t stamp)
{
	db_cb	 cb = p->cb;
	void	*arg = p->arg;

	memset(p, 0, sizeof(*p));
	cb(arg, status, answer, stamp);
}

/* dbd answers or says it cannot; a request it dropped times out here. */
static void
db_tick(evutil_socket_t fd, short what, void *arg)
{
	time_t	now = monotime();
	size_t	i;

	for (i = 0; i < DB_SLOTS; i++)
		if (slots[i].reqid != 0 && slots[i].deadline <= now) {
			log_warnx("dbd did not answer request %u",
			    slots[i].reqid);
			db_finish(&slots[i], DB_E_UNAVAILABLE, NULL, 0);
		}
}

void
db_init(struct event_base *base)
{
	struct timeval	tv = { 1, 0 };

	if ((dbreq = calloc(1, sizeof(*dbreq))) == NULL ||
	    (ev_tick = event_new(base, -1, EV_PERSIST, db_tick, NULL)) ==
	    NULL || event_add(ev_tick, &tv) == -1)
		fatalx("db_init");
}

void
db_call(uint32_t op, const uint8_t fpr[PROTO_FPR_LEN], const char *totp,
    json_t *body, db_cb cb, void *arg)
{
	struct db_pending	*p = NULL;
	size_t			 i, len;

	for (i = 0; i < DB_SLOTS; i++)
		if (slots[(seq + i) % DB_SLOTS].reqid == 0) {
			p = &slots[(seq + i) % DB_SLOTS];
			break;
		}
	/* No body is an empty object; it needs no encoder. */
	len = body == NULL ? strlcpy(dbreq->json, "{}", sizeof(dbreq->json)) :
	    json_dumpb(body, dbreq->json, sizeof(dbreq->json), JSON_COMPACT);
	if (p == NULL || len == 0 || len > sizeof(dbreq->json) ||
	    strlen(totp) >= sizeof(dbreq->totp)) {
		cb(arg, p == NULL ? DB_E_UNAVAILABLE : DB_E_INVALID, NULL, 0);
		return;
	}
	seq++;
	p->reqid = (uint32_t)(p - slots) | (seq & 0x3fffff) << 10;
	if (p->reqid == 0)
		p->reqid = (uint32_t)(p - slots) | 1U << 10;
	p->deadline = monotime() + DB_TIMEOUT;
	p->cb = cb;
	p->arg = arg;
	dbreq->reqid = p->reqid;
	dbreq->op = op;
	memcpy(dbreq->fingerprint, fpr, PROTO_FPR_LEN);
	memset(dbreq->totp, 0, sizeof(dbreq->totp));
	(void)strlcpy(dbreq->totp, totp, sizeof(dbreq->totp));
	dbreq->json_len = (uint32_t)len;
	if (child_send(MSG_DB_REQ, PROC_DBD, -1, dbreq, MSG_DB_REQ_MIN + len)
	    == -1)
		db_finish(p, DB_E_UNAVAILABLE, NULL, 0);
	explicit_bzero(dbreq->totp, sizeof(dbreq->totp));
}

/* A DB_RESP: -1 when malformed (the caller treats dbd as hostile). */
int
db_answer(const void *data, size_t len)
{
	const struct msg_db_resp	*r = data;
	struct db_pending		*p;
	json_t				*answer;
	json_error_t			 err;
	int				 status;

	if (len < MSG_DB_RESP_MIN || r->json_len > len - MSG_DB_RESP_MIN ||
	    r->status < DB_OK || r->status > DB_E_INTERNAL)
		return -1;
	p = &slots[r->reqid % DB_SLOTS];
	if (r->reqid == 0 || p->reqid != r->reqid)
		return 0;	/* it timed out: already answered */
	status = r->status;
	answer = json_loadb(r->json, r->json_len, JSON_REJECT_DUPLICATES,
	    &err);
	if (answer == NULL || !json_is_object(answer)) {
		log_warnx("dbd answer %u: not a JSON object", r->reqid);
		json_decref(answer);
		answer = NULL;
		status = DB_E_INTERNAL;
	}
	db_finish(p, status, answer, status == r->status ? r->stamp : 0);
	json_decref(answer);
	return 0;
}

static void
wreq_answer(void *arg, int status, json_t *answer, uint64_t stamp)
{
	struct wfetch	*f = arg;
	struct wreq	*w = f->w;

	/* A page made from answers of one stamp may be kept (pages.c). */
	if (stamp == 0 || (w->stamp != 0 && stamp != w->stamp))
		w->nocache = 1;
	else
		w->stamp = stamp;
	w->status[f->slot] = status;
	w->res[f->slot] = json_incref(answer);
	wreq_end(w);
}

void
wreq_begin(struct wreq *w, void (*done)(struct wreq *))
{
	w->done = done;
	w->pending = 1;		/* held until wreq_end() */
}

void
wreq_fetch(struct wreq *w, int slot, uint32_t op, json_t *body,
    const char *totp)
{
	w->fetch[slot].w = w;
	w->fetch[slot].slot = slot;
	w->pending++;
	db_call(op, w->fpr, totp != NULL ? totp : "", body, wreq_answer,
	    &w->fetch[slot]);
	json_decref(body);
}

void
wreq_end(struct wreq *w)
{
	if (--w->pending == 0)
		w->done(w);
}

int
db_status_http(int status)
{
	switch (status) {
	case DB_OK: return 200;
	case DB_E_INVALID: return 422;
	case DB_E_TOTP: return 403;
	case DB_E_LOCKED: return 423;
	case DB_E_FORBIDDEN: return 403;
	case DB_E_UNKNOWN_ADMIN: return 403;
	case DB_E_NOT_FOUND: return 404;
	case DB_E_CONFLICT: return 409;
	case DB_E_UNAVAILABLE: return 503;
	default: return 500;
	}
}

const char *
db_status_text(int status)
{
	switch (status) {
	case DB_OK: return "ok";
	case DB_E_INVALID: return "invalid input";
	case DB_E_TOTP: return "wrong or already used TOTP code";
	case DB_E_LOCKED: return "too many wrong TOTP codes: locked for a "
	    "while";
	case DB_E_FORBIDDEN: return "not allowed for your role or tenant";
	case DB_E_UNKNOWN_ADMIN: return "this certificate belongs to no "
	    "enabled admin";
	case DB_E_NOT_FOUND: return "not found";
	case DB_E_CONFLICT: return "conflicts with an existing object";
	case DB_E_UNAVAILABLE: return "the database is not available";
	default: return "internal error";
	}
}
