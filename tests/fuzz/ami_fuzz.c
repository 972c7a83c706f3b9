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
#include "tests/unit/astd_conf.h"

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

	if (ab == NULL) {
		astd_test_conf(&c);
		c.ab_threshold = 3;	/* more bans per input */
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
