/*
 * The value helpers of the configuration parser: networks (CIDR), address
 * literals, names, users, the quoting of strings in messages, and the
 * file checks.  The grammar itself is tested by the golden cases.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "parent/config.h"

static char	err[PROTO_ERR_MAX];

/* s parses; its normalised form is `norm`. */
static void
net_ok(const char *s, int family, int prefixlen, const char *norm)
{
	struct proto_net	net;
	char			buf[64];

	memset(&net, 0xa5, sizeof(net));
	if (config_net_parse(s, &net, err, sizeof(err)) == -1)
		fail_msg("%s: %s", s, err);
	assert_int_equal(net.family, family);
	assert_int_equal(net.prefixlen, prefixlen);
	assert_int_equal(net.pad[0], 0);
	assert_int_equal(net.pad[1], 0);
	assert_int_equal(config_net_format(&net, buf, sizeof(buf)), 0);
	assert_string_equal(buf, norm);
}

/* s is refused, with a message that says `why`; net is left zeroed. */
static void
net_bad(const char *s, const char *why)
{
	static const struct proto_net	zero;
	struct proto_net		net;

	err[0] = '\0';
	if (config_net_parse(s, &net, err, sizeof(err)) == 0)
		fail_msg("%s: accepted", s);
	if (strstr(err, why) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", s, err, why);
	assert_memory_equal(&net, &zero, sizeof(net));
}

static void
test_net_parse(void **state)
{
	struct proto_net	net;

	net_ok("192.0.2.0/24", 4, 24, "192.0.2.0/24");
	net_ok("198.51.100.7", 4, 32, "198.51.100.7/32");
	net_ok("128.0.0.0/1", 4, 1, "128.0.0.0/1");
	net_ok("10.0.0.0/08", 4, 8, "10.0.0.0/8");
	net_ok("2001:DB8:0:0::/32", 6, 32, "2001:db8::/32");
	net_ok("::1", 6, 128, "::1/128");
	net_ok("fe80::/10", 6, 10, "fe80::/10");
	net_ok("::ffff:192.0.2.0/120", 6, 120, "::ffff:192.0.2.0/120");

	assert_int_equal(config_net_parse("192.0.2.0/24", &net, err,
	    sizeof(err)), 0);
	assert_int_equal(net.addr[0], 192);
	assert_int_equal(net.addr[2], 2);
	assert_int_equal(net.addr[3], 0);

	net_bad("10.0.0.1/8", "host bits set");
	net_bad("10.0.0.1/8", "(the network is 10.0.0.0/8)");
	net_bad("128.0.0.0/0", "/0 is not allowed");
	net_bad("0.0.0.0/0", "/0 is not allowed");
	net_bad("::/0", "/0 is not allowed");
	net_bad("2001:db8::1/127", "host bits set");
	net_bad("10.0.0.0/33", "bad CIDR \"10.0.0.0/33\"");
	net_bad("::/129", "bad CIDR");
	net_bad("10.0.0.0/", "bad CIDR");
	net_bad("/8", "bad CIDR");
	net_bad("", "bad CIDR");
	net_bad("10.0.0/8", "bad CIDR");
	net_bad("010.0.0.0/8", "bad CIDR");
	net_bad("10.0.0.0/8x", "bad CIDR");
	net_bad("10.0.0.0/+8", "bad CIDR");
	net_bad("10.0.0.0/-8", "bad CIDR");
	net_bad("10.0.0.0/8/8", "bad CIDR");
	net_bad("10.0.0.0 /8", "bad CIDR");
	net_bad("localhost/8", "bad CIDR");
	net_bad("1111:2222:3333:4444:5555:6666:7777:8888:9999/64",
	    "bad CIDR");
}

static void
test_addr_parse(void **state)
{
	char	out[64];

	assert_int_equal(config_addr_parse("127.0.0.1", out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1");
	assert_int_equal(config_addr_parse("2001:DB8:0:0::0001", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(config_addr_parse("::", out, sizeof(out)), 0);
	assert_string_equal(out, "::");

	assert_int_equal(config_addr_parse("localhost", out, sizeof(out)), -1);
	assert_int_equal(config_addr_parse("127.1", out, sizeof(out)), -1);
	assert_int_equal(config_addr_parse("10.0.0.0/8", out, sizeof(out)),
	    -1);
	assert_int_equal(config_addr_parse("", out, sizeof(out)), -1);
	/* the normal form must fit */
	assert_int_equal(config_addr_parse("2001:db8::1", out, 5), -1);
}

static void
test_name_ok(void **state)
{
	assert_true(config_name_ok("trunkd"));
	assert_true(config_name_ok("_trunkd_web"));
	assert_true(config_name_ok("trunkd.owner-1"));
	assert_false(config_name_ok(""));
	assert_false(config_name_ok("-trunkd"));
	assert_false(config_name_ok(".trunkd"));
	assert_false(config_name_ok("trunk d"));
	assert_false(config_name_ok("trunkd\r\nAction: Logoff"));
	assert_false(config_name_ok("o'brien"));
	assert_false(config_name_ok("a;b"));
}

static void
test_quote(void **state)
{
	char	buf[CONF_QUOTE_MAX], small[12];
	char	longer[200];

	assert_string_equal(config_quote("abc", buf, sizeof(buf)), "\"abc\"");
	assert_string_equal(config_quote("a\"b\\c", buf, sizeof(buf)),
	    "\"a\\\"b\\\\c\"");
	assert_string_equal(config_quote("a\tb\x01", buf, sizeof(buf)),
	    "\"a\\x09b\\x01\"");
	assert_string_equal(config_quote("", buf, sizeof(buf)), "\"\"");

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	config_quote(longer, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 4, "...\"");
	/* an escape is never cut in half */
	assert_string_equal(config_quote("abcd\\\\\\\\", small, sizeof(small)),
	    "\"abcd\\\\...\"");
}

static void
test_user_resolve(void **state)
{
	struct conf_role	 r;
	struct passwd		*pw;

	memset(&r, 0, sizeof(r));
	assert_int_equal(config_user_resolve("61001:61002", &r, err,
	    sizeof(err)), 0);
	assert_string_equal(r.user, "#61001:61002");
	assert_int_equal(r.uid, 61001);
	assert_int_equal(r.gid, 61002);
	/* the stored form resolves again, in place */
	assert_int_equal(config_user_resolve(r.user, &r, err, sizeof(err)),
	    0);
	assert_string_equal(r.user, "#61001:61002");
	assert_int_equal(config_user_resolve("4294967294:1", &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.uid, 4294967294U);

	assert_int_equal(config_user_resolve("0:61001", &r, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "must not run as root"));
	assert_int_equal(config_user_resolve("61001:0", &r, err, sizeof(err)),
	    -1);
	assert_int_equal(config_user_resolve("4294967295:1", &r, err,
	    sizeof(err)), -1);
	assert_int_equal(config_user_resolve("1:99999999999999999999", &r,
	    err, sizeof(err)), -1);
	assert_int_equal(config_user_resolve("root", &r, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "user \"root\": a child must not run as "
	    "root");
	assert_int_equal(config_user_resolve("_trunkd_no_such_user", &r, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown user \"_trunkd_no_such_user\"");
	assert_int_equal(config_user_resolve("bad user", &r, err,
	    sizeof(err)), -1);
	assert_int_equal(config_user_resolve("61001:", &r, err, sizeof(err)),
	    -1);
	assert_int_equal(config_user_resolve("", &r, err, sizeof(err)), -1);

	if ((pw = getpwnam("nobody")) == NULL || pw->pw_uid == 0 ||
	    pw->pw_gid == 0)
		return;			/* no usable name to look up */
	assert_int_equal(config_user_resolve("nobody", &r, err, sizeof(err)),
	    0);
	assert_string_equal(r.user, "nobody");
	assert_int_equal(r.uid, pw->pw_uid);
	assert_int_equal(r.gid, pw->pw_gid);
}

static void
test_check_fd(void **state)
{
	char	path[] = "/tmp/config_test.XXXXXX";
	int	fd, dfd;

	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(fchmod(fd, 0644), 0);
	/* without the permission check only the file type matters */
	assert_int_equal(config_check_fd(fd, 0, err, sizeof(err)), 0);
	if (geteuid() == 0) {
		assert_int_equal(config_check_fd(fd, 1, err, sizeof(err)), -1);
		assert_string_equal(err, "insecure permissions 0644 (must be "
		    "owned by root and not accessible by group or others)");
		assert_int_equal(fchmod(fd, 0600), 0);
		assert_int_equal(config_check_fd(fd, 1, err, sizeof(err)), 0);
		assert_int_equal(config_check_file(path, err, sizeof(err)), 0);
		assert_int_equal(fchmod(fd, 0610), 0);
		assert_int_equal(config_check_file(path, err, sizeof(err)), -1);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, "insecure permissions 0610"));
	} else {
		/* not root: the owner alone is reason enough */
		assert_int_equal(fchmod(fd, 0600), 0);
		assert_int_equal(config_check_fd(fd, 1, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "insecure owner uid"));
	}
	close(fd);
	unlink(path);
	assert_int_equal(config_check_file(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));

	assert_true((dfd = open("/tmp", O_RDONLY | O_DIRECTORY)) != -1);
	assert_int_equal(config_check_fd(dfd, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "not a regular file");
	close(dfd);
}

static void
test_defaults(void **state)
{
	struct trunkd_conf	*c;
	int			 i;

	assert_non_null(c = calloc(1, sizeof(*c)));
	memset(c, 0xa5, sizeof(*c));
	config_defaults(c);
	assert_string_equal(c->web_listen, "127.0.0.1");
	assert_int_equal(c->web_port, 8443);
	assert_int_equal(c->n_admin_nets, 2);
	assert_int_equal(c->admin_nets[0].family, 4);
	assert_int_equal(c->admin_nets[1].family, 6);
	assert_int_equal(c->n_sip_udp_ports, 1);
	assert_true(c->rtp_low < c->rtp_high);
	assert_int_equal(c->role[PROC_FWD].uid, 0);
	assert_true(c->ab_ban_time <= c->ab_max_ban_time);
	assert_true(c->ab_ipv6_prefix >= c->max_ban_prefix6);
	for (i = 0; i < AB_EVENT_MAX; i++) {
		assert_int_equal(c->ab_weight[i], 1);
		assert_non_null(ab_event_names[i]);
	}
	/* required settings have no default */
	assert_string_equal(c->tls_cert, "");
	assert_string_equal(c->db_data_key_file, "");
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_parse),
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_name_ok),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_user_resolve),
		cmocka_unit_test(test_check_fd),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
