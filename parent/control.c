/*
 * The control socket: a UNIX socket only root can open, speaking imsg with
 * the control types of the catalogue.  trunkctl asks; the parent answers,
 * asking the children where it must.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "util.h"

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 entry;
	struct imsgbuf		 ibuf;
	struct event		*ev_read;
	struct event		*ev_write;
	int			 wants_status;
	uint32_t		 ctlid;		/* of a command under way */
	enum proc_id		 target;	/* ... and who answers it */
	int			 closing;	/* after the queue drains */
};

static uint32_t			 ctl_next_id;
static TAILQ_HEAD(, ctl_conn)	 ctl_conns = TAILQ_HEAD_INITIALIZER(ctl_conns);
static struct event		*ev_accept;
static int			 ctl_fd = -1;
static char			 ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

#define CTL_MAX_CONNS	16

static void
ctl_close(struct ctl_conn *c)
{
	TAILQ_REMOVE(&ctl_conns, c, entry);
	event_free(c->ev_read);
	event_free(c->ev_write);
	close(c->ibuf.fd);
	imsgbuf_clear(&c->ibuf);
	free(c);
}

/* Connections are freed only here, never under a caller's feet. */
static void
ctl_schedule_write(struct ctl_conn *c)
{
	if (imsg_pending(&c->ibuf) || c->closing)
		(void)event_add(c->ev_write, NULL);
}

static void
ctl_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn	*c = arg;

	if ((imsg_write(&c->ibuf) == -1 && errno != EAGAIN &&
	    errno != EINTR) || (c->closing && !imsg_pending(&c->ibuf))) {
		ctl_close(c);
		return;
	}
	ctl_schedule_write(c);
}

static void
ctl_compose(struct ctl_conn *c, uint32_t type, const void *data, size_t len)
{
	if (imsg_compose(&c->ibuf, type, PROC_PARENT, -1, data, len) == -1)
		c->closing = 1;
}

static void
ctl_result(struct ctl_conn *c, int code, const char *text)
{
	struct msg_ctl_result	r;

	memset(&r, 0, sizeof(r));
	r.code = code;
	(void)strlcpy(r.text, text, sizeof(r.text));
	ctl_compose(c, MSG_CTL_RESULT, &r, sizeof(r));
	ctl_compose(c, MSG_CTL_END, NULL, 0);
	c->closing = 1;
	ctl_schedule_write(c);
}

static void
ctl_status_row(struct ctl_conn *c, enum proc_id role, pid_t pid,
    time_t start, uint64_t in, uint64_t out, const char *state)
{
	struct msg_ctl_status_row	row;

	memset(&row, 0, sizeof(row));
	row.role = role;
	row.pid = (uint32_t)pid;
	row.uptime = (uint32_t)(monotime() - start);
	row.msgs_in = in;
	row.msgs_out = out;
	(void)strlcpy(row.state, state, sizeof(row.state));
	ctl_compose(c, MSG_CTL_STATUS_ROW, &row, sizeof(row));
}

/* Every child answered (or the wait timed out): tell whoever asked. */
void
control_status_ready(void)
{
	struct ctl_conn	*c, *next;
	enum proc_id	 id;

	TAILQ_FOREACH_SAFE(c, &ctl_conns, entry, next) {
		if (!c->wants_status)
			continue;
		c->wants_status = 0;
		ctl_status_row(c, PROC_PARENT, getpid(), env->start_time,
		    env->msgs_in, env->msgs_out, "routing");
		FOREACH_CHILD(id) {
			struct child_proc *p = &env->children[id];

			if (p->pid == 0)
				continue;
			if (p->status_fresh)
				ctl_status_row(c, id, p->pid, p->start_time,
				    p->status.msgs_in, p->status.msgs_out,
				    p->status.state);
			else
				ctl_status_row(c, id, p->pid, p->start_time,
				    p->msgs_out, p->msgs_in, "not answering");
		}
		ctl_compose(c, MSG_CTL_END, NULL, 0);
		c->closing = 1;
		ctl_schedule_write(c);
	}
}

/* A line of a child's answer to a trunkctl command. */
void
control_child_out(enum proc_id from, const struct msg_ctl_out *out)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &ctl_conns, entry)
		if (c->ctlid != 0 && c->ctlid == out->ctlid &&
		    c->target == from)
			break;
	if (c == NULL)
		return;		/* trunkctl went away meanwhile */
	ctl_compose(c, MSG_CTL_OUT, out, sizeof(*out));
	if (out->done) {
		c->ctlid = 0;
		ctl_compose(c, MSG_CTL_END, NULL, 0);
		c->closing = 1;
	}
	ctl_schedule_write(c);
}

static int
ctl_command(struct ctl_conn *c, struct imsg *imsg)
{
	struct msg_ctl_cmd	cmd;

	memcpy(&cmd, imsg->data, sizeof(cmd));
	if (c->ctlid != 0 || !proto_str_ok(cmd.cmd, sizeof(cmd.cmd)) ||
	    !proto_str_ok(cmd.args, sizeof(cmd.args)) ||
	    cmd.target < PROC_WEBD || cmd.target > PROC_ASTD)
		return -1;
	if (++ctl_next_id == 0)
		ctl_next_id = 1;
	c->ctlid = cmd.ctlid = ctl_next_id;
	c->target = (enum proc_id)cmd.target;
	if (proc_send((enum proc_id)cmd.target, MSG_CHILD_CMD, PROC_PARENT, -1,
	    &cmd, sizeof(cmd)) == -1) {
		c->ctlid = 0;
		ctl_result(c, 1, "that process is not running");
	}
	return 0;
}

static int
ctl_dispatch(struct ctl_conn *c, struct imsg *imsg)
{
	char		err[PROTO_ERR_MAX];

	if (msg_check(imsg->hdr.type, PROC_CTL, PROC_PARENT, imsg->datalen,
	    imsg->fd != -1) != NULL)
		return -1;
	switch (imsg->hdr.type) {
	case MSG_CTL_STATUS:
		c->wants_status = 1;
		proc_request_status();
		return 0;
	case MSG_CTL_CMD:
		return ctl_command(c, imsg);
	case MSG_CTL_RELOAD:
		if (parent_reload(err, sizeof(err)) == -1)
			ctl_result(c, 1, err);
		else
			ctl_result(c, 0, "configuration reloaded");
		return 0;
	}
	return -1;
}

static void
ctl_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn	*c = arg;
	struct imsg	 imsg;
	ssize_t		 n;
	int		 r = 0;

	if ((n = imsg_read(&c->ibuf)) == -1 && (errno == EAGAIN ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		ctl_close(c);
		return;
	}
	while (!c->closing && (r = imsg_get(&c->ibuf, &imsg)) == 1) {
		if (ctl_dispatch(c, &imsg) == -1) {
			log_warnx("control: bad request %u; closing",
			    imsg.hdr.type);
			ctl_result(c, 22, "bad request");
		}
		imsg_free(&imsg);
	}
	if (!c->closing && r == -1)
		ctl_close(c);
}

static void
ctl_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct ctl_conn	*c;
	struct ucred	 cred;
	socklen_t	 len = sizeof(cred);
	int		 fd, n = 0;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	TAILQ_FOREACH(c, &ctl_conns, entry)
		n++;
	/* The socket is root-only; check the peer all the same. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    cred.uid != 0 || n >= CTL_MAX_CONNS) {
		log_warnx("control: refused connection (uid %d)",
		    len == sizeof(cred) ? (int)cred.uid : -1);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    imsgbuf_init(&c->ibuf, fd, PROTO_CTL_MAX, 0) == -1) {
		free(c);
		close(fd);
		return;
	}
	c->ev_read = event_new(env->base, fd, EV_READ | EV_PERSIST,
	    ctl_read_cb, c);
	c->ev_write = event_new(env->base, fd, EV_WRITE, ctl_write_cb, c);
	TAILQ_INSERT_TAIL(&ctl_conns, c, entry);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    event_add(c->ev_read, NULL) == -1)
		ctl_close(c);
}

int
control_init(const char *path)
{
	struct sockaddr_un	sun;
	mode_t			old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy_ok(sun.sun_path, path, sizeof(sun.sun_path)) == -1) {
		log_warnx("control socket path too long: %s", path);
		return -1;
	}
	if ((ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("control socket %s", path);
		return -1;
	}
	old = umask(077);
	if (bind(ctl_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("control socket %s", path);
		return -1;
	}
	umask(old);
	if (chmod(path, 0600) == -1 || listen(ctl_fd, 8) == -1) {
		log_warn("control socket %s", path);
		return -1;
	}
	(void)strlcpy(ctl_path, path, sizeof(ctl_path));
	ev_accept = event_new(env->base, ctl_fd, EV_READ | EV_PERSIST,
	    ctl_accept_cb, NULL);
	if (ev_accept == NULL || event_add(ev_accept, NULL) == -1)
		return -1;
	return 0;
}

void
control_cleanup(void)
{
	if (ctl_fd != -1 && ctl_path[0] != '\0')
		(void)unlink(ctl_path);
}
