/*
 * The gate: a bufferevent filter between the TLS connection and evhttp.
 *
 * evhttp (libevent 2.1.12) answers an oversized head with 400, takes
 * Transfer-Encoding: chunked over a conflicting Content-Length, uses the
 * first of two Content-Length headers, has no deadline for a head sent
 * one byte at a time, and sends its own error pages without our headers.
 * So the gate holds each request head until it is complete (at most
 * WEB_HEAD_MAX bytes, within the header timeout), checks its syntax and
 * framing strictly, then passes it and exactly Content-Length body bytes
 * on.  A head that fails is replaced by a fixed request with
 * "Connection: close" that http.c answers with the gate's status (431,
 * 413, 400, 411, 501), in order after any earlier pipelined requests;
 * nothing after it is read.  evhttp thus only ever parses heads the gate
 * accepted, and every answer goes through http.c.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "webd.h"

static const char gate_synthetic[] =
    "GET / HTTP/1.1\r\nHost: gate\r\nConnection: close\r\n\r\n";

/* RFC 9110 token characters. */
static int
is_tchar(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
gate_method_ok(const char *m, size_t len)
{
	static const char *const methods[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"
	};
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == len &&
		    memcmp(m, methods[i], len) == 0)
			return 1;
	return 0;
}

/* The request line: METHOD SP /target SP HTTP/1.x */
static int
gate_request_line(const char *p, size_t len, int *http11)
{
	const char	*sp1, *sp2;
	size_t		 i;

	if ((sp1 = memchr(p, ' ', len)) == NULL || sp1 == p)
		return 400;
	for (i = 0; p + i < sp1; i++)
		if (!is_tchar((unsigned char)p[i]))
			return 400;
	if (!gate_method_ok(p, (size_t)(sp1 - p)))
		return 501;
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - p));
	if (sp2 == NULL || sp2 == sp1 + 1 || sp1[1] != '/')
		return 400;
	for (i = 1; sp1 + i < sp2; i++)
		if ((unsigned char)sp1[i] <= 0x20 ||
		    (unsigned char)sp1[i] >= 0x7f)
			return 400;
	if ((size_t)(p + len - sp2) != 9)
		return 400;
	if (memcmp(sp2 + 1, "HTTP/1.1", 8) == 0)
		*http11 = 1;
	else if (memcmp(sp2 + 1, "HTTP/1.0", 8) == 0)
		*http11 = 0;
	else
		return 400;
	return 0;
}

static int
gate_content_length(const char *v, size_t len, uint64_t *body)
{
	uint64_t	n = 0;
	size_t		i;

	if (len == 0 || len > 19)
		return 400;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]))
			return 400;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n > WEB_BODY_MAX)
		return 413;
	*body = n;
	return 0;
}

static int
field_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

int
gate_check_head(const char *head, size_t len, uint64_t *body)
{
	const char	*p = head, *end = head + len, *eol, *colon, *v, *ve;
	int		 rv, http11 = 0, ncl = 0, nte = 0, nhost = 0;
	int		 chunked = 0;

	*body = 0;
	/* Every line ends in CRLF; no bare CR, LF or NUL anywhere. */
	if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
		return 400;
	if ((rv = gate_request_line(p, (size_t)(eol - p), &http11)) != 0)
		return rv;
	for (p = eol + 2; p < end; p = eol + 2) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			return 400;
		if (eol == p)
			break;		/* the empty line */
		/* name ":" OWS value OWS; no folding, no space before ":" */
		if ((colon = memchr(p, ':', (size_t)(eol - p))) == NULL ||
		    colon == p)
			return 400;
		for (v = p; v < colon; v++)
			if (!is_tchar((unsigned char)*v))
				return 400;
		for (v = colon + 1; v < eol; v++)
			if ((unsigned char)*v < 0x20 && *v != '\t')
				return 400;
			else if (*v == 0x7f)
				return 400;
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t');
		    ve--)
			;
		if (field_is(p, (size_t)(colon - p), "Content-Length")) {
			if (ncl++ > 0)
				return 400;
			if ((rv = gate_content_length(v, (size_t)(ve - v),
			    body)) != 0)
				return rv;
		} else if (field_is(p, (size_t)(colon - p),
		    "Transfer-Encoding")) {
			nte++;
			chunked = (size_t)(ve - v) == 7 &&
			    strncasecmp(v, "chunked", 7) == 0;
		} else if (field_is(p, (size_t)(colon - p), "Host"))
			nhost++;
	}
	if (eol + 2 != end || memchr(head, '\0', len) != NULL)
		return 400;
	for (p = head; p < end; p++)
		if ((*p == '\r' && (p + 1 == end || p[1] != '\n')) ||
		    (*p == '\n' && (p == head || p[-1] != '\r')))
			return 400;
	/* No smuggling: one framing only, and only Content-Length. */
	if (nte > 0 && (ncl > 0 || nte > 1 || !chunked))
		return 400;
	if (nte > 0)
		return 411;
	if (nhost > 1 || (http11 && nhost == 0))
		return 400;
	return 0;
}

static void
gate_reject(struct conn *c, struct evbuffer *dst, int status)
{
	c->reject = status;
	c->closed = 1;
	c->headlen = 0;
	c->heads++;
	(void)evbuffer_add(dst, gate_synthetic, sizeof(gate_synthetic) - 1);
	(void)event_del(c->deadline);
}

void
gate_arm(struct conn *c)
{
	const struct msg_conf_webd	*conf = webd_conf();
	struct timeval			 tv;

	tv.tv_sec = conf->header_timeout;
	tv.tv_usec = 0;
	(void)event_add(c->deadline, &tv);
}

/* Too slow: the handshake, a head or a body.  Close without a word. */
void
gate_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	c->closed = 1;
	http_close(c);
}

enum bufferevent_filter_result
gate_input(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct conn	*c = arg;
	size_t		 avail, n, old, from, hl;
	const char	*end;
	unsigned char	 ch;
	int		 passed = 0, status;

	while ((avail = evbuffer_get_length(src)) > 0) {
		if (c->closed) {
			(void)evbuffer_drain(src, avail);
			break;
		}
		if (c->body_left > 0) {
			n = avail < c->body_left ? avail : (size_t)c->body_left;
			if (evbuffer_remove_buffer(src, dst, n) != (int)n)
				return BEV_ERROR;
			c->body_left -= n;
			if (c->body_left == 0)
				(void)event_del(c->deadline);
			passed = 1;
			continue;
		}
		if (c->headlen == 0) {
			/* Empty lines before a request line are allowed. */
			if (evbuffer_copyout(src, &ch, 1) == 1 &&
			    (ch == '\r' || ch == '\n')) {
				(void)evbuffer_drain(src, 1);
				continue;
			}
			if (!event_pending(c->deadline, EV_TIMEOUT, NULL))
				gate_arm(c);
		}
		old = c->headlen;
		n = avail < sizeof(c->head) - old ? avail :
		    sizeof(c->head) - old;
		if (evbuffer_copyout(src, c->head + old, n) != (ev_ssize_t)n)
			return BEV_ERROR;
		c->headlen += n;
		from = old >= 3 ? old - 3 : 0;
		end = memmem(c->head + from, c->headlen - from, "\r\n\r\n", 4);
		if (end == NULL) {
			(void)evbuffer_drain(src, n);
			if (c->headlen == sizeof(c->head)) {
				gate_reject(c, dst, 431);
				passed = 1;
			}
			continue;
		}
		hl = (size_t)(end + 4 - c->head);
		(void)evbuffer_drain(src, hl - old);
		if ((status = gate_check_head(c->head, hl, &c->body_left)) !=
		    0) {
			c->body_left = 0;
			gate_reject(c, dst, status);
		} else {
			(void)evbuffer_add(dst, c->head, hl);
			c->heads++;
			c->headlen = 0;
			if (c->body_left == 0)
				(void)event_del(c->deadline);
		}
		passed = 1;
	}
	return passed ? BEV_OK : BEV_NEED_MORE;
}
