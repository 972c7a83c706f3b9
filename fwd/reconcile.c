/*
 * Making the kernel hold what fwd wants, always one transaction at a time:
 *   - rebuild: delete and create the whole table in one batch, carrying
 *     its elements (bans with their remaining time) and counter values;
 *     at start-up, after a reload, and when the table was deleted or its
 *     structure changed behind fwd's back;
 *   - diff: read a set back, remove what should not be there, add what is
 *     missing (snapshots, deltas, checks);
 *   - ban and unban: a few elements, no reading back.
 * Every batch names the ruleset generation it was planned against, so a
 * change by anyone else in between makes the kernel refuse it (ERESTART)
 * rather than apply a stale plan; fwd then looks again.  Removals use
 * DESTROYSETELEM where the kernel has it, so an element that expired in
 * the meantime does not fail the batch; additions never use NLM_F_EXCL.
 */
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwd.h"
#include "log.h"

/* Elements this close to their end are left to expire, not fought over. */
#define FW_EXPIRY_SLACK	1000	/* ms */
#define FW_LAT_SAMPLES	4096

struct fw_stats	fw_stats;

/* What fwd built last: any other handle there is someone else's doing. */
static struct {
	int		 valid;
	uint64_t	 table, chain;
	uint32_t	 use;		/* nothing added to the table */
	uint64_t	 sets[FS_MAX];
	uint64_t	*rules;
	size_t		 nrules;
} built;

static uint64_t	lat[FW_LAT_SAMPLES];
static size_t	nlat, latpos;

uint64_t
fw_now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
fw_lat_add(uint64_t us)
{
	lat[latpos] = us;
	latpos = (latpos + 1) % FW_LAT_SAMPLES;
	if (nlat < FW_LAT_SAMPLES)
		nlat++;
}

static int
fw_u64_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
fw_lat_pct(int pct, uint64_t *us, size_t *n)
{
	uint64_t	sorted[FW_LAT_SAMPLES];

	*n = nlat;
	if (nlat == 0)
		return -1;
	memcpy(sorted, lat, nlat * sizeof(*lat));
	if (nlat > 1)
		qsort(sorted, nlat, sizeof(*sorted), fw_u64_cmp);
	*us = sorted[(nlat - 1) * (size_t)pct / 100];
	return 0;
}

int
fw_ban_set(const struct proto_net *n)
{
	if (n->prefixlen == fw_keylen(n->family) * 8)
		return n->family == 4 ? FS_BAN4 : FS_BAN6;
	return n->family == 4 ? FS_BANP4 : FS_BANP6;
}

enum fw_elem_op
fw_del_op(void)
{
	return fw_nl_has_destroy() ? FW_ELEM_DESTROY : FW_ELEM_DEL;
}

/* Learn the generation again; anything but ours means look at it all. */
static void
fw_gen_refresh(uint32_t expect)
{
	uint32_t	g;

	if (fw_nl_getgen(&g) != 0) {
		fw_stats.genid_known = 0;
		fw_stats.dirty = 1;
		return;
	}
	if (!fw_stats.genid_known || (g != expect && g != fw_stats.genid))
		fw_stats.dirty = 1;
	fw_stats.genid = g;
	fw_stats.genid_known = 1;
}

/* ---- one planned transaction, planned again if the ruleset moved ---- */

int
fw_do(fw_plan_fn plan, void *arg, char *err, size_t errlen)
{
	struct fw_batch	*b;
	uint64_t	 t0;
	size_t		 nelems;
	uint32_t	 expect;
	int		 rv = 0, tries;

	for (tries = 0; tries < 3; tries++) {
		if ((b = fw_batch_new(fw_stats.genid_known ?
		    fw_stats.genid : 0)) == NULL)
			return -ENOMEM;
		nelems = 0;
		t0 = fw_now_us();
		if ((rv = plan(b, arg, &nelems)) == 0 &&
		    fw_batch_nmsgs(b) > 0) {
			rv = fw_nl_commit(b, err, errlen);
			if (rv == 0) {
				fw_stats.batches++;
				fw_stats.last_elems = nelems;
				fw_stats.last_us = fw_now_us() - t0;
			}
		}
		fw_batch_free(b);
		if (rv == 0 || rv == -ERESTART) {
			expect = fw_stats.genid + 1 == 0 ? 1 : fw_stats.genid + 1;
			fw_gen_refresh(rv == 0 ? expect : fw_stats.genid);
		}
		if (rv != -ERESTART)
			break;
		log_debug("ruleset changed while planning; planning again");
	}
	return rv;
}

/* ---- wanted elements ---- */

struct fw_want {
	struct fw_kelems	set[FS_MAX];
};

static void
fw_want_free(struct fw_want *w)
{
	int	i;

	for (i = 0; i < FS_MAX; i++)
		fw_kelems_free(&w->set[i]);
}

static int
fw_want_bans(struct fw_want *w, int64_t now)
{
	struct fw_kelem	 k[2];
	struct fw_ban	*b;
	int		 n, i, set;

	for (b = fw_ban_first(); b != NULL; b = fw_ban_next(b)) {
		if (b->deadline - now < FW_EXPIRY_SLACK)
			continue;
		n = fw_ban_kelems(b, now, &k[0], &k[1]);
		set = fw_ban_set(&b->net);
		for (i = 0; i < n; i++)
			if (fw_kelems_add(&w->set[set], &k[i]) == -1)
				return -1;
	}
	for (set = FS_BAN4; set <= FS_BANP6; set++)
		fw_kelems_sort(&w->set[set]);
	return 0;
}

static int
fw_want_nets(struct fw_want *w)
{
	int	set;

	for (set = FS_TRUNK4; set <= FS_NOBAN6; set++)
		if (fw_state_kelems(set, &w->set[set]) == -1)
			return -1;
	for (set = FS_SIP_UDP; set <= FS_SIP_TCP; set++)
		if (fw_state_kelems(set, &w->set[set]) == -1)
			return -1;
	return 0;
}

static int
fw_is_ban_set(int set)
{
	return set >= FS_BAN4 && set <= FS_BANP6;
}

/* ---- diff ---- */

struct fw_diff_arg {
	int		 what;		/* FW_RC_* */
	const char	*why;		/* non-NULL: differences are foreign */
	size_t		 changed;
	size_t		 added[FS_MAX], removed[FS_MAX];
	struct fw_kelems lifted[FS_MAX];	/* bans now never-ban */
};

static void
fw_drop_dying(struct fw_kelems *ks)
{
	size_t	i, out = 0;

	for (i = 0; i < ks->n; i++) {
		if (ks->v[i].end || ks->v[i].timeout == 0 ||
		    ks->v[i].expires >= FW_EXPIRY_SLACK) {
			ks->v[out++] = ks->v[i];
			continue;
		}
		/* a dying prefix keeps its end element until it is gone */
		if (i + 1 < ks->n && ks->v[i + 1].end)
			i++;
	}
	ks->n = out;
}

static int
fw_diff_set(struct fw_batch *b, int set, struct fw_kelems *want,
    struct fw_diff_arg *a, size_t *nelems)
{
	struct fw_kelems	have = { NULL, 0, 0 }, add = { NULL, 0, 0 };
	struct fw_kelems	del = { NULL, 0, 0 };
	size_t			i = 0, j = 0;
	int			c, rv = -1;

	if ((rv = fw_kread_kelems(fw.rc.table, set, &have)) != 0)
		goto out;
	rv = -ENOMEM;
	if (fw_is_ban_set(set))
		fw_drop_dying(&have);
	while (i < have.n || j < want->n) {
		if (i == have.n)
			c = 1;
		else if (j == want->n)
			c = -1;
		else
			c = fw_kelem_cmp(&have.v[i], &want->v[j]);
		if (c < 0 && fw_kelems_add(&del, &have.v[i]) == -1)
			goto out;
		if (c > 0 && fw_kelems_add(&add, &want->v[j]) == -1)
			goto out;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	a->added[set] = add.n;
	a->removed[set] = del.n;
	if (fw_nft_elems(b, fw.rc.table, set, fw_del_op(), del.v, del.n) ==
	    -1 || fw_nft_elems(b, fw.rc.table, set, FW_ELEM_ADD, add.v,
	    add.n) == -1)
		goto out;
	*nelems += add.n + del.n;
	a->changed += add.n + del.n;
	rv = 0;
 out:
	fw_kelems_free(&have);
	fw_kelems_free(&add);
	fw_kelems_free(&del);
	return rv;
}

/*
 * Bans the never-ban list now covers: dropped from the list now, and
 * their elements removed in the batch that changes the networks.
 */
static int
fw_lift(struct fw_kelems *lifted)
{
	struct fw_ban	*ban, *next;
	struct fw_kelem	 k[2];
	struct fw_range	 r;
	char		 buf[FW_NET_STRLEN], why[256];
	int64_t		 now = fw_now_ms();
	int		 n, i, set;

	for (ban = fw_ban_first(); ban != NULL; ban = next) {
		next = fw_ban_next(ban);
		fw_net_range(&ban->net, &r);
		if (!fw_ranges_overlap(&fw.noban, &r))
			continue;
		fw_net_fmt(&ban->net, buf, sizeof(buf));
		(void)fw_state_ban_ok(&ban->net, why, sizeof(why));
		log_warnx("ban of %s lifted: %s", buf, why);
		n = fw_ban_kelems(ban, now, &k[0], &k[1]);
		set = fw_ban_set(&ban->net);
		/* without DESTROY an element about to expire is left alone */
		for (i = 0; i < n; i++) {
			k[i].comment = NULL;
			if ((fw_nl_has_destroy() ||
			    ban->deadline - now > 2 * FW_EXPIRY_SLACK) &&
			    fw_kelems_add(&lifted[set], &k[i]) == -1)
				return -1;
		}
		fw_ban_remove(ban);
	}
	return 0;
}

static int
fw_plan_diff(struct fw_batch *b, void *arg, size_t *nelems)
{
	struct fw_diff_arg	*a = arg;
	struct fw_want		 w;
	int			 set, rv = -ENOMEM;

	memset(&w, 0, sizeof(w));
	a->changed = 0;
	for (set = 0; set < FS_MAX; set++) {
		if (fw_nft_elems(b, fw.rc.table, set, fw_del_op(),
		    a->lifted[set].v, a->lifted[set].n) == -1)
			goto out;
		*nelems += a->lifted[set].n;
	}
	if ((a->what & FW_RC_NETS) && fw_want_nets(&w) == -1)
		goto out;
	if ((a->what & FW_RC_BANS) && fw_want_bans(&w, fw_now_ms()) == -1)
		goto out;
	for (set = 0; set < FS_MAX; set++) {
		if (set == FS_FLOOD4 || set == FS_FLOOD6)
			continue;
		if (fw_is_ban_set(set) ? !(a->what & FW_RC_BANS) :
		    !(a->what & FW_RC_NETS))
			continue;
		if ((rv = fw_diff_set(b, set, &w.set[set], a, nelems)) != 0)
			goto out;
	}
	rv = 0;
 out:
	fw_want_free(&w);
	return rv;
}

/* ---- rebuild ---- */

static int
fw_plan_rebuild(struct fw_batch *b, void *arg, size_t *nelems)
{
	struct fw_kstate	*ks = arg;
	struct fw_want		 w;
	uint64_t		 pkts[FW_RULES_MAX], bytes[FW_RULES_MAX];
	int			 set, i, rv = -ENOMEM;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < FW_RULES_MAX; i++) {
		pkts[i] = ks->ctr_ok[i] ? ks->ctr_pkts[i] : 0;
		bytes[i] = ks->ctr_ok[i] ? ks->ctr_bytes[i] : 0;
	}
	/* Old and new table swap in one transaction: never no table. */
	if (ks->present &&
	    fw_nft_del_table(b, fw.rc.table, fw_nl_has_destroy()) == -1)
		goto out;
	if (fw_nft_table(b, &fw.rc, pkts, bytes) == -1 ||
	    fw_want_nets(&w) == -1 || fw_want_bans(&w, fw_now_ms()) == -1)
		goto out;
	for (set = 0; set < FS_MAX; set++) {
		if (fw_nft_elems(b, fw.rc.table, set, FW_ELEM_ADD,
		    w.set[set].v, w.set[set].n) == -1)
			goto out;
		*nelems += w.set[set].n;
	}
	rv = 0;
 out:
	fw_want_free(&w);
	return rv;
}

static void
fw_built_record(void)
{
	struct fw_rule		rules[FW_RULES_MAX];
	struct fw_kstate	ks;
	size_t			n;

	free(built.rules);
	memset(&built, 0, sizeof(built));
	n = fw_rules(&fw.rc, rules, FW_RULES_MAX);
	if (fw_kread(fw.rc.table, rules, n, &ks) != 0 || !ks.present) {
		fw_kstate_free(&ks);
		return;
	}
	built.table = ks.table_handle;
	built.use = ks.use;
	built.chain = ks.chain_handle;
	memcpy(built.sets, ks.set_handle, sizeof(built.sets));
	built.rules = ks.rule_handles;
	built.nrules = ks.nrules;
	built.valid = 1;
}

/* Does the table still have exactly what fwd built? */
static int
fw_built_same(const struct fw_kstate *ks, size_t nrules)
{
	size_t	i;
	int	set;

	if (!built.valid || !ks->present || ks->table_handle != built.table ||
	    ks->use != built.use || !ks->chain_ok || ks->chain_handle != built.chain ||
	    ks->nrules != built.nrules || ks->nrules != nrules ||
	    memcmp(ks->rule_handles, built.rules,
	    nrules * sizeof(*built.rules)) != 0)
		return 0;
	for (set = 0; set < FS_MAX; set++)
		if (!ks->set_ok[set] || ks->set_handle[set] != built.sets[set])
			return 0;
	for (i = 0; i < nrules; i++)
		if (!ks->ctr_ok[i])
			return 0;
	return 1;
}

static int
fw_rebuild_ks(struct fw_kstate *ks)
{
	char	err[256];
	int	rv;

	if ((rv = fw_do(fw_plan_rebuild, ks, err, sizeof(err))) != 0) {
		log_warnx("creating table inet %s failed: %s", fw.rc.table,
		    err[0] ? err : strerror(-rv));
		return -1;
	}
	fw_built_record();
	return 0;
}

int
fw_rebuild(const char *why)
{
	struct fw_rule		rules[FW_RULES_MAX];
	struct fw_kstate	ks;
	size_t			n;
	int			rv;

	n = fw_rules(&fw.rc, rules, FW_RULES_MAX);
	if ((rv = fw_kread(fw.rc.table, rules, n, &ks)) != 0) {
		log_warnx("reading table inet %s: %s", fw.rc.table,
		    strerror(-rv));
		return -1;
	}
	rv = fw_rebuild_ks(&ks);
	if (rv == 0)
		log_info("table inet %s %s: %zu rules, %zu bans", fw.rc.table,
		    why, n, fw_ban_count());
	fw_kstate_free(&ks);
	return rv;
}

int
fw_check(void)
{
	struct fw_rule		rules[FW_RULES_MAX];
	struct fw_kstate	ks;
	struct fw_diff_arg	a;
	char			err[256];
	size_t			n;
	int			rv;

	if (fw.flushed)
		return 0;
	fw_stats.dirty = 0;
	fw_ban_expire(fw_now_ms());
	n = fw_rules(&fw.rc, rules, FW_RULES_MAX);
	if ((rv = fw_kread(fw.rc.table, rules, n, &ks)) != 0) {
		log_warnx("reading table inet %s: %s", fw.rc.table,
		    strerror(-rv));
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.what = FW_RC_NETS | FW_RC_BANS;
	a.why = "changed behind fwd's back";
	if (!fw_built_same(&ks, n)) {
		log_warnx("table inet %s %s behind fwd's back: restoring it",
		    fw.rc.table, ks.present ? "was changed" : "was deleted");
		rv = fw_rebuild_ks(&ks);
		if (rv == 0) {
			fw_stats.restores++;
			log_info("table inet %s restored: %zu rules, %zu bans",
			    fw.rc.table, n, fw_ban_count());
		}
	} else if ((rv = fw_do(fw_plan_diff, &a, err, sizeof(err))) != 0) {
		log_warnx("restoring sets of table inet %s: %s", fw.rc.table,
		    err[0] ? err : strerror(-rv));
		rv = -1;
	} else if (a.changed > 0) {
		fw_stats.restores++;
		for (n = 0; n < FS_MAX; n++)
			if (a.added[n] > 0 || a.removed[n] > 0)
				log_warnx("set %s %s: %zu element(s) restored, "
				    "%zu foreign removed", fw_sets[n].name,
				    a.why, a.added[n], a.removed[n]);
	}
	fw_kstate_free(&ks);
	return rv;
}

int
fw_reconcile(int what)
{
	struct fw_diff_arg	a;
	char			err[256];
	int			rv = -ENOMEM, set;

	memset(&a, 0, sizeof(a));
	a.what = what;
	if ((what & FW_RC_NETS) && fw_lift(a.lifted) == -1)
		goto out;
	rv = 0;
	if (fw.flushed)
		goto out;
	rv = fw_do(fw_plan_diff, &a, err, sizeof(err));
	/* a damaged table is restored, then the change tried once more */
	if (rv != 0 && fw_check() == 0)
		rv = fw_do(fw_plan_diff, &a, err, sizeof(err));
	if (rv != 0)
		log_warnx("updating table inet %s: %s", fw.rc.table,
		    err[0] ? err : strerror(-rv));
 out:
	for (set = 0; set < FS_MAX; set++)
		fw_kelems_free(&a.lifted[set]);
	return rv == 0 ? 0 : -1;
}
