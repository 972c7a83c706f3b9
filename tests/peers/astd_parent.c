/*
 * Plays trunkd's parent (and dbd, and fwd) for one astd process, so that
 * astd can be tested against the AMI peer without the other roles.
 *
 *   astd_parent -x ASTD -c CHROOT -u UID -g GID -s SECRETFILE
 *       [-p AMIPORT] [-t THRESHOLD] [-w WINDOW] [-b BANTIME] [-m MULT]
 *       [-M MAXBAN] [-n] [-i IGNORENET] [-H HISTORYFILE] [-T]
 *
 * It starts astd with a socketpair on fd 3, does the handshake (HELLO ->
 * CONF_SANDBOX, CONF_ASTD, CONF_BLOB(AMI_SECRET), CONF_END -> CONFIG_DONE
 * -> START), answers AST_HISTORY_REQ with HISTORYFILE (or no offenders),
 * and FW_BAN with FW_RESULT.  Commands on stdin, one per line:
 *   gen N FILE     AST_GENERATION N; the export asked for is FILE
 *   status         STATUS_REQ
 *   quit           close the channel; astd must exit (EXIT status)
 * Everything astd sends is printed on stdout, one line each:
 *   FW_BAN 198.51.100.7/32 3600 ChallengeResponseFailed
 *   AST_APPLIED 3 1 ""      AST_BAN_RECORD 198.51.100.7/32 1 3600 ...
 *   AST_LIVE {...}          LOG 4 text     STATUS text
 * A test program only.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg.h"
#include "tests/unit/astd_conf.h"
#include "proto.h"
#include "util.h"

#define EXPORTS_MAX	64

static struct imsgbuf	ibuf;
static struct {
	uint64_t	 gen;
	char		*path;
} exports[EXPORTS_MAX];
static const char	*history_path;
static int		 timestamps;	/* -T: FW_BAN lines start with it */
static struct msg_conf_sandbox	conf_sb;
static struct msg_conf_astd	conf_astd;
static char		*secret;
static size_t		 secretlen;

static void
send_msg(uint32_t type, enum proc_id from, const void *data, size_t len)
{
	if (imsg_compose(&ibuf, type, from, -1, data, len) == -1 ||
	    imsg_flush(&ibuf) == -1)
		err(1, "imsg to astd");
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 cap = 0;

	if ((fp = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	*len = 0;
	for (;;) {
		if (*len + 4096 > cap &&
		    (buf = realloc(buf, cap = cap * 2 + 8192)) == NULL)
			err(1, "realloc");
		size_t n = fread(buf + *len, 1, cap - *len, fp);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(fp);
	return buf;
}

/* JSON in chunks of at most `chunk` bytes (small in tests: many). */
static void
send_json(uint32_t type, uint64_t gen, const char *data, size_t len,
    size_t chunk)
{
	struct msg_ast_json	*m;
	size_t			 off = 0, n;
	uint32_t		 seq = 0;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		err(1, "calloc");
	do {
		n = len - off > chunk ? chunk : len - off;
		memset(m, 0, sizeof(*m));
		m->generation = gen;
		m->seq = seq++;
		m->last = off + n == len;
		m->json_len = (uint32_t)n;
		memcpy(m->json, data + off, n);
		send_msg(type, PROC_DBD, m, MSG_AST_JSON_MIN + n);
		off += n;
	} while (off < len);
	free(m);
}

static void
print_net(const struct proto_net *n)
{
	char	buf[64];

	if (inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, buf,
	    sizeof(buf)) == NULL)
		strlcpy(buf, "?", sizeof(buf));
	printf("%s/%u", buf, n->prefixlen);
}

static void
handle(struct imsg *imsg)
{
	struct msg_fw_ban		*ban;
	struct msg_fw_result		 res;
	struct msg_ast_applied		*ap;
	struct msg_ast_ban_record	*rec;
	struct msg_ast_generation	*g;
	struct msg_ast_json		*j;
	struct msg_log			*l;
	struct msg_status		*st;
	char				*data;
	size_t				 len, i;
	const char			*why;

	if ((why = msg_check(imsg->hdr.type, PROC_ASTD, imsg->hdr.peerid,
	    imsg->datalen, imsg->fd != -1)) != NULL) {
		printf("BAD %s: %s\n", msg_name(imsg->hdr.type), why);
		return;
	}
	switch (imsg->hdr.type) {
	case MSG_HELLO: {
		struct msg_conf_blob	*b;

		send_msg(MSG_CONF_SANDBOX, PROC_PARENT, &conf_sb,
		    sizeof(conf_sb));
		send_msg(MSG_CONF_ASTD, PROC_PARENT, &conf_astd,
		    sizeof(conf_astd));
		if ((b = calloc(1, sizeof(*b))) == NULL)
			err(1, "calloc");
		b->kind = BLOB_AMI_SECRET;
		b->len = (uint32_t)secretlen;
		memcpy(b->data, secret, secretlen);
		send_msg(MSG_CONF_BLOB, PROC_PARENT, b,
		    MSG_CONF_BLOB_MIN + secretlen);
		free(b);
		send_msg(MSG_CONF_END, PROC_PARENT, NULL, 0);
		break;
	}
	case MSG_CONFIG_DONE:
		printf("CONFIG_DONE\n");
		send_msg(MSG_START, PROC_PARENT, NULL, 0);
		break;
	case MSG_LOG:
		l = imsg->data;
		printf("LOG %d %.*s\n", l->priority, (int)strnlen(l->text,
		    imsg->datalen - offsetof(struct msg_log, text)), l->text);
		break;
	case MSG_STATUS:
		st = imsg->data;
		st->state[sizeof(st->state) - 1] = '\0';
		printf("STATUS %s\n", st->state);
		break;
	case MSG_FW_BAN:
		ban = imsg->data;
		if (timestamps) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			printf("%lld.%06ld ", (long long)ts.tv_sec,
			    ts.tv_nsec / 1000);
		}
		printf("FW_BAN ");
		print_net(&ban->net);
		printf(" %u %.*s\n", ban->timeout, (int)sizeof(ban->reason),
		    ban->reason);
		if (ban->reqid != 0) {
			memset(&res, 0, sizeof(res));
			res.reqid = ban->reqid;
			send_msg(MSG_FW_RESULT, PROC_FWD, &res, sizeof(res));
		}
		break;
	case MSG_AST_APPLIED:
		ap = imsg->data;
		printf("AST_APPLIED %llu %d \"%.*s\"\n",
		    (unsigned long long)ap->generation, ap->ok,
		    (int)sizeof(ap->error), ap->error);
		break;
	case MSG_AST_BAN_RECORD:
		rec = imsg->data;
		printf("AST_BAN_RECORD ");
		print_net(&rec->net);
		printf(" %u %u %lld %lld %.*s\n", rec->offences, rec->duration,
		    (long long)rec->first_seen, (long long)rec->last_seen,
		    (int)sizeof(rec->reason), rec->reason);
		break;
	case MSG_AST_EXPORT_REQ:
		g = imsg->data;
		printf("AST_EXPORT_REQ %llu\n",
		    (unsigned long long)g->generation);
		for (i = 0; i < EXPORTS_MAX; i++)
			if (exports[i].path != NULL &&
			    exports[i].gen == g->generation)
				break;
		if (i == EXPORTS_MAX) {
			printf("NO EXPORT %llu\n",
			    (unsigned long long)g->generation);
			break;
		}
		data = slurp(exports[i].path, &len);
		send_json(MSG_AST_EXPORT, g->generation, data, len, 1000);
		free(data);
		break;
	case MSG_AST_HISTORY_REQ:
		printf("AST_HISTORY_REQ\n");
		if (history_path != NULL)
			data = slurp(history_path, &len);
		else {
			data = strdup("{\"offenders\": []}");
			len = strlen(data);
		}
		send_json(MSG_AST_HISTORY, 0, data, len, PROTO_AST_JSON_MAX);
		free(data);
		break;
	case MSG_AST_LIVE:
		j = imsg->data;
		printf("AST_LIVE %llu %u %u %.*s\n",
		    (unsigned long long)j->generation, j->seq, j->last,
		    (int)j->json_len, j->json);
		break;
	default:
		printf("OTHER %s\n", msg_name(imsg->hdr.type));
		break;
	}
}

static void
command(char *line)
{
	struct msg_ast_generation	g;
	char				*w[3] = { NULL, NULL, NULL }, *p;
	int				 n = 0;
	size_t				 i;

	while (n < 3 && (p = strsep(&line, " \t\n")) != NULL)
		if (*p != '\0')
			w[n++] = p;
	if (w[0] == NULL)
		return;
	if (strcmp(w[0], "gen") == 0 && w[2] != NULL) {
		memset(&g, 0, sizeof(g));
		g.generation = strtoull(w[1], NULL, 10);
		for (i = 0; i < EXPORTS_MAX && exports[i].path != NULL &&
		    exports[i].gen != g.generation; i++)
			;
		if (i == EXPORTS_MAX)
			errx(1, "too many exports");
		free(exports[i].path);
		exports[i].gen = g.generation;
		exports[i].path = strdup(w[2]);
		send_msg(MSG_AST_GENERATION, PROC_DBD, &g, sizeof(g));
	} else if (strcmp(w[0], "status") == 0)
		send_msg(MSG_STATUS_REQ, PROC_PARENT, NULL, 0);
	else if (strcmp(w[0], "quit") == 0)
		(void)shutdown(ibuf.fd, SHUT_WR);	/* astd sees EOF */
	else
		printf("UNKNOWN %s\n", w[0]);
}

int
main(int argc, char *argv[])
{
	char		*exe = NULL;
	const char	*errstr;
	struct pollfd	 pfd[2];
	struct imsg	 imsg;
	char		 line[1024];
	int		 sp[2], c, r;
	pid_t		 pid;

	astd_test_conf(&conf_astd);
	strlcpy(conf_astd.ami_host, "127.0.0.1", sizeof(conf_astd.ami_host));
	strlcpy(conf_astd.ami_user, "trunkd", sizeof(conf_astd.ami_user));
	conf_astd.ami_port = 5038;
	while ((c = getopt(argc, argv, "b:c:g:H:i:m:M:np:s:Tt:u:w:x:")) != -1) {
		switch (c) {
		case 'x':
			exe = optarg;
			break;
		case 'c':
			strlcpy(conf_sb.chroot, optarg, sizeof(conf_sb.chroot));
			break;
		case 'u':
			conf_sb.uid = (uint32_t)strtonum(optarg, 1, 1 << 30,
			    &errstr);
			break;
		case 'g':
			conf_sb.gid = (uint32_t)strtonum(optarg, 1, 1 << 30,
			    &errstr);
			break;
		case 's':
			secret = slurp(optarg, &secretlen);
			break;
		case 'p':
			conf_astd.ami_port = (uint16_t)atoi(optarg);
			break;
		case 't':
			conf_astd.ab_threshold = (uint32_t)atoi(optarg);
			break;
		case 'w':
			conf_astd.ab_window = (uint32_t)atoi(optarg);
			break;
		case 'b':
			conf_astd.ab_ban_time = (uint32_t)atoi(optarg);
			break;
		case 'm':
			conf_astd.ab_multiplier = (uint32_t)atoi(optarg);
			break;
		case 'M':
			conf_astd.ab_max_ban_time = (uint32_t)atoi(optarg);
			break;
		case 'n':
			conf_astd.ab_dry_run = 1;
			break;
		case 'T':
			timestamps = 1;
			break;
		case 'H':
			history_path = optarg;
			break;
		case 'i': {
			struct proto_net *n = &conf_astd.ignore_nets[
			    conf_astd.n_ignore_nets++];
			char *slash = strchr(optarg, '/');

			if (slash == NULL)
				errx(1, "-i wants a CIDR");
			*slash = '\0';
			n->family = strchr(optarg, ':') ? 6 : 4;
			if (inet_pton(n->family == 4 ? AF_INET : AF_INET6,
			    optarg, n->addr) != 1)
				errx(1, "-i: bad address");
			n->prefixlen = (uint8_t)atoi(slash + 1);
			break;
		}
		default:
			errx(1, "usage: see the comment at the top");
		}
	}
	if (exe == NULL || conf_sb.chroot[0] == '\0' || secret == NULL)
		errx(1, "-x, -c and -s are required");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		err(1, "socketpair");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		char *av[] = { exe, NULL, NULL };
		char *const env[] = { NULL };

		av[1] = strdup("-v");
		if (dup2(sp[1], CHILD_IMSG_FD) == -1)
			_exit(1);
		execve(exe, av, env);
		_exit(127);
	}
	close(sp[1]);
	if (imsgbuf_init(&ibuf, sp[0], PROTO_CHANNEL_MAX, 0) == -1)
		err(1, "imsgbuf_init");
	pfd[0].fd = sp[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = STDIN_FILENO;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[0].revents != 0) {
			if (imsg_read(&ibuf) <= 0) {
				int status;

				waitpid(pid, &status, 0);
				printf("EXIT %d\n", WIFEXITED(status) ?
				    WEXITSTATUS(status) : 128 +
				    WTERMSIG(status));
				return 0;
			}
			while ((r = imsg_get(&ibuf, &imsg)) == 1) {
				handle(&imsg);
				imsg_free(&imsg);
			}
			if (r == -1)
				errx(1, "bad message from astd");
		}
		if (pfd[1].revents != 0) {
			if (fgets(line, sizeof(line), stdin) == NULL) {
				kill(pid, SIGTERM);
				pfd[1].fd = -1;
				continue;
			}
			command(line);
		}
	}
}
