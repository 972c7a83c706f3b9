#include <string.h>
#include <strings.h>

#include "amiparse.h"

#define AMI_BANNER	"Asterisk Call Manager/"

void
ami_parser_init(struct ami_parser *p, ami_msg_cb on_msg,
    ami_banner_cb on_banner, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->on_msg = on_msg;
	p->on_banner = on_banner;
	p->arg = arg;
}

static void
ami_block_clear(struct ami_parser *p)
{
	p->used = 0;
	p->nfields = 0;
	p->truncated = 0;
	p->has_response = 0;
}

void
ami_parser_reset(struct ami_parser *p)
{
	ami_block_clear(p);
	p->linelen = 0;
	p->line_cut = 0;
	p->banner_done = 0;
}

const char *
ami_get(const struct ami_msg *m, const char *key)
{
	size_t	i;

	for (i = 0; i < m->nfields; i++)
		if (strcasecmp(m->f[i].key, key) == 0)
			return m->f[i].val;
	return NULL;
}

static void
ami_dispatch(struct ami_parser *p)
{
	struct ami_msg	m;
	size_t		i;

	if (p->nfields == 0)
		return;
	m.nfields = p->nfields;
	m.truncated = p->truncated;
	for (i = 0; i < p->nfields; i++) {
		m.f[i].key = p->buf + p->koff[i];
		m.f[i].val = p->buf + p->voff[i];
	}
	p->n_msgs++;
	if (p->truncated)
		p->n_truncated++;
	ami_block_clear(p);
	p->on_msg(&m, p->arg);
}

static int
ami_key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '(' ||
	    c == ')' || c == '.' || c == '/';
}

/* One complete line, without its end. */
static void
ami_line(struct ami_parser *p, char *s, size_t len)
{
	size_t	klen, vlen, i;
	char	*v;
	int	is_resp;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len == 0) {
		ami_dispatch(p);
		return;
	}
	s[len] = '\0';
	if (!p->banner_done && p->nfields == 0 &&
	    strncmp(s, AMI_BANNER, sizeof(AMI_BANNER) - 1) == 0) {
		p->banner_done = 1;
		for (i = sizeof(AMI_BANNER) - 1; i < len; i++)
			if ((unsigned char)s[i] < 0x21 ||
			    (unsigned char)s[i] > 0x7e)
				s[i] = '?';
		if (p->on_banner != NULL)
			p->on_banner(s + sizeof(AMI_BANNER) - 1, p->arg);
		return;
	}
	for (klen = 0; klen < len && ami_key_char((unsigned char)s[klen]);
	    klen++)
		;
	if (klen == 0 || klen > AMI_KEY_MAX || klen == len || s[klen] != ':') {
		p->n_bad_lines++;
		return;
	}
	v = s + klen + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	vlen = len - (size_t)(v - s);
	/* A missing blank line: a new Event, or a second Response. */
	is_resp = klen == 8 && strncasecmp(s, "Response", 8) == 0;
	if (p->nfields > 0 && ((klen == 5 && strncasecmp(s, "Event", 5) == 0) ||
	    (is_resp && p->has_response)))
		ami_dispatch(p);
	if (p->nfields == AMI_FIELDS_MAX ||
	    p->used + klen + vlen + 2 > sizeof(p->buf)) {
		p->truncated = 1;
		return;
	}
	p->has_response |= is_resp;
	p->koff[p->nfields] = (uint16_t)p->used;
	memcpy(p->buf + p->used, s, klen);
	p->used += klen;
	p->buf[p->used++] = '\0';
	p->voff[p->nfields] = (uint16_t)p->used;
	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		p->buf[p->used++] = c < 0x20 || c > 0x7e ? '?' : (char)c;
	}
	p->buf[p->used++] = '\0';
	p->nfields++;
}

void
ami_parser_feed(struct ami_parser *p, const char *data, size_t len)
{
	const char	*nl;
	size_t		 n, room;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		if (!p->line_cut) {
			room = AMI_LINE_MAX - p->linelen;
			if (n > room) {
				/* Keep the start, skip to the line's end. */
				memcpy(p->line + p->linelen, data, room);
				p->linelen += room;
				p->line_cut = 1;
				p->truncated = 1;
			} else {
				memcpy(p->line + p->linelen, data, n);
				p->linelen += n;
			}
		}
		if (nl == NULL)
			return;
		ami_line(p, p->line, p->linelen);
		p->linelen = 0;
		p->line_cut = 0;
		data += n + 1;
		len -= n + 1;
	}
}
