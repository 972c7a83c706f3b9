/*
 * libFuzzer target: bytes from Asterisk, in two pieces split where the
 * first byte says, through the AMI parser and every block through
 * AutoBan's scoring, as astd does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "astd/amiparse.h"
#include "astd/autoban.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct autoban	*ab;
static uint64_t		 now_ms;

static void
on_msg(const struct ami_msg *m, void *arg)
{
	struct ab_ban	 b;
	const char	*ev = ami_get(m, "Event");

	if (ev != NULL)
		(void)ab_event(ab, ev, ami_get(m, "RemoteAddress"),
		    ami_get(m, "SessionID"), now_ms += 7, 1700000000, &b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ami_parser	p;
	struct msg_conf_astd	c;
	size_t			split;
	int			i;

	if (ab == NULL) {
		memset(&c, 0, sizeof(c));
		c.ab_threshold = 3;
		c.ab_window = 60;
		c.ab_ban_time = 60;
		c.ab_multiplier = 2;
		c.ab_max_ban_time = 3600;
		c.ab_memory = 86400;
		c.ab_ipv6_prefix = 64;
		for (i = 0; i < PROTO_AB_EVENTS; i++)
			c.ab_weight[i] = 1;
		if ((ab = ab_new(&c)) == NULL)
			return 0;
	}
	if (len == 0)
		return 0;
	split = data[0] % len;
	ami_parser_init(&p, on_msg, NULL, NULL);
	ami_parser_feed(&p, (const char *)data + 1, split);
	ami_parser_feed(&p, (const char *)data + 1 + split, len - 1 - split);
	ab_sweep(ab, now_ms, 1700000000 + 86400 * 2);
	return 0;
}
