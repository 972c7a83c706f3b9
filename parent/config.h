/*
 * trunkd.conf, as the parent holds it after parsing.  Flat and fixed-size so
 * that a reload can build a new one beside the old and swap.
 */
#ifndef TRUNKD_CONFIG_H
#define TRUNKD_CONFIG_H

#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

#define CONF_DEFAULT_PATH	"/etc/trunkd/trunkd.conf"
#define CONF_STR_MAX		PROTO_NAME_MAX		/* names, hosts */
#define CONF_PATH_MAX		PROTO_PATH_MAX
#define CONF_NETS_MAX		64
#define CONF_PORTS_MAX		8
#define CONF_QUOTE_MAX		64	/* a string quoted in a message */

/* One child's sandbox: the user it runs as and its chroot. */
struct conf_role {
	char		user[CONF_STR_MAX];	/* name or "#uid:gid" */
	uid_t		uid;			/* resolved when parsed */
	gid_t		gid;
	char		chroot[CONF_PATH_MAX];
};


struct trunkd_conf {
	char		path[CONF_PATH_MAX];		/* the file parsed */
	char		libexec[CONF_PATH_MAX];
	char		control_socket[CONF_PATH_MAX];
	struct conf_role role[PROC_MAX];		/* WEBD, DBD, FWD, ASTD */

	/* web */
	char		web_listen[CONF_STR_MAX];	/* address literal */
	uint16_t	web_port;
	char		tls_cert[CONF_PATH_MAX];
	char		tls_key[CONF_PATH_MAX];
	char		tls_client_ca[CONF_PATH_MAX];
	char		tls_crl[CONF_PATH_MAX];
	char		tls_groups[CONF_STR_MAX];
	char		csrf_key[CONF_PATH_MAX];
	uint32_t	web_max_connections;
	uint32_t	web_header_timeout;		/* seconds */
	uint32_t	web_idle_timeout;

	/* database */
	char		db_host[CONF_STR_MAX];
	uint16_t	db_port;
	char		db_name[CONF_STR_MAX];
	char		db_user[CONF_STR_MAX];
	char		db_password_file[CONF_PATH_MAX];
	char		db_owner_user[CONF_STR_MAX];
	char		db_owner_password_file[CONF_PATH_MAX];
	char		db_tls_ca[CONF_PATH_MAX];
	char		db_data_key_file[CONF_PATH_MAX];
	uint32_t	totp_max_failures;
	uint32_t	totp_lockout;			/* seconds */
	uint8_t		min_trunk_prefix4;		/* widest allowed */
	uint8_t		min_trunk_prefix6;

	/* firewall */
	char		fw_table[CONF_STR_MAX];
	char		fw_netns[CONF_STR_MAX];		/* "": the host's */
	uint16_t	sip_udp_ports[CONF_PORTS_MAX];
	size_t		n_sip_udp_ports;
	uint16_t	sip_tcp_ports[CONF_PORTS_MAX];
	size_t		n_sip_tcp_ports;
	uint16_t	rtp_low, rtp_high;
	int		media_anywhere;
	struct proto_net admin_nets[CONF_NETS_MAX];
	size_t		n_admin_nets;
	struct proto_net ignore_nets[CONF_NETS_MAX];
	size_t		n_ignore_nets;
	uint32_t	sip_rate;			/* packets/s per source */
	uint32_t	sip_burst;
	uint8_t		max_ban_prefix4;		/* widest ban */
	uint8_t		max_ban_prefix6;

	/* asterisk */
	char		ami_host[CONF_STR_MAX];
	uint16_t	ami_port;
	char		ami_user[CONF_STR_MAX];
	char		ami_secret_file[CONF_PATH_MAX];

	/* autoban */
	uint32_t	ab_threshold;
	uint32_t	ab_window;			/* seconds */
	uint32_t	ab_ban_time;			/* first sentence, seconds */
	uint32_t	ab_multiplier;
	uint32_t	ab_max_ban_time;
	uint32_t	ab_memory;			/* seconds offences are kept */
	uint8_t		ab_ipv6_prefix;
	int		ab_dry_run;
	uint32_t	ab_weight[AB_EVENT_MAX];
};

/*
 * Parse `path` into `conf` (defaults first, then the file).  On error
 * returns -1 after printing every "file:line: message" it found on
 * stderr; nothing of `conf` is to be used then.
 * check_perms: refuse a file not owned by root or readable by group/others.
 */
int	config_parse(const char *path, struct trunkd_conf *conf, int check_perms);
/* Print the configuration normalised, in the grammar it was read in. */
void	config_print(const struct trunkd_conf *, FILE *);
/* Refuse a secret/config file not owned by root or open to group/others. */
int	config_check_file(const char *path, char *err, size_t errlen);

/* Helpers of the parser, also used by the tests. */
void	config_defaults(struct trunkd_conf *);
/* A regular file; with check_perms also root-only (err without the path). */
int	config_check_fd(int fd, int check_perms, char *err, size_t errlen);
/* "192.0.2.0/24", "2001:db8::/32" or one address; host bits must be 0. */
int	config_net_parse(const char *, struct proto_net *, char *err,
	    size_t errlen);
int	config_net_format(const struct proto_net *, char *buf, size_t len);
/* s in double quotes for a message: escaped, long ones cut short. */
const char *config_quote(const char *s, char *buf, size_t len);
/* An IPv4 or IPv6 literal, normalised into out. */
int	config_addr_parse(const char *, char *out, size_t outlen);
/* A login or user name: letters, digits, "_", ".", "-"; not "-" first. */
int	config_name_ok(const char *);
/*
 * Set by `trunkctl setup`, which reads the file before it adds the users
 * named in it: an unknown user name is then kept with uid and gid 0.
 */
extern int config_users_later;
/* A user name (getpwnam) or "uid:gid" into r; root is refused. */
int	config_user_resolve(const char *, struct conf_role *r, char *err,
	    size_t errlen);

#endif /* TRUNKD_CONFIG_H */
