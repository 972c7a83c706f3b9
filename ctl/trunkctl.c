/*
 * trunkctl: talks to trunkd over its root-only control socket.  What it
 * says about the processes' lock-down it reads from /proc itself, never
 * from what the processes report about themselves.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "local.h"
#include "imsg.h"
#include "proto.h"
#include "util.h"

#define CTL_DEFAULT_SOCKET	"/run/trunkd.sock"

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr,
	    "usage: trunkctl [-s socket] command\n"
	    "commands:\n"
	    "  status                      every process, its lock-down, counters\n"
	    "  reload                      re-read trunkd.conf, reconfigure\n"
	    "  firewall show               sets with counts, rules with counters\n"
	    "  firewall flush              remove trunkd's nftables table\n"
	    "  ban ADDR[/LEN] [SECONDS] [REASON]\n"
	    "  unban ADDR[/LEN]\n"
	    "  bans                        bans with their remaining time\n"
	    "  setup [-f file]             users, directories, secrets; what is\n"
	    "                              left to do by hand (no trunkd needed)\n"
	    "  db init [-f file]           create or migrate the database schema\n"
	    "  ca init [-f file]           make the admin CA (ECDSA P-384)\n"
	    "  admin add [-f file] NAME --role R [--tenant T]\n"
	    "  admin list [-f file]\n"
	    "  admin revoke [-f file] NAME\n"
	    "  audit verify [-f file]      check the audit trail's hash chain\n");
	exit(1);
}

static int
ctl_connect(const char *path, struct imsgbuf *ibuf)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy_ok(sun.sun_path, path, sizeof(sun.sun_path)) == -1)
		errx(1, "control socket path too long: %s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			errx(1, "trunkd is not running (no control socket at "
			    "%s)", path);
		if (errno == EACCES)
			errx(1, "%s: permission denied (trunkctl must run as "
			    "root)", path);
		err(1, "connect %s", path);
	}
	if (imsgbuf_init(ibuf, fd, PROTO_CTL_MAX, 0) == -1)
		err(1, "imsgbuf_init");
	return fd;
}

/* Read one reply message, checking it against the catalogue. */
static int
ctl_next(struct imsgbuf *ibuf, struct imsg *imsg)
{
	ssize_t	n;
	int	r;

	for (;;) {
		if ((r = imsg_get(ibuf, imsg)) == -1)
			errx(1, "malformed reply from trunkd");
		if (r == 1)
			break;
		if ((n = imsg_read(ibuf)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err(1, "read from trunkd");
		}
		if (n == 0)
			errx(1, "trunkd closed the connection");
	}
	if (msg_check(imsg->hdr.type, PROC_PARENT, PROC_CTL, imsg->datalen,
	    imsg->fd != -1) != NULL)
		errx(1, "unexpected reply %s from trunkd",
		    msg_name(imsg->hdr.type));
	return imsg->hdr.type == MSG_CTL_END ? 0 : 1;
}

static void
ctl_request(struct imsgbuf *ibuf, uint32_t type)
{
	if (imsg_compose(ibuf, type, PROC_PARENT, -1, NULL, 0) == -1 ||
	    imsg_flush(ibuf) == -1)
		err(1, "send to trunkd");
}

static int
cmd_status(struct imsgbuf *ibuf)
{
	struct msg_ctl_status_row	*row;
	struct imsg			 imsg;

	ctl_request(ibuf, MSG_CTL_STATUS);
	status_header();
	while (ctl_next(ibuf, &imsg) == 1) {
		if (imsg.hdr.type != MSG_CTL_STATUS_ROW)
			errx(1, "unexpected %s", msg_name(imsg.hdr.type));
		row = imsg.data;
		if (!proto_str_ok(row->state, sizeof(row->state)))
			errx(1, "malformed status row");
		status_print_row(row);
		imsg_free(&imsg);
	}
	imsg_free(&imsg);
	return 0;
}

static int
cmd_reload(struct imsgbuf *ibuf)
{
	struct msg_ctl_result	*res;
	struct imsg		 imsg;
	int			 code = 1;

	ctl_request(ibuf, MSG_CTL_RELOAD);
	while (ctl_next(ibuf, &imsg) == 1) {
		if (imsg.hdr.type != MSG_CTL_RESULT)
			errx(1, "unexpected %s", msg_name(imsg.hdr.type));
		res = imsg.data;
		if (!proto_str_ok(res->text, sizeof(res->text)))
			errx(1, "malformed result");
		printf("%s\n", res->text);
		code = res->code != 0;
		imsg_free(&imsg);
	}
	imsg_free(&imsg);
	return code;
}

/* Send a command to one child through the parent; print its lines. */
static int
cmd_child(struct imsgbuf *ibuf, enum proc_id target, const char *cmd,
    int argc, char *argv[])
{
	struct msg_ctl_cmd	 c;
	struct msg_ctl_out	*out;
	struct imsg		 imsg;
	int			 i, code = 1;

	memset(&c, 0, sizeof(c));
	c.target = target;
	(void)strlcpy(c.cmd, cmd, sizeof(c.cmd));
	for (i = 0; i < argc; i++) {
		if (i > 0)
			(void)strlcat(c.args, " ", sizeof(c.args));
		if (strlcat(c.args, argv[i], sizeof(c.args)) >= sizeof(c.args))
			errx(1, "arguments too long");
	}
	if (imsg_compose(ibuf, MSG_CTL_CMD, PROC_PARENT, -1, &c,
	    sizeof(c)) == -1 || imsg_flush(ibuf) == -1)
		err(1, "send to trunkd");
	while (ctl_next(ibuf, &imsg) == 1) {
		if (imsg.hdr.type == MSG_CTL_RESULT) {
			struct msg_ctl_result *r = imsg.data;

			if (proto_str_ok(r->text, sizeof(r->text)))
				fprintf(stderr, "trunkctl: %s\n", r->text);
			imsg_free(&imsg);
			continue;
		}
		if (imsg.hdr.type != MSG_CTL_OUT)
			errx(1, "unexpected %s", msg_name(imsg.hdr.type));
		out = imsg.data;
		if (!proto_str_ok(out->line, sizeof(out->line)))
			errx(1, "malformed output line");
		if (out->line[0] != '\0')
			printf("%s\n", out->line);
		if (out->done)
			code = out->code != 0;
		imsg_free(&imsg);
	}
	imsg_free(&imsg);
	return code;
}

static const struct command {
	const char	*words[2];	/* what the operator types */
	int		(*fn)(struct imsgbuf *);
	enum proc_id	 target;	/* else: a child's command */
	const char	*cmd;
	int		 min_args, max_args;
} commands[] = {
	{ { "status" }, cmd_status, 0, NULL, 0, 0 },
	{ { "reload" }, cmd_reload, 0, NULL, 0, 0 },
	{ { "firewall", "show" }, NULL, PROC_FWD, "show", 0, 0 },
	{ { "firewall", "flush" }, NULL, PROC_FWD, "flush", 0, 0 },
	{ { "ban" }, NULL, PROC_FWD, "ban", 1, 3 },
	{ { "unban" }, NULL, PROC_FWD, "unban", 1, 1 },
	{ { "bans" }, NULL, PROC_FWD, "bans", 0, 0 },
};

/*
 * Commands that run here, without trunkd.  They get the arguments after
 * their words, with the last word as argv[0] (for getopt).
 */
static const struct local_command {
	const char	*words[2];
	int		(*fn)(int, char *[]);
} local_commands[] = {
	{ { "setup" }, setup_main },
	{ { "db", "init" }, cmd_db_init },
	{ { "ca", "init" }, cmd_ca_init },
	{ { "admin", "add" }, cmd_admin_add },
	{ { "admin", "list" }, cmd_admin_list },
	{ { "admin", "revoke" }, cmd_admin_revoke },
	{ { "audit", "verify" }, cmd_audit_verify },
};

/* How many words of argv name the command: 0 if they do not. */
static int
words_match(const char *const words[2], int argc, char *argv[])
{
	int	n = words[1] != NULL ? 2 : 1;

	if (argc < n || strcmp(argv[0], words[0]) != 0 ||
	    (n == 2 && strcmp(argv[1], words[1]) != 0))
		return 0;
	return n;
}

/* The command the words name, and how many words that took. */
static const struct command *
command_lookup(int argc, char *argv[], int *used)
{
	size_t	i;

	for (i = 0; i < nitems(commands); i++)
		if ((*used = words_match(commands[i].words, argc, argv)) > 0)
			return &commands[i];
	return NULL;
}

static const struct local_command *
local_lookup(int argc, char *argv[], int *used)
{
	size_t	i;

	for (i = 0; i < nitems(local_commands); i++)
		if ((*used = words_match(local_commands[i].words, argc,
		    argv)) > 0)
			return &local_commands[i];
	return NULL;
}

int
main(int argc, char *argv[])
{
	const char	*sock = CTL_DEFAULT_SOCKET;
	const struct command	*cmd;
	const struct local_command *lcmd;
	struct imsgbuf		 ibuf;
	int			 c, fd, rv, used;

	/* "+": options after the command are the command's own */
	while ((c = getopt(argc, argv, "+s:")) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if ((lcmd = local_lookup(argc, argv, &used)) != NULL) {
		if (geteuid() != 0)
			errx(1, "must run as root");
		return lcmd->fn(argc - used + 1, argv + used - 1);
	}
	if ((cmd = command_lookup(argc, argv, &used)) == NULL) {
		fprintf(stderr, "trunkctl: unknown command \"%s\"\n", argv[0]);
		usage();
	}
	argc -= used;
	argv += used;
	if (argc < cmd->min_args || argc > cmd->max_args) {
		fprintf(stderr, "trunkctl: wrong number of arguments\n");
		usage();
	}
	if (geteuid() != 0)
		errx(1, "must run as root");
	fd = ctl_connect(sock, &ibuf);
	if (cmd->fn != NULL)
		rv = cmd->fn(&ibuf);
	else
		rv = cmd_child(&ibuf, cmd->target, cmd->cmd, argc, argv);
	imsgbuf_clear(&ibuf);
	close(fd);
	return rv;
}
