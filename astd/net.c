#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int
net_parse_addr(const char *s, struct proto_net *net)
{
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, s, net->addr) == 1) {
		net->family = 4;
		net->prefixlen = 32;
	} else if (inet_pton(AF_INET6, s, net->addr) == 1) {
		net->family = 6;
		net->prefixlen = 128;
	} else
		return -1;
	return 0;
}

int
net_parse(const char *s, struct proto_net *net)
{
	char		 buf[INET6_ADDRSTRLEN];
	struct proto_net masked;
	const char	*slash, *errstr;
	size_t		 len;
	long long	 plen;

	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (net_parse_addr(buf, net) == -1)
		return -1;
	if (slash != NULL) {
		if (slash[1] == '\0' || slash[1] == '0' ||
		    strspn(slash + 1, "0123456789") != strlen(slash + 1))
			return -1;
		plen = strtonum(slash + 1, 1, net->prefixlen, &errstr);
		if (errstr != NULL)
			return -1;
		net->prefixlen = (uint8_t)plen;
	}
	masked = *net;
	net_mask(&masked, net->prefixlen);
	return memcmp(&masked, net, sizeof(masked)) == 0 ? 0 : -1;
}

int
net_format_addr(const struct proto_net *net, char *buf, size_t len)
{
	if (net->family != 4 && net->family != 6)
		return -1;
	return inet_ntop(net->family == 4 ? AF_INET : AF_INET6, net->addr,
	    buf, len) == NULL ? -1 : 0;
}

int
net_format(const struct proto_net *net, char *buf, size_t len)
{
	char	addr[INET6_ADDRSTRLEN];
	int	n;

	if (net_format_addr(net, addr, sizeof(addr)) == -1)
		return -1;
	n = snprintf(buf, len, "%s/%u", addr, net->prefixlen);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void
net_mask(struct proto_net *net, unsigned int prefixlen)
{
	unsigned int	max = net->family == 4 ? 32 : 128, i;

	if (prefixlen > max)
		prefixlen = max;
	net->prefixlen = (uint8_t)prefixlen;
	for (i = prefixlen; i < max; i++)
		net->addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

int
net_contains(const struct proto_net *net, const struct proto_net *addr)
{
	unsigned int	full, rest;

	if (net->family != addr->family || addr->prefixlen < net->prefixlen)
		return 0;
	full = net->prefixlen / 8;
	rest = net->prefixlen % 8;
	if (memcmp(net->addr, addr->addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((net->addr[full] ^ addr->addr[full]) &
	    (uint8_t)(0xff00 >> rest)) == 0;
}

int
net_cmp(const struct proto_net *a, const struct proto_net *b)
{
	int	c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, sizeof(a->addr))) != 0)
		return c;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen < b->prefixlen ? -1 : 1;
	return 0;
}
