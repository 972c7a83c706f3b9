#include <sys/stat.h>

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "imsg.h"
#include "log.h"
#include "proto.h"
#include "sandbox.h"
#include "util.h"

enum child_state { WAIT_CONFIG, WAIT_START, RUNNING };

#define CHILD_READ_BURST	64	/* reads, or messages, per wake-up */

static struct {
	const struct child_ops	*ops;
	struct event_base	*base;
	struct imsgbuf		 ibuf;
	struct event		*ev_read;
	struct event		*ev_write;	/* the socket is full */
	struct event		*ev_flush;	/* the end of this turn */
	enum child_state	 state;
	struct msg_conf_sandbox	 sandbox;
	int			 have_sandbox;
	void			*conf;		/* the role's CONF_<ROLE> */
	size_t			 conflen;
	time_t			 started;
	uint64_t		 msgs_in;
	uint64_t		 msgs_out;
} ch;

static void	child_schedule_write(void);

int
child_send(uint32_t type, enum proc_id to, int fd, const void *data,
    size_t len)
{
	const char	*why;

	/* Refuse locally what the parent would refuse: a bug, not a route. */
	if ((why = msg_check(type, ch.ops->role, to, len, fd != -1)) != NULL) {
		log_warnx("not sending %s to %s: %s", msg_name(type),
		    proc_name(to), why);
		return -1;
	}
	if (imsg_compose(&ch.ibuf, type, to, fd, data, len) == -1)
		return -1;
	ch.msgs_out++;
	child_schedule_write();
	return 0;
}

/*
 * Logging goes to the parent.  Ordinary lines join the queue and leave with
 * the next write (an access-log line per request costs no extra system
 * call of its own); a critical line, written just before exit, and any
 * line before the event loop runs are flushed at once.
 */
static void
child_log_sink(int priority, const char *line)
{
	struct msg_log	m;
	size_t		len;

	memset(&m, 0, sizeof(m));
	m.priority = priority;
	len = strlcpy(m.text, line, sizeof(m.text));
	if (len >= sizeof(m.text))
		len = sizeof(m.text) - 1;
	if (imsg_compose(&ch.ibuf, MSG_LOG, PROC_PARENT, -1, &m,
	    offsetof(struct msg_log, text) + len + 1) == -1)
		_exit(1);
	if (priority <= LOG_CRIT || ch.ev_write == NULL) {
		if (imsg_flush(&ch.ibuf) == -1)
			_exit(1);	/* the parent is gone: nobody to tell */
	} else
		child_schedule_write();
}

/*
 * What is queued leaves with one write once this turn's callbacks have
 * run; only a full socket makes us wait until it is writable.
 */
static void
child_schedule_write(void)
{
	if (ch.ev_flush != NULL && imsg_pending(&ch.ibuf) &&
	    !event_pending(ch.ev_write, EV_WRITE, NULL))
		event_active(ch.ev_flush, EV_WRITE, 0);
}

static void
child_write_cb(evutil_socket_t fd, short what, void *arg)
{
	if (imsg_write(&ch.ibuf) == -1 && errno != EAGAIN && errno != EINTR)
		fatal("write to parent");
	if (imsg_pending(&ch.ibuf))
		(void)event_add(ch.ev_write, NULL);
}

int
child_cmd_out(uint32_t ctlid, int done, int code, const char *fmt, ...)
{
	struct msg_ctl_out	out;
	va_list			ap;

	memset(&out, 0, sizeof(out));
	out.ctlid = ctlid;
	out.done = done != 0;
	out.code = code;
	va_start(ap, fmt);
	(void)vsnprintf(out.line, sizeof(out.line), fmt, ap);
	va_end(ap);
	return child_send(MSG_CHILD_OUT, PROC_PARENT, -1, &out, sizeof(out));
}

static void
child_command(struct imsg *imsg)
{
	struct msg_ctl_cmd	*c = imsg->data;

	if (!proto_str_ok(c->cmd, sizeof(c->cmd)) ||
	    !proto_str_ok(c->args, sizeof(c->args)))
		fatalx("malformed CHILD_CMD");
	if (ch.state != RUNNING || ch.ops->command == NULL ||
	    ch.ops->command(c->ctlid, c->cmd, c->args) == -1)
		(void)child_cmd_out(c->ctlid, 1, 1, "%s: unknown command "
		    "\"%s\"", proc_name(ch.ops->role), c->cmd);
}

static void
child_send_status(void)
{
	struct msg_status	st;

	memset(&st, 0, sizeof(st));
	st.pid = (uint32_t)getpid();
	st.uptime = (uint32_t)(monotime() - ch.started);
	st.msgs_in = ch.msgs_in;
	st.msgs_out = ch.msgs_out + 1;
	if (ch.ops->state != NULL)
		ch.ops->state(st.state, sizeof(st.state));
	(void)child_send(MSG_STATUS, PROC_PARENT, -1, &st, sizeof(st));
}

static void
child_conf_blob(struct imsg *imsg)
{
	struct msg_conf_blob	*b = imsg->data;

	if (b->len > imsg->datalen - MSG_CONF_BLOB_MIN ||
	    b->kind == 0 || b->kind >= BLOB_KIND_MAX || ch.ops->blob == NULL ||
	    (ch.ops->blob_kinds & (1U << b->kind)) == 0)
		fatalx("malformed CONF_BLOB from parent");
	if (ch.ops->blob(b->kind, b->data, b->len) == -1)
		fatalx("configuration item %u refused", b->kind);
}

const void *
child_conf(void)
{
	return ch.conf;
}

const struct msg_conf_sandbox *
child_sandbox(void)
{
	return ch.have_sandbox ? &ch.sandbox : NULL;
}

/* The role's settings; kept until replaced by a reload. */
static void
child_conf_role(struct imsg *imsg)
{
	void	*copy;

	if ((copy = malloc(imsg->datalen)) == NULL)
		fatal("configuration");
	memcpy(copy, imsg->data, imsg->datalen);
	free(ch.conf);
	ch.conf = copy;
	ch.conflen = imsg->datalen;
}

static void
child_conf_end(void)
{
	struct sandbox_ids	ids;
	char			err[PROTO_ERR_MAX];

	if (ch.state == RUNNING) {
		if (ch.ops->reload != NULL && ch.ops->reload() == -1)
			log_warnx("reloaded configuration not applied");
		return;
	}
	if (ch.state != WAIT_CONFIG || !ch.have_sandbox || ch.conf == NULL)
		fatalx("configuration incomplete");
	if (ch.ops->prepare != NULL && ch.ops->prepare(ch.base) == -1)
		fatalx("start-up failed");
	ids.chroot = ch.sandbox.chroot;
	ids.uid = ch.sandbox.uid;
	ids.gid = ch.sandbox.gid;
	if (sandbox_lockdown(ch.ops->policy, &ids, err, sizeof(err)) == -1)
		fatalx("lock-down failed: %s", err);
	ch.state = WAIT_START;
	/*
	 * CONF_LISTEN comes only before the first CONF_END (config_send.c)
	 * and is refused from now on: unless the catalogue lets another fd
	 * reach this role, read in bulk.  Default mode read nothing past
	 * this message, and the mode keeps whatever is held.
	 */
	if (!proto_may_send_fd(PROC_MAX, ch.ops->role, MSG_CONF_LISTEN))
		imsgbuf_set_nofd(&ch.ibuf);
	(void)child_send(MSG_CONFIG_DONE, PROC_PARENT, -1, NULL, 0);
}

static void
child_dispatch(struct imsg *imsg)
{
	enum proc_id	 from = (enum proc_id)imsg->hdr.peerid;
	const char	*why;

	/* The parent stamps the sender into peerid; check it all again. */
	if ((why = msg_check(imsg->hdr.type, from, ch.ops->role, imsg->datalen,
	    imsg->fd != -1)) != NULL)
		fatalx("hostile message %s (%u) from %s: %s",
		    msg_name(imsg->hdr.type), imsg->hdr.type, proc_name(from),
		    why);
	ch.msgs_in++;

	switch (imsg->hdr.type) {
	case MSG_CONF_SANDBOX:
		if (ch.state != WAIT_CONFIG) {
			/* Reload: the sandbox cannot change while running. */
			if (memcmp(&ch.sandbox, imsg->data,
			    sizeof(ch.sandbox)) != 0)
				log_warnx("sandbox changes need a restart");
			return;
		}
		memcpy(&ch.sandbox, imsg->data, sizeof(ch.sandbox));
		if (!proto_str_ok(ch.sandbox.chroot, sizeof(ch.sandbox.chroot)))
			fatalx("malformed CONF_SANDBOX");
		ch.have_sandbox = 1;
		break;
	case MSG_CONF_BLOB:
		child_conf_blob(imsg);
		break;
	case MSG_CONF_WEBD:
	case MSG_CONF_DBD:
	case MSG_CONF_FWD:
	case MSG_CONF_ASTD:
		/* msg_check() made sure it is this role's own. */
		child_conf_role(imsg);
		break;
	case MSG_CONF_LISTEN:
		if (ch.state != WAIT_CONFIG || ch.ops->fd == NULL ||
		    ch.ops->fd(imsg->hdr.type, imsg->fd) == -1)
			fatalx("unexpected file descriptor");
		imsg->fd = -1;
		break;
	case MSG_CONF_END:
		child_conf_end();
		break;
	case MSG_START:
		if (ch.state != WAIT_START)
			fatalx("START before configuration");
		ch.state = RUNNING;
		if (ch.ops->start != NULL)
			ch.ops->start(ch.base);
		break;
	case MSG_STATUS_REQ:
		child_send_status();
		break;
	case MSG_CHILD_CMD:
		child_command(imsg);
		break;
	default:
		if (ch.state != RUNNING || ch.ops->dispatch == NULL ||
		    ch.ops->dispatch(imsg, from) == -1)
			fatalx("unexpected %s from %s",
			    msg_name(imsg->hdr.type), proc_name(from));
		break;
	}
}

static void
child_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct imsg	imsg;
	ssize_t		n;
	int		r = 0, rounds, msgs = 0;

	/*
	 * Drain what is there (a burst of bans, a snapshot's chunks) before
	 * the loop turns again; every message a read brought is taken.
	 */
	for (rounds = 0; rounds < CHILD_READ_BURST &&
	    msgs < CHILD_READ_BURST; rounds++) {
		if ((n = imsg_read(&ch.ibuf)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			fatal("read from parent");
		}
		if (n == 0) {
			/* The parent stops us, or is gone: nothing runs
			 * unsupervised. */
			_exit(0);
		}
		while ((r = imsg_get(&ch.ibuf, &imsg)) == 1) {
			child_dispatch(&imsg);
			imsg_free(&imsg);
			msgs++;
		}
		if (r == -1)
			fatal("bad message from parent");
		/* Level-triggered: more data wakes us up again. */
		if (imsg_read_drained(&ch.ibuf))
			break;
	}
	child_schedule_write();
}

void
child_main(const struct child_ops *ops, int argc, char *argv[])
{
	struct msg_hello	hello;
	struct stat		sb;
	int			verbose = 0, c;

	while ((c = getopt(argc, argv, "v")) != -1) {
		if (c != 'v') {
			fprintf(stderr, "usage: %s [-v]: started by trunkd\n",
			    argv[0]);
			exit(1);
		}
		verbose++;
	}
	if (fstat(CHILD_IMSG_FD, &sb) == -1 || !S_ISSOCK(sb.st_mode)) {
		fprintf(stderr, "%s: not started by trunkd (no channel on fd %d)"
		    "\n", proc_name(ops->role), CHILD_IMSG_FD);
		exit(1);
	}
	/*
	 * Signals are for the parent, which stops us by closing our channel:
	 * a ^C on the terminal or a SIGTERM to the whole process group must
	 * not look like a child dying on its own.
	 */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);

	memset(&ch, 0, sizeof(ch));
	ch.ops = ops;
	ch.started = monotime();
	if (set_nonblock(CHILD_IMSG_FD) == -1 ||
	    imsgbuf_init(&ch.ibuf, CHILD_IMSG_FD, PROTO_CHANNEL_MAX,
	    ops->role == PROC_WEBD) == -1) {
		fprintf(stderr, "%s: channel set-up failed\n",
		    proc_name(ops->role));
		exit(1);
	}
	log_init(1, verbose, proc_name(ops->role));
	log_set_sink(child_log_sink);

	if ((ch.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	ch.ev_read = event_new(ch.base, CHILD_IMSG_FD, EV_READ | EV_PERSIST,
	    child_read_cb, NULL);
	ch.ev_write = event_new(ch.base, CHILD_IMSG_FD, EV_WRITE,
	    child_write_cb, NULL);
	ch.ev_flush = event_new(ch.base, -1, 0, child_write_cb, NULL);
	if (ch.ev_read == NULL || ch.ev_write == NULL || ch.ev_flush == NULL ||
	    event_add(ch.ev_read, NULL) == -1)
		fatalx("event set-up failed");

	memset(&hello, 0, sizeof(hello));
	hello.role = ops->role;
	hello.version = TRUNKD_PROTO_VERSION;
	hello.pid = (uint32_t)getpid();
	if (child_send(MSG_HELLO, PROC_PARENT, -1, &hello, sizeof(hello)) == -1)
		fatalx("hello");

	if (event_base_dispatch(ch.base) == -1)
		fatalx("event loop failed");
	exit(0);
}
