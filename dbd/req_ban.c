/*
 * Bans: AutoBan's (recorded by astd) and the admins' own.  A superadmin
 * adds or lifts one with a TOTP code; dbd records it and tells fwd.  A
 * trunk's or carrier's network is never banned.  Bans concern the host,
 * not a tenant: every admin may read them.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "dbd.h"

#define BAN_MIN_SECONDS		60
#define BAN_MAX_SECONDS		(366 * 86400)

static const char sql_list[] =
    "SELECT id, cidr, reason, source, first_seen, last_seen, expires,"
    " offences FROM bans WHERE (? = '' OR cidr = ?) AND expires > ?"
    " ORDER BY last_seen DESC LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM bans WHERE (? = '' OR cidr = ?) AND expires > ?";
static const char sql_upsert[] =
    "INSERT INTO bans (family, prefixlen, addr, cidr, reason, source,"
    " first_seen, last_seen, expires, offences)"
    " VALUES (?, ?, ?, ?, ?, 'admin', ?, ?, ?, 1)"
    " ON DUPLICATE KEY UPDATE reason = VALUES(reason), source = 'admin',"
    " last_seen = VALUES(last_seen), expires = VALUES(expires),"
    " offences = offences + 1";
static const char sql_lift[] =
    "UPDATE bans SET expires = ? WHERE family = ? AND addr = ?"
    " AND prefixlen = ? AND expires > ?";
static const char sql_trunk_nets[] =
    "SELECT family, prefixlen, addr FROM networks";

static json_t *
ban_json(struct db_res *res)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:I,s:I}",
	    "id", (json_int_t)db_int(res, 0), "address", db_str(res, 1),
	    "reason", db_str(res, 2), "source", db_str(res, 3),
	    "first_seen", (json_int_t)db_int(res, 4),
	    "last_seen", (json_int_t)db_int(res, 5),
	    "expires", (json_int_t)db_int(res, 6),
	    "offences", (json_int_t)db_int(res, 7));
}

static int
ban_list(struct req *r)
{
	static const char *const filters[] = { "address", NULL };
	struct db_val	 v[5];
	struct proto_net net;
	json_t		*filter, *items;
	const char	*addr = NULL;
	char		 cidr[64] = "", err[PROTO_ERR_MAX];
	uint64_t	 off, lim, total;

	if (req_paging(r, filters, &filter, &off, &lim) == -1 ||
	    (filter != NULL && req_str(r, filter, "address", 0, &addr) == -1))
		return -1;
	if (addr != NULL && (val_net(addr, 1, 1, &net, err,
	    sizeof(err)) == -1 || net_format(&net, cidr, sizeof(cidr)) == -1))
		return req_fail(r, DB_E_INVALID, "filter.address", "%s", err);
	v[0] = v[1] = DB_TEXT(cidr);
	v[2] = DB_INT(time(NULL));
	v[3] = DB_INT(lim);
	v[4] = DB_INT(off);
	if (req_count(r, sql_count, v, 3, &total) == -1 ||
	    (items = req_rows(r, sql_list, v, 5, ban_json)) == NULL)
		return -1;
	r->out = req_list_answer(items, total, off, lim);
	return 0;
}

/* A ban must not cover a trunk's or a carrier's network. */
static int
ban_spares_trunks(struct req *r, const struct proto_net *ban)
{
	struct db_res		 res;
	struct proto_net	 n;
	const uint8_t		*a;
	size_t			 len;
	int			 f, hit = 0;

	if (db_exec(r->db, sql_trunk_nets, NULL, 0, &res) == -1)
		return req_dberr(r);
	while (!hit && (f = db_fetch(&res)) == 1) {
		memset(&n, 0, sizeof(n));
		n.family = (uint8_t)db_int(&res, 0);
		n.prefixlen = (uint8_t)db_int(&res, 1);
		a = db_blob(&res, 2, &len);
		if (a == NULL || len > sizeof(n.addr))
			continue;
		memcpy(n.addr, a, len);
		hit = net_overlap(ban, &n);
	}
	db_res_free(&res);
	if (!hit && f == -1)
		return req_dberr(r);
	if (hit)
		return req_fail(r, DB_E_CONFLICT, "address", "this address "
		    "belongs to a trunk's or carrier's network: it is never "
		    "banned");
	return 0;
}

static int
ban_change(struct req *r)
{
	static const char *const add_keys[] = { "address", "duration",
	    "reason", NULL };
	static const char *const del_keys[] = { "address", NULL };
	const int	 add = r->op == DB_OP_BAN_ADD;
	struct proto_net net;
	struct db_val	 v[8];
	const char	*addr, *reason = "admin";
	char		 cidr[64], err[PROTO_ERR_MAX];
	uint64_t	 duration = 0, active;
	int64_t		 now = time(NULL);

	if (req_keys(r, r->in, add ? add_keys : del_keys) == -1 ||
	    req_str(r, r->in, "address", 1, &addr) == -1 ||
	    (add && (req_uint(r, r->in, "duration", 1, BAN_MIN_SECONDS,
	    BAN_MAX_SECONDS, &duration) == -1 ||
	    req_str(r, r->in, "reason", 0, &reason) == -1)))
		return -1;
	if (val_net(addr, dbd.conf.min_trunk_prefix4,
	    dbd.conf.min_trunk_prefix6, &net, err, sizeof(err)) == -1)
		return req_fail(r, DB_E_INVALID, "address", "%s", err);
	if (val_text(reason, VAL_REASON_MAX, err, sizeof(err)) == -1)
		return req_fail(r, DB_E_INVALID, "reason", "%s", err);
	if (r->who.role != ROLE_SUPERADMIN)
		return req_fail(r, DB_E_FORBIDDEN, NULL, "only a superadmin "
		    "bans or unbans");
	(void)net_format(&net, cidr, sizeof(cidr));
	if (add && ban_spares_trunks(r, &net) == -1)
		return -1;
	if (!add) {
		v[0] = DB_TEXT(cidr);
		v[1] = DB_TEXT(cidr);
		v[2] = DB_INT(now);
		if (req_count(r, sql_count, v, 3, &active) == -1)
			return -1;
		if (active == 0)
			return req_fail(r, DB_E_NOT_FOUND, "address", "%s is "
			    "not banned", cidr);
	}
	if (authz_step_up(r) == -1)
		return -1;
	if (add) {
		v[0] = DB_INT(net.family);
		v[1] = DB_INT(net.prefixlen);
		v[2] = DB_BLOB(net.addr, net.family == 4 ? 4 : 16);
		v[3] = DB_TEXT(cidr);
		v[4] = DB_TEXT(reason);
		v[5] = v[6] = DB_INT(now);
		v[7] = DB_INT(now + (int64_t)duration);
		if (db_exec(r->db, sql_upsert, v, 8, NULL) == -1)
			return req_dberr(r);
	} else {
		v[0] = DB_INT(now);
		v[1] = DB_INT(net.family);
		v[2] = DB_BLOB(net.addr, net.family == 4 ? 4 : 16);
		v[3] = DB_INT(net.prefixlen);
		v[4] = DB_INT(now);
		if (db_exec(r->db, sql_lift, v, 5, NULL) == -1)
			return req_dberr(r);
	}
	if (fw_list_add(add ? &r->ban_add : &r->ban_del, &net,
	    (uint32_t)duration) == -1)
		return req_fail(r, DB_E_INTERNAL, NULL, "out of memory");
	(void)strlcpy(r->ban_reason, reason, sizeof(r->ban_reason));
	r->out = json_pack("{s:s}", "address", cidr);
	req_change(r, add ? "ban" : "unban", "ban", 0, -1, add ?
	    json_pack("{s:s,s:I,s:s}", "address", cidr, "duration",
	    (json_int_t)duration, "reason", reason) :
	    json_pack("{s:s}", "address", cidr));
	return 0;
}

int
req_ban(struct req *r)
{
	return r->op == DB_OP_BAN_LIST ? ban_list(r) : ban_change(r);
}
