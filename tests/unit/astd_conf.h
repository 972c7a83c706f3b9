/*
 * AutoBan settings as trunkd.conf's defaults give them (threshold 5 in
 * 60 s, 3600 s first, x2, capped at 30 days, remembered 30 days, IPv6 by
 * /64, every weight 1): shared by astd's tests, fuzzer and benchmark.
 */
#ifndef TRUNKD_TESTS_ASTD_CONF_H
#define TRUNKD_TESTS_ASTD_CONF_H

#include <string.h>

#include "proto.h"

static inline void
astd_test_conf(struct msg_conf_astd *c)
{
	int	i;

	memset(c, 0, sizeof(*c));
	c->ab_threshold = 5;
	c->ab_window = 60;
	c->ab_ban_time = 3600;
	c->ab_multiplier = 2;
	c->ab_max_ban_time = 86400 * 30;
	c->ab_memory = 86400 * 30;
	c->ab_ipv6_prefix = 64;
	for (i = 0; i < PROTO_AB_EVENTS; i++)
		c->ab_weight[i] = 1;
}

#endif /* TRUNKD_TESTS_ASTD_CONF_H */
