/*
 * dbdrive: plays trunkd's parent (and webd, astd, fwd) for one dbd, so
 * that the tests and the benchmark reach dbd through its imsg interface
 * only.  It reads trunkd.conf like the parent, starts dbd on a socketpair
 * (fd 3, empty environment), does the handshake, then runs commands from
 * stdin, one answer line on stdout for each:
 *
 *   req OP FPR TOTP JSON      DB_REQ as webd (FPR: 64 hex digits, TOTP
 *                             "-" for none) -> "STATUS JSON"
 *   export GEN                AST_EXPORT_REQ as astd -> "export GEN JSON"
 *   history                   AST_HISTORY_REQ -> "history JSON"
 *   applied GEN OK TEXT       AST_APPLIED -> "sent"
 *   banrec CIDR N SECS WHY    AST_BAN_RECORD -> "sent"
 *   live JSON                 AST_LIVE -> "sent"
 *   expect TYPE SECS          the next message of TYPE dbd sent to fwd or
 *                             astd (or "log"), as "TYPE args", or "timeout"
 *   status                    STATUS_REQ -> dbd's status line
 *   sleep MS                  keep receiving -> "slept"
 *   badreq                    a DB_REQ whose json_len lies -> "sent"
 *   exited SECS               "exited" once dbd is gone, else "running"
 *   clock                     monotonic milliseconds (for bench/db.sh)
 *   stamp                     the stamp of the last answer, 16 hex digits
 *   bench N W PAD OP FPR JSON N requests as webd, W at most in flight;
 *                             PAD 1: request i starts with i % 4000
 *                             blanks (no two alike: no cache hit)
 *                             -> "bench OK MS": answers DB_OK, elapsed ms
 *
 * Everything dbd sends to fwd, astd or the log is also appended to the
 * events file (-e).  Every message dbd sends is checked against the
 * catalogue as the parent would.  A test program: nothing in production
 * runs it.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbd/ops.h"
#include "imsg.h"
#include "parent/config.h"
#include "proto.h"
#include "util.h"

#define EVENTS_MAX	4096
#define LINE_MAX_LEN	(PROTO_DB_JSON_MAX + 256)
#define BENCH_PAD_MAX	4000

static struct imsgbuf	 ibuf;
static pid_t		 child = -1;
static int		 gone;
static FILE		*evf;
static char		*events[EVENTS_MAX];
static size_t		 nevents;
static size_t		 consumed[EVENTS_MAX];	/* 1: taken by expect */
static uint32_t		 want_reqid;
static char		*resp_line;
static char		*json_buf;		/* AST_EXPORT/HISTORY chunks */
static size_t		 json_len;
static int		 json_done;
static uint32_t		 await_type, seen_type;
static uint64_t		 resp_stamp;
static int		 bench_on;		/* answers counted, not shown */
static uint32_t		 bench_got, bench_ok, bench_mark;

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
send_msg(uint32_t type, uint32_t from, const void *data, size_t len)
{
	if (imsg_compose(&ibuf, type, from, -1, data, len) == -1 ||
	    imsg_flush(&ibuf) == -1)
		err(1, "send %s", msg_name(type));
}

static void
event(const char *fmt, ...)
{
	char	*s;
	va_list	 ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		err(1, "event");
	va_end(ap);
	if (evf != NULL) {
		fprintf(evf, "%s\n", s);
		fflush(evf);
	}
	if (nevents < EVENTS_MAX)
		events[nevents++] = s;
	else
		free(s);
}

static void
nets_event(const char *name, const struct msg_fw_nets *m, size_t len)
{
	char	 buf[64], *line = NULL, *old;
	size_t	 i;

	if (m->n > PROTO_FW_CHUNK || len != MSG_FW_NETS_MIN +
	    m->n * sizeof(m->elems[0]))
		errx(1, "%s: bad length", name);
	if (asprintf(&line, "%s %s", name, m->set == FW_SET_TRUNK ? "trunk" :
	    "ban") == -1)
		err(1, NULL);
	for (i = 0; i < m->n; i++) {
		if (inet_ntop(m->elems[i].net.family == 4 ? AF_INET : AF_INET6,
		    m->elems[i].net.addr, buf, sizeof(buf)) == NULL)
			errx(1, "%s: bad address", name);
		old = line;
		if (asprintf(&line, "%s %s/%u%s", old, buf,
		    m->elems[i].net.prefixlen, m->set == FW_SET_BAN ?
		    ":t" : "") == -1)
			err(1, NULL);
		free(old);
	}
	event("%s", line);
	free(line);
}

static void
json_chunk(const struct msg_ast_json *m, size_t len)
{
	if (m->json_len > len - MSG_AST_JSON_MIN)
		errx(1, "json chunk: bad length");
	if ((json_buf = realloc(json_buf, json_len + m->json_len + 1)) == NULL)
		err(1, NULL);
	memcpy(json_buf + json_len, m->json, m->json_len);
	json_len += m->json_len;
	json_buf[json_len] = '\0';
	json_done = m->last;
}

static void
handle(struct imsg *imsg)
{
	uint32_t		 type = imsg->hdr.type;
	const char		*why;
	struct msg_db_resp	*r;
	struct msg_log		*l;
	struct msg_fw_ban	*b;
	char			 buf[64];

	if (type == await_type)
		seen_type = type;
	if ((why = msg_check(type, PROC_DBD, imsg->hdr.peerid, imsg->datalen,
	    imsg->fd != -1)) != NULL) {
		event("violation %s to %s: %s", msg_name(type),
		    proc_name(imsg->hdr.peerid), why);
		return;
	}
	switch (type) {
	case MSG_LOG:
		/* Variable length: the text up to the payload's end. */
		l = imsg->data;
		event("log %.*s", (int)strnlen(l->text, imsg->datalen -
		    offsetof(struct msg_log, text)), l->text);
		break;
	case MSG_DB_RESP:
		r = imsg->data;
		if (r->json_len > imsg->datalen - MSG_DB_RESP_MIN)
			errx(1, "DB_RESP: bad length");
		resp_stamp = r->stamp;
		if (bench_on) {
			bench_got++;
			bench_ok += r->status == DB_OK;
			break;
		}
		if (r->reqid != want_reqid)
			errx(1, "DB_RESP for %u, waiting for %u", r->reqid,
			    want_reqid);
		free(resp_line);
		if (asprintf(&resp_line, "%s %.*s", db_status_name(r->status),
		    (int)r->json_len, r->json) == -1)
			err(1, NULL);
		break;
	case MSG_FW_SYNC_BEGIN:
	case MSG_FW_SYNC_END:
	case MSG_AST_GENERATION:
		event("%s %llu", msg_name(type), (unsigned long long)
		    ((struct msg_fw_sync *)imsg->data)->generation);
		break;
	case MSG_FW_SYNC_NETS:
	case MSG_FW_NET_ADD:
	case MSG_FW_NET_DEL:
		nets_event(msg_name(type), imsg->data, imsg->datalen);
		break;
	case MSG_FW_BAN:
	case MSG_FW_UNBAN:
		b = imsg->data;
		b->reason[sizeof(b->reason) - 1] = '\0';
		if (inet_ntop(b->net.family == 4 ? AF_INET : AF_INET6,
		    b->net.addr, buf, sizeof(buf)) == NULL)
			errx(1, "FW_BAN: bad address");
		event("%s %s/%u %u %s", msg_name(type), buf, b->net.prefixlen,
		    b->timeout, b->reason);
		break;
	case MSG_AST_EXPORT:
	case MSG_AST_HISTORY:
		json_chunk(imsg->data, imsg->datalen);
		break;
	case MSG_STATUS:
		((struct msg_status *)imsg->data)->state[PROTO_ERR_MAX - 1] = 0;
		free(resp_line);
		if ((resp_line = strdup(((struct msg_status *)
		    imsg->data)->state)) == NULL)
			err(1, NULL);
		break;
	default:
		event("%s", msg_name(type));
		break;
	}
}

/* Receive for up to ms (or until done() says so): 0 done, -1 timeout. */
static int
pump(int64_t ms, int (*done)(void))
{
	struct pollfd	pfd;
	struct imsg	imsg;
	int64_t		end = now_ms() + ms;
	ssize_t		n;
	int		r;

	pfd.fd = ibuf.fd;
	pfd.events = POLLIN;
	for (;;) {
		while (!gone && (r = imsg_get(&ibuf, &imsg)) == 1) {
			handle(&imsg);
			imsg_free(&imsg);
		}
		if (done != NULL && done())
			return 0;
		if (gone || now_ms() >= end)
			return -1;
		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			continue;
		if ((n = imsg_read(&ibuf)) == 0 || (n == -1 &&
		    errno != EAGAIN && errno != EINTR))
			gone = 1;
	}
}

static int
have_resp(void)
{
	return resp_line != NULL;
}

static int
have_json(void)
{
	return json_done;
}

static int
have_type(void)
{
	return seen_type == await_type;
}

static int
bench_progress(void)
{
	return bench_got != bench_mark;
}

static int
await(uint32_t type, int64_t ms)
{
	await_type = type;
	seen_type = 0;
	return pump(ms, have_type);
}

static void
fill_blob(struct msg_conf_blob *b, enum conf_blob_kind kind, const char *path)
{
	ssize_t	n;
	int	fd;

	memset(b, 0, sizeof(*b));
	b->kind = kind;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	while ((n = read(fd, b->data + b->len, sizeof(b->data) - b->len)) > 0)
		b->len += (uint32_t)n;
	close(fd);
}

static void
handshake(const struct trunkd_conf *c, int verbose)
{
	struct msg_conf_sandbox	 sb;
	struct msg_conf_dbd	 d;
	struct msg_conf_blob	*b;

	if (await(MSG_HELLO, 10000) == -1)
		errx(1, "no HELLO from dbd");
	memset(&sb, 0, sizeof(sb));
	sb.uid = c->role[PROC_DBD].uid;
	sb.gid = c->role[PROC_DBD].gid;
	sb.verbose = (uint32_t)verbose;
	(void)strlcpy(sb.chroot, c->role[PROC_DBD].chroot, sizeof(sb.chroot));
	send_msg(MSG_CONF_SANDBOX, PROC_PARENT, &sb, sizeof(sb));
	memset(&d, 0, sizeof(d));
	(void)strlcpy(d.host, c->db_host, sizeof(d.host));
	(void)strlcpy(d.name, c->db_name, sizeof(d.name));
	(void)strlcpy(d.user, c->db_user, sizeof(d.user));
	d.port = c->db_port;
	d.min_trunk_prefix4 = c->min_trunk_prefix4;
	d.min_trunk_prefix6 = c->min_trunk_prefix6;
	d.totp_max_failures = c->totp_max_failures;
	d.totp_lockout = c->totp_lockout;
	send_msg(MSG_CONF_DBD, PROC_PARENT, &d, sizeof(d));
	if ((b = malloc(sizeof(*b))) == NULL)
		err(1, NULL);
	fill_blob(b, BLOB_DB_PASSWORD, c->db_password_file);
	send_msg(MSG_CONF_BLOB, PROC_PARENT, b, MSG_CONF_BLOB_MIN + b->len);
	fill_blob(b, BLOB_DB_CA, c->db_tls_ca);
	send_msg(MSG_CONF_BLOB, PROC_PARENT, b, MSG_CONF_BLOB_MIN + b->len);
	fill_blob(b, BLOB_DATA_KEY, c->db_data_key_file);
	send_msg(MSG_CONF_BLOB, PROC_PARENT, b, MSG_CONF_BLOB_MIN + b->len);
	explicit_bzero(b, sizeof(*b));
	free(b);
	send_msg(MSG_CONF_END, PROC_PARENT, NULL, 0);
	if (await(MSG_CONFIG_DONE, 20000) == -1)
		errx(1, "dbd did not finish its start-up");
	send_msg(MSG_START, PROC_PARENT, NULL, 0);
}

static int
hexbytes(const char *s, uint8_t *out, size_t n)
{
	size_t		i;
	unsigned int	v;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* A DB_REQ as webd sends it, its body after pad blanks. */
static void
fill_req(struct msg_db_req *m, const char *op, const char *fpr,
    const char *totp, const char *json, size_t pad)
{
	static uint32_t	reqid;

	memset(m, 0, MSG_DB_REQ_MIN);
	m->reqid = ++reqid;
	if ((m->op = db_op_lookup(op)) == 0)
		errx(1, "unknown op %s", op);
	if (strcmp(fpr, "-") != 0 && hexbytes(fpr, m->fingerprint,
	    PROTO_FPR_LEN) == -1)
		errx(1, "bad fingerprint %s", fpr);
	if (strcmp(totp, "-") != 0)
		(void)strlcpy(m->totp, totp, sizeof(m->totp));
	if (strlen(json) + pad > sizeof(m->json))
		errx(1, "JSON too long");
	m->json_len = (uint32_t)(strlen(json) + pad);
	memset(m->json, ' ', pad);
	memcpy(m->json + pad, json, strlen(json));
}

static void
cmd_req(char *args)
{
	struct msg_db_req	*m;
	char			*op, *fpr, *totp, *json;

	op = strsep(&args, " ");
	fpr = strsep(&args, " ");
	totp = strsep(&args, " ");
	json = args != NULL ? args : "{}";
	if (op == NULL || fpr == NULL || totp == NULL)
		errx(1, "req OP FPR TOTP JSON");
	if ((m = calloc(1, sizeof(*m))) == NULL)
		err(1, NULL);
	fill_req(m, op, fpr, totp, json, 0);
	want_reqid = m->reqid;
	free(resp_line);
	resp_line = NULL;
	send_msg(MSG_DB_REQ, PROC_WEBD, m, MSG_DB_REQ_MIN + m->json_len);
	free(m);
	if (pump(60000, have_resp) == -1)
		printf("timeout\n");
	else
		printf("%s\n", resp_line);
}

static void
cmd_bench(char *args)
{
	struct msg_db_req	*m;
	unsigned int		 n, w, pad, sent = 0;
	int			 used = 0;
	char			*op, *fpr, *json;
	int64_t			 t0;

	if (args == NULL || sscanf(args, "%u %u %u %n", &n, &w, &pad,
	    &used) < 3 || w == 0)
		errx(1, "bench N W PAD OP FPR JSON");
	args += used;
	op = strsep(&args, " ");
	fpr = strsep(&args, " ");
	json = args != NULL ? args : "{}";
	if (op == NULL || fpr == NULL || (m = malloc(sizeof(*m))) == NULL)
		errx(1, "bench N W PAD OP FPR JSON");
	bench_on = 1;
	bench_got = bench_ok = 0;
	t0 = now_ms();
	while (bench_got < n && !gone) {
		for (; sent < n && sent - bench_got < w; sent++) {
			fill_req(m, op, fpr, "-", json, pad ? sent %
			    BENCH_PAD_MAX : 0);
			send_msg(MSG_DB_REQ, PROC_WEBD, m, MSG_DB_REQ_MIN +
			    m->json_len);
		}
		bench_mark = bench_got;
		if (pump(60000, bench_progress) == -1)
			break;
	}
	printf("bench %u %lld\n", bench_ok, (long long)(now_ms() - t0));
	bench_on = 0;
	free(m);
}

static void
cmd_json(uint32_t type, const char *label, uint64_t gen)
{
	struct msg_ast_generation	g;

	free(json_buf);
	json_buf = NULL;
	json_len = 0;
	json_done = 0;
	memset(&g, 0, sizeof(g));
	g.generation = gen;
	send_msg(type, PROC_ASTD, &g, type == MSG_AST_EXPORT_REQ ?
	    sizeof(g) : 0);
	if (pump(10000, have_json) == -1)
		printf("timeout\n");
	else
		printf("%s %llu %s\n", label, (unsigned long long)gen,
		    json_buf);
}

static void
cmd_banrec(char *args)
{
	struct msg_ast_ban_record	 b;
	char				*cidr, *why, err[256];
	unsigned int			 n, secs;
	int				 used = 0;

	cidr = strsep(&args, " ");
	if (cidr == NULL || args == NULL ||
	    sscanf(args, "%u %u %n", &n, &secs, &used) < 2)
		errx(1, "banrec CIDR N SECS WHY");
	why = args + used;
	memset(&b, 0, sizeof(b));
	if (config_net_parse(cidr, &b.net, err, sizeof(err)) == -1)
		errx(1, "%s", err);
	b.offences = n;
	b.duration = secs;
	b.first_seen = b.last_seen = time(NULL);
	(void)strlcpy(b.reason, why, sizeof(b.reason));
	send_msg(MSG_AST_BAN_RECORD, PROC_ASTD, &b, sizeof(b));
	printf("sent\n");
}

static void
cmd_expect(char *args)
{
	char	*type, *s;
	size_t	 i, tl;
	int64_t	 end;
	int	 secs;

	type = strsep(&args, " ");
	secs = args != NULL ? atoi(args) : 5;
	if (type == NULL)
		errx(1, "expect TYPE SECS");
	tl = strlen(type);
	end = now_ms() + (int64_t)secs * 1000;
	for (;;) {
		for (i = 0; i < nevents; i++) {
			s = events[i];
			if (!consumed[i] && strncmp(s, type, tl) == 0 &&
			    (s[tl] == ' ' || s[tl] == '\0')) {
				consumed[i] = 1;
				printf("%s\n", s);
				return;
			}
		}
		if (now_ms() >= end || gone) {
			printf("timeout\n");
			return;
		}
		(void)pump(100, NULL);
	}
}

static void
run(void)
{
	struct msg_ast_applied	 a;
	struct msg_ast_json	*j;
	char			*line, *cmd, *args;
	size_t			 len;
	int			 ok;

	if ((line = malloc(LINE_MAX_LEN)) == NULL)
		err(1, NULL);
	while (fgets(line, LINE_MAX_LEN, stdin) != NULL) {
		len = strlen(line);
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		args = line;
		cmd = strsep(&args, " ");
		if (cmd == NULL || *cmd == '\0' || *cmd == '#')
			continue;
		if (strcmp(cmd, "req") == 0)
			cmd_req(args);
		else if (strcmp(cmd, "bench") == 0)
			cmd_bench(args);
		else if (strcmp(cmd, "stamp") == 0)
			printf("%016llx\n", (unsigned long long)resp_stamp);
		else if (strcmp(cmd, "export") == 0)
			cmd_json(MSG_AST_EXPORT_REQ, "export",
			    args != NULL ? strtoull(args, NULL, 10) : 0);
		else if (strcmp(cmd, "history") == 0)
			cmd_json(MSG_AST_HISTORY_REQ, "history", 0);
		else if (strcmp(cmd, "applied") == 0) {
			memset(&a, 0, sizeof(a));
			if (args == NULL || sscanf(args, "%llu %d",
			    (unsigned long long *)&a.generation, &ok) != 2)
				errx(1, "applied GEN OK TEXT");
			a.ok = ok;
			if ((args = strchr(args, ' ')) != NULL &&
			    (args = strchr(args + 1, ' ')) != NULL)
				(void)strlcpy(a.error, args + 1,
				    sizeof(a.error));
			send_msg(MSG_AST_APPLIED, PROC_ASTD, &a, sizeof(a));
			printf("sent\n");
		} else if (strcmp(cmd, "banrec") == 0)
			cmd_banrec(args);
		else if (strcmp(cmd, "live") == 0) {
			if ((j = calloc(1, sizeof(*j))) == NULL || args == NULL)
				errx(1, "live JSON");
			j->last = 1;
			j->json_len = (uint32_t)strlen(args);
			memcpy(j->json, args, j->json_len);
			send_msg(MSG_AST_LIVE, PROC_ASTD, j, MSG_AST_JSON_MIN +
			    j->json_len);
			free(j);
			printf("sent\n");
		} else if (strcmp(cmd, "expect") == 0)
			cmd_expect(args);
		else if (strcmp(cmd, "status") == 0) {
			free(resp_line);
			resp_line = NULL;
			send_msg(MSG_STATUS_REQ, PROC_PARENT, NULL, 0);
			printf("%s\n", pump(10000, have_resp) == -1 ? "timeout" :
			    resp_line);
		} else if (strcmp(cmd, "sleep") == 0) {
			(void)pump(args != NULL ? atoi(args) : 100, NULL);
			printf("slept\n");
		} else if (strcmp(cmd, "badreq") == 0) {
			struct msg_db_req m;

			memset(&m, 0, sizeof(m));
			m.op = DB_OP_WHOAMI;
			m.json_len = 1000;	/* more than it carries */
			send_msg(MSG_DB_REQ, PROC_WEBD, &m, MSG_DB_REQ_MIN + 2);
			printf("sent\n");
		} else if (strcmp(cmd, "clock") == 0)
			printf("%lld\n", (long long)now_ms());
		else if (strcmp(cmd, "exited") == 0) {
			(void)pump(args != NULL ? atoi(args) * 1000 : 5000,
			    NULL);
			printf("%s\n", gone ? "exited" : "running");
		} else
			errx(1, "unknown command %s", cmd);
		fflush(stdout);
	}
	free(line);
}

int
main(int argc, char *argv[])
{
	struct trunkd_conf	*conf;
	const char		*cpath = NULL, *dbd = NULL;
	char			 path[PATH_MAX];
	char			*const envp[] = { NULL };
	int			 sv[2], c, verbose = 0, status;

	while ((c = getopt(argc, argv, "e:f:vx:")) != -1) {
		switch (c) {
		case 'e':
			if ((evf = fopen(optarg, "a")) == NULL)
				err(1, "%s", optarg);
			break;
		case 'f':
			cpath = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'x':
			dbd = optarg;
			break;
		default:
			errx(2, "usage: dbdrive -f trunkd.conf [-e events] "
			    "[-v] [-x dbd]");
		}
	}
	if (cpath == NULL)
		errx(2, "usage: dbdrive -f trunkd.conf [-e events] [-v]");
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		err(1, NULL);
	if (config_parse(cpath, conf, 1) == -1)
		return 1;
	if (dbd == NULL) {
		(void)snprintf(path, sizeof(path), "%s/dbd", conf->libexec);
		dbd = path;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		err(1, "socketpair");
	if ((child = fork()) == -1)
		err(1, "fork");
	if (child == 0) {
		if (dup2(sv[1], CHILD_IMSG_FD) == -1)
			_exit(127);
		if (verbose)
			execle(dbd, "dbd", "-v", (char *)NULL, envp);
		else
			execle(dbd, "dbd", (char *)NULL, envp);
		_exit(127);
	}
	close(sv[1]);
	if (imsgbuf_init(&ibuf, sv[0], PROTO_CHANNEL_MAX, 0) == -1)
		err(1, "imsgbuf_init");
	handshake(conf, verbose);
	run();
	imsgbuf_clear(&ibuf);
	close(sv[0]);
	/* dbd exits when its parent's channel closes. */
	for (c = 0; c < 100 && waitpid(child, &status, WNOHANG) == 0; c++)
		usleep(50000);
	if (c == 100) {
		kill(child, SIGKILL);
		(void)waitpid(child, &status, 0);
	}
	free(conf);
	return 0;
}
