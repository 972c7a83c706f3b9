/*
 * trunkctl's firewall commands: show, flush, ban, unban, bans.  Each
 * answers with lines through child_cmd_out(), the last one marked done.
 */
#include <linux/netfilter/nf_tables.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "fwd.h"

#define FW_CTL_MAX_LINES	5000	/* of `bans`; the rest is counted */

struct fw_count {
	size_t	elems;
	size_t	starts;
};

static int
fw_count_cb(const struct fw_kelem *k, void *arg)
{
	struct fw_count	*c = arg;

	c->elems++;
	if (!k->end)
		c->starts++;
	return 0;
}

static void
fw_show_sets(uint32_t ctlid)
{
	struct fw_count	c;
	int		set, rv;

	for (set = 0; set < FS_MAX; set++) {
		memset(&c, 0, sizeof(c));
		rv = fw_kread_elems(fw.rc.table, set, fw_count_cb, &c);
		if (rv != 0) {
			(void)child_cmd_out(ctlid, 0, 0, "set %-8s  unreadable: "
			    "%s", fw_sets[set].name, strerror(-rv));
			continue;
		}
		if (fw_sets[set].flags & NFT_SET_INTERVAL)
			c.elems = c.starts;
		(void)child_cmd_out(ctlid, 0, 0, "set %-8s  %7zu %s",
		    fw_sets[set].name, c.elems,
		    (fw_sets[set].flags & NFT_SET_INTERVAL) ? "ranges" :
		    set == FS_FLOOD4 || set == FS_FLOOD6 ? "sources" :
		    set == FS_SIP_UDP || set == FS_SIP_TCP ? "ports" :
		    "addresses");
	}
}

static void
fw_show(uint32_t ctlid)
{
	struct fw_rule		rules[FW_RULES_MAX];
	struct fw_kstate	ks;
	uint64_t		p50, p99;
	size_t			n, i, nlat;
	int			rv;

	if (fw.flushed) {
		(void)child_cmd_out(ctlid, 1, 0, "table inet %s: flushed by "
		    "the operator", fw.rc.table);
		return;
	}
	n = fw_rules(&fw.rc, rules, FW_RULES_MAX);
	if ((rv = fw_kread(fw.rc.table, rules, n, &ks)) != 0 || !ks.present) {
		(void)child_cmd_out(ctlid, 1, 1, "table inet %s: %s",
		    fw.rc.table, rv != 0 ? strerror(-rv) : "missing");
		fw_kstate_free(&ks);
		return;
	}
	(void)child_cmd_out(ctlid, 0, 0, "table inet %s: chain input, hook "
	    "input priority -10, policy accept; generation %u, %llu batches, "
	    "%llu restores", fw.rc.table, fw_stats.genid,
	    (unsigned long long)fw_stats.batches,
	    (unsigned long long)fw_stats.restores);
	fw_show_sets(ctlid);
	for (i = 0; i < n; i++)
		(void)child_cmd_out(ctlid, 0, 0, "rule %-16s packets %-10llu "
		    "bytes %-12llu %s", rules[i].counter,
		    (unsigned long long)ks.ctr_pkts[i],
		    (unsigned long long)ks.ctr_bytes[i], rules[i].text);
	(void)child_cmd_out(ctlid, 0, 0, "last batch: %llu elements in %llu us",
	    (unsigned long long)fw_stats.last_elems,
	    (unsigned long long)fw_stats.last_us);
	if (fw_lat_pct(50, &p50, &nlat) == 0 &&
	    fw_lat_pct(99, &p99, &nlat) == 0)
		(void)child_cmd_out(ctlid, 0, 0, "ban latency (request to "
		    "ACK): p50 %llu us, p99 %llu us, %zu samples",
		    (unsigned long long)p50, (unsigned long long)p99, nlat);
	(void)child_cmd_out(ctlid, 1, 0, "%s", "");
	fw_kstate_free(&ks);
}

static void
fw_bans(uint32_t ctlid)
{
	struct fw_ban	*b;
	char		 buf[FW_NET_STRLEN];
	int64_t		 now = fw_now_ms();
	size_t		 n = 0;

	fw_ban_expire(now);
	(void)child_cmd_out(ctlid, 0, 0, "%-40s %10s  %s", "ADDRESS", "LEFT",
	    "REASON");
	for (b = fw_ban_first(); b != NULL; b = fw_ban_next(b)) {
		if (n++ >= FW_CTL_MAX_LINES)
			continue;
		fw_net_fmt(&b->net, buf, sizeof(buf));
		(void)child_cmd_out(ctlid, 0, 0, "%-40s %9llds  %s", buf,
		    (long long)(b->deadline - now + 500) / 1000, b->reason);
	}
	if (n > FW_CTL_MAX_LINES)
		(void)child_cmd_out(ctlid, 0, 0, "... and %zu more",
		    n - FW_CTL_MAX_LINES);
	(void)child_cmd_out(ctlid, 1, 0, "%zu bans", n);
}

/* Split args into at most max words; -1 if there are more. */
static int
fw_words(char *args, char **w, int max)
{
	char	*p, *last;
	int	 n = 0;

	for (p = strtok_r(args, " ", &last); p != NULL;
	    p = strtok_r(NULL, " ", &last)) {
		if (n == max)
			return -1;
		w[n++] = p;
	}
	return n;
}

static int
fw_reason_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isprint((unsigned char)*s))
			return 0;
	return 1;
}

static void
fw_ctl_ban(uint32_t ctlid, const char *args, int unban)
{
	struct proto_net	 net;
	char			 copy[PROTO_ARGS_MAX], msg[512], *w[3];
	const char		*reason = "trunkctl", *e = NULL;
	long long		 secs = 0;
	int			 n, code;

	(void)strlcpy(copy, args, sizeof(copy));
	n = fw_words(copy, w, unban ? 1 : 3);
	if (n < 1) {
		(void)child_cmd_out(ctlid, 1, 1, "usage: %s ADDR%s",
		    unban ? "unban" : "ban", unban ? "" :
		    " [SECONDS] [REASON]");
		return;
	}
	if (fw_net_parse(w[0], &net, msg, sizeof(msg)) == -1) {
		(void)child_cmd_out(ctlid, 1, 1, "%s", msg);
		return;
	}
	if (n >= 2) {
		secs = strtonum(w[1], 1, FW_MAX_BAN, &e);
		if (e != NULL) {
			(void)child_cmd_out(ctlid, 1, 1, "seconds %s: %s",
			    w[1], e);
			return;
		}
	}
	if (n == 3) {
		if (strlen(w[2]) >= PROTO_NAME_MAX || !fw_reason_ok(w[2])) {
			(void)child_cmd_out(ctlid, 1, 1, "reason: printable, "
			    "at most %d characters", PROTO_NAME_MAX - 1);
			return;
		}
		reason = w[2];
	}
	if (unban)
		code = fw_unban_apply(&net, msg, sizeof(msg));
	else
		code = fw_ban_apply(&net, (uint32_t)secs, reason, msg,
		    sizeof(msg));
	(void)child_cmd_out(ctlid, 1, code, "%s", msg);
}

int
fw_ctl_command(uint32_t ctlid, const char *cmd, const char *args)
{
	char	msg[512];
	int	code;

	if (strcmp(cmd, "show") == 0)
		fw_show(ctlid);
	else if (strcmp(cmd, "bans") == 0)
		fw_bans(ctlid);
	else if (strcmp(cmd, "ban") == 0)
		fw_ctl_ban(ctlid, args, 0);
	else if (strcmp(cmd, "unban") == 0)
		fw_ctl_ban(ctlid, args, 1);
	else if (strcmp(cmd, "flush") == 0) {
		code = fw_flush(msg, sizeof(msg));
		(void)child_cmd_out(ctlid, 1, code, "%s", msg);
	} else
		return -1;
	return 0;
}
