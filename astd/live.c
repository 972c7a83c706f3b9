/*
 * Live state per trunk and carrier for the console: whether its contact
 * answers qualify (and the round trip), a carrier's registration, the
 * active channels.  From AMI's ContactStatus and Registry events and a
 * PJSIPShowEndpoints poll; sent to dbd as AST_LIVE JSON (see
 * common/proto_ast.h) at most every LIVE_SEND_SECONDS, when it changed.
 */
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ami.h"
#include "astd.h"
#include "child.h"
#include "log.h"
#include "util.h"
#include "writer.h"

#define LIVE_SEND_SECONDS	2
#define LIVE_POLL_SECONDS	30
#define LIVE_STATE_MAX		16

struct live_ep {
	char		name[EX_NAME_MAX];
	int		carrier;
	uint64_t	id;
	char		server_uri[EX_HOST_MAX + 48];	/* carriers */
	char		contact[LIVE_STATE_MAX];
	long long	rtt_us;
	char		registration[LIVE_STATE_MAX];
	long long	channels;
};

static struct {
	struct live_ep	*eps;
	size_t		 neps;
	int		 dirty;
	int		 up;
	uint64_t	 seq;
	time_t		 last_poll;
	struct event	*ev_tick;
} lv;

static struct live_ep *
live_find(const char *name)
{
	size_t	i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < lv.neps; i++)
		if (strcasecmp(lv.eps[i].name, name) == 0)
			return &lv.eps[i];
	return NULL;
}

/* A state word from Asterisk, lower-cased, bounded, letters only. */
static void
live_word(char *dst, const char *src)
{
	size_t	n = 0;

	for (; src != NULL && *src != '\0' && n + 1 < LIVE_STATE_MAX; src++)
		if ((*src >= 'a' && *src <= 'z') || (*src >= 'A' &&
		    *src <= 'Z'))
			dst[n++] = (char)(*src | 0x20);
	dst[n] = '\0';
}

static long long
live_number(const char *s)
{
	const char	*errstr;
	long long	 v;

	if (s == NULL)
		return -1;
	v = strtonum(s, 0, 1000000000LL, &errstr);
	return errstr != NULL ? -1 : v;
}

void
live_export(const struct export *ex)
{
	struct live_ep	*eps, *old;
	size_t		 n = 0, i;
	FILE		*fp;

	if ((eps = calloc(ex->ntrunks + ex->ncarriers + 1,
	    sizeof(*eps))) == NULL) {
		log_warnx("live state: out of memory");
		return;
	}
	for (i = 0; i < ex->ntrunks; i++) {
		if (!ex->trunks[i].enabled)
			continue;
		(void)strlcpy(eps[n].name, ex->trunks[i].endpoint,
		    sizeof(eps[n].name));
		eps[n++].id = ex->trunks[i].id;
	}
	for (i = 0; i < ex->ncarriers; i++) {
		(void)snprintf(eps[n].name, sizeof(eps[n].name),
		    "carrier-%llu", (unsigned long long)ex->carriers[i].id);
		eps[n].carrier = 1;
		eps[n].id = ex->carriers[i].id;
		if ((fp = fmemopen(eps[n].server_uri,
		    sizeof(eps[n].server_uri), "w")) != NULL) {
			pjsip_uri(fp, "", ex->carriers[i].host,
			    ex->carriers[i].port, ex->carriers[i].transport);
			fclose(fp);
		}
		n++;
	}
	/* What is known survives a new generation. */
	for (i = 0; i < n; i++) {
		if ((old = live_find(eps[i].name)) != NULL) {
			memcpy(eps[i].contact, old->contact, LIVE_STATE_MAX);
			memcpy(eps[i].registration, old->registration,
			    LIVE_STATE_MAX);
			eps[i].rtt_us = old->rtt_us;
			eps[i].channels = old->channels;
		} else {
			eps[i].rtt_us = eps[i].channels = -1;
		}
	}
	free(lv.eps);
	lv.eps = eps;
	lv.neps = n;
	lv.dirty = 1;
}

void
live_event(const struct ami_msg *m)
{
	const char	*ev = ami_get(m, "Event"), *dom;
	struct live_ep	*e;
	size_t		 i;

	if (strcasecmp(ev, "ContactStatus") == 0) {
		if ((e = live_find(ami_get(m, "EndpointName"))) == NULL &&
		    (e = live_find(ami_get(m, "AOR"))) == NULL)
			return;
		live_word(e->contact, ami_get(m, "ContactStatus"));
		e->rtt_us = live_number(ami_get(m, "RoundtripUsec"));
		lv.dirty = 1;
	} else if (strcasecmp(ev, "Registry") == 0 &&
	    (dom = ami_get(m, "Domain")) != NULL) {
		for (i = 0; i < lv.neps; i++)
			if (lv.eps[i].carrier &&
			    strcmp(lv.eps[i].server_uri, dom) == 0) {
				live_word(lv.eps[i].registration,
				    ami_get(m, "Status"));
				lv.dirty = 1;
			}
	}
}

/* The answer to the poll: one EndpointList event per endpoint. */
static void
live_poll_reply(const struct ami_msg *m, int done, void *arg)
{
	const char	*ev;
	struct live_ep	*e;
	long long	 n;

	if (m == NULL || (ev = ami_get(m, "Event")) == NULL ||
	    strcasecmp(ev, "EndpointList") != 0 ||
	    (e = live_find(ami_get(m, "ObjectName"))) == NULL)
		return;
	n = live_number(ami_get(m, "ActiveChannels"));
	if (n != e->channels) {
		e->channels = n;
		lv.dirty = 1;
	}
}

static void
live_send(void)
{
	struct msg_ast_json	*msg;
	json_t			*root, *list, *o;
	char			*text;
	size_t			 len, off = 0, n, i;
	uint32_t		 seq = 0;

	if ((root = json_object()) == NULL || (list = json_array()) == NULL)
		goto fail;
	json_object_set_new(root, "connected", json_boolean(lv.up));
	json_object_set_new(root, "asterisk", json_string(ami_version()));
	json_object_set_new(root, "endpoints", list);
	for (i = 0; i < lv.neps; i++) {
		if ((o = json_pack("{s:s,s:s,s:I,s:s,s:I,s:s,s:I}",
		    "endpoint", lv.eps[i].name,
		    "kind", lv.eps[i].carrier ? "carrier" : "trunk",
		    "id", (json_int_t)lv.eps[i].id,
		    "contact", lv.up ? lv.eps[i].contact : "",
		    "rtt_us", (json_int_t)lv.eps[i].rtt_us,
		    "registration", lv.up ? lv.eps[i].registration : "",
		    "channels", (json_int_t)(lv.up ? lv.eps[i].channels :
		    -1))) == NULL)
			goto fail;
		json_array_append_new(list, o);
	}
	/* Our own buffer: jansson's allocator is export.c's. */
	if ((len = json_dumpb(root, NULL, 0, JSON_COMPACT)) == 0 ||
	    (text = malloc(len)) == NULL)
		goto fail;
	if (json_dumpb(root, text, len, JSON_COMPACT) != len) {
		free(text);
		goto fail;
	}
	json_decref(root);
	root = NULL;
	if ((msg = calloc(1, sizeof(*msg))) == NULL) {
		free(text);
		goto fail;
	}
	lv.seq++;
	do {
		n = len - off > PROTO_AST_JSON_MAX ? PROTO_AST_JSON_MAX :
		    len - off;
		msg->generation = lv.seq;
		msg->seq = seq++;
		msg->last = off + n == len;
		msg->json_len = (uint32_t)n;
		memcpy(msg->json, text + off, n);
		(void)child_send(MSG_AST_LIVE, PROC_DBD, -1, msg,
		    MSG_AST_JSON_MIN + n);
		off += n;
	} while (off < len);
	free(msg);
	free(text);
	lv.dirty = 0;
	return;
 fail:
	json_decref(root);
	log_warnx("live state: out of memory");
}

static void
live_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	time_t	now = monotime();

	if (lv.up && now - lv.last_poll >= LIVE_POLL_SECONDS) {
		lv.last_poll = now;
		(void)ami_action("PJSIPShowEndpoints", NULL, live_poll_reply,
		    NULL);
	}
	if (lv.dirty)
		live_send();
}

void
live_ami(int up)
{
	lv.up = up;
	lv.last_poll = 0;
	lv.dirty = 1;
}

int
live_init(void)
{
	struct timeval	tv = { LIVE_SEND_SECONDS, 0 };

	lv.ev_tick = event_new(astd.base, -1, EV_PERSIST, live_tick_cb, NULL);
	return lv.ev_tick == NULL || event_add(lv.ev_tick, &tv) == -1 ?
	    -1 : 0;
}
