/*
 * What dbd tells fwd and astd, and what astd tells dbd.
 *
 * fwd: on every (re)connection to the database a full snapshot (trunk and
 * carrier networks, active bans), after each commit the deltas.  astd:
 * "generation N" after each commit and on (re)connection; it then asks
 * for the export, which is read in one transaction holding the generation
 * lock in share mode (no change can commit half-way through it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "child.h"
#include "db.h"
#include "dbd.h"
#include "log.h"

#define HISTORY_MAX	20000	/* offenders sent to astd */

/* astd asked for the history while the database was away. */
static int	history_pending;

static void	history(struct db *);

static const char sql_generation_share[] =
    "SELECT generation FROM generation WHERE id = 1 LOCK IN SHARE MODE";
static const char sql_nets[] =
    "SELECT family, prefixlen, addr FROM networks ORDER BY id";
static const char sql_bans[] =
    "SELECT family, prefixlen, addr, expires - ? FROM bans"
    " WHERE expires > ? ORDER BY id";
static const char sql_tenants[] =
    "SELECT id, name, max_trunks, max_channels, allowed_prefixes,"
    " max_call_seconds FROM tenants ORDER BY id";
static const char sql_dids[] =
    "SELECT number, tenant_id, trunk_id FROM dids ORDER BY number";
static const char sql_history[] =
    "SELECT cidr, offences, last_seen, expires FROM bans"
    " WHERE source = 'autoban' ORDER BY last_seen DESC LIMIT ?";
static const char sql_applied[] =
    "INSERT INTO applied (generation, ok, error, ts) VALUES (?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE ok = VALUES(ok), error = VALUES(error),"
    " ts = VALUES(ts)";
static const char sql_ban_record[] =
    "INSERT INTO bans (family, prefixlen, addr, cidr, reason, source,"
    " first_seen, last_seen, expires, offences)"
    " VALUES (?, ?, ?, ?, ?, 'autoban', ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE reason = VALUES(reason),"
    " first_seen = LEAST(first_seen, VALUES(first_seen)),"
    " last_seen = VALUES(last_seen), expires = VALUES(expires),"
    " offences = VALUES(offences)";

/* Networks to fwd, in chunks; none at all sends nothing. */
static void
send_nets(uint32_t type, uint32_t set, const struct fw_list *l)
{
	struct msg_fw_nets	*m;
	size_t			 off, k;

	if (l->n == 0 || (m = calloc(1, sizeof(*m))) == NULL)
		return;
	for (off = 0; off < l->n; off += k) {
		k = l->n - off < PROTO_FW_CHUNK ? l->n - off : PROTO_FW_CHUNK;
		memset(m, 0, sizeof(*m));
		m->set = set;
		m->n = (uint32_t)k;
		memcpy(m->elems, l->elems + off, k * sizeof(m->elems[0]));
		(void)child_send(type, PROC_FWD, -1, m, MSG_FW_NETS_MIN +
		    k * sizeof(m->elems[0]));
	}
	free(m);
}

static void
send_generation(uint64_t gen)
{
	struct msg_ast_generation	g;

	memset(&g, 0, sizeof(g));
	g.generation = gen;
	(void)child_send(MSG_AST_GENERATION, PROC_ASTD, -1, &g, sizeof(g));
}

static void
send_bans(uint32_t type, const struct fw_list *l, const char *reason)
{
	struct msg_fw_ban	b;
	size_t			i;

	for (i = 0; i < l->n; i++) {
		memset(&b, 0, sizeof(b));
		b.net = l->elems[i].net;
		b.timeout = l->elems[i].timeout;
		(void)strlcpy(b.reason, reason, sizeof(b.reason));
		(void)child_send(type, PROC_FWD, -1, &b, sizeof(b));
	}
}

void
feed_after_commit(struct req *r)
{
	send_nets(MSG_FW_NET_ADD, FW_SET_TRUNK, &r->net_add);
	send_nets(MSG_FW_NET_DEL, FW_SET_TRUNK, &r->net_del);
	send_bans(MSG_FW_BAN, &r->ban_add, r->ban_reason);
	send_bans(MSG_FW_UNBAN, &r->ban_del, r->ban_reason);
	send_generation(r->generation);
}

/* Rows of (family, prefixlen, addr[, timeout]) into l. */
static int
load_nets(struct db *db, const char *sql, const struct db_val *v, size_t n,
    struct fw_list *l)
{
	struct db_res		 res;
	struct proto_net	 net;
	const uint8_t		*a;
	size_t			 len;
	int			 f;

	if (db_exec(db, sql, v, n, &res) == -1)
		return -1;
	while ((f = db_fetch(&res)) == 1) {
		memset(&net, 0, sizeof(net));
		net.family = (uint8_t)db_int(&res, 0);
		net.prefixlen = (uint8_t)db_int(&res, 1);
		a = db_blob(&res, 2, &len);
		if (a == NULL || len != (net.family == 4 ? 4U : 16U))
			continue;
		memcpy(net.addr, a, len);
		if (!net_wellformed(&net))
			continue;
		if (fw_list_add(l, &net, res.ncols > 3 ?
		    (uint32_t)db_int(&res, 3) : 0) == -1) {
			f = -1;
			break;
		}
	}
	db_res_free(&res);
	return f == -1 ? -1 : 0;
}

void
feed_snapshot(void)
{
	struct fw_list		 nets, bans;
	struct msg_fw_sync	 s;
	struct db_res		 res;
	struct db_val		 v[2];
	struct db		*db;
	uint64_t		 gen = 0;
	int			 f;

	if ((db = link_db()) == NULL)
		return;
	memset(&nets, 0, sizeof(nets));
	memset(&bans, 0, sizeof(bans));
	v[0] = v[1] = DB_INT(time(NULL));
	if (db_begin(db) == -1 ||
	    db_exec(db, sql_generation_share, NULL, 0, &res) == -1)
		goto fail;
	f = db_fetch(&res);
	gen = f == 1 ? (uint64_t)db_int(&res, 0) : 0;
	db_res_free(&res);
	if (f != 1 || load_nets(db, sql_nets, NULL, 0, &nets) == -1 ||
	    load_nets(db, sql_bans, v, 2, &bans) == -1 || db_commit(db) == -1)
		goto fail;
	memset(&s, 0, sizeof(s));
	s.generation = gen;
	(void)child_send(MSG_FW_SYNC_BEGIN, PROC_FWD, -1, &s, sizeof(s));
	send_nets(MSG_FW_SYNC_NETS, FW_SET_TRUNK, &nets);
	send_nets(MSG_FW_SYNC_NETS, FW_SET_BAN, &bans);
	(void)child_send(MSG_FW_SYNC_END, PROC_FWD, -1, &s, sizeof(s));
	send_generation(gen);
	log_info("snapshot sent: generation %llu, %zu networks, %zu bans",
	    (unsigned long long)gen, nets.n, bans.n);
	/* astd asks once, at its start: answer it now that we can. */
	if (history_pending) {
		history_pending = 0;
		history(db);
	}
	goto out;
fail:
	log_warnx("snapshot not sent: %s", db_last_msg(db));
	db_rollback(db);
	link_check();
out:
	free(nets.elems);
	free(bans.elems);
}

/* JSON text to astd in chunks of the message's size; the last flagged. */
static void
send_json(uint32_t type, uint64_t gen, json_t *o)
{
	struct msg_ast_json	*m;
	char			*text;
	size_t			 len, off = 0, k;
	uint32_t		 seq = 0;

	if ((text = json_dumps(o, JSON_COMPACT)) == NULL ||
	    (m = calloc(1, sizeof(*m))) == NULL) {
		free(text);
		log_warnx("%s: out of memory", msg_name(type));
		return;
	}
	len = strlen(text);
	do {
		k = len - off < sizeof(m->json) ? len - off : sizeof(m->json);
		memset(m, 0, sizeof(*m));
		m->generation = gen;
		m->seq = seq++;
		m->last = off + k == len;
		m->json_len = (uint32_t)k;
		memcpy(m->json, text + off, k);
		(void)child_send(type, PROC_ASTD, -1, m, MSG_AST_JSON_MIN + k);
		off += k;
	} while (off < len);
	freezero(text, len);
	free(m);
}

static json_t *
did_export(struct db_res *res)
{
	return json_pack("{s:s,s:I,s:I}", "number", db_str(res, 0),
	    "tenant_id", (json_int_t)db_int(res, 1),
	    "trunk_id", (json_int_t)db_int(res, 2));
}

static void
export(struct db *db)
{
	struct req	 r;
	struct db_res	 res;
	json_t		*o = NULL, *tenants = NULL, *trunks = NULL;
	json_t		*carriers = NULL, *dids = NULL;
	uint64_t	 gen = 0;
	int		 f;

	memset(&r, 0, sizeof(r));
	r.db = db;
	if (db_begin(db) == -1 ||
	    db_exec(db, sql_generation_share, NULL, 0, &res) == -1)
		goto fail;
	f = db_fetch(&res);
	gen = f == 1 ? (uint64_t)db_int(&res, 0) : 0;
	db_res_free(&res);
	if (f != 1 ||
	    (tenants = req_rows(&r, sql_tenants, NULL, 0, tenant_json)) ==
	    NULL || (trunks = trunks_export(&r)) == NULL ||
	    (carriers = carriers_export(&r)) == NULL ||
	    (dids = req_rows(&r, sql_dids, NULL, 0, did_export)) == NULL ||
	    db_commit(db) == -1)
		goto fail;
	o = json_pack("{s:I,s:o,s:o,s:o,s:o}", "generation", (json_int_t)gen,
	    "tenants", tenants, "trunks", trunks, "carriers", carriers,
	    "dids", dids);
	tenants = trunks = carriers = dids = NULL;
	if (o != NULL)
		send_json(MSG_AST_EXPORT, gen, o);
	json_decref(o);
	json_decref(r.out);
	return;
fail:
	log_warnx("export not sent: %s", db_last_msg(db));
	db_rollback(db);
	link_check();
	json_decref(tenants);
	json_decref(trunks);
	json_decref(carriers);
	json_decref(dids);
	json_decref(r.out);
}

static json_t *
offender_json(struct db_res *res)
{
	return json_pack("{s:s,s:I,s:I,s:I}", "address", db_str(res, 0),
	    "offences", (json_int_t)db_int(res, 1),
	    "last_seen", (json_int_t)db_int(res, 2),
	    "expires", (json_int_t)db_int(res, 3));
}

static void
history(struct db *db)
{
	struct req	 r;
	struct db_val	 v = DB_INT(HISTORY_MAX);
	json_t		*items, *o;

	memset(&r, 0, sizeof(r));
	r.db = db;
	if ((items = req_rows(&r, sql_history, &v, 1, offender_json)) ==
	    NULL) {
		log_warnx("history not sent: %s", db_last_msg(db));
		history_pending = 1;
		json_decref(r.out);
		link_check();
		return;
	}
	if ((o = json_pack("{s:o}", "offenders", items)) != NULL)
		send_json(MSG_AST_HISTORY, 0, o);
	json_decref(o);
}

static int
applied(struct db *db, const struct msg_ast_applied *a)
{
	struct db_val	v[4];

	if (!proto_str_ok(a->error, sizeof(a->error)) || (a->ok != 0 &&
	    a->ok != 1))
		return -1;
	v[0] = DB_INT(a->generation);
	v[1] = DB_INT(a->ok);
	v[2] = DB_TEXT(a->error);
	v[3] = DB_INT(time(NULL));
	if (db_exec(db, sql_applied, v, 4, NULL) == -1) {
		log_warnx("generation %llu outcome not stored: %s",
		    (unsigned long long)a->generation, db_last_msg(db));
		link_check();
	}
	if (!a->ok)
		log_warnx("astd could not apply generation %llu: %s",
		    (unsigned long long)a->generation, a->error);
	return 0;
}

static int
ban_record(struct db *db, const struct msg_ast_ban_record *b)
{
	struct db_val	v[9];
	char		cidr[64], err[PROTO_ERR_MAX];

	if (!net_wellformed(&b->net) ||
	    !proto_str_ok(b->reason, sizeof(b->reason)) ||
	    val_text(b->reason, VAL_REASON_MAX, err, sizeof(err)) == -1 ||
	    b->first_seen <= 0 || b->last_seen < b->first_seen ||
	    b->duration == 0 || net_format(&b->net, cidr, sizeof(cidr)) == -1)
		return -1;
	if (db == NULL) {
		log_warnx("ban of %s not recorded: database unavailable", cidr);
		return 0;
	}
	v[0] = DB_INT(b->net.family);
	v[1] = DB_INT(b->net.prefixlen);
	v[2] = DB_BLOB(b->net.addr, b->net.family == 4 ? 4 : 16);
	v[3] = DB_TEXT(cidr);
	v[4] = DB_TEXT(b->reason);
	v[5] = DB_INT(b->first_seen);
	v[6] = DB_INT(b->last_seen);
	v[7] = DB_INT(b->last_seen + (int64_t)b->duration);
	v[8] = DB_INT(b->offences);
	if (db_exec(db, sql_ban_record, v, 9, NULL) == -1) {
		log_warnx("ban of %s not recorded: %s", cidr, db_last_msg(db));
		link_check();
	}
	return 0;
}

static int
live(const struct msg_ast_json *m, size_t len)
{
	json_error_t	 jerr;
	json_t		*o;

	if (m->json_len > len - MSG_AST_JSON_MIN || m->seq != 0 ||
	    m->last != 1)
		return -1;
	o = json_loadb(m->json, m->json_len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	json_decref(dbd.live);
	dbd.live = o;
	return 0;
}

int
feed_dispatch(uint32_t type, const void *data, size_t len)
{
	const struct msg_fw_result	*fr;
	struct db			*db = link_db();

	switch (type) {
	case MSG_AST_EXPORT_REQ:
		/* Away: the snapshot after the reconnection prompts again. */
		if (db != NULL)
			export(db);
		return 0;
	case MSG_AST_HISTORY_REQ:
		if (db != NULL)
			history(db);
		else
			history_pending = 1;
		return 0;
	case MSG_AST_APPLIED:
		return db != NULL ? applied(db, data) : 0;
	case MSG_AST_BAN_RECORD:
		return ban_record(db, data);
	case MSG_AST_LIVE:
		return live(data, len);
	case MSG_FW_RESULT:
		fr = data;
		if (!proto_str_ok(fr->text, sizeof(fr->text)))
			return -1;
		if (fr->code != 0)
			log_warnx("fwd refused a change: %s", fr->text);
		return 0;
	}
	return -1;
}
