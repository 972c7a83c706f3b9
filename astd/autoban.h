/*
 * AutoBan: Asterisk's security events scored per source in a true sliding
 * window; a source that reaches the threshold is to be banned for its
 * current sentence, which grows with each offence remembered (ab_memory).
 * Pure bookkeeping: no I/O, time passed in, so that tests and the
 * benchmark drive it directly.  Bounded: at most AB_ENTRIES_MAX sources,
 * the least recently active forgotten first.
 */
#ifndef TRUNKD_ASTD_AUTOBAN_H
#define TRUNKD_ASTD_AUTOBAN_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define AB_ENTRIES_MAX	(1U << 18)

enum ab_result {
	AB_NONE = 0,		/* counted (or not an attack event) */
	AB_BAN,			/* ban `out` now */
	AB_IGNORED,		/* source on the never-ban list */
	AB_TRUSTED,		/* source inside a trunk's network: warn */
	AB_UNCOUNTED,		/* second half of a FailedACL pair */
	AB_BAD_ADDRESS,		/* RemoteAddress unusable */
};

struct ab_ban {
	struct proto_net net;		/* /32, /128 or the IPv6 prefix */
	uint32_t	offences;
	uint32_t	duration;	/* seconds */
	int64_t		first_seen;	/* unix time */
	int64_t		last_seen;
	int		repeat;		/* a ban still running, sent again */
	char		reason[PROTO_NAME_MAX];
};

struct autoban;

struct autoban	*ab_new(const struct msg_conf_astd *);
void		 ab_free(struct autoban *);
/* New settings on reload; the state is kept. */
void		 ab_set_conf(struct autoban *, const struct msg_conf_astd *);
/* The trunks' and carriers' networks: never banned, events warned. */
int		 ab_set_trusted(struct autoban *, const struct proto_net *,
		    size_t);
/*
 * One AMI event: its name (the Event: value), RemoteAddress and SessionID
 * (may be NULL).  now_ms: a monotonic clock; wall: unix seconds.
 */
enum ab_result	 ab_event(struct autoban *, const char *event,
		    const char *remote, const char *session, uint64_t now_ms,
		    int64_t wall, struct ab_ban *out);
/* An offender from dbd's history. */
int		 ab_history(struct autoban *, const struct proto_net *,
		    uint32_t offences, int64_t last_seen, int64_t expires,
		    int64_t wall);
/* Forget what the window and the memory let go of. */
void		 ab_sweep(struct autoban *, uint64_t now_ms, int64_t wall);
size_t		 ab_count(const struct autoban *);
/* "IPV4/UDP/203.0.113.5/5060", "IPV6/TLS/2001:db8::5/5061", transport
 * optional: the address, parsed from the right. */
int		 ab_remote_parse(const char *, struct proto_net *);

#endif /* TRUNKD_ASTD_AUTOBAN_H */
