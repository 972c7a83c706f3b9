/*
 * sandbox_test: every case forks one child that locks itself down with a
 * role's real policy in a fresh chroot under /tmp, then does what the
 * role may or may not do.  The child reports one line through a pipe;
 * while a locked-down child waits, the parent also looks at it from the
 * outside (/proc/PID, prlimit), which no seccomp rule can colour.
 * Needs root (make check runs as root).
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include <linux/capability.h>
#include <linux/netlink.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Unused ids for the unprivileged roles; fwd stays uid 0. */
#define WEBD_ID		61001
#define DBD_ID		61002
#define FWD_ID		0
#define ASTD_ID		61004
#define OTHER_ID	61003	/* owns a chroot that must be refused */

enum expect {
	LOCKED,		/* lock-down and the role's work succeed */
	KILLED,		/* the forbidden call ends in SIGSYS */
	REFUSED,	/* sandbox_lockdown() returns -1 with a reason */
};

/* What the child sets up as root before the lock-down. */
struct child {
	int			 sv[2];	/* an imsg-like socketpair */
	int			 lfd;	/* TCP listener, 127.0.0.1 */
	int			 cfd;	/* connection waiting on lfd */
	struct sockaddr_in	 sin;	/* lfd's address */
	const struct sandbox_policy *policy;
	uid_t			 id;
};

struct sbcase {
	const char			*name;
	const struct sandbox_policy	*policy;
	uid_t				 id;	/* uid and gid */
	enum expect			 expect;
	const char			*(*run)(struct child *);
	mode_t				 mode;	/* of the chroot */
	uid_t				 owner;	/* of the chroot */
	int				 missing; /* no chroot */
	const char			*reason; /* REFUSED says */
};

struct fixture {
	struct sbcase	*c;
	char		 dir[PATH_MAX];
};

static char	 failbuf[256];

/* A failure message with the errno name, for the child's report. */
static const char *
failed(const char *what)
{
	const char	*name = strerrorname_np(errno);

	snprintf(failbuf, sizeof(failbuf), "%s: %s", what,
	    name != NULL ? name : "unknown errno");
	return (failbuf);
}

#define CHECK(cond, what) do {						\
	if (!(cond))							\
		return (failed(what));					\
} while (0)

static void
say(int fd, const char *fmt, ...)
{
	char	 buf[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(fd, buf, n) != n)
		_exit(4);	/* the parent sees no report */
}

static uint64_t
expected_caps(const struct sandbox_policy *p)
{
	return (p->keep_net_admin ? (uint64_t)1 << CAP_NET_ADMIN : 0);
}

/* Passes one descriptor over the socketpair, as imsg does. */
static const char *
check_fd_passing(struct child *c)
{
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	char		 byte = 'i';
	int		 fd;

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &c->sv[0], sizeof(int));
	CHECK(sendmsg(c->sv[0], &msg, 0) == 1, "sendmsg");

	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	CHECK(recvmsg(c->sv[1], &msg, 0) == 1, "recvmsg");
	cmsg = CMSG_FIRSTHDR(&msg);
	CHECK(cmsg != NULL && cmsg->cmsg_type == SCM_RIGHTS, "no SCM_RIGHTS");
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	CHECK(close(fd) == 0, "close passed fd");
	return (NULL);
}

/* The event loop and malloc: what every role does all day. */
static const char *
check_loop(struct child *c)
{
	struct epoll_event	 ev;
	struct pollfd		 pfd;
	struct timespec		 ts;
	char			 rnd[16], byte = 'x', *p;
	int			 ep, n, fl;

	CHECK(syscall(SYS_getpid) > 0, "getpid");
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0,
	    "clock_gettime");
	CHECK(syscall(SYS_getrandom, rnd, sizeof(rnd), 0) == sizeof(rnd),
	    "getrandom");
	CHECK(write(c->sv[0], &byte, 1) == 1, "write to socketpair");
	CHECK((ep = epoll_create1(EPOLL_CLOEXEC)) != -1, "epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c->sv[1], &ev) == 0, "epoll_ctl");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 1, "epoll_wait");
	CHECK(close(ep) == 0, "close");
	pfd.fd = c->sv[1];
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 0) == 1, "poll");
	CHECK(ioctl(c->sv[1], FIONREAD, &n) == 0 && n == 1, "FIONREAD");
	CHECK(read(c->sv[1], &byte, 1) == 1 && byte == 'x', "read");
	CHECK((fl = fcntl(c->sv[1], F_GETFL)) != -1, "F_GETFL");
	CHECK(fcntl(c->sv[1], F_SETFL, fl | O_NONBLOCK) == 0, "F_SETFL");
	CHECK(fcntl(c->sv[1], F_SETFD, FD_CLOEXEC) == 0, "F_SETFD");
	CHECK(fcntl(c->sv[1], F_GETFD) == FD_CLOEXEC, "F_GETFD");
	/* large enough for mmap, then mremap */
	CHECK((p = malloc(1 << 20)) != NULL, "malloc");
	memset(p, 1, 1 << 20);
	CHECK((p = realloc(p, 8 << 20)) != NULL, "realloc");
	free(p);
	return (check_fd_passing(c));
}

/* Who the child is now, seen from inside. */
static int
policy_has(const struct sandbox_policy *p, int nr)
{
	size_t	i;

	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].nr == nr)
			return 1;
	return 0;
}

static const char *
check_identity(struct child *c)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 d[_LINUX_CAPABILITY_U32S_3];
	struct stat			 st;
	uid_t				 r, e, s;
	gid_t				 rg, eg, sg;
	uint64_t			 eff, prm, inh, want;
	int				 fd, one = 1 << 20, probe_errno;

	CHECK(getresuid(&r, &e, &s) == 0, "getresuid");
	CHECK(r == c->id && e == c->id && s == c->id, "uids not dropped");
	CHECK(getresgid(&rg, &eg, &sg) == 0, "getresgid");
	CHECK(rg == c->id && eg == c->id && sg == c->id, "gids not dropped");
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "no_new_privs");

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	CHECK(syscall(SYS_capget, &hdr, d) == 0, "capget");
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	want = expected_caps(c->policy);
	errno = 0;
	CHECK(eff == want && prm == want && inh == 0, "capabilities");
	/* SO_RCVBUFFORCE needs CAP_NET_ADMIN: only fwd may use it (webd may
	 * not call setsockopt at all). */
	if (!policy_has(c->policy, SCMP_SYS(setsockopt)))
		;
	else if (c->policy->keep_net_admin)
		CHECK(setsockopt(c->sv[0], SOL_SOCKET, SO_RCVBUFFORCE, &one,
		    sizeof(one)) == 0, "CAP_NET_ADMIN not effective");
	else
		CHECK(setsockopt(c->sv[0], SOL_SOCKET, SO_RCVBUFFORCE, &one,
		    sizeof(one)) == -1 && errno == EPERM,
		    "SO_RCVBUFFORCE without CAP_NET_ADMIN");

	/* The file probe answer: EACCES, or (astd) an empty chroot. */
	probe_errno = c->policy->may_write_files ? ENOENT : EACCES;
	CHECK((fd = open("/etc/shadow", O_RDONLY)) == -1 &&
	    errno == (c->policy->may_read_files ? ENOENT : probe_errno),
	    "open /etc/shadow");
	CHECK(stat("/etc/localtime", &st) == -1 && errno == probe_errno,
	    "stat /etc/localtime");
	CHECK(open("/proc/self/status", O_RDONLY) == -1 &&
	    (errno == ENOENT || errno == EACCES), "/proc reachable");
	CHECK(fstat(c->sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat");
	return (NULL);
}

/* webd accepts (the peer's address comes with it) and shuts down; the
 * listener's options were set before the lock-down and are inherited. */
static const char *
run_webd(struct child *c)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	int			 fd;

	CHECK((fd = accept4(c->lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1, "accept4");
	CHECK(len > 0 && ss.ss_family == AF_INET, "peer address");
	CHECK(shutdown(fd, SHUT_RDWR) == 0, "shutdown");
	CHECK(close(fd) == 0, "close");
	return (NULL);
}

/* An outgoing TCP connection, as the MariaDB connector and AMI make. */
static const char *
check_connect(struct child *c)
{
	struct pollfd	 pfd;
	socklen_t	 len;
	int		 fd, one = 1, soerr = -1;

	CHECK((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1,
	    "socket AF_INET");
	CHECK(connect(fd, (struct sockaddr *)&c->sin, sizeof(c->sin)) == 0,
	    "connect");
	CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0,
	    "TCP_NODELAY");
	len = sizeof(soerr);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
	    soerr == 0, "SO_ERROR");
	pfd.fd = fd;
	pfd.events = POLLOUT;
	CHECK(poll(&pfd, 1, 0) == 1, "poll");
	CHECK(shutdown(fd, SHUT_WR) == 0, "shutdown");
	CHECK(close(fd) == 0, "close");
	/* A host without IPv6 answers EAFNOSUPPORT, not a kill. */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd != -1 || errno == EAFNOSUPPORT, "socket AF_INET6");
	if (fd != -1)
		CHECK(close(fd) == 0, "close");
	return (NULL);
}

/* What the MariaDB connector does besides connecting. */
static const char *
run_dbd(struct child *c)
{
	int	 fd, tos = IPTOS_THROUGHPUT;

	CHECK((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1,
	    "socket AF_UNIX");
	CHECK(close(fd) == 0, "close");
	CHECK((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1,
	    "socket AF_INET");
	CHECK(setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) == 0,
	    "IP_TOS");
	CHECK(close(fd) == 0, "close");
	CHECK(usleep(1) == 0, "usleep");
	return (check_connect(c));
}

static const char *
run_fwd(struct child *c)
{
	struct sockaddr_nl	 snl;
	socklen_t		 len;
	int			 fd, one = 1;

	CHECK((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER)) != -1, "socket AF_NETLINK");
	memset(&snl, 0, sizeof(snl));
	snl.nl_family = AF_NETLINK;
	CHECK(bind(fd, (struct sockaddr *)&snl, sizeof(snl)) == 0, "bind");
	len = sizeof(snl);
	CHECK(getsockname(fd, (struct sockaddr *)&snl, &len) == 0 &&
	    snl.nl_pid != 0, "getsockname");
	CHECK(setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
	    sizeof(one)) == 0, "NETLINK_EXT_ACK");
	CHECK(close(fd) == 0, "close");
	return (NULL);
}

/* The pjsip writer's atomic replace, in a directory astd owns. */
static const char *
run_astd(struct child *c)
{
	static const char	 conf[] = "[trunk]\ntype=endpoint\n";
	struct stat		 st;
	int			 fd;

	CHECK((fd = open("/spool/pjsip.conf.tmp", O_WRONLY | O_CREAT |
	    O_EXCL | O_CLOEXEC, 0644)) != -1, "create temporary file");
	CHECK(write(fd, conf, sizeof(conf) - 1) == sizeof(conf) - 1, "write");
	CHECK(fsync(fd) == 0, "fsync");
	CHECK(close(fd) == 0, "close");
	CHECK(rename("/spool/pjsip.conf.tmp", "/spool/pjsip.conf") == 0,
	    "rename");
	CHECK(stat("/spool/pjsip.conf", &st) == 0 &&
	    st.st_size == sizeof(conf) - 1 && st.st_uid == c->id, "stat");
	CHECK((fd = open("/spool", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1,
	    "open directory");
	CHECK(fsync(fd) == 0, "fsync directory");
	CHECK(close(fd) == 0, "close");
	CHECK(unlink("/spool/pjsip.conf") == 0, "unlink");
	/* The chroot itself belongs to root: astd cannot write there. */
	CHECK(open("/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0644) == -1 &&
	    errno == EACCES, "create in the chroot's root");
	return (check_connect(c));
}

/* Forbidden calls: each returns only if the filter let it through. */
static const char *
op_execve(struct child *c)
{
	char	*argv[] = { NULL };

	execve("/bin/sh", argv, argv);
	return (failed("execve survived"));
}

static const char *
op_ptrace(struct child *c)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return (failed("ptrace survived"));
}

static const char *
op_fork(struct child *c)
{
	if (fork() == 0)
		_exit(0);
	return (failed("fork survived"));
}

static const char *
op_setuid(struct child *c)
{
	syscall(SYS_setuid, 0);
	return (failed("setuid survived"));
}

static const char *
op_mmap_exec(struct child *c)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	return (failed("mmap PROT_EXEC survived"));
}

static const char *
op_dupfd(struct child *c)
{
	fcntl(c->sv[0], F_DUPFD, 0);
	return (failed("fcntl F_DUPFD survived"));
}

static const char *
op_socket_inet(struct child *c)
{
	socket(AF_INET, SOCK_STREAM, 0);
	return (failed("socket AF_INET survived"));
}

static const char *
op_socket_unix(struct child *c)
{
	socket(AF_UNIX, SOCK_STREAM, 0);
	return (failed("socket AF_UNIX survived"));
}

static const char *
op_socket_netlink(struct child *c)
{
	socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	return (failed("socket AF_NETLINK survived"));
}

#ifdef __x86_64__
/* getpid through the x32 ABI: not the filter's native one. */
static const char *
op_x32(struct child *c)
{
	syscall(0x40000000 | SYS_getpid);
	return (failed("x32 syscall survived"));
}
#endif

static const char *
op_open_path(struct child *c)
{
	open("/", O_PATH | O_CLOEXEC);
	return (failed("open O_PATH survived"));
}

/* A policy that repeats a common rule: libseccomp would merge it away. */
static const struct sandbox_rule clash_rules[] = {
	SB_ALLOW_ARG(fcntl, 1, F_DUPFD),
	SB_ALLOW(fcntl),
};
static const struct sandbox_policy clash_sandbox = {
	.role = "clash",
	.rules = clash_rules,
	.nrules = nitems(clash_rules),
	.max_files = 16,
};

#define LOCKED_CASE(role, id)						\
	{ #role "_allowed", &role##_sandbox, id, LOCKED, run_##role,	\
	    0755, 0, 0, NULL }
#define KILLED_CASE(role, id, op)					\
	{ #role "_" #op "_killed", &role##_sandbox, id, KILLED,		\
	    op_##op, 0755, 0, 0, NULL }
#define KILLED_EVERYWHERE(role, id)					\
	KILLED_CASE(role, id, execve),					\
	KILLED_CASE(role, id, ptrace),					\
	KILLED_CASE(role, id, fork),					\
	KILLED_CASE(role, id, setuid),					\
	KILLED_CASE(role, id, mmap_exec),				\
	KILLED_CASE(role, id, dupfd)
#define REFUSED_CASE(name, role, id, mode, owner, missing, reason)	\
	{ name, &role##_sandbox, id, REFUSED, NULL, mode, owner,	\
	    missing, reason }

static struct sbcase cases[] = {
	LOCKED_CASE(webd, WEBD_ID),
	LOCKED_CASE(dbd, DBD_ID),
	LOCKED_CASE(fwd, FWD_ID),
	LOCKED_CASE(astd, ASTD_ID),
	KILLED_EVERYWHERE(webd, WEBD_ID),
	KILLED_EVERYWHERE(dbd, DBD_ID),
	KILLED_EVERYWHERE(fwd, FWD_ID),
	KILLED_EVERYWHERE(astd, ASTD_ID),
	KILLED_CASE(webd, WEBD_ID, socket_inet),
	KILLED_CASE(webd, WEBD_ID, socket_unix),
	KILLED_CASE(dbd, DBD_ID, socket_netlink),
	KILLED_CASE(fwd, FWD_ID, socket_inet),
	KILLED_CASE(fwd, FWD_ID, socket_unix),
	KILLED_CASE(astd, ASTD_ID, socket_unix),
	KILLED_CASE(astd, ASTD_ID, socket_netlink),
	KILLED_CASE(astd, ASTD_ID, open_path),
#ifdef __x86_64__
	KILLED_CASE(webd, WEBD_ID, x32),
#endif
	REFUSED_CASE("refuse_world_writable", webd, WEBD_ID, 0777, 0, 0,
	    "not writable"),
	REFUSED_CASE("refuse_group_writable", dbd, DBD_ID, 0775, 0, 0,
	    "not writable"),
	REFUSED_CASE("refuse_not_root_owned", astd, ASTD_ID, 0755, OTHER_ID,
	    0, "owned by root"),
	REFUSED_CASE("refuse_missing_dir", fwd, FWD_ID, 0755, 0, 1,
	    "No such file"),
	REFUSED_CASE("refuse_root_ids", webd, 0, 0755, 0, 0, "root"),
	REFUSED_CASE("refuse_clashing_rules", clash, WEBD_ID, 0755, 0, 0,
	    "clashing rules for fcntl"),
};

static int
prepare(struct child *c, const char *dir)
{
	char		 spool[PATH_MAX];
	socklen_t	 len = sizeof(c->sin);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, c->sv) == -1 ||
	    (c->lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    (c->cfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return (-1);
	memset(&c->sin, 0, sizeof(c->sin));
	c->sin.sin_family = AF_INET;
	c->sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(c->lfd, (struct sockaddr *)&c->sin, sizeof(c->sin)) == -1 ||
	    listen(c->lfd, 4) == -1 ||
	    getsockname(c->lfd, (struct sockaddr *)&c->sin, &len) == -1 ||
	    connect(c->cfd, (struct sockaddr *)&c->sin, sizeof(c->sin)) == -1)
		return (-1);
	if (!c->policy->may_write_files)
		return (0);
	if ((size_t)snprintf(spool, sizeof(spool), "%s/spool", dir) >=
	    sizeof(spool) || mkdir(spool, 0755) == -1 ||
	    chown(spool, c->id, c->id) == -1)
		return (-1);
	return (0);
}

static void __attribute__((noreturn))
child_main(struct fixture *f, int report, int go)
{
	struct child		 c;
	struct sandbox_ids	 ids;
	char			 err[256], dir[PATH_MAX], byte;
	const char		*fail;

	alarm(20);		/* a hung child dies of SIGALRM */
	memset(&c, 0, sizeof(c));
	c.policy = f->c->policy;
	c.id = f->c->id;
	if (prepare(&c, f->dir) == -1) {
		say(report, "%s", failed("prepare"));
		_exit(3);
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", f->dir,
	    f->c->missing ? "/missing" : "") >= sizeof(dir)) {
		say(report, "chroot path too long");
		_exit(3);
	}
	ids.chroot = dir;
	ids.uid = f->c->id;
	ids.gid = f->c->id;
	if (sandbox_lockdown(f->c->policy, &ids, err, sizeof(err)) == -1) {
		say(report, "refused: %s", err);
		_exit(2);
	}
	if (f->c->expect == LOCKED &&
	    ((fail = check_identity(&c)) != NULL ||
	    (fail = check_loop(&c)) != NULL)) {
		say(report, "%s", fail);
		_exit(1);
	}
	if ((fail = f->c->run(&c)) != NULL) {
		say(report, "%s", fail);
		_exit(1);
	}
	say(report, "ok");
	/* The parent looks at us, then closes the pipe. */
	_exit(read(go, &byte, 1) == 0 ? 0 : 1);
}

/* One line of /proc/PID/status, without the key and trailing blanks. */
static void
status_field(const char *status, const char *key, char *out, size_t len)
{
	const char	*p;
	size_t		 klen = strlen(key), n;

	out[0] = '\0';
	for (p = status; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p == NULL ? NULL : p + 1) {
		if (strncmp(p, key, klen) != 0 || p[klen] != ':')
			continue;
		p += klen + 1;
		p += strspn(p, "\t ");
		n = strcspn(p, "\n");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= len)
			n = len - 1;
		memcpy(out, p, n);
		out[n] = '\0';
		return;
	}
}

static void
assert_status(const char *status, const char *key, const char *want)
{
	char	 got[128];

	status_field(status, key, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("/proc status %s: got \"%s\", want \"%s\"", key, got,
		    want);
}

/* A whole /proc/PID file, as text. */
static void
read_proc(pid_t pid, const char *name, char *buf, size_t len)
{
	char	 path[64];
	size_t	 n;
	FILE	*fp;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(buf, 1, len - 1, fp);
	fclose(fp);
	assert_true(n > 0);
	buf[n] = '\0';
}

static void
limit_str(rlim_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		strlcpy(buf, "unlimited", len);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* A /proc/PID/limits row. */
static void
assert_limit(const char *limits, const char *row, struct rlimit want)
{
	const char	*p;
	char		 ws[32], wh[32], soft[32], hard[32];

	limit_str(want.rlim_cur, ws, sizeof(ws));
	limit_str(want.rlim_max, wh, sizeof(wh));
	assert_non_null(p = strstr(limits, row));
	assert_int_equal(sscanf(p + strlen(row), "%31s %31s", soft, hard), 2);
	if (strcmp(soft, ws) != 0 || strcmp(hard, wh) != 0)
		fail_msg("%s: %s/%s, want %s/%s", row, soft, hard, ws, wh);
}

/* The locked-down child as the kernel describes it. */
static void
inspect(pid_t pid, struct fixture *f)
{
	const struct sandbox_policy	*p = f->c->policy;
	const struct rlimit		 zero = { 0, 0 };
	struct rlimit			 own;
	char				 path[64], root[PATH_MAX];
	char				 real[PATH_MAX];
	char				 buf[4096], want[64];
	ssize_t				 n;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	assert_true((n = readlink(path, root, sizeof(root) - 1)) > 0);
	root[n] = '\0';
	assert_non_null(realpath(f->dir, real));
	assert_string_equal(root, real);

	read_proc(pid, "status", buf, sizeof(buf));
	assert_status(buf, "NoNewPrivs", "1");
	assert_status(buf, "Seccomp", "2");
	snprintf(want, sizeof(want), "%016llx",
	    (unsigned long long)expected_caps(p));
	assert_status(buf, "CapEff", want);
	assert_status(buf, "CapPrm", want);
	assert_status(buf, "CapBnd", want);
	assert_status(buf, "CapInh", "0000000000000000");
	assert_status(buf, "CapAmb", "0000000000000000");
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)f->c->id,
	    (unsigned)f->c->id, (unsigned)f->c->id, (unsigned)f->c->id);
	assert_status(buf, "Uid", want);
	assert_status(buf, "Gid", want);
	snprintf(want, sizeof(want), "%u", (unsigned)f->c->id);
	assert_status(buf, "Groups", want);

	read_proc(pid, "limits", buf, sizeof(buf));
	assert_limit(buf, "Max core file size", zero);
	assert_limit(buf, "Max processes", zero);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &own), 0);
	if (own.rlim_max > p->max_files)
		own.rlim_max = p->max_files;
	own.rlim_cur = own.rlim_max;
	assert_limit(buf, "Max open files", own);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &own), 0);
	assert_limit(buf, "Max file size", p->may_write_files ? own : zero);
}

/* Reads the child's one line; empty if it died first. */
static void
read_report(int fd, char *buf, size_t len)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
		if (memchr(buf, '\n', off) != NULL)
			break;
	}
	buf[off] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static void
run_case(void **state)
{
	struct fixture	*f = *state;
	char		 msg[512];
	int		 report[2], go[2], status;
	pid_t		 pid;

	if (geteuid() != 0)
		skip();		/* chroot and the id drop need root */
	assert_int_equal(pipe2(report, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	if ((pid = fork()) == 0) {
		close(report[0]);
		close(go[1]);
		child_main(f, report[1], go[0]);
	}
	assert_true(pid > 0);
	close(report[1]);
	close(go[0]);
	read_report(report[0], msg, sizeof(msg));
	close(report[0]);

	switch (f->c->expect) {
	case LOCKED:
		if (strcmp(msg, "ok") == 0)
			inspect(pid, f);
		close(go[1]);
		assert_string_equal(msg, "ok");
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		break;
	case KILLED:
		close(go[1]);
		assert_string_equal(msg, "");
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
			fail_msg("child status %#x, want SIGSYS", status);
		break;
	case REFUSED:
		close(go[1]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
		assert_true(strncmp(msg, "refused: ", 9) == 0);
		if (strstr(msg, f->c->reason) == NULL)
			fail_msg("\"%s\" does not say \"%s\"", msg,
			    f->c->reason);
		break;
	}
}

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (-1);
	f->c = *state;
	*state = f;
	if (geteuid() != 0)
		return (0);	/* run_case skips */
	strlcpy(f->dir, "/tmp/sandbox_test.XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL ||
	    chown(f->dir, f->c->owner, f->c->owner) == -1 ||
	    chmod(f->dir, f->c->mode) == -1) {
		f->dir[0] = '\0';
		return (-1);
	}
	return (0);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return (remove(path));
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	int		 rc = 0;

	if (f->dir[0] != '\0')
		rc = nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return (rc == 0 ? 0 : -1);
}

int
main(void)
{
	static struct CMUnitTest	 tests[nitems(cases)];
	size_t				 i;

	for (i = 0; i < nitems(cases); i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].setup_func = setup;
		tests[i].teardown_func = teardown;
		tests[i].initial_state = &cases[i];
	}
	return (cmocka_run_group_tests_name("sandbox", tests, NULL, NULL));
}
