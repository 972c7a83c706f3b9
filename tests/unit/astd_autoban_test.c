/*
 * AutoBan: the sliding window, weights, the FailedACL pair, never-ban and
 * trunk networks, IPv6 prefixes, escalation and its memory, history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "astd/autoban.h"
#include "astd/net.h"
#include "tests/unit/astd_conf.h"
#include "util.h"

#define CRF	"ChallengeResponseFailed"
#define V4(a)	"IPV4/UDP/" a "/5060"
#define T0	1700000000LL

static struct msg_conf_astd
conf(void)
{
	struct msg_conf_astd	c;

	astd_test_conf(&c);
	return c;
}

static struct proto_net
net(const char *s)
{
	struct proto_net	n;

	assert_int_equal(net_parse(s, &n), 0);
	return n;
}

static char *
fmt(const struct proto_net *n)
{
	static char	buf[NET_TEXT_MAX];

	assert_int_equal(net_format(n, buf, sizeof(buf)), 0);
	return buf;
}

/* n events at `ms`, `step` apart; the result of the last. */
static enum ab_result
hits(struct autoban *ab, const char *ev, const char *remote, int n,
    uint64_t ms, uint64_t step, struct ab_ban *b)
{
	enum ab_result	r = AB_NONE;
	int		i;

	for (i = 0; i < n; i++)
		r = ab_event(ab, ev, remote, NULL, ms + i * step,
		    T0 + (int64_t)((ms + i * step) / 1000), b);
	return r;
}

static void
five_failures(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;

	(void)state;
	assert_int_equal(hits(ab, CRF, V4("198.51.100.7"), 4, 0, 1000, &b),
	    AB_NONE);
	assert_int_equal(ab_event(ab, CRF, V4("198.51.100.7"), NULL, 5000,
	    T0 + 5, &b), AB_BAN);
	assert_string_equal(fmt(&b.net), "198.51.100.7/32");
	assert_int_equal(b.duration, 3600);
	assert_int_equal(b.offences, 1);
	assert_int_equal(b.repeat, 0);
	assert_string_equal(b.reason, CRF);
	/* Other sources are not affected. */
	assert_int_equal(hits(ab, CRF, V4("198.51.100.8"), 4, 0, 1, &b),
	    AB_NONE);
	ab_free(ab);
}

/* A true sliding window: what left it no longer counts, the rest does. */
static void
sliding(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;
	const char		*a = V4("203.0.113.9");

	(void)state;
	/* t = 0, 10, 20, 30 s */
	assert_int_equal(hits(ab, CRF, a, 4, 0, 10000, &b), AB_NONE);
	/* t = 61: the hit at 0 left, four remain. */
	assert_int_equal(ab_event(ab, CRF, a, NULL, 61000, T0 + 61, &b),
	    AB_NONE);
	/* t = 62: 10, 20, 30, 61, 62 are within 60 s: ban.  A counter
	 * reset per fixed minute would not ban here. */
	assert_int_equal(ab_event(ab, CRF, a, NULL, 62000, T0 + 62, &b),
	    AB_BAN);
	ab_free(ab);
}

static void
weights(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab;
	struct ab_ban		 b;

	(void)state;
	c.ab_weight[1] = 3;	/* InvalidAccountID */
	c.ab_weight[3] = 0;	/* RequestNotAllowed: ignored */
	ab = ab_new(&c);
	assert_int_equal(hits(ab, "RequestNotAllowed", V4("192.0.2.1"), 50, 0,
	    1, &b), AB_NONE);
	assert_int_equal(hits(ab, "ChallengeSent", V4("192.0.2.1"), 50, 0, 1,
	    &b), AB_NONE);
	assert_int_equal(ab_event(ab, "InvalidAccountID", V4("192.0.2.1"),
	    NULL, 10, T0, &b), AB_NONE);
	assert_int_equal(ab_event(ab, "InvalidAccountID", V4("192.0.2.1"),
	    NULL, 20, T0, &b), AB_BAN);
	assert_string_equal(b.reason, "InvalidAccountID");
	ab_free(ab);
}

/* SuccessfulAuth in between changes nothing. */
static void
no_immunity(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;
	const char		*a = V4("192.0.2.44");
	int			 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(ab_event(ab, CRF, a, NULL, i * 100, T0, &b),
		    AB_NONE);
		assert_int_equal(ab_event(ab, "SuccessfulAuth", a, NULL,
		    i * 100 + 50, T0, &b), AB_NONE);
	}
	assert_int_equal(ab_event(ab, CRF, a, NULL, 1000, T0, &b), AB_BAN);
	ab_free(ab);
}

static void
acl_pair(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;
	const char		*a = V4("198.51.100.20");
	char			 sid[32];
	int			 i;

	(void)state;
	/* Four sessions, each FailedACL + ChallengeResponseFailed. */
	for (i = 0; i < 4; i++) {
		snprintf(sid, sizeof(sid), "call-%d@x", i);
		assert_int_equal(ab_event(ab, "FailedACL", a, sid, i * 10,
		    T0, &b), AB_NONE);
		assert_int_equal(ab_event(ab, CRF, a, sid, i * 10 + 1, T0,
		    &b), AB_UNCOUNTED);
	}
	/* The fifth attempt bans: four pairs counted four times. */
	assert_int_equal(ab_event(ab, "FailedACL", a, "call-9@x", 100, T0,
	    &b), AB_BAN);
	/* The same session again and again is not a free pass. */
	for (i = 0; i < 4; i++)
		assert_int_equal(ab_event(ab, CRF, V4("198.51.100.21"), "same",
		    200 + i, T0, &b), AB_NONE);
	assert_int_equal(ab_event(ab, CRF, V4("198.51.100.21"), "same", 210,
	    T0, &b), AB_BAN);
	ab_free(ab);
}

static void
never_ban(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab;
	struct ab_ban		 b;
	struct proto_net	 trunks[2];

	(void)state;
	c.n_ignore_nets = 1;
	c.ignore_nets[0] = net("10.0.0.0/8");
	ab = ab_new(&c);
	trunks[0] = net("198.51.100.0/24");
	trunks[1] = net("2001:db8:5::/48");
	assert_int_equal(ab_set_trusted(ab, trunks, 2), 0);
	assert_int_equal(hits(ab, CRF, V4("10.1.2.3"), 20, 0, 1, &b),
	    AB_IGNORED);
	assert_int_equal(hits(ab, CRF, V4("198.51.100.99"), 20, 0, 1, &b),
	    AB_TRUSTED);
	assert_int_equal(hits(ab, CRF, "IPV6/UDP/2001:db8:5:1::9/5060", 20,
	    0, 1, &b), AB_TRUSTED);
	assert_int_equal(hits(ab, CRF, V4("198.51.101.1"), 5, 0, 1, &b),
	    AB_BAN);
	assert_int_equal(ab_count(ab), 1);
	ab_free(ab);
}

static void
ipv6_prefix(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;
	struct proto_net	 t = net("2001:db8:9:0:ffff::10/128");
	char			 remote[64];
	int			 i;

	(void)state;
	for (i = 1; i <= 5; i++) {
		snprintf(remote, sizeof(remote), "IPV6/TLS/2001:db8:1:0::%d/"
		    "5061", i);
		ab_event(ab, CRF, remote, NULL, (uint64_t)i, T0, &b);
	}
	assert_string_equal(fmt(&b.net), "2001:db8:1::/64");
	/* A trunk host inside the /64: only the attacker's /128. */
	assert_int_equal(ab_set_trusted(ab, &t, 1), 0);
	assert_int_equal(hits(ab, CRF, "IPV6/UDP/2001:db8:9::5/5060", 5, 0, 1,
	    &b), AB_BAN);
	assert_string_equal(fmt(&b.net), "2001:db8:9::5/128");
	/* v4-mapped sources are IPv4 hosts. */
	assert_int_equal(hits(ab, CRF, "IPV6/UDP/::ffff:192.0.2.77/5060", 5,
	    0, 1, &b), AB_BAN);
	assert_string_equal(fmt(&b.net), "192.0.2.77/32");
	ab_free(ab);
}

static void
escalation(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab;
	struct ab_ban		 b;
	const char		*a = V4("203.0.113.50");
	uint32_t		 want[] = { 3600, 7200, 14400, 20000, 20000 };
	int64_t			 wall = T0;
	size_t			 i;

	(void)state;
	c.ab_max_ban_time = 20000;
	ab = ab_new(&c);
	for (i = 0; i < nitems(want); i++) {
		wall += 100000;		/* after the previous sentence */
		assert_int_equal(hits(ab, CRF, a, 4, (uint64_t)wall * 1000, 1,
		    &b), AB_NONE);
		assert_int_equal(ab_event(ab, CRF, a, NULL,
		    (uint64_t)wall * 1000 + 10, wall, &b), AB_BAN);
		assert_int_equal(b.offences, i + 1);
		assert_int_equal(b.duration, want[i]);
	}
	/* Beyond the memory: a first offence again. */
	wall += (int64_t)c.ab_memory + 1;
	hits(ab, CRF, a, 5, (uint64_t)wall * 1000, 1, &b);
	assert_int_equal(b.offences, 1);
	assert_int_equal(b.duration, 3600);
	ab_free(ab);
}

/* Events while a ban runs: sent again, not a new offence. */
static void
repeat_while_banned(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;

	(void)state;
	hits(ab, CRF, V4("192.0.2.9"), 5, 0, 1, &b);
	assert_int_equal(b.offences, 1);
	assert_int_equal(ab_event(ab, CRF, V4("192.0.2.9"), NULL, 100000,
	    T0 + 100, &b), AB_NONE);
	assert_int_equal(hits(ab, CRF, V4("192.0.2.9"), 5, 200000, 1, &b),
	    AB_BAN);
	assert_int_equal(b.repeat, 1);
	assert_int_equal(b.offences, 1);
	assert_int_equal(b.duration, 3600 - 200);
	ab_free(ab);
}

static void
history(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;
	struct proto_net	 n = net("198.51.100.7/32");
	int64_t			 now = T0 + 100000;

	(void)state;
	assert_int_equal(ab_history(ab, &n, 2, T0, T0 + 7200, now), 0);
	assert_int_equal(hits(ab, CRF, V4("198.51.100.7"), 5,
	    (uint64_t)(now - T0) * 1000, 1, &b), AB_BAN);
	assert_int_equal(b.offences, 3);
	assert_int_equal(b.duration, 14400);
	/* Too old to remember: nothing kept. */
	n = net("198.51.100.8/32");
	assert_int_equal(ab_history(ab, &n, 4, now - (int64_t)c.ab_memory - 5,
	    0, now), 0);
	assert_int_equal(ab_count(ab), 1);
	ab_free(ab);
}

static void
remote_addresses(void **state)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "IPV4/UDP/203.0.113.5/5060", "203.0.113.5/32" },
		{ "IPV6/TLS/2001:db8::5/5061", "2001:db8::5/128" },
		{ "IPV4/203.0.113.6/5060", "203.0.113.6/32" },
		{ "203.0.113.7/5060", "203.0.113.7/32" },
		{ "IPV6/UDP/[2001:db8::8]/5060", "2001:db8::8/128" },
		{ "IPV6/UDP/::ffff:198.51.100.1/5060", "198.51.100.1/32" },
	};
	static const char *const bad[] = {
		"", "IPV4/UDP/203.0.113.5", "IPV4/UDP/203.0.113.5/",
		"IPV4/UDP/203.0.113.500/5060", "IPV4/UDP/host.example/5060",
		"IPV4/UDP//5060", "IPV4/UDP/1.2.3.4/50x",
	};
	struct proto_net	n;
	size_t			i;

	(void)state;
	for (i = 0; i < nitems(ok); i++) {
		assert_int_equal(ab_remote_parse(ok[i].in, &n), 0);
		assert_string_equal(fmt(&n), ok[i].out);
	}
	for (i = 0; i < nitems(bad); i++)
		assert_int_equal(ab_remote_parse(bad[i], &n), -1);
	assert_int_equal(ab_remote_parse(NULL, &n), -1);
}

/* Bounded: the least recently active are forgotten; sweep empties. */
static void
bounded(void **state)
{
	struct msg_conf_astd	 c = conf();
	struct autoban		*ab = ab_new(&c);
	struct ab_ban		 b;
	char			 remote[64];
	uint32_t		 i;

	(void)state;
	for (i = 0; i < AB_ENTRIES_MAX + 100; i++) {
		snprintf(remote, sizeof(remote), "IPV4/UDP/10.%u.%u.%u/5060",
		    (i >> 16) & 255, (i >> 8) & 255, i & 255);
		ab_event(ab, CRF, remote, NULL, i, T0, &b);
	}
	assert_int_equal(ab_count(ab), AB_ENTRIES_MAX);
	ab_sweep(ab, (uint64_t)c.ab_window * 1000 + AB_ENTRIES_MAX + 200,
	    T0 + 1000);
	assert_int_equal(ab_count(ab), 0);
	ab_free(ab);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(five_failures),
		cmocka_unit_test(sliding),
		cmocka_unit_test(weights),
		cmocka_unit_test(no_immunity),
		cmocka_unit_test(acl_pair),
		cmocka_unit_test(never_ban),
		cmocka_unit_test(ipv6_prefix),
		cmocka_unit_test(escalation),
		cmocka_unit_test(repeat_while_banned),
		cmocka_unit_test(history),
		cmocka_unit_test(remote_addresses),
		cmocka_unit_test(bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
