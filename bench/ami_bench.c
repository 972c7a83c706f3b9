/*
 * astd's AMI path on one core, in process: security events as Asterisk
 * writes them, through the AMI parser and AutoBan's scoring.
 *   1. throughput: events per second (target: 500k/s);
 *   2. per event: parse + score time of the event that decides a ban,
 *      p50 / p99 (the astd share of "event -> ban");
 *   3. a burst of 2,000 distinct attackers, 5 events each: time until
 *      every one is decided (target: all banned within 100 ms).
 * Prints figures; not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "astd/amiparse.h"
#include "astd/autoban.h"
#include "tests/unit/astd_conf.h"

#define EVENTS		2000000
#define ATTACKERS	50000
#define BURST		2000

static struct autoban	*ab;
static uint64_t		 now_ms;
static unsigned long	 bans;
static unsigned long	 msgs;

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_msg(const struct ami_msg *m, void *arg)
{
	struct ab_ban	 b;
	const char	*ev = ami_get(m, "Event");

	msgs++;
	if (ev != NULL && ab_event(ab, ev, ami_get(m, "RemoteAddress"),
	    ami_get(m, "SessionID"), now_ms, 1700000000, &b) == AB_BAN)
		bans++;
}

static int
event_text(char *buf, size_t len, unsigned int attacker, unsigned int n)
{
	return snprintf(buf, len,
	    "Event: ChallengeResponseFailed\r\nPrivilege: security,all\r\n"
	    "EventTV: 2024-05-01T10:00:00.%06u+0000\r\nSeverity: Error\r\n"
	    "Service: PJSIP\r\nEventVersion: 1\r\nAccountID: %u\r\n"
	    "SessionID: %u-%u@198.51.100.1\r\n"
	    "LocalAddress: IPV4/UDP/192.0.2.1/5060\r\n"
	    "RemoteAddress: IPV4/UDP/10.%u.%u.%u/5060\r\n"
	    "Challenge: 1a2b3c4d\r\nResponse: 0123456789abcdef0123456789abcdef"
	    "\r\nExpectedResponse: \r\n\r\n", n % 1000000, 100 + n % 900,
	    attacker, n, (attacker >> 16) & 255, (attacker >> 8) & 255,
	    attacker & 255);
}

static struct autoban *
new_autoban(void)
{
	struct msg_conf_astd	c;

	astd_test_conf(&c);
	return ab_new(&c);
}

static int
dcmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	struct ami_parser	 p;
	char			*buf, ev[512];
	size_t			 len = 0, cap, off, chunk = 65536;
	double			 t0, t1, *lat;
	unsigned int		 i, k;
	int			 n;

	/* 1. Throughput. */
	cap = (size_t)EVENTS * 420;
	if ((buf = malloc(cap)) == NULL || (ab = new_autoban()) == NULL)
		return 1;
	for (i = 0; i < EVENTS; i++) {
		n = event_text(buf + len, cap - len, i % ATTACKERS, i);
		len += (size_t)n;
	}
	ami_parser_init(&p, on_msg, NULL, NULL);
	t0 = now_s();
	for (off = 0; off < len; off += chunk) {
		now_ms = (uint64_t)((now_s() - t0) * 1000);
		ami_parser_feed(&p, buf + off, len - off < chunk ? len - off :
		    chunk);
	}
	t1 = now_s();
	printf("ami: parser + AutoBan, one core: %u events (%zu MB) in "
	    "%.3f s = %.0f events/s (target 500000: %.1fx), %lu bans\n",
	    EVENTS, len >> 20, t1 - t0, EVENTS / (t1 - t0),
	    EVENTS / (t1 - t0) / 500000, bans);
	free(buf);
	ab_free(ab);

	/* 2. The deciding event, alone: p50 / p99. */
	if ((ab = new_autoban()) == NULL ||
	    (lat = calloc(BURST, sizeof(*lat))) == NULL)
		return 1;
	ami_parser_init(&p, on_msg, NULL, NULL);
	for (i = 0; i < BURST; i++) {
		for (k = 0; k < 4; k++) {
			n = event_text(ev, sizeof(ev), 100000 + i, k);
			ami_parser_feed(&p, ev, (size_t)n);
		}
		n = event_text(ev, sizeof(ev), 100000 + i, 4);
		t0 = now_s();
		ami_parser_feed(&p, ev, (size_t)n);
		lat[i] = now_s() - t0;
	}
	qsort(lat, BURST, sizeof(*lat), dcmp);
	printf("ami: the event that decides a ban, parse + score: p50 %.2f us, "
	    "p99 %.2f us\n", lat[BURST / 2] * 1e6, lat[BURST * 99 / 100] * 1e6);
	ab_free(ab);
	free(lat);

	/* 3. A burst of 2,000 attackers, 5 events each, interleaved. */
	if ((ab = new_autoban()) == NULL ||
	    (buf = malloc((size_t)BURST * 5 * 420)) == NULL)
		return 1;
	len = 0;
	for (k = 0; k < 5; k++)
		for (i = 0; i < BURST; i++)
			len += (size_t)event_text(buf + len, 420, 200000 + i, k);
	bans = 0;
	ami_parser_init(&p, on_msg, NULL, NULL);
	t0 = now_s();
	ami_parser_feed(&p, buf, len);
	t1 = now_s();
	printf("ami: burst of %u attackers x 5 events: %lu banned in %.3f ms "
	    "(target 100 ms: %.0fx faster)\n", BURST, bans, (t1 - t0) * 1e3,
	    0.1 / (t1 - t0));
	ab_free(ab);
	free(buf);
	return 0;
}
