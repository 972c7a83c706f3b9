/*
 * Field checks.  Messages quote the value (cut short and with anything
 * unprintable replaced) so that a person sees which entry is wrong.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

static const char *const codecs[] = {
	"ulaw", "alaw", "g722", "g729", "opus", "gsm", "ilbc", "speex",
	"g726", "slin",
};

/* The value for a message: printable ASCII, at most 48 characters. */
static const char *
shown(const char *s, char *buf, size_t len)
{
	size_t	i, n = strlen(s);

	if (len == 0)
		return "";
	for (i = 0; i < n && i + 4 < len && i < 48; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (i < n && i + 3 < len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static int
fail(char *err, size_t errlen, const char *s, const char *why)
{
	char	buf[64];

	(void)snprintf(err, errlen, "\"%s\" %s", shown(s, buf, sizeof(buf)),
	    why);
	return -1;
}

int
val_name(const char *s, char *err, size_t errlen)
{
	size_t	i, n = strlen(s);

	if (n == 0)
		return fail(err, errlen, s, "is empty: a name is needed");
	if (n > VAL_NAME_MAX) {
		(void)snprintf(err, errlen, "name is %zu characters long, "
		    "the most is %d", n, VAL_NAME_MAX);
		return -1;
	}
	if (!isalnum((unsigned char)s[0]))
		return fail(err, errlen, s, "must start with a letter or "
		    "digit");
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.-", s[i]) ==
		    NULL)
			return fail(err, errlen, s, "may only hold letters, "
			    "digits, \"_\", \".\" and \"-\"");
	return 0;
}

int
val_sip_user(const char *s, char *err, size_t errlen)
{
	static const char *const reserved[] = { PROTO_AST_RESERVED_USERS };
	size_t			 i;

	if (val_name(s, err, errlen) == -1)
		return -1;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strncasecmp(s, reserved[i], strlen(reserved[i])) == 0) {
			(void)snprintf(err, errlen, "\"%s\" is not a SIP "
			    "username: names starting with \"trunk-\", "
			    "\"carrier-\", \"tenant-\" or \"trunkd\" are "
			    "reserved for trunkd's own Asterisk sections", s);
			return -1;
		}
	return 0;
}

int
val_text(const char *s, size_t max, char *err, size_t errlen)
{
	size_t	n = strlen(s), i;

	if (n > max) {
		(void)snprintf(err, errlen, "text is %zu bytes long, the most "
		    "is %zu", n, max);
		return -1;
	}
	/* The JSON decoder already refused invalid UTF-8 and NUL. */
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(err, errlen, s, "holds a control "
			    "character");
	return 0;
}

static int
digits(const char *s)
{
	size_t	n = strlen(s);

	return n > 0 && strspn(s, "0123456789") == n ? (int)n : 0;
}

int
val_e164(const char *s, char *err, size_t errlen)
{
	int	n;

	if (s[0] != '+' || (n = digits(s + 1)) < 2 || n > 15 || s[1] == '0')
		return fail(err, errlen, s, "is not an E.164 number (\"+\", "
		    "country code and number, 15 digits at most, e.g. "
		    "+4930123456)");
	return 0;
}

int
val_dest_prefix(const char *s, char *err, size_t errlen)
{
	int	n;

	if (s[0] != '+' || (n = digits(s + 1)) < 1 || n > 15)
		return fail(err, errlen, s, "is not a destination prefix "
		    "(\"+\" and 1 to 15 digits, e.g. +49)");
	return 0;
}

int
val_codec(const char *s, char *err, size_t errlen)
{
	size_t	i;

	for (i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (strcmp(s, codecs[i]) == 0)
			return 0;
	return fail(err, errlen, s, "is not a known codec (ulaw, alaw, g722, "
	    "g729, opus, gsm, ilbc, speex, g726, slin)");
}

int
val_host(const char *s, char *err, size_t errlen)
{
	uint8_t		 a[16];
	const char	*label = s, *p;
	size_t		 n = strlen(s);

	if (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1)
		return 0;
	if (n == 0 || n > VAL_HOST_MAX)
		return fail(err, errlen, s, "is not a host name or address");
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || label[0] == '-' ||
			    p[-1] == '-')
				return fail(err, errlen, s, "is not a host "
				    "name or address");
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!isalnum((unsigned char)*p) && *p != '-')
			return fail(err, errlen, s, "is not a host name or "
			    "address");
	}
	return 0;
}

int
val_secret(const char *s, char *err, size_t errlen)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > VAL_SECRET_MAX) {
		(void)snprintf(err, errlen, "a password of 1 to %d characters "
		    "is needed", VAL_SECRET_MAX);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]) || strchr("\"'\\;", s[i]))
			break;
	if (i == n)
		return 0;
	(void)snprintf(err, errlen, "a password may hold printable ASCII but "
	    "no space, quote, backslash or \";\"");
	return -1;
}

int
net_format(const struct proto_net *n, char *buf, size_t len)
{
	char	a[INET6_ADDRSTRLEN];
	int	r;

	if (inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, a,
	    sizeof(a)) == NULL)
		return -1;
	r = snprintf(buf, len, "%s/%u", a, n->prefixlen);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

static void
net_mask(struct proto_net *n)
{
	unsigned int	i, bits = n->family == 4 ? 32 : 128;

	for (i = n->prefixlen; i < bits; i++)
		n->addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

int
net_wellformed(const struct proto_net *n)
{
	struct proto_net	m = *n;
	static const uint8_t	zero[12];

	if ((n->family != 4 && n->family != 6) || n->prefixlen == 0 ||
	    n->prefixlen > (n->family == 4 ? 32 : 128) ||
	    n->pad[0] != 0 || n->pad[1] != 0 ||
	    (n->family == 4 && memcmp(n->addr + 4, zero, 12) != 0))
		return 0;
	net_mask(&m);
	return memcmp(&m, n, sizeof(m)) == 0;
}

int
val_net(const char *s, unsigned int min4, unsigned int min6,
    struct proto_net *n, char *err, size_t errlen)
{
	static const uint8_t	 v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct proto_net	 m;
	char			 a[INET6_ADDRSTRLEN], norm[64], why[128];
	const char		*slash, *errstr;
	unsigned int		 max, min;
	long long		 plen;
	size_t			 len;

	memset(n, 0, sizeof(*n));
	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(a))
		return fail(err, errlen, s, "is not an IPv4 or IPv6 network "
		    "(e.g. 192.0.2.0/28 or 2001:db8::/48)");
	memcpy(a, s, len);
	a[len] = '\0';
	if (inet_pton(AF_INET, a, n->addr) == 1) {
		n->family = 4;
		max = 32;
		min = min4;
	} else if (inet_pton(AF_INET6, a, n->addr) == 1) {
		n->family = 6;
		max = 128;
		min = min6;
		if (memcmp(n->addr, v4mapped, sizeof(v4mapped)) == 0)
			return fail(err, errlen, s, "is an IPv4-mapped IPv6 "
			    "address: write the IPv4 network");
	} else
		return fail(err, errlen, s, "is not an IPv4 or IPv6 network "
		    "(e.g. 192.0.2.0/28 or 2001:db8::/48)");
	plen = max;
	if (slash != NULL) {
		if (digits(slash + 1) == 0 || digits(slash + 1) > 3)
			return fail(err, errlen, s, "has no valid prefix "
			    "length after \"/\"");
		plen = strtonum(slash + 1, 0, max, &errstr);
		if (errstr != NULL) {
			(void)snprintf(why, sizeof(why), "has prefix length "
			    "%s: an IPv%u prefix length is 0 to %u",
			    slash + 1, n->family, max);
			return fail(err, errlen, s, why);
		}
	}
	n->prefixlen = (uint8_t)plen;
	if (plen == 0)
		return fail(err, errlen, s, "covers every address: name a "
		    "narrower network");
	if (plen < min) {
		(void)snprintf(why, sizeof(why), "is wider than allowed: the "
		    "widest IPv%u network is a /%u", n->family, min);
		return fail(err, errlen, s, why);
	}
	m = *n;
	net_mask(&m);
	if (memcmp(&m, n, sizeof(m)) != 0) {
		(void)net_format(&m, norm, sizeof(norm));
		(void)snprintf(why, sizeof(why), "has host bits set: the "
		    "network is %s", norm);
		return fail(err, errlen, s, why);
	}
	return 0;
}

int
net_overlap(const struct proto_net *a, const struct proto_net *b)
{
	struct proto_net	x, y;

	if (a->family != b->family)
		return 0;
	/* Both masked to the shorter prefix: equal means one holds the other. */
	x = *a;
	y = *b;
	x.prefixlen = y.prefixlen = a->prefixlen < b->prefixlen ?
	    a->prefixlen : b->prefixlen;
	net_mask(&x);
	net_mask(&y);
	return memcmp(x.addr, y.addr, sizeof(x.addr)) == 0;
}
