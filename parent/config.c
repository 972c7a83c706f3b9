/*
 * trunkd.conf around the grammar: the defaults, the checks on files that
 * hold configuration or secrets, the value helpers the grammar uses, and
 * the normalised printout of `trunkd -n` (which reads back to the same
 * configuration).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent/config.h"

#ifndef TRUNKD_LIBEXECDIR
#define TRUNKD_LIBEXECDIR	"/usr/local/libexec/trunkd"
#endif

int	config_users_later;

static void
default_net(struct proto_net *nets, size_t *n, const char *s)
{
	char	err[PROTO_ERR_MAX];

	if (config_net_parse(s, &nets[*n], err, sizeof(err)) == 0)
		(*n)++;
}

static void
default_role(struct conf_role *r, const char *user, const char *chroot)
{
	(void)strlcpy(r->user, user, sizeof(r->user));
	(void)strlcpy(r->chroot, chroot, sizeof(r->chroot));
}

/*
 * Everything not required has a default.  Users are names here; they are
 * looked up only if the file does not replace them.
 */
void
config_defaults(struct trunkd_conf *c)
{
	int	i;

	memset(c, 0, sizeof(*c));
	(void)strlcpy(c->libexec, TRUNKD_LIBEXECDIR, sizeof(c->libexec));
	(void)strlcpy(c->control_socket, "/run/trunkd.sock",
	    sizeof(c->control_socket));

	default_role(&c->role[PROC_WEBD], "_trunkd_web", "/var/lib/trunkd/web");
	default_role(&c->role[PROC_DBD], "_trunkd_db", "/var/lib/trunkd/db");
	default_role(&c->role[PROC_FWD], "root", "/var/lib/trunkd/fw");
	default_role(&c->role[PROC_ASTD], "_trunkd_ast",
	    "/var/lib/trunkd/asterisk");

	(void)strlcpy(c->web_listen, "127.0.0.1", sizeof(c->web_listen));
	c->web_port = 8443;
	(void)strlcpy(c->tls_groups, "P-384",
	    sizeof(c->tls_groups));
	c->web_max_connections = 512;
	c->web_header_timeout = 10;
	c->web_idle_timeout = 60;

	(void)strlcpy(c->db_host, "127.0.0.1", sizeof(c->db_host));
	c->db_port = 3306;
	(void)strlcpy(c->db_name, "trunkd", sizeof(c->db_name));
	c->totp_max_failures = 5;
	c->totp_lockout = 900;
	c->min_trunk_prefix4 = 16;
	c->min_trunk_prefix6 = 32;

	(void)strlcpy(c->fw_table, "trunkd", sizeof(c->fw_table));
	c->sip_udp_ports[c->n_sip_udp_ports++] = 5060;
	c->sip_tcp_ports[c->n_sip_tcp_ports++] = 5060;
	c->rtp_low = 10000;
	c->rtp_high = 20000;
	default_net(c->admin_nets, &c->n_admin_nets, "127.0.0.0/8");
	default_net(c->admin_nets, &c->n_admin_nets, "::1/128");
	default_net(c->ignore_nets, &c->n_ignore_nets, "127.0.0.0/8");
	default_net(c->ignore_nets, &c->n_ignore_nets, "::1/128");
	c->sip_rate = 50;
	c->sip_burst = 100;
	c->max_ban_prefix4 = 24;
	c->max_ban_prefix6 = 48;

	(void)strlcpy(c->ami_host, "127.0.0.1", sizeof(c->ami_host));
	c->ami_port = 5038;

	c->ab_threshold = 5;
	c->ab_window = 60;
	c->ab_ban_time = 3600;
	c->ab_multiplier = 2;
	c->ab_max_ban_time = 2592000;
	c->ab_memory = 2592000;
	c->ab_ipv6_prefix = 64;
	for (i = 0; i < AB_EVENT_MAX; i++)
		c->ab_weight[i] = 1;
}

int
config_check_fd(int fd, int check_perms, char *err, size_t errlen)
{
	struct stat	sb;

	if (fstat(fd, &sb) == -1) {
		(void)snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		(void)snprintf(err, errlen, "not a regular file");
		return -1;
	}
	if (!check_perms)
		return 0;
	if (sb.st_uid != 0) {
		(void)snprintf(err, errlen, "insecure owner uid %u (must be "
		    "owned by root and not accessible by group or others)",
		    (unsigned int)sb.st_uid);
		return -1;
	}
	if ((sb.st_mode & 077) != 0) {
		(void)snprintf(err, errlen, "insecure permissions %04o (must be "
		    "owned by root and not accessible by group or others)",
		    (unsigned int)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
config_check_file(const char *path, char *err, size_t errlen)
{
	char	why[PROTO_ERR_MAX];
	int	fd, rv;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY))
	    == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((rv = config_check_fd(fd, 1, why, sizeof(why))) == -1)
		(void)snprintf(err, errlen, "%s: %s", path, why);
	close(fd);
	return rv;
}

const char *
config_quote(const char *s, char *buf, size_t len)
{
	char	esc[5];
	size_t	n = 0, e;

	if (len < 8)
		return "\"...\"";
	buf[n++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			(void)snprintf(esc, sizeof(esc), "\\%c", *s);
		else if (isprint((unsigned char)*s))
			(void)snprintf(esc, sizeof(esc), "%c", *s);
		else
			(void)snprintf(esc, sizeof(esc), "\\x%02x",
			    (unsigned char)*s);
		e = strlen(esc);
		if (n + e + sizeof("...\"") > len) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		memcpy(buf + n, esc, e);
		n += e;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

int
config_net_parse(const char *s, struct proto_net *net, char *err,
    size_t errlen)
{
	char		 buf[INET6_ADDRSTRLEN], norm[INET6_ADDRSTRLEN + 4];
	char		 q[CONF_QUOTE_MAX];
	struct proto_net masked;
	const char	*slash, *digits, *errstr;
	size_t		 len;
	int		 max, i;
	long long	 plen;

	memset(net, 0, sizeof(*net));
	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(buf))
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, net->addr) == 1) {
		net->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
		net->family = 6;
		max = 128;
	} else
		goto bad;

	plen = max;
	if (slash != NULL) {
		digits = slash + 1;
		if (*digits == '\0' ||
		    strspn(digits, "0123456789") != strlen(digits))
			goto bad;
		plen = strtonum(digits, 0, max, &errstr);
		if (errstr != NULL)
			goto bad;
	}
	if (plen == 0) {
		(void)snprintf(err, errlen, "network %s: /0 is not allowed "
		    "(name the networks)", config_quote(s, q, sizeof(q)));
		goto fail;
	}
	net->prefixlen = (uint8_t)plen;

	masked = *net;
	for (i = net->prefixlen; i < max; i++)
		masked.addr[i / 8] &= ~(0x80 >> (i % 8));
	if (memcmp(&masked, net, sizeof(masked)) != 0) {
		(void)config_net_format(&masked, norm, sizeof(norm));
		(void)snprintf(err, errlen, "host bits set in %s (the "
		    "network is %s)", config_quote(s, q, sizeof(q)), norm);
		goto fail;
	}
	return 0;
bad:
	(void)snprintf(err, errlen, "bad CIDR %s",
	    config_quote(s, q, sizeof(q)));
fail:
	memset(net, 0, sizeof(*net));
	return -1;
}

int
config_net_format(const struct proto_net *net, char *buf, size_t len)
{
	char	addr[INET6_ADDRSTRLEN];
	int	n;

	if (inet_ntop(net->family == 4 ? AF_INET : AF_INET6, net->addr, addr,
	    sizeof(addr)) == NULL)
		return -1;
	n = snprintf(buf, len, "%s/%u", addr, net->prefixlen);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
config_addr_parse(const char *s, char *out, size_t outlen)
{
	unsigned char	addr[16];
	int		af;

	if (inet_pton(AF_INET, s, addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		af = AF_INET6;
	else
		return -1;
	return inet_ntop(af, addr, out, outlen) == NULL ? -1 : 0;
}

int
config_name_ok(const char *s)
{
	if (!isalnum((unsigned char)s[0]) && s[0] != '_')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return 0;
	return 1;
}

/* "uid:gid" (or the "#uid:gid" kept in struct conf_role) */
static int
user_numeric(char *s, struct conf_role *r, char *err, size_t errlen)
{
	const char	*errstr;
	char		*colon;
	long long	 uid, gid = 0;

	colon = strchr(s, ':');
	*colon = '\0';
	uid = strtonum(s, 0, (long long)UINT32_MAX - 1, &errstr);
	if (errstr == NULL)
		gid = strtonum(colon + 1, 0, (long long)UINT32_MAX - 1,
		    &errstr);
	*colon = ':';
	if (errstr != NULL) {
		(void)snprintf(err, errlen, "user %s: id %s", s, errstr);
		return -1;
	}
	if (uid == 0 || gid == 0) {
		(void)snprintf(err, errlen, "user %s: a child must not run "
		    "as root", s);
		return -1;
	}
	memset(r->user, 0, sizeof(r->user));
	(void)snprintf(r->user, sizeof(r->user), "#%lld:%lld", uid, gid);
	r->uid = (uid_t)uid;
	r->gid = (gid_t)gid;
	return 0;
}

int
config_user_resolve(const char *s, struct conf_role *r, char *err,
    size_t errlen)
{
	char		 name[CONF_STR_MAX], *p, q[CONF_QUOTE_MAX];
	struct passwd	*pw;
	size_t		 digits;

	/* s may be r->user itself */
	if (strlcpy(name, s, sizeof(name)) >= sizeof(name)) {
		(void)snprintf(err, errlen, "user: string too long (max %zu)",
		    sizeof(name) - 1);
		return -1;
	}
	if (name[0] == '\0') {
		(void)snprintf(err, errlen, "user: empty string");
		return -1;
	}
	p = name[0] == '#' ? name + 1 : name;
	digits = strspn(p, "0123456789");
	if (digits > 0 && p[digits] == ':' && p[digits + 1] != '\0' &&
	    strspn(p + digits + 1, "0123456789") == strlen(p + digits + 1))
		return user_numeric(p, r, err, errlen);

	if (!config_name_ok(name)) {
		(void)snprintf(err, errlen, "bad user %s (a name or uid:gid)",
		    config_quote(name, q, sizeof(q)));
		return -1;
	}
	if ((pw = getpwnam(name)) == NULL && config_users_later) {
		/* uid 0 marks a user still to be added */
		memset(r->user, 0, sizeof(r->user));
		(void)strlcpy(r->user, name, sizeof(r->user));
		r->uid = r->gid = 0;
		return 0;
	}
	if (pw == NULL) {
		(void)snprintf(err, errlen, "unknown user %s",
		    config_quote(name, q, sizeof(q)));
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		(void)snprintf(err, errlen, "user %s: a child must not run as "
		    "root", config_quote(name, q, sizeof(q)));
		return -1;
	}
	memset(r->user, 0, sizeof(r->user));
	(void)strlcpy(r->user, name, sizeof(r->user));
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	return 0;
}

/* ---- printing, in the grammar the file was read in ---- */

static void
print_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

/* `\tkeyword "value"\n` */
static void
print_kv(FILE *fp, const char *key, const char *val)
{
	fprintf(fp, "\t%s ", key);
	print_str(fp, val);
	fputc('\n', fp);
}

/* `\tkeyword "value" keyword "value"\n` */
static void
print_kv2(FILE *fp, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	fprintf(fp, "\t%s ", k1);
	print_str(fp, v1);
	fprintf(fp, " %s ", k2);
	print_str(fp, v2);
	fputc('\n', fp);
}

static void
print_role(FILE *fp, const struct conf_role *r, int with_user)
{
	if (with_user && r->user[0] == '#')
		fprintf(fp, "\tuser %u:%u\n", (unsigned int)r->uid,
		    (unsigned int)r->gid);
	else if (with_user)
		print_kv(fp, "user", r->user);
	print_kv(fp, "chroot", r->chroot);
}

static void
print_ports(FILE *fp, const char *what, const uint16_t *ports, size_t n)
{
	size_t	i;

	fprintf(fp, "\t%s {", what);
	for (i = 0; i < n; i++)
		fprintf(fp, " %u", ports[i]);
	fprintf(fp, " }\n");
}

static void
print_nets(FILE *fp, const char *what, const struct proto_net *nets,
    size_t n)
{
	char	buf[INET6_ADDRSTRLEN + 4];
	size_t	i;

	fprintf(fp, "\t%s {", what);
	for (i = 0; i < n; i++)
		if (config_net_format(&nets[i], buf, sizeof(buf)) == 0)
			fprintf(fp, " %s", buf);
	fprintf(fp, " }\n");
}

void
config_print(const struct trunkd_conf *c, FILE *fp)
{
	int	i;

	fprintf(fp, "libexec ");
	print_str(fp, c->libexec);
	fprintf(fp, "\ncontrol socket ");
	print_str(fp, c->control_socket);
	fputc('\n', fp);

	fprintf(fp, "\nweb {\n");
	fprintf(fp, "\tlisten on %s port %u\n", c->web_listen, c->web_port);
	print_kv(fp, "tls certificate", c->tls_cert);
	print_kv(fp, "tls key", c->tls_key);
	print_kv(fp, "tls client ca", c->tls_client_ca);
	if (c->tls_crl[0] != '\0')
		print_kv(fp, "tls crl", c->tls_crl);
	print_kv(fp, "tls groups", c->tls_groups);
	print_kv(fp, "csrf key", c->csrf_key);
	fprintf(fp, "\tmax connections %u\n", c->web_max_connections);
	fprintf(fp, "\theader timeout %u\n", c->web_header_timeout);
	fprintf(fp, "\tidle timeout %u\n", c->web_idle_timeout);
	print_role(fp, &c->role[PROC_WEBD], 1);
	fprintf(fp, "}\n");

	fprintf(fp, "\ndatabase {\n");
	fprintf(fp, "\thost %s port %u\n", c->db_host, c->db_port);
	print_kv(fp, "name", c->db_name);
	print_kv2(fp, "user", c->db_user, "password file",
	    c->db_password_file);
	if (c->db_owner_user[0] != '\0')
		print_kv2(fp, "owner", c->db_owner_user, "password file",
		    c->db_owner_password_file);
	print_kv(fp, "tls ca", c->db_tls_ca);
	print_kv(fp, "data key", c->db_data_key_file);
	fprintf(fp, "\ttotp failures %u lockout %u\n", c->totp_max_failures,
	    c->totp_lockout);
	fprintf(fp, "\ttrunk minimum prefix %u v6 %u\n", c->min_trunk_prefix4,
	    c->min_trunk_prefix6);
	print_role(fp, &c->role[PROC_DBD], 1);
	fprintf(fp, "}\n");

	fprintf(fp, "\nfirewall {\n");
	print_kv(fp, "table", c->fw_table);
	if (c->fw_netns[0] != '\0')
		print_kv(fp, "namespace", c->fw_netns);
	print_ports(fp, "sip udp ports", c->sip_udp_ports, c->n_sip_udp_ports);
	print_ports(fp, "sip tcp ports", c->sip_tcp_ports, c->n_sip_tcp_ports);
	fprintf(fp, "\trtp ports %u - %u\n", c->rtp_low, c->rtp_high);
	fprintf(fp, "\tmedia from %s\n", c->media_anywhere ? "anywhere" :
	    "trunks only");
	print_nets(fp, "admin networks", c->admin_nets, c->n_admin_nets);
	print_nets(fp, "ignore networks", c->ignore_nets, c->n_ignore_nets);
	fprintf(fp, "\tsip rate %u burst %u\n", c->sip_rate, c->sip_burst);
	fprintf(fp, "\tban maximum prefix %u v6 %u\n", c->max_ban_prefix4,
	    c->max_ban_prefix6);
	print_role(fp, &c->role[PROC_FWD], 0);
	fprintf(fp, "}\n");

	fprintf(fp, "\nasterisk {\n");
	fprintf(fp, "\tami host %s port %u\n", c->ami_host, c->ami_port);
	print_kv2(fp, "ami user", c->ami_user, "secret file",
	    c->ami_secret_file);
	print_role(fp, &c->role[PROC_ASTD], 1);
	fprintf(fp, "}\n");

	fprintf(fp, "\nautoban {\n");
	fprintf(fp, "\tthreshold %u window %u\n", c->ab_threshold,
	    c->ab_window);
	fprintf(fp, "\tban time %u multiplier %u maximum %u\n",
	    c->ab_ban_time, c->ab_multiplier, c->ab_max_ban_time);
	fprintf(fp, "\tmemory %u\n", c->ab_memory);
	fprintf(fp, "\tipv6 prefix %u\n", c->ab_ipv6_prefix);
	fprintf(fp, "\tdry run %s\n", c->ab_dry_run ? "yes" : "no");
	for (i = 0; i < AB_EVENT_MAX; i++)
		fprintf(fp, "\tweight %s %u\n", ab_event_names[i],
		    c->ab_weight[i]);
	fprintf(fp, "}\n");
}
