/*
 * fwd: the only process with CAP_NET_ADMIN, and it can do nothing else.
 * It keeps one nftables table equal to what trunkd.conf and the database
 * say, through netlink batches on a persistent socket (never nft(8)).
 *
 * Start-up (prepare, before the lock-down): open the netlink sockets,
 * read the host's addresses, adopt what the kernel holds of the table
 * (trunk networks, bans with their remaining time) and rebuild it in one
 * transaction, so the host is protected before dbd's snapshot arrives.
 * Then: snapshots and deltas from dbd, bans from dbd and astd, trunkctl
 * commands, and a tick that notices changes made behind fwd's back.
 */
#include <sys/types.h>

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "fwd.h"
#include "log.h"
#include "sandbox.h"

#define FW_TICK_SEC		1	/* generation poll */
#define FW_CHECK_TICKS		60	/* full check anyway */
#define FW_SNAPSHOT_MAX		(4U * 1024 * 1024)	/* elements */

/* A snapshot being received (FW_SYNC_BEGIN ... FW_SYNC_END). */
static struct {
	int		 open;
	uint64_t	 generation;
	struct fw_elem	*trunk, *admin, *bans;
	size_t		 ntrunk, nadmin, nbans;
	size_t		 captrunk, capadmin, capbans;
	int		 has_bans;
} snap;

static struct event	*ev_tick, *ev_host;
static unsigned int	 ticks;
static uint64_t		 last_generation;

static int
fw_conf_load(void)
{
	char	err[128];

	if (fw_state_conf(child_conf(), err, sizeof(err)) == -1) {
		log_warnx("firewall configuration: %s", err);
		return -1;
	}
	return 0;
}

static int
fwd_prepare(struct event_base *base)
{
	if (fw_conf_load() == -1)
		return -1;
	if (fw_nl_open() == -1 || fw_host_open() == -1) {
		log_warn("netlink sockets");
		return -1;
	}
	if (fw_nl_getgen(&fw_stats.genid) == 0)
		fw_stats.genid_known = 1;
	if (fw_host_read(&fw.nb[NB_HOST]) == -1)
		log_warn("reading the host's addresses");
	if (fw_adopt() == -1 || fw_state_derive() == -1 ||
	    fw_rebuild("created") == -1)
		return -1;
	return 0;
}

static void
fw_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	uint32_t	g;

	if (fw.flushed)
		return;
	/* A generation fwd did not make: someone else changed the ruleset
	 * (maybe not our table; the check tells). */
	if (fw_nl_getgen(&g) != 0)
		fw_stats.genid_known = 0;
	else if (!fw_stats.genid_known || g != fw_stats.genid) {
		fw_stats.genid = g;
		fw_stats.genid_known = 1;
		fw_stats.dirty = 1;
	}
	if (fw_stats.dirty || ++ticks % FW_CHECK_TICKS == 0)
		(void)fw_check();
}

static void
fw_host_cb(evutil_socket_t fd, short what, void *arg)
{
	int	changed;

	if (!fw_host_changed())
		return;
	if ((changed = fw_host_read(&fw.nb[NB_HOST])) == -1) {
		log_warn("reading the host's addresses");
		return;
	}
	if (changed && fw_state_derive() == 0) {
		log_info("host addresses changed: never-ban list updated");
		(void)fw_reconcile(FW_RC_NETS);
	}
}

static void
fwd_start(struct event_base *base)
{
	struct timeval	tv = { FW_TICK_SEC, 0 };

	ev_tick = event_new(base, -1, EV_PERSIST, fw_tick_cb, NULL);
	ev_host = event_new(base, fw_host_monitor_fd(), EV_READ | EV_PERSIST,
	    fw_host_cb, NULL);
	if (ev_tick == NULL || ev_host == NULL ||
	    event_add(ev_tick, &tv) == -1 || event_add(ev_host, NULL) == -1)
		fatalx("fwd events");
}

static int
fwd_reload(void)
{
	char	table[PROTO_NAME_MAX];

	(void)strlcpy(table, fw.rc.table, sizeof(table));
	if (fw_conf_load() == -1)
		return -1;
	if (strcmp(table, fw.rc.table) != 0) {
		log_warnx("firewall table name changes need a restart; "
		    "keeping inet %s", table);
		(void)strlcpy(fw.rc.table, table, sizeof(fw.rc.table));
	}
	fw.flushed = 0;
	if (fw_state_derive() == -1)
		return -1;
	return fw_rebuild("rebuilt for the new configuration");
}

/* ---- messages from dbd and astd ---- */

static int
fw_elems_ok(const struct fw_elem *e, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!fw_net_valid(&e[i].net) || e[i].net.pad[0] != 0 ||
		    e[i].net.pad[1] != 0)
			return 0;
	return 1;
}

static int
fw_append(struct fw_elem **v, size_t *n, size_t *cap,
    const struct fw_elem *e, size_t k)
{
	struct fw_elem	*nv;
	size_t		 c = *cap;

	if (k == 0)
		return 0;
	if (*n + k > FW_SNAPSHOT_MAX) {
		log_warnx("snapshot larger than %u elements", FW_SNAPSHOT_MAX);
		return -1;
	}
	while (*n + k > c)
		c = c == 0 ? 1024 : c * 2;
	if (c != *cap) {
		if ((nv = reallocarray(*v, c, sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*cap = c;
	}
	memcpy(*v + *n, e, k * sizeof(*e));
	*n += k;
	return 0;
}

static void
fw_snap_reset(void)
{
	free(snap.trunk);
	free(snap.admin);
	free(snap.bans);
	memset(&snap, 0, sizeof(snap));
}

/* A chunk of networks, checked whole: -1 is malformed (fatal). */
static const struct msg_fw_nets *
fw_nets_msg(struct imsg *imsg)
{
	const struct msg_fw_nets	*m = imsg->data;

	if (imsg->datalen < MSG_FW_NETS_MIN || m->n > PROTO_FW_CHUNK ||
	    imsg->datalen != MSG_FW_NETS_MIN + m->n * sizeof(struct fw_elem) ||
	    (m->set != FW_SET_TRUNK && m->set != FW_SET_BAN &&
	    m->set != FW_SET_ADMIN) || !fw_elems_ok(m->elems, m->n)) {
		log_warnx("malformed %s", msg_name(imsg->hdr.type));
		return NULL;
	}
	return m;
}

static int
fw_sync_nets(struct imsg *imsg)
{
	const struct msg_fw_nets	*m;

	if ((m = fw_nets_msg(imsg)) == NULL || !snap.open)
		return -1;
	switch (m->set) {
	case FW_SET_TRUNK:
		return fw_append(&snap.trunk, &snap.ntrunk, &snap.captrunk,
		    m->elems, m->n);
	case FW_SET_ADMIN:
		return fw_append(&snap.admin, &snap.nadmin, &snap.capadmin,
		    m->elems, m->n);
	default:
		snap.has_bans = 1;
		return fw_append(&snap.bans, &snap.nbans, &snap.capbans,
		    m->elems, m->n);
	}
}

static int
fw_sync_end(const struct msg_fw_sync *m)
{
	size_t	i;
	int	what = FW_RC_NETS;

	if (!snap.open || m->generation != snap.generation) {
		log_warnx("FW_SYNC_END without its FW_SYNC_BEGIN");
		return -1;
	}
	fw_state_nets_clear(NB_TRUNK);
	fw_state_nets_clear(NB_ADMIN);
	for (i = 0; i < snap.ntrunk; i++)
		if (fw_state_net(NB_TRUNK, &snap.trunk[i].net, 1) == -1)
			goto nomem;
	for (i = 0; i < snap.nadmin; i++)
		if (fw_state_net(NB_ADMIN, &snap.admin[i].net, 1) == -1)
			goto nomem;
	fw_ranges_clear(&fw.adopted);
	if (fw_state_derive() == -1)
		goto nomem;
	if (snap.has_bans) {
		if (fw_bans_replace(snap.bans, snap.nbans) == -1)
			goto nomem;
		what |= FW_RC_BANS;
	}
	if (fw_reconcile(what) == 0)
		log_info("snapshot %llu applied: %zu trunk networks, %zu admin "
		    "networks, %s%zu bans", (unsigned long long)snap.generation,
		    snap.ntrunk, snap.nadmin, snap.has_bans ? "" : "kept ",
		    fw_ban_count());
	last_generation = snap.generation;
	fw_snap_reset();
	return 0;
 nomem:
	fw_snap_reset();
	log_warn("snapshot");
	return -1;
}

static int
fw_delta(struct imsg *imsg, int add)
{
	const struct msg_fw_nets	*m;
	enum fw_nb_src			 src;
	uint32_t			 i;

	if ((m = fw_nets_msg(imsg)) == NULL)
		return -1;
	if (m->set == FW_SET_BAN) {
		log_warnx("%s: bans travel as FW_BAN / FW_UNBAN",
		    msg_name(imsg->hdr.type));
		return -1;
	}
	src = m->set == FW_SET_TRUNK ? NB_TRUNK : NB_ADMIN;
	for (i = 0; i < m->n; i++)
		if (fw_state_net(src, &m->elems[i].net, add) == -1)
			return -1;
	if (fw_state_derive() == -1)
		return -1;
	(void)fw_reconcile(FW_RC_NETS);
	return 0;
}

static int
fw_ban_msg(struct imsg *imsg, enum proc_id from, int unban)
{
	const struct msg_fw_ban	*m = imsg->data;
	struct msg_fw_result	 res;
	char			 reason[PROTO_NAME_MAX];
	size_t			 i;

	if (!proto_str_ok(m->reason, sizeof(m->reason)) ||
	    m->net.pad[0] != 0 || m->net.pad[1] != 0) {
		log_warnx("malformed %s from %s", msg_name(imsg->hdr.type),
		    proc_name(from));
		return -1;
	}
	/* The reason is shown and stored: printable characters only. */
	(void)strlcpy(reason, m->reason, sizeof(reason));
	for (i = 0; reason[i] != '\0'; i++)
		if (reason[i] < 0x20 || reason[i] > 0x7e)
			reason[i] = '?';
	memset(&res, 0, sizeof(res));
	res.reqid = m->reqid;
	if (unban)
		res.code = fw_unban_apply(&m->net, res.text, sizeof(res.text));
	else
		res.code = fw_ban_apply(&m->net, m->timeout, reason, res.text,
		    sizeof(res.text));
	if (m->reqid != 0)
		return child_send(MSG_FW_RESULT, from, -1, &res, sizeof(res));
	return 0;
}

static int
fwd_dispatch(struct imsg *imsg, enum proc_id from)
{
	const struct msg_fw_sync	*sync = imsg->data;

	switch (imsg->hdr.type) {
	case MSG_FW_SYNC_BEGIN:
		if (snap.open)
			log_warnx("snapshot %llu abandoned for %llu",
			    (unsigned long long)snap.generation,
			    (unsigned long long)sync->generation);
		fw_snap_reset();
		snap.open = 1;
		snap.generation = sync->generation;
		return 0;
	case MSG_FW_SYNC_NETS:
		return fw_sync_nets(imsg);
	case MSG_FW_SYNC_END:
		return fw_sync_end(sync);
	case MSG_FW_NET_ADD:
		return fw_delta(imsg, 1);
	case MSG_FW_NET_DEL:
		return fw_delta(imsg, 0);
	case MSG_FW_BAN:
		return fw_ban_msg(imsg, from, 0);
	case MSG_FW_UNBAN:
		return fw_ban_msg(imsg, from, 1);
	default:
		return -1;
	}
}

static void
fwd_state(char *buf, size_t len)
{
	if (fw.flushed)
		(void)snprintf(buf, len, "table inet %s flushed by the "
		    "operator", fw.rc.table);
	else
		(void)snprintf(buf, len, "table inet %s: %zu trunk ranges, "
		    "%zu bans, snapshot %llu, %llu restores", fw.rc.table,
		    fw.nb[NB_TRUNK].n, fw_ban_count(),
		    (unsigned long long)last_generation,
		    (unsigned long long)fw_stats.restores);
}

static const struct child_ops fwd_ops = {
	.role = PROC_FWD,
	.policy = &fwd_sandbox,
	.prepare = fwd_prepare,
	.start = fwd_start,
	.reload = fwd_reload,
	.dispatch = fwd_dispatch,
	.command = fw_ctl_command,
	.state = fwd_state,
};

int
main(int argc, char *argv[])
{
	child_main(&fwd_ops, argc, argv);
}
