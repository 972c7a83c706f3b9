/*
 * Field checks for everything a request may store: each returns 0, or -1
 * with a sentence for a person in err (which value, and why).  Pure
 * functions: unit-tested without a database.
 */
#ifndef TRUNKD_VALIDATE_H
#define TRUNKD_VALIDATE_H

#include <stddef.h>

#include "proto.h"

#define VAL_NAME_MAX	64	/* tenants, trunks, carriers, admins */
#define VAL_TEXT_MAX	255	/* descriptions */
#define VAL_REASON_MAX	(PROTO_NAME_MAX - 1)
#define VAL_E164_MAX	16	/* "+" and 15 digits */
#define VAL_HOST_MAX	253
#define VAL_SECRET_MAX	128	/* a carrier's password */

/* Letters, digits, "_", "." and "-", a letter or digit first: safe in
 * Asterisk's configuration and in a URI. */
int	val_name(const char *, char *err, size_t errlen);
/* A SIP username astd can use: a name (above) that does not start with
 * one of astd's section prefixes (PROTO_AST_RESERVED_USERS). */
int	val_sip_user(const char *, char *err, size_t errlen);
/* Free text: any printable UTF-8, no control character, up to max bytes. */
int	val_text(const char *, size_t max, char *err, size_t errlen);
/* "+" then 2 to 15 digits, the first not 0. */
int	val_e164(const char *, char *err, size_t errlen);
/* An outbound destination prefix: "+" then 1 to 15 digits. */
int	val_dest_prefix(const char *, char *err, size_t errlen);
int	val_codec(const char *, char *err, size_t errlen);
/* A host name (RFC 1123 labels) or an IPv4/IPv6 literal. */
int	val_host(const char *, char *err, size_t errlen);
/* A secret typed by a person: printable ASCII without space or quotes. */
int	val_secret(const char *, char *err, size_t errlen);
/*
 * A network "192.0.2.0/28", "2001:db8::/48" or one address, normalised
 * into n.  Refused: anything else, a prefix length out of range, host bits
 * set, a prefix wider than /min4 (/min6 for IPv6), IPv4-mapped IPv6.
 */
int	val_net(const char *, unsigned int min4, unsigned int min6,
	    struct proto_net *n, char *err, size_t errlen);
int	net_format(const struct proto_net *, char *buf, size_t len);
/* Do two networks share an address? */
int	net_overlap(const struct proto_net *, const struct proto_net *);
/* A net received from a peer: family, length and zero host bits. */
int	net_wellformed(const struct proto_net *);

#endif /* TRUNKD_VALIDATE_H */
