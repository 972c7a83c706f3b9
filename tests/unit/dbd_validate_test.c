/*
 * dbd's field checks: networks (normalised; /0, out of range, host bits,
 * too wide, IPv4-mapped refused), overlaps, E.164, names, free text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dbd/validate.h"

static void
net_ok(const char *in, const char *want)
{
	struct proto_net	n;
	char			err[256], out[64];

	assert_int_equal(val_net(in, 16, 32, &n, err, sizeof(err)), 0);
	assert_true(net_wellformed(&n));
	assert_int_equal(net_format(&n, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
net_bad(const char *in, const char *why)
{
	struct proto_net	n;
	char			err[256];

	assert_int_equal(val_net(in, 16, 32, &n, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", in, err, why);
}

static void
test_nets(void **state)
{
	net_ok("192.0.2.0/28", "192.0.2.0/28");
	net_ok("192.0.2.7", "192.0.2.7/32");
	net_ok("10.1.0.0/16", "10.1.0.0/16");
	net_ok("2001:DB8:0:0::/48", "2001:db8::/48");
	net_ok("2001:db8::1", "2001:db8::1/128");
	net_bad("0.0.0.0/0", "covers every address");
	net_bad("::/0", "covers every address");
	net_bad("10.0.0.0/33", "0 to 32");
	net_bad("2001:db8::/129", "0 to 128");
	net_bad("1.2.3", "not an IPv4 or IPv6");
	net_bad("300.1.1.1/32", "not an IPv4 or IPv6");
	net_bad("10.0.0.1/24", "the network is 10.0.0.0/24");
	net_bad("2001:db8::1/64", "the network is 2001:db8::/64");
	net_bad("10.0.0.0/8", "widest IPv4 network is a /16");
	net_bad("2001:db8::/31", "widest IPv6 network is a /32");
	net_bad("::ffff:192.0.2.1", "IPv4-mapped");
	net_bad("10.0.0.0/", "no valid prefix");
	net_bad("10.0.0.0/+8", "no valid prefix");
	net_bad("10.0.0.0/0024", "no valid prefix");
	net_bad("", "not an IPv4 or IPv6");
	net_bad("fe80::1%lo", "not an IPv4 or IPv6");
}

static void
test_overlap(void **state)
{
	struct proto_net	a, b, c, d;
	char			err[256];

	assert_int_equal(val_net("192.0.2.0/24", 8, 8, &a, err, 256), 0);
	assert_int_equal(val_net("192.0.2.128/25", 8, 8, &b, err, 256), 0);
	assert_int_equal(val_net("192.0.3.0/24", 8, 8, &c, err, 256), 0);
	assert_int_equal(val_net("2001:db8::/32", 8, 8, &d, err, 256), 0);
	assert_true(net_overlap(&a, &b));
	assert_true(net_overlap(&b, &a));
	assert_true(net_overlap(&a, &a));
	assert_false(net_overlap(&a, &c));
	assert_false(net_overlap(&b, &c));
	assert_false(net_overlap(&a, &d));
}

static void
test_wellformed(void **state)
{
	struct proto_net	n;

	memset(&n, 0, sizeof(n));
	n.family = 4;
	n.prefixlen = 24;
	n.addr[0] = 192;
	n.addr[3] = 1;			/* a host bit */
	assert_false(net_wellformed(&n));
	n.addr[3] = 0;
	assert_true(net_wellformed(&n));
	n.addr[5] = 1;			/* beyond an IPv4 address */
	assert_false(net_wellformed(&n));
	n.addr[5] = 0;
	n.prefixlen = 33;
	assert_false(net_wellformed(&n));
	n.prefixlen = 0;
	assert_false(net_wellformed(&n));
	n.family = 5;
	n.prefixlen = 8;
	assert_false(net_wellformed(&n));
}

static void
test_fields(void **state)
{
	char	err[256], longname[70];

	assert_int_equal(val_e164("+4930123456", err, 256), 0);
	assert_int_equal(val_e164("+123456789012345", err, 256), 0);
	assert_int_equal(val_e164("+1234567890123456", err, 256), -1);
	assert_int_equal(val_e164("4930123456", err, 256), -1);
	assert_int_equal(val_e164("+0301234", err, 256), -1);
	assert_int_equal(val_e164("+49 30", err, 256), -1);
	assert_int_equal(val_e164("+1", err, 256), -1);
	assert_int_equal(val_dest_prefix("+", err, 256), -1);
	assert_int_equal(val_dest_prefix("+4", err, 256), 0);
	assert_int_equal(val_name("acme-pbx_1.a", err, 256), 0);
	assert_int_equal(val_name("o'brien", err, 256), -1);
	assert_int_equal(val_name("a\"b", err, 256), -1);
	assert_int_equal(val_name("-x", err, 256), -1);
	assert_int_equal(val_name("", err, 256), -1);
	memset(longname, 'n', 65);
	longname[65] = '\0';
	assert_int_equal(val_name(longname, err, 256), -1);
	longname[64] = '\0';
	assert_int_equal(val_name(longname, err, 256), 0);
	assert_int_equal(val_text("'; DROP TABLE trunks; --", 255, err, 256),
	    0);
	assert_int_equal(val_text("a\tb", 255, err, 256), -1);
	assert_int_equal(val_text("abc", 2, err, 256), -1);
	assert_int_equal(val_codec("g722", err, 256), 0);
	assert_int_equal(val_codec("mp3", err, 256), -1);
	assert_int_equal(val_host("sip.example.net", err, 256), 0);
	assert_int_equal(val_host("2001:db8::1", err, 256), 0);
	assert_int_equal(val_host("-bad.example", err, 256), -1);
	assert_int_equal(val_host("a..b", err, 256), -1);
	assert_int_equal(val_host("a b", err, 256), -1);
	assert_int_equal(val_host("192.0.2.10", err, 256), 0);
	assert_int_equal(val_host("pbx.example.net;transport=tcp", err, 256),
	    -1);
	assert_int_equal(val_host("[2001:db8::1]", err, 256), -1);
	assert_int_equal(val_host("fe80::1%eth0", err, 256), -1);
	memset(longname, 'h', 64);
	longname[64] = '\0';
	assert_int_equal(val_host(longname, err, 256), -1);	/* label > 63 */
	/* astd's section prefixes, in any case; the rest as val_name. */
	assert_int_equal(val_sip_user("hh-pbx", err, 256), 0);
	assert_int_equal(val_sip_user("trunk1", err, 256), 0);
	assert_int_equal(val_sip_user("trunk-7", err, 256), -1);
	assert_true(strstr(err, "reserved") != NULL);
	assert_int_equal(val_sip_user("Carrier-x", err, 256), -1);
	assert_int_equal(val_sip_user("TENANT-1", err, 256), -1);
	assert_int_equal(val_sip_user("trunkd", err, 256), -1);
	assert_int_equal(val_sip_user("trunkdemo", err, 256), -1);
	assert_int_equal(val_sip_user("o'brien", err, 256), -1);
	assert_int_equal(val_secret("s3cret!", err, 256), 0);
	assert_int_equal(val_secret("with space", err, 256), -1);
	assert_int_equal(val_secret("quo\"te", err, 256), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nets),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_wellformed),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
