/*
 * The four children: fork+exec with the channel on fd 3 and an empty
 * environment, the start-up handshake, routing by the message table, and
 * fail-closed shutdown when any of them dies or misbehaves.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "procinfo.h"
#include "util.h"

#define PROC_READ_BURST	64	/* reads, or messages, per wake-up */

static void	proc_read_cb(evutil_socket_t, short, void *);
static void	proc_write_cb(evutil_socket_t, short, void *);
static void	proc_err_cb(evutil_socket_t, short, void *);
static void	proc_status_done(void);

static void
proc_exec(struct child_proc *c, int chan, int errfd)
{
	char	 path[CONF_PATH_MAX + 16];
	char	*argv[4];
	char	*envp[] = { NULL };
	int	 i = 0, fd;

	/* In the child, after fork: only 0-2 (the log capture) and 3. */
	if (dup2(errfd, STDIN_FILENO) == -1 ||
	    dup2(errfd, STDOUT_FILENO) == -1 ||
	    dup2(errfd, STDERR_FILENO) == -1 ||
	    dup2(chan, CHILD_IMSG_FD) == -1)
		_exit(127);
	for (fd = CHILD_IMSG_FD + 1; fd < 1024; fd++)
		(void)close(fd);
	/* fwd may be given a network namespace of its own (demo, tests). */
	if (c->role == PROC_FWD && env->conf->fw_netns[0] != '\0') {
		(void)snprintf(path, sizeof(path), "/run/netns/%s",
		    env->conf->fw_netns);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
		    setns(fd, CLONE_NEWNET) == -1) {
			dprintf(STDERR_FILENO, "network namespace %s: %s\n",
			    env->conf->fw_netns, strerror(errno));
			_exit(127);
		}
		close(fd);
	}
	(void)snprintf(path, sizeof(path), "%s/%s", env->conf->libexec,
	    proc_name(c->role));
	argv[i++] = path;
	if (env->verbose)
		argv[i++] = "-v";
	argv[i] = NULL;
	(void)signal(SIGPIPE, SIG_DFL);
	execve(path, argv, envp);
	dprintf(STDERR_FILENO, "exec %s: %s\n", path, strerror(errno));
	_exit(127);
}

static void
proc_start(struct child_proc *c)
{
	int	chan[2], err[2];
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, err) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0)
		proc_exec(c, chan[1], err[1]);
	close(chan[1]);
	close(err[1]);
	/* Nothing is ever written to the child's stdin. */
	(void)shutdown(err[0], SHUT_WR);

	c->pid = pid;
	c->errfd = err[0];
	c->start_time = monotime();
	if (set_nonblock(chan[0]) == -1 || set_nonblock(err[0]) == -1 ||
	    imsgbuf_init(&c->ibuf, chan[0], PROTO_CHANNEL_MAX,
	    c->role == PROC_WEBD) == -1)
		fatal("channel to %s", proc_name(c->role));
	/* No message of this role carries an fd: read many per recvmsg(). */
	if (!proto_may_send_fd(c->role, PROC_MAX, MSG_NONE))
		imsgbuf_set_nofd(&c->ibuf);
	c->ev_read = event_new(env->base, chan[0], EV_READ | EV_PERSIST,
	    proc_read_cb, c);
	c->ev_write = event_new(env->base, chan[0], EV_WRITE, proc_write_cb, c);
	c->ev_flush = event_new(env->base, -1, 0, proc_write_cb, c);
	c->ev_err = event_new(env->base, err[0], EV_READ | EV_PERSIST,
	    proc_err_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL || c->ev_flush == NULL ||
	    c->ev_err == NULL ||
	    event_add(c->ev_read, NULL) == -1 || event_add(c->ev_err, NULL) == -1)
		fatalx("event set-up for %s", proc_name(c->role));
	log_debug("started %s, pid %d", proc_name(c->role), (int)pid);
}

void
proc_start_all(void)
{
	enum proc_id	id;

	FOREACH_CHILD(id) {
		env->children[id].role = id;
		proc_start(&env->children[id]);
	}
}

/* As in the children: one write at the end of the turn (child.c). */
static void
proc_schedule_write(struct child_proc *c)
{
	if (c->pid != 0 && imsg_pending(&c->ibuf) &&
	    !event_pending(c->ev_write, EV_WRITE, NULL))
		event_active(c->ev_flush, EV_WRITE, 0);
}

int
proc_send(enum proc_id to, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct child_proc	*c = &env->children[to];

	if (to < PROC_WEBD || to > PROC_ASTD || c->pid == 0)
		return -1;
	if (imsg_compose(&c->ibuf, type, peerid, fd, data, len) == -1) {
		log_warn("message %s to %s", msg_name(type), proc_name(to));
		return -1;
	}
	c->msgs_out++;
	env->msgs_out++;
	proc_schedule_write(c);
	return 0;
}

static void
proc_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child_proc	*c = arg;

	if (imsg_write(&c->ibuf) == -1 && errno != EAGAIN && errno != EINTR) {
		parent_shutdown(1, "write to %s failed: %s", proc_name(c->role),
		    strerror(errno));
		return;
	}
	if (c->pid != 0 && imsg_pending(&c->ibuf))
		(void)event_add(c->ev_write, NULL);	/* the socket is full */
}

static void
proc_all_configured(void)
{
	enum proc_id	id;

	FOREACH_CHILD(id)
		if (!env->children[id].config_done)
			return;
	FOREACH_CHILD(id) {
		if (env->children[id].started)
			continue;
		env->children[id].started = 1;
		(void)proc_send(id, MSG_START, PROC_PARENT, -1, NULL, 0);
	}
	log_info("all processes configured and locked down; started");
}

/* A message addressed to the parent itself. */
static int
proc_handle(struct child_proc *c, struct imsg *imsg)
{
	struct msg_hello	*hello;
	struct msg_log		*lm;
	struct msg_ctl_out	 out;

	switch (imsg->hdr.type) {
	case MSG_HELLO:
		hello = imsg->data;
		if (c->hello || hello->role != c->role ||
		    hello->version != TRUNKD_PROTO_VERSION ||
		    hello->pid != (uint32_t)c->pid)
			return -1;
		c->hello = 1;
		if (config_send(c->role, env->conf) == -1)
			parent_shutdown(1, "cannot configure %s",
			    proc_name(c->role));
		return 0;
	case MSG_CONFIG_DONE:
		if (!c->hello || c->config_done)
			return -1;
		c->config_done = 1;
		proc_all_configured();
		return 0;
	case MSG_LOG:
		lm = imsg->data;
		/* The text must end inside what arrived. */
		if (memchr(lm->text, '\0', imsg->datalen -
		    offsetof(struct msg_log, text)) == NULL)
			return -1;
		if (lm->priority < LOG_EMERG || lm->priority > LOG_DEBUG)
			return -1;
		log_emit(lm->priority, proc_name(c->role), lm->text);
		return 0;
	case MSG_CHILD_OUT:
		memcpy(&out, imsg->data, sizeof(out));
		if (!c->started || !proto_str_ok(out.line, sizeof(out.line)))
			return -1;
		control_child_out(c->role, &out);
		return 0;
	case MSG_STATUS:
		if (!c->started)
			return -1;
		memcpy(&c->status, imsg->data, sizeof(c->status));
		if (!proto_str_ok(c->status.state, sizeof(c->status.state)))
			return -1;
		c->status_fresh = 1;
		if (proc_status_complete())
			proc_status_done();
		return 0;
	case MSG_PROCS_REQ:
		if (!c->started)
			return -1;
		env->webd_wants_procs = 1;
		proc_request_status();
		return 0;
	}
	return -1;
}

static void
proc_dispatch(struct child_proc *c, struct imsg *imsg)
{
	enum proc_id	 to;
	const char	*why;

	c->msgs_in++;
	env->msgs_in++;
	to = msg_route(imsg->hdr.type, c->role, imsg->hdr.peerid);
	if (to == PROC_MAX)
		why = msg_spec(imsg->hdr.type) == NULL ?
		    "unknown message type" : "route not allowed";
	else
		why = msg_check(imsg->hdr.type, c->role, to, imsg->datalen,
		    imsg->fd != -1);
	if (why == NULL && !c->hello && imsg->hdr.type != MSG_HELLO)
		why = "message before HELLO";
	if (why == NULL && !c->started && to != PROC_PARENT)
		why = "message before START";
	if (why != NULL) {
		/* Name the receiver the sender asked for, if any. */
		if (to == PROC_MAX && imsg->hdr.peerid < PROC_MAX)
			to = (enum proc_id)imsg->hdr.peerid;
		parent_shutdown(1, "rejected route %s -> %s: %s (%u): %s",
		    proc_name(c->role), to == PROC_MAX ? "?" : proc_name(to),
		    msg_name(imsg->hdr.type), imsg->hdr.type, why);
		return;
	}
	if (to == PROC_PARENT) {
		if (proc_handle(c, imsg) == -1)
			parent_shutdown(1, "malformed or unexpected %s from %s",
			    msg_name(imsg->hdr.type), proc_name(c->role));
		return;
	}
	/* Forward, stamping the true sender into peerid. */
	if (proc_send(to, imsg->hdr.type, c->role, imsg->fd, imsg->data,
	    imsg->datalen) == -1)
		parent_shutdown(1, "cannot forward %s to %s",
		    msg_name(imsg->hdr.type), proc_name(to));
	else
		imsg->fd = -1;
}

static void
proc_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child_proc	*c = arg;
	struct imsg		 imsg;
	ssize_t			 n;
	int			 r = 0, rounds, msgs = 0;

	/*
	 * Drain a burst before the loop turns again, as the children do.
	 * Every message a bulk read brought is taken (no event would come
	 * for them), so the last read may take a burst past its size.
	 */
	for (rounds = 0; rounds < PROC_READ_BURST && msgs < PROC_READ_BURST &&
	    !env->stopping; rounds++) {
		if ((n = imsg_read(&c->ibuf)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			parent_shutdown(1, "read from %s: %s",
			    proc_name(c->role), strerror(errno));
			return;
		}
		if (n == 0) {
			/* Its exit status follows with SIGCHLD. */
			event_del(c->ev_read);
			if (!env->stopping)
				parent_shutdown(1, "%s closed its channel",
				    proc_name(c->role));
			return;
		}
		while (!env->stopping &&
		    (r = imsg_get(&c->ibuf, &imsg)) == 1) {
			proc_dispatch(c, &imsg);
			imsg_free(&imsg);
			msgs++;
		}
		if (!env->stopping && r == -1) {
			parent_shutdown(1, "malformed message from %s: %s",
			    proc_name(c->role), strerror(errno));
			return;
		}
		/* Level-triggered: more data wakes us up again. */
		if (imsg_read_drained(&c->ibuf))
			return;
	}
}

/* Whatever a child or its libraries print goes to the log, line by line. */
static void
proc_err_cb(evutil_socket_t fd, short what, void *arg)
{
	struct child_proc	*c = arg;
	char			 buf[512];
	ssize_t			 n, i;

	if ((n = read(fd, buf, sizeof(buf))) <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		event_del(c->ev_err);
		n = 0;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n' && c->errlen < sizeof(c->errline) - 1) {
			c->errline[c->errlen++] = buf[i];
			continue;
		}
		c->errline[c->errlen] = '\0';
		log_emit(LOG_WARNING, proc_name(c->role), c->errline);
		c->errlen = 0;
		if (buf[i] != '\n')
			c->errline[c->errlen++] = buf[i];
	}
}

static void
proc_describe_exit(struct child_proc *c, int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		(void)snprintf(buf, len, "%s (pid %d) killed by signal %d (%s)",
		    proc_name(c->role), (int)c->pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		(void)snprintf(buf, len, "%s (pid %d) exited with status %d",
		    proc_name(c->role), (int)c->pid, WEXITSTATUS(status));
}

static void
proc_forget(struct child_proc *c)
{
	/* Drain what it printed last, then close everything of it. */
	if (c->ev_err != NULL && event_pending(c->ev_err, EV_READ, NULL))
		proc_err_cb(c->errfd, EV_READ, c);
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	if (c->ev_flush != NULL)
		event_free(c->ev_flush);
	if (c->ev_err != NULL)
		event_free(c->ev_err);
	c->ev_read = c->ev_write = c->ev_flush = c->ev_err = NULL;
	close(c->ibuf.fd);
	close(c->errfd);
	imsgbuf_clear(&c->ibuf);
	c->pid = 0;
}

void
proc_reap(void)
{
	enum proc_id	 id;
	char		 what[128];
	pid_t		 pid;
	int		 status, alive = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		FOREACH_CHILD(id) {
			struct child_proc *c = &env->children[id];

			if (c->pid != pid)
				continue;
			proc_describe_exit(c, status, what, sizeof(what));
			proc_forget(c);
			if (env->stopping)
				log_debug("%s", what);
			else
				parent_shutdown(1, "%s; shutting down", what);
		}
	}
	FOREACH_CHILD(id)
		alive += env->children[id].pid != 0;
	if (env->stopping && alive == 0)
		event_base_loopbreak(env->base);
}

/* The dashboard's view of every process, as the kernel reports it. */
static void
proc_send_procs(void)
{
	struct msg_procs	*m;
	enum proc_id		 id;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return;
	m->procs[0].role = PROC_PARENT;
	m->procs[0].uptime = (uint32_t)(monotime() - env->start_time);
	m->procs[0].msgs_in = env->msgs_in;
	m->procs[0].msgs_out = env->msgs_out;
	(void)strlcpy(m->procs[0].state, "routing", sizeof(m->procs[0].state));
	(void)procinfo_read(getpid(), &m->procs[0]);
	m->n = 1;
	FOREACH_CHILD(id) {
		struct child_proc	*c = &env->children[id];
		struct proto_procinfo	*pi = &m->procs[m->n];

		if (c->pid == 0)
			continue;
		pi->role = id;
		pi->uptime = (uint32_t)(monotime() - c->start_time);
		pi->msgs_in = c->status_fresh ? c->status.msgs_in : c->msgs_out;
		pi->msgs_out = c->status_fresh ? c->status.msgs_out : c->msgs_in;
		(void)strlcpy(pi->state, c->status_fresh ? c->status.state :
		    "not answering", sizeof(pi->state));
		(void)procinfo_read(c->pid, pi);
		m->n++;
	}
	(void)proc_send(PROC_WEBD, MSG_PROCS, PROC_PARENT, -1, m, sizeof(*m));
	free(m);
}

/* Every child answered STATUS_REQ, or the wait ran out. */
static void
proc_status_done(void)
{
	if (env->ev_status != NULL)
		evtimer_del(env->ev_status);
	control_status_ready();
	if (env->webd_wants_procs) {
		env->webd_wants_procs = 0;
		proc_send_procs();
	}
}

static void
proc_status_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	proc_status_done();
}

void
proc_request_status(void)
{
	struct timeval	tv = { 2, 0 };
	enum proc_id	id;

	FOREACH_CHILD(id) {
		env->children[id].status_fresh = 0;
		if (env->children[id].started)
			(void)proc_send(id, MSG_STATUS_REQ, PROC_PARENT, -1,
			    NULL, 0);
	}
	if (env->ev_status == NULL)
		env->ev_status = evtimer_new(env->base, proc_status_timeout_cb,
		    NULL);
	if (env->ev_status == NULL || proc_status_complete())
		proc_status_done();
	else
		(void)evtimer_add(env->ev_status, &tv);
}

int
proc_status_complete(void)
{
	enum proc_id	id;

	FOREACH_CHILD(id)
		if (env->children[id].pid != 0 && env->children[id].started &&
		    !env->children[id].status_fresh)
			return 0;
	return 1;
}

static void
proc_kill_cb(evutil_socket_t fd, short what, void *arg)
{
	enum proc_id	id;

	FOREACH_CHILD(id)
		if (env->children[id].pid != 0) {
			log_warnx("%s did not stop; killing it",
			    proc_name(id));
			(void)kill(env->children[id].pid, SIGKILL);
		}
}

void
parent_shutdown(int code, const char *fmt, ...)
{
	struct timeval	tv = { 0, 500000 };
	enum proc_id	id;
	char		why[PROTO_LOG_MAX];
	va_list		ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (env->stopping) {
		log_debug("while stopping: %s", why);
		return;
	}
	env->stopping = 1;
	env->exit_code = code;
	if (code != 0)
		log_warnx("%s", why);
	else
		log_info("%s", why);
	/* A child exits when its channel closes; it ignores SIGTERM. */
	FOREACH_CHILD(id)
		if (env->children[id].pid != 0)
			(void)shutdown(env->children[id].ibuf.fd, SHUT_RDWR);
	/* Whatever has not gone in half a second is killed. */
	env->ev_kill = evtimer_new(env->base, proc_kill_cb, NULL);
	if (env->ev_kill != NULL)
		(void)evtimer_add(env->ev_kill, &tv);
	proc_reap();
}
