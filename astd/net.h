/*
 * Addresses and prefixes as astd meets them: CIDR text from dbd's export,
 * addresses from Asterisk's security events, ban keys for fwd.
 */
#ifndef TRUNKD_ASTD_NET_H
#define TRUNKD_ASTD_NET_H

#include <stddef.h>

#include "proto.h"

/* "192.0.2.0/24", "2001:db8::/48"; the longest text net_format() writes. */
#define NET_TEXT_MAX	(46 + 4)

/* Strict CIDR: address, '/', prefix length, host bits zero; a bare
 * address is a host route.  0 or -1. */
int	net_parse(const char *, struct proto_net *);
/* An address without prefix (any text after it refused). */
int	net_parse_addr(const char *, struct proto_net *);
int	net_format(const struct proto_net *, char *, size_t);
/* Only the address, without the prefix length. */
int	net_format_addr(const struct proto_net *, char *, size_t);
/* Is `addr` (a host) inside `net`? */
int	net_contains(const struct proto_net *net, const struct proto_net *addr);
/* Clear the host bits beyond `prefixlen`. */
void	net_mask(struct proto_net *, unsigned int prefixlen);
/* Order for sorting: family, address, prefix length. */
int	net_cmp(const struct proto_net *, const struct proto_net *);

#endif /* TRUNKD_ASTD_NET_H */
