/*
 * trunkd.conf: the grammar and its lexer, in the OpenBSD parse.y way.
 *
 * One statement per line.  Errors are printed as "file:line: message" and
 * parsing goes on (yacc error recovery skips to the end of the bad line) so
 * that one run lists every mistake it can find.
 */

%{
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent/config.h"

#define LEX_MAX		4096	/* longest token the lexer accepts */

/*
 * Settings that may be given once, by block.  A required one missing at
 * the end is an error; so is anything given twice.
 */
#define CONF_ITEMS(X)							\
	X(LIBEXEC,	"libexec",		TOP,		0)	\
	X(CONTROL,	"control socket",	TOP,		0)	\
	X(WEB,		"web",			TOP,		1)	\
	X(DATABASE,	"database",		TOP,		1)	\
	X(FIREWALL,	"firewall",		TOP,		0)	\
	X(ASTERISK,	"asterisk",		TOP,		1)	\
	X(AUTOBAN,	"autoban",		TOP,		0)	\
	X(LISTEN,	"listen on",		WEB,		0)	\
	X(TLS_CERT,	"tls certificate",	WEB,		1)	\
	X(TLS_KEY,	"tls key",		WEB,		1)	\
	X(CLIENT_CA,	"tls client ca",	WEB,		1)	\
	X(CRL,		"tls crl",		WEB,		0)	\
	X(GROUPS,	"tls groups",		WEB,		0)	\
	X(CSRF,		"csrf key",		WEB,		1)	\
	X(MAXCONN,	"max connections",	WEB,		0)	\
	X(HDR_TMO,	"header timeout",	WEB,		0)	\
	X(IDLE_TMO,	"idle timeout",		WEB,		0)	\
	X(WEB_USER,	"user",			WEB,		0)	\
	X(WEB_CHROOT,	"chroot",		WEB,		0)	\
	X(DB_HOST,	"host",			DATABASE,	0)	\
	X(DB_NAME,	"name",			DATABASE,	0)	\
	X(DB_LOGIN,	"user ... password file", DATABASE,	1)	\
	X(DB_OWNER,	"owner",		DATABASE,	0)	\
	X(DB_CA,	"tls ca",		DATABASE,	1)	\
	X(DATA_KEY,	"data key",		DATABASE,	1)	\
	X(TOTP,		"totp",			DATABASE,	0)	\
	X(TRUNK_PFX,	"trunk minimum prefix",	DATABASE,	0)	\
	X(DB_USER,	"user",			DATABASE,	0)	\
	X(DB_CHROOT,	"chroot",		DATABASE,	0)	\
	X(TABLE,	"table",		FIREWALL,	0)	\
	X(FW_NETNS,	"namespace",		FIREWALL,	0)	\
	X(SIP_UDP,	"sip udp ports",	FIREWALL,	0)	\
	X(SIP_TCP,	"sip tcp ports",	FIREWALL,	0)	\
	X(RTP,		"rtp ports",		FIREWALL,	0)	\
	X(MEDIA,	"media from",		FIREWALL,	0)	\
	X(ADMIN_NETS,	"admin networks",	FIREWALL,	0)	\
	X(IGNORE_NETS,	"ignore networks",	FIREWALL,	0)	\
	X(SIP_RATE,	"sip rate",		FIREWALL,	0)	\
	X(BAN_PFX,	"ban maximum prefix",	FIREWALL,	0)	\
	X(FW_CHROOT,	"chroot",		FIREWALL,	0)	\
	X(AMI_HOST,	"ami host",		ASTERISK,	0)	\
	X(AMI_USER,	"ami user",		ASTERISK,	1)	\
	X(AST_USER,	"user",			ASTERISK,	0)	\
	X(AST_CHROOT,	"chroot",		ASTERISK,	0)	\
	X(THRESHOLD,	"threshold",		AUTOBAN,	0)	\
	X(BAN_TIME,	"ban time",		AUTOBAN,	0)	\
	X(MEMORY,	"memory",		AUTOBAN,	0)	\
	X(AB_V6PFX,	"ipv6 prefix",		AUTOBAN,	0)	\
	X(DRY_RUN,	"dry run",		AUTOBAN,	0)

enum item {
	I_TOP = -1,
#define ITEM_ENUM(id, name, block, req)	I_##id,
	CONF_ITEMS(ITEM_ENUM)
#undef ITEM_ENUM
	I_MAX
};

static const struct item_spec {
	const char	*name;
	enum item	 block;		/* I_TOP for a block itself */
	int		 required;
} items[I_MAX] = {
#define ITEM_SPEC(id, name, block, req)	[I_##id] = { name, I_##block, req },
	CONF_ITEMS(ITEM_SPEC)
#undef ITEM_SPEC
};

/* The block, user and chroot items of each child. */
static const struct {
	enum item	block, user, chroot;
} role_items[PROC_MAX] = {
	[PROC_WEBD] = { I_WEB, I_WEB_USER, I_WEB_CHROOT },
	[PROC_DBD] = { I_DATABASE, I_DB_USER, I_DB_CHROOT },
	[PROC_FWD] = { I_FIREWALL, I_MAX, I_FW_CHROOT },
	[PROC_ASTD] = { I_ASTERISK, I_AST_USER, I_AST_CHROOT },
};

/* Everything one parse works on; reset by config_parse(). */
static struct {
	struct trunkd_conf	*conf;
	FILE			*fp;
	const char		*name;
	int			 lineno;
	int			 errors;
	int			 tokens;	/* besides newlines */
	int			 last;		/* last token returned */
	int			 eof_nl;	/* the newline before EOF sent */
	int			 reported;	/* the lexer explained it */
	int			 bare;		/* last STRING was unquoted */
	int			 linestart;	/* last token began its line */
	char			 text[CONF_QUOTE_MAX];
	int			 seen[I_MAX];	/* line set on, 0 = never */
	int			 weight_seen[AB_EVENT_MAX];
	enum proc_id		 role;		/* block being read */
	/* the list statement being read */
	uint16_t		*ports;
	size_t			*n_ports;
	struct proto_net	*nets;
	size_t			*n_nets;
	int			 list_full;
} st;

static int	yylex(void);
static void	yyerror(const char *);
static void	conf_err(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	once(enum item, int);
static void	block_begin(enum item, enum proc_id, int);
static int	inrange(int64_t, int, const char *, int64_t, int64_t);
static void	set_str(char *, size_t, char *, int, const char *);
static void	set_path(char *, size_t, char *, int, const char *);
static void	set_name(char *, size_t, char *, int, const char *);
static void	set_ident(char *, size_t, char *, int, const char *);
static void	set_addr(char *, size_t, char *, int, const char *);
static void	set_user(char *, int);
static void	list_ports(uint16_t *, size_t *);
static void	list_nets(struct proto_net *, size_t *);
static void	port_add(int64_t, int);
static void	net_add(char *, int);
static void	set_weight(char *, int, int64_t, int);
static void	conf_finish(void);
static const char *q(const char *);

#define C	(st.conf)
%}

%define api.token.prefix {T_}
%locations
%expect 0

%union {
	int64_t		 number;
	char		*string;
}

%token	ADMIN AMI ANYWHERE ASTERISK AUTOBAN BAN BURST CA CERTIFICATE CHROOT
%token	CLIENT CONNECTIONS CONTROL CRL CSRF DATA DATABASE DRY FAILURES FILE
%token	FIREWALL FROM GROUPS HEADER HOST IDLE IGNORE IPV6 KEY LIBEXEC LISTEN
%token	LOCKOUT MAX MAXIMUM MEDIA MEMORY MINIMUM MULTIPLIER NAME NETWORKS
%token	NO ON ONLY OWNER PASSWORD PORT PORTS PREFIX RATE RTP RUN SECRET SIP
%token	NAMESPACE
%token	SOCKET TABLE TCP THRESHOLD TIME TIMEOUT TLS TOTP TRUNK TRUNKS UDP USER
%token	V6 WEB WEIGHT WINDOW YES
%token	ERROR
%token	<string>	STRING
%token	<number>	NUMBER
%type	<number>	number port optport yesno
%destructor { free($$); } <string>

%%

grammar		: %empty
		| grammar '\n'
		| grammar main '\n'
		| grammar error '\n'		{ yyerrok; }
		;

optnl		: %empty
		| optnl '\n'
		;

nl		: '\n' optnl
		;

optcomma	: %empty
		| ','
		;

/* Where a number is expected any word is read, to say why it is not one. */
number		: NUMBER
		| STRING {
			conf_err(@1.first_line, "number %s invalid", q($1));
			free($1);
			$$ = -1;
		}
		;

port		: number {
			$$ = inrange($1, @1.first_line, "port", 1, 65535) ?
			    $1 : 0;
		}
		;

optport		: %empty			{ $$ = 0; }
		| PORT port			{ $$ = $2; }
		;

yesno		: YES				{ $$ = 1; }
		| NO				{ $$ = 0; }
		;

main		: LIBEXEC STRING {
			once(I_LIBEXEC, @1.first_line);
			set_path(C->libexec, sizeof(C->libexec), $2,
			    @2.first_line, "libexec");
		}
		| CONTROL SOCKET STRING {
			once(I_CONTROL, @1.first_line);
			set_path(C->control_socket, sizeof(C->control_socket),
			    $3, @3.first_line, "control socket");
		}
		| WEB {
			block_begin(I_WEB, PROC_WEBD, @1.first_line);
		} '{' optnl webopts '}'
		| DATABASE {
			block_begin(I_DATABASE, PROC_DBD, @1.first_line);
		} '{' optnl dbopts '}'
		| FIREWALL {
			block_begin(I_FIREWALL, PROC_FWD, @1.first_line);
		} '{' optnl fwopts '}'
		| ASTERISK {
			block_begin(I_ASTERISK, PROC_ASTD, @1.first_line);
		} '{' optnl astopts '}'
		| AUTOBAN {
			block_begin(I_AUTOBAN, PROC_PARENT, @1.first_line);
		} '{' optnl abopts '}'
		;

/* user and chroot of the block's process */
roleopt		: USER STRING			{ set_user($2, @2.first_line); }
		| USER NUMBER {
			conf_err(@2.first_line, "user %" PRId64 ": give a name "
			    "or uid:gid", $2);
		}
		| CHROOT STRING {
			once(role_items[st.role].chroot, @1.first_line);
			set_path(C->role[st.role].chroot,
			    sizeof(C->role[st.role].chroot), $2,
			    @2.first_line, "chroot");
		}
		;

webopts		: %empty
		| webopts webopt nl
		| webopts error nl		{ yyerrok; }
		;

webopt		: LISTEN ON STRING optport {
			once(I_LISTEN, @1.first_line);
			set_addr(C->web_listen, sizeof(C->web_listen), $3,
			    @3.first_line, "listen on");
			if ($4 != 0)
				C->web_port = $4;
		}
		| TLS CERTIFICATE STRING {
			once(I_TLS_CERT, @1.first_line);
			set_path(C->tls_cert, sizeof(C->tls_cert), $3,
			    @3.first_line, "tls certificate");
		}
		| TLS KEY STRING {
			once(I_TLS_KEY, @1.first_line);
			set_path(C->tls_key, sizeof(C->tls_key), $3,
			    @3.first_line, "tls key");
		}
		| TLS CLIENT CA STRING {
			once(I_CLIENT_CA, @1.first_line);
			set_path(C->tls_client_ca, sizeof(C->tls_client_ca), $4,
			    @4.first_line, "tls client ca");
		}
		| TLS CRL STRING {
			once(I_CRL, @1.first_line);
			set_path(C->tls_crl, sizeof(C->tls_crl), $3,
			    @3.first_line, "tls crl");
		}
		| TLS GROUPS STRING {
			once(I_GROUPS, @1.first_line);
			set_str(C->tls_groups, sizeof(C->tls_groups), $3,
			    @3.first_line, "tls groups");
			if (strspn(C->tls_groups, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789:_-") !=
			    strlen(C->tls_groups))
				conf_err(@3.first_line, "tls groups: use names "
				    "separated by \":\"");
		}
		| CSRF KEY STRING {
			once(I_CSRF, @1.first_line);
			set_path(C->csrf_key, sizeof(C->csrf_key), $3,
			    @3.first_line, "csrf key");
		}
		| MAX CONNECTIONS number {
			once(I_MAXCONN, @1.first_line);
			if (inrange($3, @3.first_line, "max connections", 1,
			    100000))
				C->web_max_connections = $3;
		}
		| HEADER TIMEOUT number {
			once(I_HDR_TMO, @1.first_line);
			if (inrange($3, @3.first_line, "header timeout", 1,
			    3600))
				C->web_header_timeout = $3;
		}
		| IDLE TIMEOUT number {
			once(I_IDLE_TMO, @1.first_line);
			if (inrange($3, @3.first_line, "idle timeout", 1,
			    86400))
				C->web_idle_timeout = $3;
		}
		| roleopt
		;

dbopts		: %empty
		| dbopts dbopt nl
		| dbopts error nl		{ yyerrok; }
		;

dbopt		: HOST STRING optport {
			once(I_DB_HOST, @1.first_line);
			set_addr(C->db_host, sizeof(C->db_host), $2,
			    @2.first_line, "host");
			if ($3 != 0)
				C->db_port = $3;
		}
		| NAME STRING {
			once(I_DB_NAME, @1.first_line);
			set_ident(C->db_name, sizeof(C->db_name), $2,
			    @2.first_line, "name");
		}
		| USER STRING PASSWORD FILE STRING {	/* not roleopt's */
			once(I_DB_LOGIN, @1.first_line);
			set_name(C->db_user, sizeof(C->db_user), $2,
			    @2.first_line, "user");
			set_path(C->db_password_file,
			    sizeof(C->db_password_file), $5, @5.first_line,
			    "password file");
		}
		| OWNER STRING PASSWORD FILE STRING {
			once(I_DB_OWNER, @1.first_line);
			set_name(C->db_owner_user, sizeof(C->db_owner_user), $2,
			    @2.first_line, "owner");
			set_path(C->db_owner_password_file,
			    sizeof(C->db_owner_password_file), $5,
			    @5.first_line, "password file");
		}
		| TLS CA STRING {
			once(I_DB_CA, @1.first_line);
			set_path(C->db_tls_ca, sizeof(C->db_tls_ca), $3,
			    @3.first_line, "tls ca");
		}
		| DATA KEY STRING {
			once(I_DATA_KEY, @1.first_line);
			set_path(C->db_data_key_file,
			    sizeof(C->db_data_key_file), $3, @3.first_line,
			    "data key");
		}
		| TOTP FAILURES number LOCKOUT number {
			once(I_TOTP, @1.first_line);
			if (inrange($3, @3.first_line, "totp failures", 1, 100))
				C->totp_max_failures = $3;
			if (inrange($5, @5.first_line, "totp lockout", 1,
			    604800))
				C->totp_lockout = $5;
		}
		| TRUNK MINIMUM PREFIX number V6 number {
			once(I_TRUNK_PFX, @1.first_line);
			if (inrange($4, @4.first_line, "trunk minimum prefix",
			    1, 32))
				C->min_trunk_prefix4 = $4;
			if (inrange($6, @6.first_line,
			    "trunk minimum prefix v6", 1, 128))
				C->min_trunk_prefix6 = $6;
		}
		| roleopt
		;

fwopts		: %empty
		| fwopts fwopt nl
		| fwopts error nl		{ yyerrok; }
		;

fwopt		: TABLE STRING {
			once(I_TABLE, @1.first_line);
			set_ident(C->fw_table, sizeof(C->fw_table), $2,
			    @2.first_line, "table");
		}
		| NAMESPACE STRING {
			once(I_FW_NETNS, @1.first_line);
			set_ident(C->fw_netns, sizeof(C->fw_netns), $2,
			    @2.first_line, "namespace");
		}
		| SIP UDP PORTS {
			once(I_SIP_UDP, @1.first_line);
			list_ports(C->sip_udp_ports, &C->n_sip_udp_ports);
		} portlist
		| SIP TCP PORTS {
			once(I_SIP_TCP, @1.first_line);
			list_ports(C->sip_tcp_ports, &C->n_sip_tcp_ports);
		} portlist
		| RTP PORTS port '-' port {
			once(I_RTP, @1.first_line);
			if ($3 != 0 && $5 != 0 && $3 > $5)
				conf_err(@5.first_line, "rtp ports %" PRId64
				    " - %" PRId64 ": low end above high end",
				    $3, $5);
			else if ($3 != 0 && $5 != 0) {
				C->rtp_low = $3;
				C->rtp_high = $5;
			}
		}
		| MEDIA FROM TRUNKS ONLY {
			once(I_MEDIA, @1.first_line);
			C->media_anywhere = 0;
		}
		| MEDIA FROM ANYWHERE {
			once(I_MEDIA, @1.first_line);
			C->media_anywhere = 1;
		}
		| ADMIN NETWORKS {
			once(I_ADMIN_NETS, @1.first_line);
			list_nets(C->admin_nets, &C->n_admin_nets);
		} netlist
		| IGNORE NETWORKS {
			once(I_IGNORE_NETS, @1.first_line);
			list_nets(C->ignore_nets, &C->n_ignore_nets);
		} netlist
		| SIP RATE number BURST number {
			once(I_SIP_RATE, @1.first_line);
			if (inrange($3, @3.first_line, "sip rate", 1, 1000000))
				C->sip_rate = $3;
			if (inrange($5, @5.first_line, "sip burst", 1, 1000000))
				C->sip_burst = $5;
		}
		| BAN MAXIMUM PREFIX number V6 number {
			once(I_BAN_PFX, @1.first_line);
			if (inrange($4, @4.first_line, "ban maximum prefix", 1,
			    32))
				C->max_ban_prefix4 = $4;
			if (inrange($6, @6.first_line, "ban maximum prefix v6",
			    1, 128))
				C->max_ban_prefix6 = $6;
		}
		| CHROOT STRING {
			once(I_FW_CHROOT, @1.first_line);
			set_path(C->role[PROC_FWD].chroot,
			    sizeof(C->role[PROC_FWD].chroot), $2,
			    @2.first_line, "chroot");
		}
		| USER STRING {
			conf_err(@1.first_line, "firewall: no user: fwd runs "
			    "as root with CAP_NET_ADMIN only");
			free($2);
		}
		;

portlist	: number			{ port_add($1, @1.first_line); }
		| '{' optnl ports '}'
		;

ports		: %empty
		| ports number optcomma optnl	{ port_add($2, @2.first_line); }
		;

netlist		: STRING			{ net_add($1, @1.first_line); }
		| '{' optnl nets '}'
		;

nets		: %empty
		| nets STRING optcomma optnl	{ net_add($2, @2.first_line); }
		;

astopts		: %empty
		| astopts astopt nl
		| astopts error nl		{ yyerrok; }
		;

astopt		: AMI HOST STRING optport {
			once(I_AMI_HOST, @1.first_line);
			set_addr(C->ami_host, sizeof(C->ami_host), $3,
			    @3.first_line, "ami host");
			if ($4 != 0)
				C->ami_port = $4;
		}
		| AMI USER STRING SECRET FILE STRING {
			once(I_AMI_USER, @1.first_line);
			set_name(C->ami_user, sizeof(C->ami_user), $3,
			    @3.first_line, "ami user");
			set_path(C->ami_secret_file, sizeof(C->ami_secret_file),
			    $6, @6.first_line, "secret file");
		}
		| roleopt
		;

abopts		: %empty
		| abopts abopt nl
		| abopts error nl		{ yyerrok; }
		;

abopt		: THRESHOLD number WINDOW number {
			once(I_THRESHOLD, @1.first_line);
			if (inrange($2, @2.first_line, "threshold", 1, 1000))
				C->ab_threshold = $2;
			if (inrange($4, @4.first_line, "window", 1, 86400))
				C->ab_window = $4;
		}
		| BAN TIME number MULTIPLIER number MAXIMUM number {
			once(I_BAN_TIME, @1.first_line);
			if (inrange($3, @3.first_line, "ban time", 1, 31536000))
				C->ab_ban_time = $3;
			if (inrange($5, @5.first_line, "multiplier", 1, 100))
				C->ab_multiplier = $5;
			if (inrange($7, @7.first_line, "maximum", 1, 31536000))
				C->ab_max_ban_time = $7;
		}
		| MEMORY number {
			once(I_MEMORY, @1.first_line);
			if (inrange($2, @2.first_line, "memory", 1, 31536000))
				C->ab_memory = $2;
		}
		| IPV6 PREFIX number {
			once(I_AB_V6PFX, @1.first_line);
			if (inrange($3, @3.first_line, "ipv6 prefix", 1, 128))
				C->ab_ipv6_prefix = $3;
		}
		| DRY RUN yesno {
			once(I_DRY_RUN, @1.first_line);
			C->ab_dry_run = $3;
		}
		| WEIGHT STRING number {
			set_weight($2, @2.first_line, $3, @3.first_line);
		}
		;

%%

static const struct keyword {
	const char	*name;
	int		 token;
} keywords[] = {	/* sorted for bsearch */
	{ "admin",		T_ADMIN },
	{ "ami",		T_AMI },
	{ "anywhere",		T_ANYWHERE },
	{ "asterisk",		T_ASTERISK },
	{ "autoban",		T_AUTOBAN },
	{ "ban",		T_BAN },
	{ "burst",		T_BURST },
	{ "ca",			T_CA },
	{ "certificate",	T_CERTIFICATE },
	{ "chroot",		T_CHROOT },
	{ "client",		T_CLIENT },
	{ "connections",	T_CONNECTIONS },
	{ "control",		T_CONTROL },
	{ "crl",		T_CRL },
	{ "csrf",		T_CSRF },
	{ "data",		T_DATA },
	{ "database",		T_DATABASE },
	{ "dry",		T_DRY },
	{ "failures",		T_FAILURES },
	{ "file",		T_FILE },
	{ "firewall",		T_FIREWALL },
	{ "from",		T_FROM },
	{ "groups",		T_GROUPS },
	{ "header",		T_HEADER },
	{ "host",		T_HOST },
	{ "idle",		T_IDLE },
	{ "ignore",		T_IGNORE },
	{ "ipv6",		T_IPV6 },
	{ "key",		T_KEY },
	{ "libexec",		T_LIBEXEC },
	{ "listen",		T_LISTEN },
	{ "lockout",		T_LOCKOUT },
	{ "max",		T_MAX },
	{ "maximum",		T_MAXIMUM },
	{ "media",		T_MEDIA },
	{ "memory",		T_MEMORY },
	{ "minimum",		T_MINIMUM },
	{ "multiplier",		T_MULTIPLIER },
	{ "name",		T_NAME },
	{ "namespace",		T_NAMESPACE },
	{ "networks",		T_NETWORKS },
	{ "no",			T_NO },
	{ "on",			T_ON },
	{ "only",		T_ONLY },
	{ "owner",		T_OWNER },
	{ "password",		T_PASSWORD },
	{ "port",		T_PORT },
	{ "ports",		T_PORTS },
	{ "prefix",		T_PREFIX },
	{ "rate",		T_RATE },
	{ "rtp",		T_RTP },
	{ "run",		T_RUN },
	{ "secret",		T_SECRET },
	{ "sip",		T_SIP },
	{ "socket",		T_SOCKET },
	{ "table",		T_TABLE },
	{ "tcp",		T_TCP },
	{ "threshold",		T_THRESHOLD },
	{ "time",		T_TIME },
	{ "timeout",		T_TIMEOUT },
	{ "tls",		T_TLS },
	{ "totp",		T_TOTP },
	{ "trunk",		T_TRUNK },
	{ "trunks",		T_TRUNKS },
	{ "udp",		T_UDP },
	{ "user",		T_USER },
	{ "v6",			T_V6 },
	{ "web",		T_WEB },
	{ "weight",		T_WEIGHT },
	{ "window",		T_WINDOW },
	{ "yes",		T_YES },
};

static int
kw_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct keyword *)e)->name);
}

static const struct keyword *
kw_lookup(const char *s)
{
	return bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
}

static void
conf_verr(int line, const char *fmt, va_list ap)
{
	if (line > 0)
		fprintf(stderr, "%s:%d: ", st.name, line);
	else
		fprintf(stderr, "%s: ", st.name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	st.errors++;
}

static void
conf_err(int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conf_verr(line, fmt, ap);
	va_end(ap);
}

/* A string for a message; two may be used in one. */
static const char *
q(const char *s)
{
	static char	buf[2][CONF_QUOTE_MAX];
	static int	n;

	n = !n;
	return config_quote(s, buf[n], sizeof(buf[n]));
}

/* A syntax error: say what the offending token was. */
static void
yyerror(const char *msg)
{
	int	line = yylloc.first_line;

	if (st.reported) {		/* the lexer already said why */
		st.reported = 0;
		return;
	}
	if (strcmp(msg, "syntax error") != 0)
		conf_err(line, "%s", msg);
	else if (st.last == 0)
		conf_err(line, "unexpected end of file (missing \"}\"?)");
	else if (st.last == '\n')
		conf_err(line, "unexpected end of line");
	else if (st.last == T_STRING && st.bare && st.linestart)
		conf_err(line, "unknown keyword %s", q(st.text));
	else if (st.last == T_STRING)
		conf_err(line, "unexpected string %s", q(st.text));
	else if (st.last == T_NUMBER)
		conf_err(line, "unexpected number %s", st.text);
	else
		conf_err(line, "unexpected \"%s\"", st.text);
}

static int
lgetc(void)
{
	int	c;

	c = getc(st.fp);
	if (c == '\r')			/* CRLF files read as LF */
		c = ' ';
	return c;
}

static void
lungetc(int c)
{
	if (c != EOF)
		ungetc(c, st.fp);
}

static int
in_word(int c)
{
	return c != EOF && (isalnum(c) || strchr("._-:/%", c) != NULL);
}

/*
 * The rest of a quoted string; `line` is where it began.  A bad escape or
 * byte, or a missing closing quote, is reported and the string kept as
 * read, so that its statement is still checked; only an overlong string
 * is an error token.
 */
static int
lex_quoted(char *buf, int line)
{
	size_t	len = 0;
	int	c, said = 0, toolong = 0;

	for (;;) {
		if ((c = lgetc()) == EOF || c == '\n') {
			lungetc(c);
			conf_err(line, "unterminated quoted string");
			break;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			c = lgetc();
			if (c == '\n') {	/* continued on the next line */
				st.lineno++;
				continue;
			}
			if (c != '"' && c != '\\') {
				lungetc(c);
				if (!said)
					conf_err(st.lineno, "bad escape in "
					    "quoted string (only \\\" and "
					    "\\\\)");
				said = 1;
				continue;
			}
		} else if (c == 0 || (c < 0x20 && c != '\t') || c == 0x7f) {
			if (!said)
				conf_err(st.lineno, "control character in "
				    "quoted string");
			said = 1;
			continue;
		}
		if (len + 1 >= LEX_MAX) {
			toolong = 1;
			continue;
		}
		buf[len++] = (char)c;
	}
	buf[len] = '\0';
	if (toolong) {
		conf_err(line, "string too long (max %d)", LEX_MAX - 1);
		return -1;
	}
	return 0;
}

/* Remember the token for yyerror(). */
static int
lex_token(int token, const char *text, int linestart)
{
	st.last = token;
	st.linestart = linestart;
	if (strlcpy(st.text, text, sizeof(st.text)) >= sizeof(st.text))
		memcpy(st.text + sizeof(st.text) - 4, "...", 4);
	if (token != '\n' && token != 0)
		st.tokens++;
	return token;
}

static int
yylex(void)
{
	char			 buf[LEX_MAX];
	const struct keyword	*kw;
	const char		*errstr;
	size_t			 len;
	int			 c, linestart;

	st.reported = 0;
	st.bare = 0;
	linestart = (st.last == '\n' || st.last == '{' || st.tokens == 0);
top:
	while ((c = lgetc()) == ' ' || c == '\t')
		;
	if (c == '#')
		while ((c = lgetc()) != '\n' && c != EOF)
			;
	if (c == '\\') {
		if ((c = lgetc()) == '\n') {	/* a continued line */
			st.lineno++;
			goto top;
		}
		lungetc(c);
		c = '\\';
	}
	yylloc.first_line = yylloc.last_line = st.lineno;
	if (c == EOF) {
		/* every statement ends with a newline, even the last */
		if (!st.eof_nl && st.last != '\n' && st.last != 0) {
			st.eof_nl = 1;
			return lex_token('\n', "newline", 0);
		}
		return lex_token(0, "end of file", 0);
	}
	if (c == '\n') {
		st.lineno++;
		return lex_token('\n', "newline", 0);
	}
	if (c == '"') {
		if (lex_quoted(buf, st.lineno) == -1) {
			st.reported = 1;
			return lex_token(T_ERROR, "", linestart);
		}
		if ((yylval.string = strdup(buf)) == NULL) {
			conf_err(st.lineno, "%s", strerror(errno));
			st.reported = 1;
			return lex_token(T_ERROR, "", linestart);
		}
		return lex_token(T_STRING, buf, linestart);
	}
	if (!in_word(c) || c == '-') {
		if (c == '{' || c == '}' || c == ',' || c == '-')
			return lex_token(c, (char []){ (char)c, '\0' },
			    linestart);
		if (isprint(c))
			conf_err(st.lineno, "unexpected character '%c'", c);
		else
			conf_err(st.lineno, "unexpected byte 0x%02x", c);
		st.reported = 1;
		return lex_token(T_ERROR, "", linestart);
	}

	/*
	 * A word: a keyword, a number, or a bare string (an address, a
	 * network, a name).  A word that starts with a digit ends before a
	 * '-', so that "10000-20000" reads as a range as "10000 - 20000" does.
	 */
	len = 0;
	do {
		if (len + 1 >= LEX_MAX) {
			conf_err(st.lineno, "word too long (max %d)",
			    LEX_MAX - 1);
			while (in_word(c = lgetc()))
				;
			lungetc(c);
			st.reported = 1;
			return lex_token(T_ERROR, "", linestart);
		}
		buf[len++] = (char)c;
		c = lgetc();
	} while (in_word(c) && !(c == '-' && isdigit((unsigned char)buf[0])));
	lungetc(c);
	buf[len] = '\0';

	if (strspn(buf, "0123456789") == len) {
		yylval.number = strtonum(buf, 0, INT64_MAX, &errstr);
		if (errstr != NULL) {
			conf_err(st.lineno, "number %s too large", q(buf));
			st.reported = 1;
			return lex_token(T_ERROR, "", linestart);
		}
		return lex_token(T_NUMBER, buf, linestart);
	}
	if ((kw = kw_lookup(buf)) != NULL)
		return lex_token(kw->token, buf, linestart);
	if ((yylval.string = strdup(buf)) == NULL) {
		conf_err(st.lineno, "%s", strerror(errno));
		st.reported = 1;
		return lex_token(T_ERROR, "", linestart);
	}
	st.bare = 1;
	return lex_token(T_STRING, buf, linestart);
}

/* A setting given twice is an error; a block given twice too. */
static void
once(enum item it, int line)
{
	if (it < 0 || it >= I_MAX)
		return;
	if (st.seen[it] != 0) {
		if (items[it].block == I_TOP &&
		    it >= I_WEB && it <= I_AUTOBAN)
			conf_err(line, "duplicate %s block", items[it].name);
		else
			conf_err(line, "duplicate \"%s\" (first on line %d)",
			    items[it].name, st.seen[it]);
		return;
	}
	st.seen[it] = line;
}

static void
block_begin(enum item it, enum proc_id role, int line)
{
	once(it, line);
	st.role = role;
}

static int
inrange(int64_t v, int line, const char *what, int64_t min, int64_t max)
{
	if (v < 0)			/* not a number, already said */
		return 0;
	if (v < min || v > max) {
		conf_err(line, "%s %" PRId64 " out of range (%" PRId64 "-%"
		    PRId64 ")", what, v, min, max);
		return 0;
	}
	return 1;
}

/*
 * Store a string: too long or empty is an error, never a truncation.  The
 * rest of the field is zeroed so that equal settings compare equal.
 */
static void
store(char *dst, size_t size, const char *s, int line, const char *what)
{
	if (s[0] == '\0')
		conf_err(line, "%s: empty string", what);
	else if (strlen(s) >= size)
		conf_err(line, "%s: string too long (max %zu)", what,
		    size - 1);
	else {
		memset(dst, 0, size);
		(void)strlcpy(dst, s, size);
	}
}

/* The set_* functions free the string the lexer allocated. */
static void
set_str(char *dst, size_t size, char *s, int line, const char *what)
{
	store(dst, size, s, line, what);
	free(s);
}

static void
set_path(char *dst, size_t size, char *s, int line, const char *what)
{
	if (s[0] != '/' && s[0] != '\0')
		conf_err(line, "%s: %s is not an absolute path", what, q(s));
	else
		store(dst, size, s, line, what);
	free(s);
}

/* Login names: they reach AMI headers and SQL grants, so no odd bytes. */
static void
set_name(char *dst, size_t size, char *s, int line, const char *what)
{
	if (!config_name_ok(s))
		conf_err(line, "%s: bad name %s (letters, digits, \"_\", "
		    "\".\", \"-\")", what, q(s));
	else
		store(dst, size, s, line, what);
	free(s);
}

/* Database and nftables table names. */
static void
set_ident(char *dst, size_t size, char *s, int line, const char *what)
{
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
		conf_err(line, "%s: bad name %s (letters, digits, \"_\")",
		    what, q(s));
	else
		store(dst, size, s, line, what);
	free(s);
}

/*
 * Addresses are literals: the children cannot resolve names inside their
 * chroots.  Kept normalised.
 */
static void
set_addr(char *dst, size_t size, char *s, int line, const char *what)
{
	char	norm[CONF_STR_MAX];

	if (config_addr_parse(s, norm, sizeof(norm)) == -1)
		conf_err(line, "%s: bad address %s (an IPv4 or IPv6 address, "
		    "not a name)", what, q(s));
	else
		store(dst, size, norm, line, what);
	free(s);
}

/* A process user: a name looked up now, or "uid:gid" taken as is. */
static void
set_user(char *s, int line)
{
	struct conf_role	*r = &C->role[st.role];
	char			 err[PROTO_ERR_MAX];

	once(role_items[st.role].user, line);
	if (config_user_resolve(s, r, err, sizeof(err)) == -1)
		conf_err(line, "%s", err);
	free(s);
}

static void
list_ports(uint16_t *ports, size_t *n)
{
	memset(ports, 0, sizeof(uint16_t) * CONF_PORTS_MAX);
	*n = 0;
	st.ports = ports;
	st.n_ports = n;
	st.list_full = 0;
}

static void
list_nets(struct proto_net *nets, size_t *n)
{
	memset(nets, 0, sizeof(struct proto_net) * CONF_NETS_MAX);
	*n = 0;
	st.nets = nets;
	st.n_nets = n;
	st.list_full = 0;
}

static void
port_add(int64_t v, int line)
{
	size_t	i;

	if (!inrange(v, line, "port", 1, 65535))
		return;
	for (i = 0; i < *st.n_ports; i++)
		if (st.ports[i] == v) {
			conf_err(line, "duplicate port %" PRId64, v);
			return;
		}
	if (*st.n_ports == CONF_PORTS_MAX) {
		if (!st.list_full)
			conf_err(line, "too many ports (max %d)",
			    CONF_PORTS_MAX);
		st.list_full = 1;
		return;
	}
	st.ports[(*st.n_ports)++] = v;
}

static void
net_add(char *s, int line)
{
	struct proto_net	net;
	char			err[PROTO_ERR_MAX];
	size_t			i;

	if (config_net_parse(s, &net, err, sizeof(err)) == -1) {
		conf_err(line, "%s", err);
		goto done;
	}
	for (i = 0; i < *st.n_nets; i++)
		if (memcmp(&st.nets[i], &net, sizeof(net)) == 0) {
			conf_err(line, "duplicate network %s", s);
			goto done;
		}
	if (*st.n_nets == CONF_NETS_MAX) {
		if (!st.list_full)
			conf_err(line, "too many networks (max %d)",
			    CONF_NETS_MAX);
		st.list_full = 1;
		goto done;
	}
	st.nets[(*st.n_nets)++] = net;
done:
	free(s);
}

static void
set_weight(char *name, int line, int64_t v, int vline)
{
	int	i;

	for (i = 0; i < AB_EVENT_MAX; i++)
		if (strcmp(name, ab_event_names[i]) == 0)
			break;
	if (i == AB_EVENT_MAX)
		conf_err(line, "unknown event %s", q(name));
	else if (st.weight_seen[i] != 0)
		conf_err(line, "duplicate \"weight %s\" (first on line %d)",
		    ab_event_names[i], st.weight_seen[i]);
	else {
		st.weight_seen[i] = line;
		if (inrange(v, vline, "weight", 0, 1000))
			C->ab_weight[i] = v;
	}
	free(name);
}

/* Is any of a list of ports inside the rtp range? */
static void
check_rtp_overlap(const uint16_t *ports, size_t n, enum item it)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (ports[i] >= C->rtp_low && ports[i] <= C->rtp_high)
			conf_err(st.seen[it] ? st.seen[it] : st.seen[I_RTP],
			    "sip port %u inside rtp ports %u - %u", ports[i],
			    C->rtp_low, C->rtp_high);
}

/* What can only be checked once the whole file is read. */
static void
conf_finish(void)
{
	enum proc_id	 id, other;
	char		 err[PROTO_ERR_MAX];
	int		 it;

	for (it = 0; it < I_MAX; it++) {
		if (!items[it].required || st.seen[it] != 0)
			continue;
		if (items[it].block == I_TOP)
			conf_err(0, "missing %s block", items[it].name);
		else if (st.seen[items[it].block] != 0)
			conf_err(0, "missing \"%s\" in %s block",
			    items[it].name, items[items[it].block].name);
	}

	/* a default user is looked up only when the file names none */
	for (id = PROC_WEBD; id <= PROC_ASTD; id++) {
		if (id == PROC_FWD || st.seen[role_items[id].user] != 0 ||
		    st.seen[role_items[id].block] == 0)	/* said missing */
			continue;
		if (config_user_resolve(C->role[id].user, &C->role[id], err,
		    sizeof(err)) == -1)
			conf_err(0, "%s block: %s (the default: name one with "
			    "\"user\")", items[role_items[id].block].name, err);
	}
	/* one user per process, so that none can signal or trace another */
	for (id = PROC_WEBD; id <= PROC_ASTD; id++)
		for (other = id + 1; other <= PROC_ASTD; other++)
			if (id != PROC_FWD && other != PROC_FWD &&
			    C->role[id].uid != 0 &&
			    C->role[id].uid == C->role[other].uid)
				conf_err(st.seen[role_items[other].user],
				    "%s and %s blocks run as the same uid %u",
				    items[role_items[id].block].name,
				    items[role_items[other].block].name,
				    (unsigned int)C->role[id].uid);

	check_rtp_overlap(C->sip_udp_ports, C->n_sip_udp_ports, I_SIP_UDP);
	check_rtp_overlap(C->sip_tcp_ports, C->n_sip_tcp_ports, I_SIP_TCP);
	if (C->n_sip_udp_ports + C->n_sip_tcp_ports == 0)
		conf_err(st.seen[I_FIREWALL], "firewall block: no sip port");
	if (C->ab_ban_time > C->ab_max_ban_time)
		conf_err(st.seen[I_BAN_TIME], "ban time %u above maximum %u",
		    C->ab_ban_time, C->ab_max_ban_time);
	if (C->ab_ipv6_prefix < C->max_ban_prefix6)
		conf_err(st.seen[I_AB_V6PFX] ? st.seen[I_AB_V6PFX] :
		    st.seen[I_BAN_PFX], "autoban ipv6 prefix %u is wider "
		    "than the firewall's ban maximum prefix v6 %u",
		    C->ab_ipv6_prefix, C->max_ban_prefix6);
}

int
config_parse(const char *path, struct trunkd_conf *conf, int check_perms)
{
	char	err[PROTO_ERR_MAX];
	int	fd;

	config_defaults(conf);
	memset(&st, 0, sizeof(st));
	st.conf = conf;
	st.name = path;
	st.lineno = 1;
	if (strlcpy(conf->path, path, sizeof(conf->path)) >=
	    sizeof(conf->path)) {
		conf_err(0, "path too long (max %zu)", sizeof(conf->path) - 1);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		conf_err(0, "%s", strerror(errno));
		return -1;
	}
	if (config_check_fd(fd, check_perms, err, sizeof(err)) == -1) {
		conf_err(0, "%s", err);
		close(fd);
		return -1;
	}
	if ((st.fp = fdopen(fd, "r")) == NULL) {
		conf_err(0, "%s", strerror(errno));
		close(fd);
		return -1;
	}

	yylloc.first_line = 1;
	if (yyparse() != 0 && st.errors == 0)	/* said nothing, failed */
		conf_err(st.lineno, "cannot parse");
	if (ferror(st.fp))
		conf_err(0, "read error");
	fclose(st.fp);
	st.fp = NULL;

	if (st.tokens == 0)
		conf_err(0, "empty configuration");
	else
		conf_finish();
	return st.errors ? -1 : 0;
}
