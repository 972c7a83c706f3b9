/*
 * The gate: every request head is checked here, strictly, before anything
 * else reads it.  A head is complete (CRLF CRLF within WEB_HEAD_MAX bytes,
 * else 431), every line ends in CRLF, no NUL, bare CR or LF, no folding,
 * no space before a colon, one Host for HTTP/1.1, and one framing only:
 * Content-Length (one, digits only, at most WEB_BODY_MAX, else 413) or
 * nothing; Transfer-Encoding is refused (411 for chunked, 400 otherwise,
 * 400 next to a Content-Length), so a body can never be read two ways.
 * It is our own parser rather than evhttp's because evhttp (2.1.12) takes
 * chunked over a conflicting Content-Length, uses the first of two
 * Content-Lengths, answers an oversized head with 400 and has no deadline
 * for a head sent a byte at a time; it is fuzzed (tests/fuzz/http_fuzz.c).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "webd.h"

/* RFC 9110 token characters. */
static int
is_tchar(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
gate_method(const char *m, size_t len)
{
	static const struct {
		const char		*name;
		enum evhttp_cmd_type	 type;
	} methods[] = {
		{ "GET", EVHTTP_REQ_GET }, { "HEAD", EVHTTP_REQ_HEAD },
		{ "POST", EVHTTP_REQ_POST }, { "PUT", EVHTTP_REQ_PUT },
		{ "DELETE", EVHTTP_REQ_DELETE }, { "PATCH", EVHTTP_REQ_PATCH },
		{ "OPTIONS", EVHTTP_REQ_OPTIONS }
	};
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == len &&
		    memcmp(m, methods[i].name, len) == 0)
			return methods[i].type;
	return 0;
}

/* The request line: METHOD SP /target SP HTTP/1.x */
static int
gate_request_line(const char *p, size_t len, struct head *h)
{
	const char	*sp1, *sp2;
	size_t		 i;

	if ((sp1 = memchr(p, ' ', len)) == NULL || sp1 == p)
		return 400;
	for (i = 0; p + i < sp1; i++)
		if (!is_tchar((unsigned char)p[i]))
			return 400;
	if ((h->method = gate_method(p, (size_t)(sp1 - p))) == 0)
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
		h->minor = 1;
	else if (memcmp(sp2 + 1, "HTTP/1.0", 8) == 0)
		h->minor = 0;
	else
		return 400;
	h->target = sp1 + 1;
	h->targetlen = (size_t)(sp2 - sp1 - 1);
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

/* Does the comma-separated list v hold this token (any case)? */
static int
list_has(const char *v, size_t len, const char *token)
{
	const char	*end = v + len, *e;
	size_t		 tl = strlen(token);

	while (v < end) {
		while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		for (e = v; e < end && *e != ','; e++)
			;
		len = (size_t)(e - v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		if (len == tl && strncasecmp(v, token, tl) == 0)
			return 1;
		v = e;
	}
	return 0;
}

int
gate_parse(const char *head, size_t len, struct head *h)
{
	const char	*p = head, *end = head + len, *eol, *colon, *v, *ve;
	int		 rv, ncl = 0, nte = 0, nhost = 0;
	int		 chunked = 0, wclose = 0, keep = 0;

	memset(h, 0, sizeof(*h));
	/* Every line ends in CRLF; no bare CR, LF or NUL anywhere. */
	if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
		return 400;
	if ((rv = gate_request_line(p, (size_t)(eol - p), h)) != 0)
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
			    &h->body)) != 0)
				return rv;
		} else if (field_is(p, (size_t)(colon - p),
		    "Transfer-Encoding")) {
			nte++;
			chunked = (size_t)(ve - v) == 7 &&
			    strncasecmp(v, "chunked", 7) == 0;
		} else if (field_is(p, (size_t)(colon - p), "Host"))
			nhost++;
		else if (field_is(p, (size_t)(colon - p), "Connection")) {
			wclose |= list_has(v, (size_t)(ve - v), "close");
			keep |= list_has(v, (size_t)(ve - v), "keep-alive");
		} else if (field_is(p, (size_t)(colon - p), "Expect"))
			h->expect = list_has(v, (size_t)(ve - v),
			    "100-continue");
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
	if (nhost > 1 || (h->minor == 1 && nhost == 0))
		return 400;
	/* HTTP/1.0 closes unless asked not to; 1.1 stays unless asked. */
	h->close = wclose || (h->minor == 0 && !keep);
	return 0;
}

/*
 * The header fields of a head gate_parse() accepted, as "name\0value\0"
 * pairs (values without the white space around them) in out, which has
 * room for len bytes; their length.
 */
size_t
gate_fields(const char *head, size_t len, char *out)
{
	const char	*p, *end = head + len - 2, *eol, *colon, *v, *ve;
	char		*o = out;

	p = (const char *)memchr(head, '\n', len) + 1;	/* the fields */
	for (; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		colon = memchr(p, ':', (size_t)(eol - p));
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t');
		    ve--)
			;
		memcpy(o, p, (size_t)(colon - p));
		o += colon - p;
		*o++ = '\0';
		memcpy(o, v, (size_t)(ve - v));
		o += ve - v;
		*o++ = '\0';
	}
	return (size_t)(o - out);
}
