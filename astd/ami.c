#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ami.h"
#include "log.h"
#include "util.h"

#define AMI_OUT_MAX	(1024U * 1024)

enum ami_state {
	AMI_DOWN,		/* waiting to reconnect */
	AMI_CONNECTING,
	AMI_BANNER,
	AMI_LOGIN,
	AMI_SUBSCRIBE,
	AMI_UP,
};

struct ami_pending {
	TAILQ_ENTRY(ami_pending) entry;
	char		 id[24];
	ami_reply_fn	 fn;
	void		*arg;
	time_t		 deadline;
	int		 listing;	/* the list events follow */
};

static struct {
	struct event_base	*base;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_retry;
	struct event		*ev_tick;
	int			 fd;
	enum ami_state		 state;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 addr[64];
	char			 user[64];
	char			*secret;
	size_t			 secretlen;
	struct ami_callbacks	 cb;
	struct ami_parser	 parser;
	unsigned int		 backoff;
	unsigned long long	 next_id;
	TAILQ_HEAD(, ami_pending) pending;
	size_t			 npending;
	char			*out;
	size_t			 outlen;
	char			 version[32];
	time_t			 last_ping;
	unsigned long long	 n_events;
	unsigned int		 n_connects;
} ami = { .fd = -1 };

static void	ami_connect(void);
static void	ami_drop(const char *why);

int
ami_is_up(void)
{
	return ami.state == AMI_UP;
}

const char *
ami_version(void)
{
	return ami.version;
}

void
ami_stats(unsigned long long *events, unsigned long long *bad,
    unsigned int *reconnects)
{
	*events = ami.n_events;
	*bad = ami.parser.n_bad_lines + ami.parser.n_truncated;
	*reconnects = ami.n_connects > 0 ? ami.n_connects - 1 : 0;
}

static void
ami_schedule_write(void)
{
	if (ami.fd != -1 && ami.outlen > 0 && ami.state != AMI_CONNECTING)
		(void)event_add(ami.ev_write, NULL);
}

/* Queue text; the buffer may hold the secret: it is wiped as it goes. */
static int
ami_queue(const char *s, size_t len)
{
	char	*n;

	if (ami.outlen + len > AMI_OUT_MAX)
		return -1;
	if ((n = malloc(ami.outlen + len)) == NULL)
		return -1;
	if (ami.out != NULL) {
		memcpy(n, ami.out, ami.outlen);
		freezero(ami.out, ami.outlen);
	}
	memcpy(n + ami.outlen, s, len);
	ami.out = n;
	ami.outlen += len;
	ami_schedule_write();
	return 0;
}

static int
ami_value_ok(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* Compose "Action: X\r\nActionID: ..\r\nK: V\r\n...\r\n" and queue it. */
static int
ami_send(const char *action, const char *const *kv, ami_reply_fn fn,
    void *arg)
{
	struct ami_pending	*p;
	char			*buf = NULL;
	size_t			 len = 0, i;
	FILE			*fp;
	int			 rv;

	if (ami.fd == -1 || ami.npending >= AMI_PENDING_MAX)
		return -1;
	for (i = 0; kv != NULL && kv[i] != NULL; i += 2)
		if (kv[i + 1] == NULL || !ami_value_ok(kv[i]) ||
		    !ami_value_ok(kv[i + 1]))
			return -1;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	(void)snprintf(p->id, sizeof(p->id), "trunkd-%llu", ++ami.next_id);
	p->fn = fn;
	p->arg = arg;
	p->deadline = monotime() + AMI_ACTION_TIMEOUT;
	if ((fp = open_memstream(&buf, &len)) == NULL) {
		free(p);
		return -1;
	}
	fprintf(fp, "Action: %s\r\nActionID: %s\r\n", action, p->id);
	for (i = 0; kv != NULL && kv[i] != NULL; i += 2)
		fprintf(fp, "%s: %s\r\n", kv[i], kv[i + 1]);
	fprintf(fp, "\r\n");
	rv = ferror(fp) ? -1 : 0;
	if (fclose(fp) != 0)
		rv = -1;
	if (rv == 0)
		rv = ami_queue(buf, len);
	if (buf != NULL)
		freezero(buf, len);
	if (rv == -1) {
		free(p);
		return -1;
	}
	TAILQ_INSERT_TAIL(&ami.pending, p, entry);
	ami.npending++;
	return 0;
}

int
ami_action(const char *action, const char *const *kv, ami_reply_fn fn,
    void *arg)
{
	if (ami.state != AMI_UP)
		return -1;
	return ami_send(action, kv, fn, arg);
}

static void
ami_pending_done(struct ami_pending *p)
{
	TAILQ_REMOVE(&ami.pending, p, entry);
	ami.npending--;
	free(p);
}

static void
ami_fail_pending(void)
{
	struct ami_pending	*p;
	ami_reply_fn		 fn;
	void			*arg;

	while ((p = TAILQ_FIRST(&ami.pending)) != NULL) {
		fn = p->fn;
		arg = p->arg;
		ami_pending_done(p);
		fn(NULL, 1, arg);
	}
}

static int
ami_success(const struct ami_msg *m)
{
	const char	*r;

	return m != NULL && (r = ami_get(m, "Response")) != NULL &&
	    strcasecmp(r, "Success") == 0;
}

static void
ami_subscribed(const struct ami_msg *m, int done, void *arg)
{
	if (!ami_success(m)) {
		ami_drop("Events action refused");
		return;
	}
	ami.state = AMI_UP;
	ami.backoff = AMI_BACKOFF_MIN;
	ami.last_ping = monotime();
	log_info("AMI: connected to Asterisk %s at %s", ami.version, ami.addr);
	if (ami.cb.state != NULL)
		ami.cb.state(1, ami.cb.arg);
}

static void
ami_logged_in(const struct ami_msg *m, int done, void *arg)
{
	static const char *const kv[] = { "EventMask", "security,system",
	    NULL };
	const char	*msg;

	if (m == NULL)
		return;		/* dropped already */
	if (!ami_success(m)) {
		msg = ami_get(m, "Message");
		log_warnx("AMI: login as \"%s\" refused: %s", ami.user,
		    msg != NULL ? msg : "no reason given");
		ami_drop(NULL);
		return;
	}
	ami.state = AMI_SUBSCRIBE;
	if (ami_send("Events", kv, ami_subscribed, NULL) == -1)
		ami_drop("cannot send Events");
}

static void
ami_pong(const struct ami_msg *m, int done, void *arg)
{
	if (m == NULL)
		return;
	if (!ami_success(m))
		log_warnx("AMI: Ping answered without success");
}

static void
ami_on_banner(const char *version, void *arg)
{
	const char	*kv[] = { "Username", ami.user, "Secret", ami.secret,
			    NULL };

	(void)strlcpy(ami.version, version, sizeof(ami.version));
	if (ami.state != AMI_BANNER)
		return;
	ami.state = AMI_LOGIN;
	if (ami_send("Login", kv, ami_logged_in, NULL) == -1)
		ami_drop("cannot send Login");
}

static struct ami_pending *
ami_find(const char *id)
{
	struct ami_pending	*p;

	if (id == NULL)
		return NULL;
	TAILQ_FOREACH(p, &ami.pending, entry)
		if (strcmp(p->id, id) == 0)
			return p;
	return NULL;
}

static void
ami_on_msg(const struct ami_msg *m, void *arg)
{
	struct ami_pending	*p;
	const char		*list, *ev = ami_get(m, "Event");
	ami_reply_fn		 fn;
	void			*fnarg;
	int			 done;

	if (ami.state < AMI_LOGIN) {
		ami_drop("data before the banner");
		return;
	}
	p = ami_find(ami_get(m, "ActionID"));
	list = ami_get(m, "EventList");
	if (ev == NULL && ami_get(m, "Response") != NULL) {
		if (p == NULL) {
			log_debug("AMI: answer to no pending action");
			return;
		}
		done = !(ami_success(m) && list != NULL &&
		    strcasecmp(list, "start") == 0);
		p->listing = !done;
	} else if (ev != NULL && p != NULL && p->listing) {
		done = list != NULL && (strcasecmp(list, "Complete") == 0 ||
		    strcasecmp(list, "Cancelled") == 0);
	} else if (ev != NULL) {
		ami.n_events++;
		if (ami.cb.event != NULL && ami.state == AMI_UP)
			ami.cb.event(m, ami.cb.arg);
		return;
	} else {
		log_debug("AMI: a block that is neither event nor answer");
		return;
	}
	fn = p->fn;
	fnarg = p->arg;
	if (done)
		ami_pending_done(p);
	fn(m, done, fnarg);
}

static void
ami_read_cb(evutil_socket_t fd, short what, void *arg)
{
	char	buf[16384];
	ssize_t	n;

	if ((n = read(fd, buf, sizeof(buf))) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		ami_drop(strerror(errno));
		return;
	}
	if (n == 0) {
		ami_drop("Asterisk closed the connection");
		return;
	}
	ami_parser_feed(&ami.parser, buf, (size_t)n);
}

static void
ami_write_cb(evutil_socket_t fd, short what, void *arg)
{
	ssize_t	n;
	int	err;
	socklen_t len = sizeof(err);

	if (ami.state == AMI_CONNECTING) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			ami_drop(strerror(err));
			return;
		}
		ami.state = AMI_BANNER;
		if (event_add(ami.ev_read, NULL) == -1) {
			ami_drop("event_add");
			return;
		}
		ami_schedule_write();
		return;
	}
	if (ami.outlen == 0)
		return;
	if ((n = write(fd, ami.out, ami.outlen)) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			ami_drop(strerror(errno));
		else
			ami_schedule_write();
		return;
	}
	memmove(ami.out, ami.out + n, ami.outlen - (size_t)n);
	explicit_bzero(ami.out + ami.outlen - n, (size_t)n);
	ami.outlen -= (size_t)n;
	ami_schedule_write();
}

static void
ami_close(void)
{
	if (ami.fd == -1)
		return;
	event_del(ami.ev_read);
	event_del(ami.ev_write);
	event_free(ami.ev_read);
	event_free(ami.ev_write);
	ami.ev_read = ami.ev_write = NULL;
	close(ami.fd);
	ami.fd = -1;
	if (ami.out != NULL)
		freezero(ami.out, ami.outlen);
	ami.out = NULL;
	ami.outlen = 0;
}

/* Lost, or never got there: tell, fail what waits, try again later. */
static void
ami_drop(const char *why)
{
	struct timeval	tv;
	int		was_up = ami.state == AMI_UP;

	if (why != NULL)
		log_warnx("AMI %s: %s; retrying in %u s", ami.addr, why,
		    ami.backoff);
	ami_close();
	ami.state = AMI_DOWN;
	ami_fail_pending();
	if (was_up && ami.cb.state != NULL)
		ami.cb.state(0, ami.cb.arg);
	tv.tv_sec = ami.backoff;
	tv.tv_usec = 0;
	(void)evtimer_add(ami.ev_retry, &tv);
	ami.backoff = ami.backoff * 2 > AMI_BACKOFF_MAX ? AMI_BACKOFF_MAX :
	    ami.backoff * 2;
}

static void
ami_connect(void)
{
	int	one = 1;

	ami.n_connects++;
	ami_parser_reset(&ami.parser);
	if ((ami.fd = socket(ami.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		ami_drop(strerror(errno));
		return;
	}
	(void)setsockopt(ami.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(ami.fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	ami.ev_read = event_new(ami.base, ami.fd, EV_READ | EV_PERSIST,
	    ami_read_cb, NULL);
	ami.ev_write = event_new(ami.base, ami.fd, EV_WRITE, ami_write_cb,
	    NULL);
	if (ami.ev_read == NULL || ami.ev_write == NULL) {
		if (ami.ev_read != NULL)
			event_free(ami.ev_read);
		if (ami.ev_write != NULL)
			event_free(ami.ev_write);
		ami.ev_read = ami.ev_write = NULL;
		close(ami.fd);
		ami.fd = -1;
		ami_drop("out of memory");
		return;
	}
	ami.state = AMI_CONNECTING;
	if (connect(ami.fd, (struct sockaddr *)&ami.ss, ami.sslen) == -1 &&
	    errno != EINPROGRESS) {
		ami_drop(strerror(errno));
		return;
	}
	(void)event_add(ami.ev_write, NULL);
}

static void
ami_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	ami_connect();
}

/* Once a second: answers that never came, the keep-alive. */
static void
ami_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ami_pending	*p, *next;
	time_t			 now = monotime();
	int			 expired = 0;

	for (p = TAILQ_FIRST(&ami.pending); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->deadline <= now)
			expired = 1;
	}
	if (expired) {
		ami_drop("an action got no answer in time");
		return;
	}
	if (ami.state == AMI_UP && now - ami.last_ping >= AMI_PING_INTERVAL) {
		ami.last_ping = now;
		(void)ami_send("Ping", NULL, ami_pong, NULL);
	}
}

int
ami_init(struct event_base *base, const char *host, unsigned int port,
    const char *user, const char *secret, size_t secretlen,
    const struct ami_callbacks *cb)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ami.ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ami.ss;
	struct timeval		 tv = { 1, 0 };

	memset(&ami.ss, 0, sizeof(ami.ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ami.sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		ami.sslen = sizeof(*sin6);
	} else
		return -1;
	(void)snprintf(ami.addr, sizeof(ami.addr), "%s%s%s:%u",
	    strchr(host, ':') != NULL ? "[" : "", host,
	    strchr(host, ':') != NULL ? "]" : "", port);
	if (strlcpy_ok(ami.user, user, sizeof(ami.user)) == -1 ||
	    !ami_value_ok(user) || memchr(secret, '\r', secretlen) != NULL ||
	    memchr(secret, '\n', secretlen) != NULL ||
	    memchr(secret, '\0', secretlen) != NULL)
		return -1;
	if ((ami.secret = malloc(secretlen + 1)) == NULL)
		return -1;
	memcpy(ami.secret, secret, secretlen);
	ami.secret[secretlen] = '\0';
	ami.secretlen = secretlen;
	ami.base = base;
	ami.cb = *cb;
	ami.backoff = AMI_BACKOFF_MIN;
	TAILQ_INIT(&ami.pending);
	ami_parser_init(&ami.parser, ami_on_msg, ami_on_banner, NULL);
	ami.ev_retry = evtimer_new(base, ami_retry_cb, NULL);
	ami.ev_tick = event_new(base, -1, EV_PERSIST, ami_tick_cb, NULL);
	if (ami.ev_retry == NULL || ami.ev_tick == NULL ||
	    event_add(ami.ev_tick, &tv) == -1)
		return -1;
	return 0;
}

void
ami_start(void)
{
	ami_connect();
}
