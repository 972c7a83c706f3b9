/*
 * The dialplan include (extensions.conf syntax, Asterisk 20/22).
 *
 *  - trunkd-from-carrier: the carriers' context; each DID goes to its
 *    tenant's trunk, anything else is logged and refused.
 *  - tenant-<id>: the context of a tenant's trunks; one pattern per
 *    allowed destination prefix, everything else logged and refused.
 *  - trunkd-cid-<trunk id>: the caller IDs a trunk may send (its tenant's
 *    DIDs, or its own with callerid_policy "trunk").
 *  - fixed subroutines: limits with GROUP/GROUP_COUNT on the same groups
 *    for both directions, TIMEOUT(absolute), the carrier failover.
 * Every value written is an id, a number or a name checked by export.c;
 * what the caller sends (dialled number, caller ID) is reduced with
 * FILTER() and refused when that changed it, before any use.
 */
#include <stdio.h>

#include "export.h"
#include "writer.h"

static const char dp_fixed[] =
"\n"
"; From a tenant's trunk to the carriers.  ARG1 tenant id, ARG2 its channel\n"
"; limit, ARG3 maximum call seconds (0: none).  TRUNKD_DST is the dialled\n"
"; number; the trunk's id and limit come from its endpoint (set_var).\n"
"[trunkd-outbound]\n"
"exten => s,1,Set(TRUNKD_NUM=${FILTER(0-9+,${TRUNKD_DST})})\n"
" same => n,GotoIf($[${LEN(${TRUNKD_NUM})} = 0 | ${LEN(${TRUNKD_NUM})} != "
"${LEN(${TRUNKD_DST})}]?baddst)\n"
" same => n,GotoIf($[${LEN(${TRUNKD_TRUNK})} = 0]?baddst)\n"
" same => n,Set(TRUNKD_CID=${FILTER(0-9+,${CALLERID(num)})})\n"
" same => n,GotoIf($[${LEN(${TRUNKD_CID})} = 0 | ${LEN(${TRUNKD_CID})} != "
"${LEN(${CALLERID(num)})}]?badcid)\n"
" same => n,GotoIf(${DIALPLAN_EXISTS(trunkd-cid-${TRUNKD_TRUNK},"
"${TRUNKD_CID},1)}?:badcid)\n"
" same => n,Gosub(trunkd-limit,s,1(${TRUNKD_TRUNK},${TRUNKD_TRUNK_MAX},"
"${ARG1},${ARG2}))\n"
" same => n,ExecIf($[${ARG3} > 0]?Set(TIMEOUT(absolute)=${ARG3}))\n"
" same => n,Goto(trunkd-carriers,s,1)\n"
" same => n(baddst),Log(NOTICE,trunkd: tenant ${ARG1}: refused destination "
"${TRUNKD_NUM})\n"
" same => n,Hangup(21)\n"
" same => n(badcid),Log(NOTICE,trunkd: tenant ${ARG1} trunk ${TRUNKD_TRUNK}: "
"refused caller ID ${TRUNKD_CID})\n"
" same => n,Hangup(21)\n"
"\n"
"; From a carrier to a tenant's trunk.  ARG1 the DID, ARG2 the trunk's\n"
"; endpoint, ARG3 trunk id, ARG4 its limit, ARG5 tenant id, ARG6 its limit,\n"
"; ARG7 maximum call seconds (0: none).\n"
"[trunkd-inbound]\n"
"exten => s,1,Gosub(trunkd-limit,s,1(${ARG3},${ARG4},${ARG5},${ARG6}))\n"
" same => n,ExecIf($[${ARG7} > 0]?Set(TIMEOUT(absolute)=${ARG7}))\n"
" same => n,Dial(PJSIP/${ARG1}@${ARG2})\n"
" same => n,Hangup()\n"
"\n"
"; Channel limits, the same groups both ways.  ARG1 trunk id, ARG2 its\n"
"; limit, ARG3 tenant id, ARG4 its limit (0: none).\n"
"[trunkd-limit]\n"
"exten => s,1,Set(GROUP(trunkd_trunk)=${ARG1})\n"
" same => n,Set(GROUP(trunkd_tenant)=${ARG3})\n"
" same => n,GotoIf($[${ARG2} > 0 & ${GROUP_COUNT(${ARG1}@trunkd_trunk)} > "
"${ARG2}]?full)\n"
" same => n,GotoIf($[${ARG4} > 0 & ${GROUP_COUNT(${ARG3}@trunkd_tenant)} > "
"${ARG4}]?full)\n"
" same => n,Return()\n"
" same => n(full),Log(NOTICE,trunkd: channel limit of trunk ${ARG1} or "
"tenant ${ARG3} reached)\n"
" same => n,Hangup(34)\n"
"\n"
"; A destination outside the tenant's prefixes.  ARG1 tenant id.\n"
"[trunkd-denied]\n"
"exten => s,1,Log(NOTICE,trunkd: tenant ${ARG1}: destination prefix not "
"allowed)\n"
" same => n,Hangup(21)\n"
"\n"
"; A carrier's call to a number that is no DID here.\n"
"[trunkd-unknown]\n"
"exten => s,1,Log(NOTICE,trunkd: call from a carrier to an unknown "
"number)\n"
" same => n,Hangup(1)\n";

/* The catch-all patterns after a context's own extensions. */
static void
dp_catchall(FILE *fp, const char *app)
{
	fprintf(fp, "exten => _X.,1,%s\nexten => _+.,1,%s\n", app, app);
}

static void
dp_from_carrier(FILE *fp, const struct export *ex)
{
	const struct ex_did	*d;
	const struct ex_trunk	*t;
	const struct ex_tenant	*n;
	size_t			 i;

	fprintf(fp, "\n; Calls from the carriers: each DID to its tenant's "
	    "trunk.\n[trunkd-from-carrier]\n");
	for (i = 0; i < ex->ndids; i++) {
		d = &ex->dids[i];
		t = export_trunk(ex, d->trunk_id);
		n = export_tenant(ex, d->tenant_id);
		if (!t->enabled || (!t->digest && t->host[0] == '\0')) {
			fprintf(fp, "exten => %s,1,Log(NOTICE,trunkd: DID %s: "
			    "trunk %llu is disabled or has no host)\n"
			    " same => n,Hangup(34)\n", d->number, d->number,
			    (unsigned long long)t->id);
			continue;
		}
		fprintf(fp, "exten => %s,1,Gosub(trunkd-inbound,s,1(%s,%s,"
		    "%llu,%u,%llu,%u,%u))\n", d->number, d->number,
		    t->endpoint, (unsigned long long)t->id, t->max_channels,
		    (unsigned long long)n->id, n->max_channels,
		    n->max_call_seconds);
	}
	dp_catchall(fp, "Gosub(trunkd-unknown,s,1)");
}

/* One carrier after the other while they are unavailable or congested. */
static void
dp_carriers(FILE *fp, const struct export *ex)
{
	size_t	i;

	fprintf(fp, "\n; The carriers in id order, the next one only when a "
	    "carrier is\n; unavailable or congested.  TRUNKD_NUM is checked "
	    "already.\n[trunkd-carriers]\n");
	if (ex->ncarriers == 0) {
		fprintf(fp, "exten => s,1,Log(WARNING,trunkd: no carrier)\n"
		    " same => n,Hangup(34)\n");
		return;
	}
	for (i = 0; i < ex->ncarriers; i++) {
		fprintf(fp, "%s,Dial(PJSIP/${TRUNKD_NUM}@carrier-%llu)\n",
		    i == 0 ? "exten => s,1" : " same => n",
		    (unsigned long long)ex->carriers[i].id);
		if (i + 1 < ex->ncarriers)
			fprintf(fp, " same => n,GotoIf($[\"${DIALSTATUS}\" != "
			    "\"CHANUNAVAIL\" & \"${DIALSTATUS}\" != "
			    "\"CONGESTION\"]?done)\n");
	}
	fprintf(fp, " same => n(done),Hangup()\n");
}

static void
dp_tenant(FILE *fp, const struct ex_tenant *n)
{
	char			 name[4 * EX_NAME_MAX], app[64];
	unsigned long long	 id = (unsigned long long)n->id;
	size_t			 i;

	ex_escape(n->name, name, sizeof(name));
	fprintf(fp, "\n; tenant %llu \"%s\": calls from its trunks, allowed "
	    "destination prefixes\n[tenant-%llu]\n", id, name, id);
	for (i = 0; i < n->nprefixes; i++)
		fprintf(fp, "exten => _%s.,1,Set(TRUNKD_DST=${EXTEN})\n"
		    " same => n,Gosub(trunkd-outbound,s,1(%llu,%u,%u))\n",
		    n->prefixes[i], id, n->max_channels, n->max_call_seconds);
	(void)snprintf(app, sizeof(app), "Gosub(trunkd-denied,s,1(%llu))", id);
	dp_catchall(fp, app);
}

/* The caller IDs a trunk may present: DIDs of its tenant or its own, or
 * any number (still only digits and '+', checked before). */
static void
dp_cid(FILE *fp, const struct export *ex, const struct ex_trunk *t)
{
	static const char *const what[] = { "its tenant's DIDs", "its DIDs",
	    "any number" };
	const struct ex_did	*d;
	size_t			 i;

	fprintf(fp, "\n; caller IDs trunk %llu may send (%s)\n"
	    "[trunkd-cid-%llu]\n", (unsigned long long)t->id, what[t->cid],
	    (unsigned long long)t->id);
	if (t->cid == EX_CID_ANY) {
		dp_catchall(fp, "NoOp()");
		return;
	}
	for (i = 0; i < ex->ndids; i++) {
		d = &ex->dids[i];
		if (t->cid == EX_CID_TRUNK ? d->trunk_id == t->id :
		    d->tenant_id == t->tenant_id)
			fprintf(fp, "exten => %s,1,NoOp()\n", d->number);
	}
}

int
dialplan_write(FILE *fp, const struct export *ex)
{
	size_t	i;

	wr_header(fp, DIALPLAN_FILE, "extensions.conf");
	dp_from_carrier(fp, ex);
	fputs(dp_fixed, fp);
	dp_carriers(fp, ex);
	for (i = 0; i < ex->ntenants; i++)
		dp_tenant(fp, &ex->tenants[i]);
	for (i = 0; i < ex->ntrunks; i++)
		if (ex->trunks[i].enabled)
			dp_cid(fp, ex, &ex->trunks[i]);
	return ferror(fp) ? -1 : 0;
}
