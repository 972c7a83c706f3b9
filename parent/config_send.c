/*
 * What each child is told: its sandbox, the key material it alone needs
 * (read here, from root-only files, and wiped after sending), and for webd
 * the listening socket.  The same is sent again on reload.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "util.h"

struct blob_source {
	enum proc_id		 role;
	enum conf_blob_kind	 kind;
	size_t			 path_off;	/* in struct trunkd_conf */
	int			 secret;	/* root-only, else root-owned */
	int			 optional;	/* an empty path sends nothing */
};

#define SRC(r, k, field, s, o) \
	{ PROC_##r, BLOB_##k, offsetof(struct trunkd_conf, field), (s), (o) }
static const struct blob_source blob_sources[] = {
	SRC(WEBD, TLS_CERT, tls_cert, 0, 0),
	SRC(WEBD, TLS_KEY, tls_key, 1, 0),
	SRC(WEBD, CLIENT_CA, tls_client_ca, 0, 0),
	SRC(WEBD, CLIENT_CRL, tls_crl, 0, 1),
	SRC(WEBD, CSRF_KEY, csrf_key, 1, 0),
	SRC(DBD, DB_PASSWORD, db_password_file, 1, 0),
	SRC(DBD, DB_CA, db_tls_ca, 0, 0),
	SRC(DBD, DATA_KEY, db_data_key_file, 1, 0),
	SRC(ASTD, AMI_SECRET, ami_secret_file, 1, 0),
};
#undef SRC

/*
 * Read a whole file owned by root into b->data.  Secrets must not be
 * readable by anyone else; public material must at least not be
 * writable by anyone else.
 */
static int
read_root_file(const char *path, int secret, struct msg_conf_blob *b)
{
	struct stat	sb;
	char		why[PROTO_ERR_MAX];
	ssize_t		n;
	size_t		len = 0;
	int		fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (secret) {
		if (config_check_fd(fd, 1, why, sizeof(why)) == -1) {
			log_warnx("%s: %s", path, why);
			goto fail;
		}
	} else if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != 0 || (sb.st_mode & 022) != 0) {
		/* Public material may be readable, never writable, by others. */
		log_warnx("%s: must be a regular file owned by root and not "
		    "writable by group or others", path);
		goto fail;
	}
	while ((n = read(fd, b->data + len, sizeof(b->data) - len)) > 0)
		len += (size_t)n;
	if (n == -1) {
		log_warn("%s", path);
		goto fail;
	}
	if (len == sizeof(b->data)) {
		log_warnx("%s: larger than %zu bytes", path, sizeof(b->data));
		goto fail;
	}
	if (len == 0) {
		log_warnx("%s: empty", path);
		goto fail;
	}
	close(fd);
	b->len = (uint32_t)len;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
send_blobs(enum proc_id role, const struct trunkd_conf *conf)
{
	struct msg_conf_blob	*b;
	const char		*path;
	size_t			 i;
	int			 rv = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	for (i = 0; i < nitems(blob_sources) && rv == 0; i++) {
		const struct blob_source *s = &blob_sources[i];

		if (s->role != role)
			continue;
		path = (const char *)conf + s->path_off;
		if (path[0] == '\0' && s->optional)
			continue;
		explicit_bzero(b, sizeof(*b));
		b->kind = s->kind;
		if (read_root_file(path, s->secret, b) == -1 ||
		    proc_send(role, MSG_CONF_BLOB, PROC_PARENT, -1, b,
		    MSG_CONF_BLOB_MIN + b->len) == -1)
			rv = -1;
	}
	freezero(b, sizeof(*b));
	return rv;
}

/* Can every file the children need be read?  Used before a reload. */
int
config_check_secrets(const struct trunkd_conf *conf)
{
	struct msg_conf_blob	*b;
	const char		*path;
	size_t			 i;
	int			 rv = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	for (i = 0; i < nitems(blob_sources); i++) {
		path = (const char *)conf + blob_sources[i].path_off;
		if (path[0] == '\0' && blob_sources[i].optional)
			continue;
		if (read_root_file(path, blob_sources[i].secret, b) == -1)
			rv = -1;
		explicit_bzero(b, sizeof(*b));
	}
	free(b);
	return rv;
}

_Static_assert(PROTO_AB_EVENTS == AB_EVENT_MAX, "autoban events");
_Static_assert(PROTO_CONF_NETS == CONF_NETS_MAX, "network lists");
_Static_assert(PROTO_CONF_PORTS == CONF_PORTS_MAX, "port lists");

static int
send_webd(const struct trunkd_conf *conf)
{
	struct msg_conf_webd	m;

	memset(&m, 0, sizeof(m));
	m.max_connections = conf->web_max_connections;
	m.header_timeout = conf->web_header_timeout;
	m.idle_timeout = conf->web_idle_timeout;
	if (strlcpy_ok(m.tls_groups, conf->tls_groups,
	    sizeof(m.tls_groups)) == -1)
		return -1;
	return proc_send(PROC_WEBD, MSG_CONF_WEBD, PROC_PARENT, -1, &m,
	    sizeof(m));
}

static int
send_dbd(const struct trunkd_conf *conf)
{
	struct msg_conf_dbd	m;

	memset(&m, 0, sizeof(m));
	if (strlcpy_ok(m.host, conf->db_host, sizeof(m.host)) == -1 ||
	    strlcpy_ok(m.name, conf->db_name, sizeof(m.name)) == -1 ||
	    strlcpy_ok(m.user, conf->db_user, sizeof(m.user)) == -1)
		return -1;
	m.port = conf->db_port;
	m.min_trunk_prefix4 = conf->min_trunk_prefix4;
	m.min_trunk_prefix6 = conf->min_trunk_prefix6;
	m.totp_max_failures = conf->totp_max_failures;
	m.totp_lockout = conf->totp_lockout;
	return proc_send(PROC_DBD, MSG_CONF_DBD, PROC_PARENT, -1, &m,
	    sizeof(m));
}

static int
send_fwd(const struct trunkd_conf *conf)
{
	struct msg_conf_fwd	m;

	memset(&m, 0, sizeof(m));
	if (strlcpy_ok(m.table, conf->fw_table, sizeof(m.table)) == -1)
		return -1;
	memcpy(m.sip_udp_ports, conf->sip_udp_ports,
	    sizeof(m.sip_udp_ports));
	memcpy(m.sip_tcp_ports, conf->sip_tcp_ports,
	    sizeof(m.sip_tcp_ports));
	m.n_sip_udp_ports = (uint32_t)conf->n_sip_udp_ports;
	m.n_sip_tcp_ports = (uint32_t)conf->n_sip_tcp_ports;
	m.rtp_low = conf->rtp_low;
	m.rtp_high = conf->rtp_high;
	m.web_port = conf->web_port;
	m.media_anywhere = conf->media_anywhere != 0;
	m.sip_rate = conf->sip_rate;
	m.sip_burst = conf->sip_burst;
	m.max_ban_prefix4 = conf->max_ban_prefix4;
	m.max_ban_prefix6 = conf->max_ban_prefix6;
	m.n_admin_nets = (uint32_t)conf->n_admin_nets;
	m.n_ignore_nets = (uint32_t)conf->n_ignore_nets;
	memcpy(m.admin_nets, conf->admin_nets, sizeof(m.admin_nets));
	memcpy(m.ignore_nets, conf->ignore_nets, sizeof(m.ignore_nets));
	return proc_send(PROC_FWD, MSG_CONF_FWD, PROC_PARENT, -1, &m,
	    sizeof(m));
}

static int
send_astd(const struct trunkd_conf *conf)
{
	struct msg_conf_astd	m;

	memset(&m, 0, sizeof(m));
	if (strlcpy_ok(m.ami_host, conf->ami_host, sizeof(m.ami_host)) ==
	    -1 || strlcpy_ok(m.ami_user, conf->ami_user,
	    sizeof(m.ami_user)) == -1)
		return -1;
	m.ami_port = conf->ami_port;
	m.ab_ipv6_prefix = conf->ab_ipv6_prefix;
	m.ab_dry_run = conf->ab_dry_run != 0;
	m.ab_threshold = conf->ab_threshold;
	m.ab_window = conf->ab_window;
	m.ab_ban_time = conf->ab_ban_time;
	m.ab_multiplier = conf->ab_multiplier;
	m.ab_max_ban_time = conf->ab_max_ban_time;
	m.ab_memory = conf->ab_memory;
	memcpy(m.ab_weight, conf->ab_weight, sizeof(m.ab_weight));
	m.n_ignore_nets = (uint32_t)conf->n_ignore_nets;
	memcpy(m.ignore_nets, conf->ignore_nets, sizeof(m.ignore_nets));
	return proc_send(PROC_ASTD, MSG_CONF_ASTD, PROC_PARENT, -1, &m,
	    sizeof(m));
}

static int (*const send_role[PROC_MAX])(const struct trunkd_conf *) = {
	[PROC_WEBD] = send_webd,
	[PROC_DBD] = send_dbd,
	[PROC_FWD] = send_fwd,
	[PROC_ASTD] = send_astd,
};

int
config_send(enum proc_id role, const struct trunkd_conf *conf)
{
	struct msg_conf_sandbox	 sb;
	const struct conf_role	*r = &conf->role[role];
	int			 fd;

	memset(&sb, 0, sizeof(sb));
	sb.uid = r->uid;
	sb.gid = r->gid;
	sb.verbose = (uint32_t)env->verbose;
	if (strlcpy_ok(sb.chroot, r->chroot, sizeof(sb.chroot)) == -1)
		return -1;
	if (proc_send(role, MSG_CONF_SANDBOX, PROC_PARENT, -1, &sb,
	    sizeof(sb)) == -1 || send_role[role](conf) == -1 ||
	    send_blobs(role, conf) == -1)
		return -1;
	if (role == PROC_WEBD && !env->children[role].config_done) {
		if ((fd = dup(env->listen_fd)) == -1 ||
		    proc_send(role, MSG_CONF_LISTEN, PROC_PARENT, fd, NULL,
		    0) == -1)
			return -1;
	}
	return proc_send(role, MSG_CONF_END, PROC_PARENT, -1, NULL, 0);
}
