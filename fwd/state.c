/*
 * What the table should hold, apart from the bans: the settings from
 * trunkd.conf, the networks dbd sends (counted: two trunks may share a
 * network, which stays until both let it go), and what derives from them
 * (merged ranges per set, and the never-ban list).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "fwd.h"

struct fw_state	fw;

static const char *const fw_nb_name[NB_MAX] = {
	"a trunk network", "an admin network", "an ignored network",
	"one of the host's own addresses",
};

static int
fw_table_name_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return i > 0 && i < 32;
}

int
fw_state_conf(const struct msg_conf_fwd *c, char *err, size_t errlen)
{
	struct fw_range	r;
	uint32_t	i;

	if (!proto_str_ok(c->table, sizeof(c->table)) ||
	    !fw_table_name_ok(c->table)) {
		(void)snprintf(err, errlen, "bad table name");
		return -1;
	}
	if (c->n_sip_udp_ports > PROTO_CONF_PORTS ||
	    c->n_sip_tcp_ports > PROTO_CONF_PORTS ||
	    c->n_admin_nets > PROTO_CONF_NETS ||
	    c->n_ignore_nets > PROTO_CONF_NETS ||
	    c->rtp_low == 0 || c->rtp_low > c->rtp_high ||
	    c->web_port == 0 || c->sip_rate == 0 || c->sip_burst == 0 ||
	    c->max_ban_prefix4 < 1 || c->max_ban_prefix4 > 32 ||
	    c->max_ban_prefix6 < 1 || c->max_ban_prefix6 > 128) {
		(void)snprintf(err, errlen, "settings out of range");
		return -1;
	}
	for (i = 0; i < c->n_admin_nets; i++)
		if (!fw_net_valid(&c->admin_nets[i]))
			goto badnet;
	for (i = 0; i < c->n_ignore_nets; i++)
		if (!fw_net_valid(&c->ignore_nets[i]))
			goto badnet;
	for (i = 0; i < c->n_sip_udp_ports; i++)
		if (c->sip_udp_ports[i] == 0)
			goto badport;
	for (i = 0; i < c->n_sip_tcp_ports; i++)
		if (c->sip_tcp_ports[i] == 0)
			goto badport;

	memset(&fw.rc, 0, sizeof(fw.rc));
	(void)strlcpy(fw.rc.table, c->table, sizeof(fw.rc.table));
	fw.rc.rtp_low = c->rtp_low;
	fw.rc.rtp_high = c->rtp_high;
	fw.rc.web_port = c->web_port;
	fw.rc.media_anywhere = c->media_anywhere != 0;
	fw.rc.sip_rate = c->sip_rate;
	fw.rc.sip_burst = c->sip_burst;
	memcpy(fw.sip_udp, c->sip_udp_ports, sizeof(fw.sip_udp));
	memcpy(fw.sip_tcp, c->sip_tcp_ports, sizeof(fw.sip_tcp));
	fw.n_sip_udp = c->n_sip_udp_ports;
	fw.n_sip_tcp = c->n_sip_tcp_ports;
	fw.max_ban4 = c->max_ban_prefix4;
	fw.max_ban6 = c->max_ban_prefix6;
	fw_ranges_clear(&fw.conf_admin);
	for (i = 0; i < c->n_admin_nets; i++) {
		fw_net_range(&c->admin_nets[i], &r);
		if (fw_ranges_add(&fw.conf_admin, &r) == -1)
			goto nomem;
	}
	fw_state_nets_clear(NB_IGNORE);
	for (i = 0; i < c->n_ignore_nets; i++)
		if (fw_state_net(NB_IGNORE, &c->ignore_nets[i], 1) == -1)
			goto nomem;
	return 0;
 badnet:
	(void)snprintf(err, errlen, "malformed network");
	return -1;
 badport:
	(void)snprintf(err, errlen, "port 0");
	return -1;
 nomem:
	(void)snprintf(err, errlen, "out of memory");
	return -1;
}

static ssize_t
fw_state_find(enum fw_nb_src src, const struct proto_net *n)
{
	size_t	i;

	for (i = 0; i < fw.nnets[src]; i++)
		if (memcmp(&fw.nets[src][i], n, sizeof(*n)) == 0)
			return (ssize_t)i;
	return -1;
}

int
fw_state_net(enum fw_nb_src src, const struct proto_net *n, int add)
{
	struct proto_net	*v;
	uint32_t		*refs;
	ssize_t			 i;
	size_t			 cap;

	i = fw_state_find(src, n);
	if (!add) {
		if (i == -1)
			return 0;
		if (--fw.refs[src][i] == 0) {
			fw.nets[src][i] = fw.nets[src][fw.nnets[src] - 1];
			fw.refs[src][i] = fw.refs[src][fw.nnets[src] - 1];
			fw.nnets[src]--;
		}
		return 0;
	}
	if (i != -1) {
		fw.refs[src][i]++;
		return 0;
	}
	if (fw.nnets[src] == fw.capnets[src]) {
		cap = fw.capnets[src] == 0 ? 16 : fw.capnets[src] * 2;
		if ((v = reallocarray(fw.nets[src], cap, sizeof(*v))) == NULL)
			return -1;
		fw.nets[src] = v;
		if ((refs = reallocarray(fw.refs[src], cap,
		    sizeof(*refs))) == NULL)
			return -1;
		fw.refs[src] = refs;
		fw.capnets[src] = cap;
	}
	fw.nets[src][fw.nnets[src]] = *n;
	fw.refs[src][fw.nnets[src]] = 1;
	fw.nnets[src]++;
	return 0;
}

void
fw_state_nets_clear(enum fw_nb_src src)
{
	fw.nnets[src] = 0;
}

static int
fw_state_ranges(enum fw_nb_src src, struct fw_ranges *out)
{
	struct fw_range	r;
	size_t		i;

	for (i = 0; i < fw.nnets[src]; i++) {
		fw_net_range(&fw.nets[src][i], &r);
		if (fw_ranges_add(out, &r) == -1)
			return -1;
	}
	return 0;
}

/* Merged ranges per source, and the never-ban list: all of them. */
int
fw_state_derive(void)
{
	enum fw_nb_src	src;
	size_t		i;

	for (src = 0; src < NB_HOST; src++) {
		fw_ranges_clear(&fw.nb[src]);
		if (fw_state_ranges(src, &fw.nb[src]) == -1)
			return -1;
	}
	for (i = 0; i < fw.adopted.n; i++)
		if (fw_ranges_add(&fw.nb[NB_TRUNK], &fw.adopted.v[i]) == -1)
			return -1;
	for (i = 0; i < fw.conf_admin.n; i++)
		if (fw_ranges_add(&fw.nb[NB_ADMIN], &fw.conf_admin.v[i]) == -1)
			return -1;
	fw_ranges_clear(&fw.noban);
	for (src = 0; src < NB_MAX; src++) {
		fw_ranges_merge(&fw.nb[src]);
		for (i = 0; i < fw.nb[src].n; i++)
			if (fw_ranges_add(&fw.noban, &fw.nb[src].v[i]) == -1)
				return -1;
	}
	fw_ranges_merge(&fw.noban);
	return 0;
}

int
fw_state_ban_ok(const struct proto_net *n, char *why, size_t len)
{
	char		buf[FW_NET_STRLEN], hit[FW_NET_STRLEN];
	struct fw_range	r;
	enum fw_nb_src	src;
	size_t		i;
	int		max;

	if (!fw_net_valid(n)) {
		(void)snprintf(why, len, "malformed address");
		return EINVAL;
	}
	fw_net_fmt(n, buf, sizeof(buf));
	max = n->family == 4 ? fw.max_ban4 : fw.max_ban6;
	if (n->prefixlen < max) {
		(void)snprintf(why, len, "%s is wider than the widest ban "
		    "allowed (/%d)", buf, max);
		return EINVAL;
	}
	fw_net_range(n, &r);
	if (!fw_ranges_overlap(&fw.noban, &r))
		return 0;
	for (src = 0; src < NB_MAX; src++) {
		if (!fw_ranges_overlap(&fw.nb[src], &r))
			continue;
		hit[0] = '\0';
		for (i = 0; i < fw.nnets[src] && src != NB_HOST; i++)
			if (fw_net_contains(&fw.nets[src][i], n) ||
			    fw_net_contains(n, &fw.nets[src][i])) {
				fw_net_fmt(&fw.nets[src][i], hit, sizeof(hit));
				break;
			}
		/* the admin networks of trunkd.conf are kept as ranges */
		for (i = 0; src == NB_ADMIN && hit[0] == '\0' &&
		    i < fw.conf_admin.n; i++) {
			struct fw_ranges one = { &fw.conf_admin.v[i], 1, 1 };
			struct proto_net net;

			if (fw_ranges_overlap(&one, &r) &&
			    fw_range_net(&fw.conf_admin.v[i], &net) == 0)
				fw_net_fmt(&net, hit, sizeof(hit));
		}
		(void)snprintf(why, len, "%s is never banned: it meets %s%s%s",
		    buf, fw_nb_name[src], hit[0] ? " " : "", hit);
		return EPERM;
	}
	(void)snprintf(why, len, "%s is never banned", buf);
	return EPERM;
}

static int
fw_ports_kelems(const uint16_t *ports, size_t n, struct fw_kelems *ks)
{
	struct fw_kelem	k;
	uint16_t	p;
	size_t		i;

	for (i = 0; i < n; i++) {
		memset(&k, 0, sizeof(k));
		p = htons(ports[i]);
		memcpy(k.key, &p, 2);
		k.keylen = 2;
		if (fw_kelems_add(ks, &k) == -1)
			return -1;
	}
	fw_kelems_sort(ks);
	/* the configuration may name a port twice */
	for (i = 1; i < ks->n; )
		if (fw_kelem_cmp(&ks->v[i - 1], &ks->v[i]) == 0)
			memmove(&ks->v[i - 1], &ks->v[i],
			    (ks->n-- - i) * sizeof(*ks->v));
		else
			i++;
	return 0;
}

int
fw_state_kelems(enum fw_setid set, struct fw_kelems *ks)
{
	int	fam = fw_sets[set].family;

	ks->n = 0;
	switch (set) {
	case FS_TRUNK4:
	case FS_TRUNK6:
		return fw_ranges_kelems(&fw.nb[NB_TRUNK], fam, ks);
	case FS_ADMIN4:
	case FS_ADMIN6:
		return fw_ranges_kelems(&fw.nb[NB_ADMIN], fam, ks);
	case FS_NOBAN4:
	case FS_NOBAN6:
		return fw_ranges_kelems(&fw.noban, fam, ks);
	case FS_SIP_UDP:
		return fw_ports_kelems(fw.sip_udp, fw.n_sip_udp, ks);
	case FS_SIP_TCP:
		return fw_ports_kelems(fw.sip_tcp, fw.n_sip_tcp, ks);
	default:
		errno = EINVAL;
		return -1;
	}
}
