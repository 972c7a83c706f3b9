/*
 * AutoBan's glue: security events from AMI in, FW_BAN to fwd and
 * AST_BAN_RECORD to dbd out, the offence history from dbd at start, and
 * the trunks' networks from each export (never banned, events warned).
 */
#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "astd.h"
#include "autoban.h"
#include "child.h"
#include "log.h"
#include "net.h"
#include "util.h"

#define BAN_SWEEP_SECONDS	60
#define BAN_WARN_SECONDS	60	/* one trunk-network warning a minute */
/*
 * Ban lines per second: a burst of attackers must not flood the log
 * channel (a child whose log write would block exits).
 */
#define BAN_LOG_PER_SECOND	20

static struct {
	struct autoban		*ab;
	struct event		*ev_sweep;
	struct jbuf		 history;
	int			 have_history;
	uint32_t		 next_reqid;
	time_t			 last_warn;
	time_t			 log_second;
	unsigned int		 log_lines;
	unsigned long long	 log_skipped;
	unsigned long long	 n_bans;
	unsigned long long	 n_failed;
	unsigned long long	 n_trusted;
} bn;

static uint64_t
ban_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
ban_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	ab_sweep(bn.ab, ban_now_ms(), time(NULL));
}

int
ban_init(void)
{
	if ((bn.ab = ab_new(astd.conf)) == NULL)
		return -1;
	bn.ev_sweep = event_new(astd.base, -1, EV_PERSIST, ban_sweep_cb, NULL);
	return bn.ev_sweep == NULL ? -1 : 0;
}

void
ban_reconf(void)
{
	ab_set_conf(bn.ab, astd.conf);
}

void
ban_start(void)
{
	struct timeval	tv = { BAN_SWEEP_SECONDS, 0 };

	(void)event_add(bn.ev_sweep, &tv);
	(void)child_send(MSG_AST_HISTORY_REQ, PROC_DBD, -1, NULL, 0);
}

void
ban_trusted(const struct export *ex)
{
	struct proto_net	*nets;
	size_t			 n = 0, i, j;

	for (i = 0; i < ex->ntrunks; i++)
		n += ex->trunks[i].nnets;
	for (i = 0; i < ex->ncarriers; i++)
		n += ex->carriers[i].nnets;
	if ((nets = reallocarray(NULL, n > 0 ? n : 1, sizeof(*nets))) ==
	    NULL) {
		log_warnx("AutoBan: out of memory for the trunks' networks");
		return;
	}
	n = 0;
	for (i = 0; i < ex->ntrunks; i++)
		for (j = 0; j < ex->trunks[i].nnets; j++)
			nets[n++] = ex->trunks[i].nets[j];
	for (i = 0; i < ex->ncarriers; i++)
		for (j = 0; j < ex->carriers[i].nnets; j++)
			nets[n++] = ex->carriers[i].nets[j];
	if (ab_set_trusted(bn.ab, nets, n) == -1)
		log_warnx("AutoBan: out of memory for the trunks' networks");
	free(nets);
}

/* Within this second's budget?  Says how many were left out before. */
static int
ban_log_ok(void)
{
	time_t	now = monotime();

	if (now != bn.log_second) {
		if (bn.log_skipped > 0)
			log_info("AutoBan: %llu more ban lines not logged",
			    bn.log_skipped);
		bn.log_second = now;
		bn.log_lines = 0;
		bn.log_skipped = 0;
	}
	if (bn.log_lines < BAN_LOG_PER_SECOND) {
		bn.log_lines++;
		return 1;
	}
	bn.log_skipped++;
	return 0;
}

static void
ban_send(const struct ab_ban *b)
{
	struct msg_fw_ban	 fw;
	struct msg_ast_ban_record rec;
	char			 net[NET_TEXT_MAX];

	(void)net_format(&b->net, net, sizeof(net));
	if (astd.conf->ab_dry_run) {
		if (ban_log_ok())
			log_info("AutoBan dry run: would ban %s for %u s "
			    "(offence %u, %s)", net, b->duration, b->offences,
			    b->reason);
		return;
	}
	memset(&fw, 0, sizeof(fw));
	if (++bn.next_reqid == 0)
		bn.next_reqid = 1;
	fw.reqid = bn.next_reqid;
	fw.timeout = b->duration;
	fw.net = b->net;
	(void)strlcpy(fw.reason, b->reason, sizeof(fw.reason));
	(void)child_send(MSG_FW_BAN, PROC_FWD, -1, &fw, sizeof(fw));
	bn.n_bans++;
	if (ban_log_ok())
		log_info("AutoBan: ban %s for %u s (offence %u, %s)%s", net,
		    b->duration, b->offences, b->reason,
		    b->repeat ? ", again: events still arrive" : "");
	if (b->repeat)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.net = b->net;
	rec.offences = b->offences;
	rec.duration = b->duration;
	rec.first_seen = b->first_seen;
	rec.last_seen = b->last_seen;
	(void)strlcpy(rec.reason, b->reason, sizeof(rec.reason));
	(void)child_send(MSG_AST_BAN_RECORD, PROC_DBD, -1, &rec, sizeof(rec));
}

void
ban_event(const struct ami_msg *m)
{
	struct ab_ban	 b;
	const char	*ev = ami_get(m, "Event"), *remote;
	time_t		 now;

	remote = ami_get(m, "RemoteAddress");
	switch (ab_event(bn.ab, ev, remote, ami_get(m, "SessionID"),
	    ban_now_ms(), time(NULL), &b)) {
	case AB_BAN:
		ban_send(&b);
		break;
	case AB_TRUSTED:
		bn.n_trusted++;
		now = monotime();
		if (now - bn.last_warn >= BAN_WARN_SECONDS ||
		    bn.last_warn == 0) {
			bn.last_warn = now;
			log_warnx("AutoBan: %s from %s, inside a trunk's "
			    "network: not banned (check that trunk)", ev,
			    remote);
		}
		break;
	case AB_BAD_ADDRESS:
		log_debug("AutoBan: %s without a usable RemoteAddress", ev);
		break;
	default:
		break;
	}
}

int
ban_fw_result(const void *msg, size_t len)
{
	struct msg_fw_result	r;

	memcpy(&r, msg, sizeof(r));
	if (!proto_str_ok(r.text, sizeof(r.text)))
		return -1;
	if (r.code != 0) {
		bn.n_failed++;
		log_warnx("fwd refused ban %u: %s", r.reqid, r.text);
	}
	return 0;
}

/* {"offenders": [{"address", "offences", "last_seen", "expires"}]} */
static int
ban_history_load(const char *data, size_t len)
{
	json_t			*root, *list, *o;
	json_error_t		 jerr;
	struct proto_net	 net;
	size_t			 i, n = 0;
	json_int_t		 off, seen, exp;
	time_t			 now = time(NULL);
	int			 rv = -1;

	if ((root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL)
		return -1;
	list = json_object_get(root, "offenders");
	if (!json_is_array(list))
		goto done;
	json_array_foreach(list, i, o) {
		if (!json_is_string(json_object_get(o, "address")) ||
		    (net_parse(json_string_value(json_object_get(o,
		    "address")), &net) == -1) ||
		    !json_is_integer(json_object_get(o, "offences")) ||
		    !json_is_integer(json_object_get(o, "last_seen")))
			goto done;
		off = json_integer_value(json_object_get(o, "offences"));
		seen = json_integer_value(json_object_get(o, "last_seen"));
		exp = json_is_integer(json_object_get(o, "expires")) ?
		    json_integer_value(json_object_get(o, "expires")) : 0;
		if (off < 0 || off > UINT32_MAX)
			goto done;
		if (ab_history(bn.ab, &net, (uint32_t)off, seen, exp,
		    now) == 0)
			n++;
	}
	log_info("AutoBan: history of %zu offenders loaded", n);
	rv = 0;
 done:
	json_decref(root);
	return rv;
}

int
ban_history(const void *msg, size_t len)
{
	int	r;

	if (bn.have_history || (r = jbuf_add(&bn.history, msg, len)) == -1)
		return -1;
	if (r == 0)
		return 0;
	bn.have_history = 1;
	r = ban_history_load(bn.history.data, bn.history.len);
	jbuf_clear(&bn.history);
	if (r == -1)
		log_warnx("AutoBan: malformed offence history from dbd, "
		    "ignored");
	return 0;
}

void
ban_state(char *buf, size_t len)
{
	(void)snprintf(buf, len, "autoban %s%zu tracked, %llu bans, %llu "
	    "refused, %llu trunk events", astd.conf->ab_dry_run ?
	    "(dry run) " : "", ab_count(bn.ab), bn.n_bans, bn.n_failed,
	    bn.n_trusted);
}
