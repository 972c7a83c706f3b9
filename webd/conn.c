/*
 * TLS connections on plain libevent events, one SSL object on each
 * non-blocking socket: no bufferevent layers, so a request costs one
 * read and one write.  A connection reads one request at a time (head in
 * c->in, checked by the gate, then exactly its body), hands it to
 * http.c, and reads on only once the answer is written, so answers leave
 * in order and a pipelining client is held back by TCP.  Deadlines: the
 * handshake and each head within the header timeout (from its first
 * byte), then the body within the same, an idle connection and an
 * answer the client does not take within the idle timeout.  Connections
 * over the maximum wait in the kernel's backlog: the listener pauses.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/listener.h>
#include <openssl/err.h>

#include "log.h"
#include "webd.h"

/* One TLS record's worth per SSL_write: at most that much is copied. */
#define CONN_WRITE_CHUNK	SSL3_RT_MAX_PLAIN_LENGTH
#define CONN_LINGER_SECS	2	/* to drain what follows a refusal */

static struct {
	struct event_base	*base;
	struct evconnlistener	*listener;
	SSL_CTX			*ctx;
	int			 nconn;
	int			 paused;
	int			 started;
} C;

static const char continue_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

static void	conn_run(struct conn *);

int
conn_count(void)
{
	return C.nconn;
}

static void
conn_listen_update(void)
{
	const struct msg_conf_webd	*conf = webd_conf();
	int				 pause;

	pause = C.nconn >= (conf->max_connections > 0 ?
	    (int)conf->max_connections : 1);
	if (!C.started || pause == C.paused)
		return;
	if (pause)
		(void)evconnlistener_disable(C.listener);
	else
		(void)evconnlistener_enable(C.listener);
	C.paused = pause;
}

static void
conn_free(struct conn *c)
{
	if (c->w != NULL)
		http_detach(c->w);
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_free(c->timer);
	SSL_free(c->ssl);
	(void)close(c->fd);
	evbuffer_free(c->out);
	if (c->body != NULL)	/* a form half read may hold a TOTP code */
		freezero(c->body, c->h.body + 1);
	explicit_bzero(c, sizeof(*c));
	free(c);
	ERR_clear_error();
	C.nconn--;
	conn_listen_update();
}

static void
conn_deadline(struct conn *c, uint32_t secs)
{
	struct timeval	tv = { secs, 0 };

	(void)event_add(c->timer, &tv);
}

/* The answer is written and the connection closes: drain, then go. */
static void
conn_linger(struct conn *c)
{
	c->state = CS_LINGER;
	(void)SSL_shutdown(c->ssl);	/* close_notify; no answer awaited */
	(void)shutdown(c->fd, SHUT_WR);
	(void)event_add(c->ev_read, NULL);
	conn_deadline(c, CONN_LINGER_SECS);
}

static void
conn_linger_read(struct conn *c)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = recv(c->fd, buf, sizeof(buf), 0)) > 0)
		;
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		conn_free(c);
}

/*
 * Write what is queued.  Returns -1 when the connection is gone, 0
 * otherwise (all written, or waiting for the socket).
 */
static int
conn_flush(struct conn *c)
{
	size_t		 len;
	unsigned char	*p;
	int		 n;

	c->write_wants_read = 0;
	while ((len = evbuffer_get_length(c->out)) > 0) {
		if (len > CONN_WRITE_CHUNK)
			len = CONN_WRITE_CHUNK;
		if ((p = evbuffer_pullup(c->out, (ev_ssize_t)len)) == NULL) {
			conn_free(c);
			return -1;
		}
		if ((n = SSL_write(c->ssl, p, (int)len)) > 0) {
			(void)evbuffer_drain(c->out, (size_t)n);
			continue;
		}
		switch (SSL_get_error(c->ssl, n)) {
		case SSL_ERROR_WANT_WRITE:
			(void)event_add(c->ev_write, NULL);
			conn_deadline(c, webd_conf()->idle_timeout);
			return 0;
		case SSL_ERROR_WANT_READ:	/* a key update, say */
			c->write_wants_read = 1;
			(void)event_add(c->ev_read, NULL);
			return 0;
		default:
			conn_free(c);
			return -1;
		}
	}
	if (c->state != CS_WRITE)
		return 0;	/* a 100 Continue while the body is read */
	if (c->close_after) {
		conn_linger(c);
		return 0;
	}
	c->state = CS_READ;
	if (c->inlen == 0)
		conn_deadline(c, webd_conf()->idle_timeout);
	else
		conn_deadline(c, webd_conf()->header_timeout);
	return 0;
}

void
conn_answered(struct conn *c, int close)
{
	c->w = NULL;
	c->state = CS_WRITE;
	c->close_after = close;
	/* Answered at once, inside conn_run(): it goes on from there. */
	if (!c->in_run)
		conn_run(c);
}

/* The rest of the input after the request just taken moves up. */
static void
conn_consume(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
	c->hl = 0;
}

/* One SSL_read: >0 bytes, 0 to wait, -1 gone. */
static int
conn_read(struct conn *c, void *buf, size_t len)
{
	int	n;

	c->read_wants_write = 0;
	if ((n = SSL_read(c->ssl, buf, (int)len)) > 0)
		return n;
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		(void)event_add(c->ev_read, NULL);
		return 0;
	case SSL_ERROR_WANT_WRITE:
		c->read_wants_write = 1;
		(void)event_add(c->ev_write, NULL);
		return 0;
	default:		/* closed, reset or a TLS alert */
		conn_free(c);
		return -1;
	}
}

/* 1 done, 0 to wait, -1 gone. */
static int
conn_handshake(struct conn *c)
{
	int	n;

	if ((n = SSL_do_handshake(c->ssl)) == 1) {
		/* The handshake verified it; this only reads it. */
		if (tls_fingerprint(c->ssl, c->fpr) == -1) {
			conn_free(c);
			return -1;
		}
		c->state = CS_READ;
		conn_deadline(c, webd_conf()->header_timeout);
		return 1;
	}
	switch (SSL_get_error(c->ssl, n)) {
	case SSL_ERROR_WANT_READ:
		(void)event_add(c->ev_read, NULL);
		return 0;
	case SSL_ERROR_WANT_WRITE:
		(void)event_add(c->ev_write, NULL);
		return 0;
	default:		/* no, or a wrong, certificate; not TLS 1.3 */
		conn_free(c);
		return -1;
	}
}

/* A request (or a refusal) to http.c, which may answer at once. */
static void
conn_hand_over(struct conn *c, int refuse)
{
	/* The read event stays: most answers are made at once. */
	(void)event_del(c->timer);
	c->state = CS_BUSY;
	c->in_run = 1;
	if (refuse != 0)
		http_refuse(c, refuse);
	else
		http_request(c);
	c->in_run = 0;
}

/*
 * A whole head at the start of c->in: check it, take the part of its
 * body that came with it.
 */
static void
conn_head(struct conn *c, size_t hl)
{
	size_t	n;
	int	status;

	c->hl = hl;
	if ((status = gate_parse(c->in, hl, &c->h)) != 0) {
		conn_hand_over(c, status);
		return;
	}
	if (c->h.body > 0) {
		if ((c->body = malloc(c->h.body + 1)) == NULL)
			fatal("request body");
		n = c->inlen - hl < c->h.body ? c->inlen - hl : c->h.body;
		memcpy(c->body, c->in + hl, n);
		c->bodylen = c->bodyin = n;
		if (c->h.expect && n < c->h.body)
			(void)evbuffer_add(c->out, continue_100,
			    sizeof(continue_100) - 1);
	}
}

/* One step of reading a request: 1 on, 0 to wait, -1 gone. */
static int
conn_step(struct conn *c)
{
	const char	*end;
	size_t		 from;
	int		 n;

	if (evbuffer_get_length(c->out) > 0 && conn_flush(c) == -1)
		return -1;	/* the 100 Continue */
	if (c->hl > 0) {
		/* the body: exactly Content-Length bytes */
		if (c->bodylen == c->h.body) {
			conn_hand_over(c, 0);	/* http.c takes the body */
			conn_consume(c, c->hl + c->bodyin);
			c->bodylen = c->bodyin = 0;
			return 1;
		}
		if ((n = conn_read(c, c->body + c->bodylen,
		    c->h.body - c->bodylen)) > 0)
			c->bodylen += (size_t)n;
		return n > 0 ? 1 : n;
	}
	/* Empty lines before a request line are allowed. */
	for (from = 0; from < c->inlen && (c->in[from] == '\r' ||
	    c->in[from] == '\n'); from++)
		;
	if (from > 0)
		conn_consume(c, from);
	if ((end = memmem(c->in, c->inlen, "\r\n\r\n", 4)) != NULL) {
		conn_head(c, (size_t)(end + 4 - c->in));
		return 1;
	}
	if (c->inlen == sizeof(c->in)) {
		conn_hand_over(c, 431);
		return 1;
	}
	if ((n = conn_read(c, c->in + c->inlen, sizeof(c->in) - c->inlen)) <=
	    0)
		return n;
	if (c->inlen == 0)
		conn_deadline(c, webd_conf()->header_timeout);
	c->inlen += (size_t)n;
	return 1;
}

/*
 * After an answer: with nothing read ahead, wait for the socket rather
 * than try a read that finds nothing.
 */
static int
conn_idle(struct conn *c)
{
	if (c->inlen > 0 || SSL_has_pending(c->ssl))
		return 0;
	(void)event_add(c->ev_read, NULL);
	return 1;
}

/* Read and answer requests until one waits for dbd or the socket. */
static void
conn_run(struct conn *c)
{
	for (;;) {
		switch (c->state) {
		case CS_HANDSHAKE:
			if (conn_handshake(c) <= 0)
				return;
			continue;
		case CS_WRITE:
			if (conn_flush(c) == -1 || c->state != CS_READ ||
			    conn_idle(c))
				return;
			continue;
		case CS_READ:
			if (conn_step(c) <= 0)
				return;
			continue;
		default:
			return;
		}
	}
}

static void
conn_readable(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	if (c->state == CS_LINGER)
		conn_linger_read(c);
	else if ((c->state == CS_BUSY || c->state == CS_WRITE) &&
	    !c->write_wants_read)
		/* More while an answer is pending: TCP holds it back. */
		(void)event_del(c->ev_read);
	else if (c->state == CS_BUSY)
		(void)conn_flush(c);	/* a 100 Continue that wanted to read */
	else
		conn_run(c);
}

static void
conn_writable(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	if (c->state == CS_HANDSHAKE || c->state == CS_WRITE ||
	    c->read_wants_write)
		conn_run(c);
	else
		(void)conn_flush(c);	/* a 100 Continue */
}

/* Too slow: the handshake, a head, a body, or taking an answer. */
static void
conn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	if (c->state != CS_BUSY)
		conn_free(c);
}

static void
conn_peer(struct conn *c, const struct sockaddr *sa)
{
	const void	*addr = NULL;

	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr;
	if (addr == NULL || inet_ntop(sa->sa_family, addr, c->peer,
	    sizeof(c->peer)) == NULL)
		(void)strlcpy(c->peer, "-", sizeof(c->peer));
}

static void
conn_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ssl = SSL_new(C.ctx)) == NULL ||
	    (c->out = evbuffer_new()) == NULL ||
	    (c->ev_read = event_new(C.base, fd, EV_READ | EV_PERSIST,
	    conn_readable, c)) == NULL ||
	    (c->ev_write = event_new(C.base, fd, EV_WRITE, conn_writable,
	    c)) == NULL ||
	    (c->timer = evtimer_new(C.base, conn_timeout, c)) == NULL)
		fatalx("out of memory for a connection");
	c->fd = fd;
	if (SSL_set_fd(c->ssl, fd) != 1)
		fatalx("SSL_set_fd");
	SSL_set_accept_state(c->ssl);
	conn_peer(c, sa);
	c->state = CS_HANDSHAKE;
	C.nconn++;
	conn_listen_update();
	conn_deadline(c, webd_conf()->header_timeout);
	(void)event_add(c->ev_read, NULL);
}

void
conn_set_ctx(SSL_CTX *ctx)
{
	SSL_CTX_free(C.ctx);	/* open connections hold their own ref */
	C.ctx = ctx;
}

void
conn_set_conf(void)
{
	conn_listen_update();
}

int
conn_init(struct event_base *base, int fd, SSL_CTX *ctx)
{
	int	one = 1;

	/*
	 * Accepted connections inherit it: an answer of two TLS records
	 * must not wait for the client's delayed ACK of the first.
	 */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		return -1;
	C.base = base;
	C.ctx = ctx;
	/* Paused until START: nothing is accepted before. */
	if ((C.listener = evconnlistener_new(base, conn_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_DISABLED,
	    -1, fd)) == NULL)
		return -1;
	C.paused = 1;
	return 0;
}

void
conn_start(void)
{
	C.started = 1;
	C.paused = 1;
	conn_listen_update();
}
