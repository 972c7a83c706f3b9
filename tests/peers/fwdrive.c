/*
 * fwdrive: plays trunkd's parent (and dbd) for one fwd process, so that
 * the firewall tests and the benchmark can drive fwd alone: fork+exec fwd
 * with a socketpair on fd 3, HELLO -> CONF_SANDBOX, CONF_FWD, CONF_END ->
 * CONFIG_DONE -> START, then one command per line on stdin:
 *
 *   begin GEN			open a snapshot (sent at "end")
 *   trunk NET... | admin NET...	networks of the snapshot
 *   ban NET SECONDS		a ban of the snapshot (FW_SET_BAN chunk)
 *   nobans			an empty ban chunk: the snapshot has no bans
 *   bulk N FIRST SECONDS	N bans of consecutive IPv4 addresses
 *   end			FW_SYNC_BEGIN, the chunks, FW_SYNC_END
 *   add|del trunk|admin NET...	FW_NET_ADD / FW_NET_DEL
 *   fwban REQID NET SECONDS [REASON]	FW_BAN (from dbd)
 *   fwunban REQID NET		FW_UNBAN
 *   cmd WORD [ARGS]		a trunkctl command; prints "out: LINE"
 *   lat N FIRST SECONDS	N bans one after the other, each waiting for
 *				its FW_RESULT; prints round-trip percentiles
 *
 * Empty lines just wait.  After each line fwd is asked for its status, which it answers after
 * everything sent before: then "done N" (N = line number) is printed.
 * fwd's log lines print as "log: ...", results as "result REQID CODE TEXT".
 * Options: -a NET (admin network, repeatable), -i NET (ignore network),
 * -w PORT (admin port), -m (media from anywhere), -r RATE (SIP packets/s),
 * -b BURST, -t TABLE, -x V4LEN (widest ban), -v (fwd -v).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg.h"
#include "proto.h"
#include "util.h"

static struct imsgbuf	ibuf;
static pid_t		fwd_pid;
static uint32_t		last_reqid;
static int		last_code;

static void
send_msg(uint32_t type, uint32_t from, const void *data, size_t len)
{
	if (imsg_compose(&ibuf, type, from, -1, data, len) == -1 ||
	    imsg_flush(&ibuf) == -1)
		err(1, "send %s", msg_name(type));
}

static int
parse_net(const char *s, struct proto_net *n)
{
	char		 buf[64], *slash;
	const char	*e = NULL;
	int		 max;

	memset(n, 0, sizeof(*n));
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->family = 4;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->family = 6;
	else
		return -1;
	max = n->family == 4 ? 32 : 128;
	n->prefixlen = (uint8_t)(slash != NULL ? strtonum(slash, 0, max, &e) :
	    max);
	return e == NULL ? 0 : -1;
}

/* Print what fwd says; returns the type handled. */
static uint32_t
handle(struct imsg *imsg)
{
	const struct msg_log		*l;
	const struct msg_fw_result	*r;
	const struct msg_ctl_out	*o;

	switch (imsg->hdr.type) {
	case MSG_LOG:
		l = imsg->data;
		printf("log: %.*s\n", (int)(imsg->datalen - sizeof(int32_t)),
		    l->text);
		break;
	case MSG_FW_RESULT:
		r = imsg->data;
		last_reqid = r->reqid;
		last_code = r->code;
		printf("result %u %d %.*s\n", r->reqid, r->code,
		    (int)sizeof(r->text), r->text);
		break;
	case MSG_CHILD_OUT:
		o = imsg->data;
		if (o->line[0] != '\0')
			printf("out: %.*s\n", (int)sizeof(o->line), o->line);
		if (o->done)
			printf("out-done %d\n", o->code);
		break;
	}
	fflush(stdout);
	return imsg->hdr.type;
}

/* Read from fwd until a message of this type (and, for CHILD_OUT, done). */
static void
await(uint32_t type)
{
	struct imsg	imsg;
	struct pollfd	pfd = { CHILD_IMSG_FD, POLLIN, 0 };
	uint32_t	t;
	ssize_t		n;
	int		r, done;

	pfd.fd = ibuf.fd;
	for (;;) {
		while ((r = imsg_get(&ibuf, &imsg)) == 1) {
			t = handle(&imsg);
			done = t == type && (t != MSG_CHILD_OUT ||
			    ((struct msg_ctl_out *)imsg.data)->done);
			imsg_free(&imsg);
			if (done)
				return;
		}
		if (r == -1)
			errx(1, "bad message from fwd");
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			err(1, "poll");
		if ((n = imsg_read(&ibuf)) == 0)
			errx(1, "fwd exited");
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			err(1, "read");
	}
}

static void
barrier(void)
{
	send_msg(MSG_STATUS_REQ, PROC_PARENT, NULL, 0);
	await(MSG_STATUS);
}

/* ---- the snapshot being composed ---- */

static struct msg_fw_nets	*chunks;
static size_t			 nchunks;

static struct msg_fw_nets *
chunk_for(uint32_t set)
{
	struct msg_fw_nets	*c;

	if (nchunks > 0 && chunks[nchunks - 1].set == set &&
	    chunks[nchunks - 1].n < PROTO_FW_CHUNK)
		return &chunks[nchunks - 1];
	if ((c = reallocarray(chunks, nchunks + 1, sizeof(*c))) == NULL)
		err(1, "chunks");
	chunks = c;
	c = &chunks[nchunks++];
	memset(c, 0, sizeof(*c));
	c->set = set;
	return c;
}

static void
snap_add(uint32_t set, const struct proto_net *n, uint32_t timeout)
{
	struct msg_fw_nets	*c = chunk_for(set);

	c->elems[c->n].net = *n;
	c->elems[c->n].timeout = timeout;
	c->n++;
}

static void
snap_send(uint64_t gen)
{
	struct msg_fw_sync	s;
	size_t			i;

	memset(&s, 0, sizeof(s));
	s.generation = gen;
	send_msg(MSG_FW_SYNC_BEGIN, PROC_DBD, &s, sizeof(s));
	for (i = 0; i < nchunks; i++)
		send_msg(MSG_FW_SYNC_NETS, PROC_DBD, &chunks[i],
		    MSG_FW_NETS_MIN + chunks[i].n * sizeof(struct fw_elem));
	send_msg(MSG_FW_SYNC_END, PROC_DBD, &s, sizeof(s));
	free(chunks);
	chunks = NULL;
	nchunks = 0;
}

static void
v4_nth(const char *first, uint32_t i, struct proto_net *n)
{
	uint32_t	a;

	if (parse_net(first, n) == -1 || n->family != 4)
		errx(1, "bad address %s", first);
	memcpy(&a, n->addr, 4);
	a = htonl(ntohl(a) + i);
	memcpy(n->addr, &a, 4);
}

static uint64_t
now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* N bans one at a time: the time from sending to FW_RESULT. */
static void
latency(uint32_t n, const char *first, uint32_t secs)
{
	struct msg_fw_ban	 b;
	uint64_t		*rtt, t0;
	uint32_t		 i;

	if (n == 0 || (rtt = calloc(n, sizeof(*rtt))) == NULL)
		errx(1, "lat");
	for (i = 0; i < n; i++) {
		memset(&b, 0, sizeof(b));
		b.reqid = 1000000 + i;
		b.timeout = secs;
		v4_nth(first, i, &b.net);
		(void)strlcpy(b.reason, "bench", sizeof(b.reason));
		t0 = now_us();
		send_msg(MSG_FW_BAN, PROC_ASTD, &b, sizeof(b));
		do
			await(MSG_FW_RESULT);
		while (last_reqid != b.reqid);
		rtt[i] = now_us() - t0;
		if (last_code != 0)
			errx(1, "ban %u refused (%d)", i, last_code);
	}
	qsort(rtt, n, sizeof(*rtt), u64cmp);
	printf("latency n %u p50 %llu p99 %llu us\n", n,
	    (unsigned long long)rtt[(n - 1) / 2],
	    (unsigned long long)rtt[(n - 1) * 99 / 100]);
	free(rtt);
}

static void
fw_ban_send(char **w, int n, int unban)
{
	struct msg_fw_ban	b;

	memset(&b, 0, sizeof(b));
	if (n < (unban ? 3 : 4) || parse_net(w[2], &b.net) == -1)
		errx(1, "usage: fwban REQID NET SECONDS [REASON]");
	b.reqid = (uint32_t)strtoul(w[1], NULL, 10);
	if (!unban)
		b.timeout = (uint32_t)strtoul(w[3], NULL, 10);
	if (n > 4)
		(void)strlcpy(b.reason, w[4], sizeof(b.reason));
	send_msg(unban ? MSG_FW_UNBAN : MSG_FW_BAN, PROC_DBD, &b, sizeof(b));
}

static void
delta(char **w, int n, int add)
{
	struct msg_fw_nets	m;
	int			i;

	memset(&m, 0, sizeof(m));
	if (n < 3)
		errx(1, "usage: add|del trunk|admin NET...");
	m.set = strcmp(w[1], "admin") == 0 ? FW_SET_ADMIN : FW_SET_TRUNK;
	for (i = 2; i < n && m.n < PROTO_FW_CHUNK; i++)
		if (parse_net(w[i], &m.elems[m.n++].net) == -1)
			errx(1, "bad network %s", w[i]);
	send_msg(add ? MSG_FW_NET_ADD : MSG_FW_NET_DEL, PROC_DBD, &m,
	    MSG_FW_NETS_MIN + m.n * sizeof(struct fw_elem));
}

static void
command(char *line)
{
	static uint64_t		 gen;
	struct msg_ctl_cmd	 c;
	struct proto_net	 net;
	char			*w[64], *p, *last;
	uint32_t		 i, cnt;
	int			 n = 0, k;

	for (p = strtok_r(line, " \t\n", &last); p != NULL && n < 64;
	    p = strtok_r(NULL, " \t\n", &last))
		w[n++] = p;
	if (n == 0)
		return;
	if (strcmp(w[0], "begin") == 0 && n == 2)
		gen = strtoull(w[1], NULL, 10);
	else if ((strcmp(w[0], "trunk") == 0 || strcmp(w[0], "admin") == 0)) {
		for (k = 1; k < n; k++) {
			if (parse_net(w[k], &net) == -1)
				errx(1, "bad network %s", w[k]);
			snap_add(w[0][0] == 't' ? FW_SET_TRUNK : FW_SET_ADMIN,
			    &net, 0);
		}
	} else if (strcmp(w[0], "ban") == 0 && n == 3) {
		if (parse_net(w[1], &net) == -1)
			errx(1, "bad network %s", w[1]);
		snap_add(FW_SET_BAN, &net, (uint32_t)strtoul(w[2], NULL, 10));
	} else if (strcmp(w[0], "nobans") == 0)
		(void)chunk_for(FW_SET_BAN);
	else if (strcmp(w[0], "bulk") == 0 && n == 4) {
		cnt = (uint32_t)strtoul(w[1], NULL, 10);
		for (i = 0; i < cnt; i++) {
			v4_nth(w[2], i, &net);
			snap_add(FW_SET_BAN, &net,
			    (uint32_t)strtoul(w[3], NULL, 10));
		}
	} else if (strcmp(w[0], "end") == 0) {
		snap_send(gen);
		barrier();
	} else if (strcmp(w[0], "add") == 0 || strcmp(w[0], "del") == 0) {
		delta(w, n, w[0][0] == 'a');
		barrier();
	} else if (strcmp(w[0], "fwban") == 0 || strcmp(w[0], "fwunban") == 0) {
		fw_ban_send(w, n, w[0][2] == 'u');
		barrier();
	} else if (strcmp(w[0], "cmd") == 0 && n >= 2) {
		memset(&c, 0, sizeof(c));
		c.target = PROC_FWD;
		c.ctlid = 7;
		(void)strlcpy(c.cmd, w[1], sizeof(c.cmd));
		for (k = 2; k < n; k++) {
			if (k > 2)
				(void)strlcat(c.args, " ", sizeof(c.args));
			(void)strlcat(c.args, w[k], sizeof(c.args));
		}
		send_msg(MSG_CHILD_CMD, PROC_PARENT, &c, sizeof(c));
		await(MSG_CHILD_OUT);
	} else if (strcmp(w[0], "lat") == 0 && n == 4)
		latency((uint32_t)strtoul(w[1], NULL, 10), w[2],
		    (uint32_t)strtoul(w[3], NULL, 10));
	else
		errx(1, "unknown command: %s", w[0]);
}

static void
start_fwd(char *path, const char *chroot_dir, int verbose,
    const struct msg_conf_fwd *conf)
{
	struct msg_conf_sandbox	 sb;
	char			*argv[3] = { path, NULL, NULL };
	char			*envp[] = { NULL };
	int			 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		err(1, "socketpair");
	if (verbose)
		argv[1] = "-v";
	if ((fwd_pid = fork()) == -1)
		err(1, "fork");
	if (fwd_pid == 0) {
		if (dup2(sv[1], CHILD_IMSG_FD) == -1)
			_exit(1);
		execve(path, argv, envp);
		_exit(127);
	}
	close(sv[1]);
	if (imsgbuf_init(&ibuf, sv[0], PROTO_CHANNEL_MAX, 0) == -1)
		err(1, "imsgbuf_init");
	await(MSG_HELLO);
	memset(&sb, 0, sizeof(sb));
	if (strlcpy(sb.chroot, chroot_dir, sizeof(sb.chroot)) >=
	    sizeof(sb.chroot))
		errx(1, "chroot path too long");
	send_msg(MSG_CONF_SANDBOX, PROC_PARENT, &sb, sizeof(sb));
	send_msg(MSG_CONF_FWD, PROC_PARENT, conf, sizeof(*conf));
	send_msg(MSG_CONF_END, PROC_PARENT, NULL, 0);
	await(MSG_CONFIG_DONE);
	send_msg(MSG_START, PROC_PARENT, NULL, 0);
	printf("started %d\n", (int)fwd_pid);
	fflush(stdout);
}

int
main(int argc, char *argv[])
{
	struct msg_conf_fwd	*conf;
	char			 line[8192];
	unsigned long		 lineno = 0;
	size_t			 len = 0;
	int			 c, verbose = 0, status;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		err(1, "calloc");
	(void)strlcpy(conf->table, "trunkd", sizeof(conf->table));
	conf->sip_udp_ports[conf->n_sip_udp_ports++] = 5060;
	conf->sip_tcp_ports[conf->n_sip_tcp_ports++] = 5060;
	conf->sip_tcp_ports[conf->n_sip_tcp_ports++] = 5061;
	conf->rtp_low = 10000;
	conf->rtp_high = 20000;
	conf->web_port = 8443;
	conf->sip_rate = 50;
	conf->sip_burst = 100;
	conf->max_ban_prefix4 = 24;
	conf->max_ban_prefix6 = 48;
	while ((c = getopt(argc, argv, "a:b:i:mr:t:vw:x:")) != -1) {
		switch (c) {
		case 'a':
			if (conf->n_admin_nets == PROTO_CONF_NETS ||
			    parse_net(optarg,
			    &conf->admin_nets[conf->n_admin_nets++]) == -1)
				errx(1, "bad admin network %s", optarg);
			break;
		case 'i':
			if (conf->n_ignore_nets == PROTO_CONF_NETS ||
			    parse_net(optarg,
			    &conf->ignore_nets[conf->n_ignore_nets++]) == -1)
				errx(1, "bad ignore network %s", optarg);
			break;
		case 'b':
			conf->sip_burst = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			conf->media_anywhere = 1;
			break;
		case 'r':
			conf->sip_rate = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 't':
			(void)strlcpy(conf->table, optarg, sizeof(conf->table));
			break;
		case 'v':
			verbose = 1;
			break;
		case 'w':
			conf->web_port = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'x':
			conf->max_ban_prefix4 = (uint8_t)atoi(optarg);
			break;
		default:
			errx(1, "usage: fwdrive [-mv] [-a net] [-b burst] "
			    "[-i net] [-r rate] [-t table] [-w port] [-x len] "
			    "fwd chroot");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		errx(1, "usage: fwdrive [options] fwd chroot");
	(void)signal(SIGPIPE, SIG_IGN);
	start_fwd(argv[0], argv[1], verbose, conf);
	/* Commands from stdin; fwd's log lines printed as they come. */
	for (;;) {
		struct pollfd	pfd[2] = { { STDIN_FILENO, POLLIN, 0 },
				    { ibuf.fd, POLLIN, 0 } };
		struct imsg	imsg;
		ssize_t		n;
		char		*nl;

		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			if ((n = imsg_read(&ibuf)) == 0)
				errx(1, "fwd exited");
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				err(1, "read");
			while (imsg_get(&ibuf, &imsg) == 1) {
				(void)handle(&imsg);
				imsg_free(&imsg);
			}
		}
		if ((pfd[0].revents & (POLLIN | POLLHUP)) == 0)
			continue;
		if ((n = read(STDIN_FILENO, line + len, sizeof(line) - len - 1))
		    <= 0)
			break;
		len += (size_t)n;
		line[len] = '\0';
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			lineno++;
			command(line);
			barrier();
			printf("done %lu\n", lineno);
			fflush(stdout);
			len -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, len + 1);
		}
		if (len == sizeof(line) - 1)
			errx(1, "line too long");
	}
	/* As trunkd does on shutdown: the channel closes, fwd exits, the
	 * table stays. */
	imsgbuf_clear(&ibuf);
	(void)close(ibuf.fd);
	(void)waitpid(fwd_pid, &status, 0);
	free(conf);
	return 0;
}
