/*
 * The message catalogue: every type has an entry, sizes agree with the
 * structs, routes follow ARCHITECTURE.md, and the checks refuse what the
 * table does not allow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

static void
test_table_complete(void **state)
{
	uint32_t	t;

	for (t = 1; t < MSG_MAX; t++) {
		const struct msg_spec *s = msg_spec(t);

		assert_non_null(s);
		assert_non_null(s->name);
		assert_true(strlen(s->name) > 0);
		assert_true(s->minlen <= s->maxlen);
		assert_true(s->maxlen + 16 <= PROTO_CHANNEL_MAX);
		assert_true(s->from != 0);
		assert_true(s->to != 0);
		assert_true((s->from & ~((1U << PROC_MAX) - 1)) == 0);
		assert_true((s->to & ~((1U << PROC_MAX) - 1)) == 0);
		/* Nobody sends to itself through the parent. */
		assert_true((s->from & s->to) == 0);
	}
	assert_null(msg_spec(0));
	assert_null(msg_spec(MSG_MAX));
	assert_string_equal(msg_name(MSG_MAX + 7), "unknown");
}

static void
test_sizes_match_structs(void **state)
{
	assert_int_equal(msg_spec(MSG_HELLO)->minlen, sizeof(struct msg_hello));
	assert_int_equal(msg_spec(MSG_HELLO)->maxlen, sizeof(struct msg_hello));
	assert_int_equal(msg_spec(MSG_STATUS)->maxlen,
	    sizeof(struct msg_status));
	assert_int_equal(msg_spec(MSG_CONF_BLOB)->maxlen,
	    sizeof(struct msg_conf_blob));
	assert_int_equal(msg_spec(MSG_CONF_BLOB)->minlen,
	    offsetof(struct msg_conf_blob, data));
	assert_int_equal(msg_spec(MSG_FW_BAN)->maxlen,
	    sizeof(struct msg_fw_ban));
	assert_int_equal(msg_spec(MSG_CONF_LISTEN)->fd, FD_MUST);
	assert_int_equal(msg_spec(MSG_LOG)->maxlen, sizeof(struct msg_log));
	/* Payload structs carry no implicit padding the table hides. */
	assert_int_equal(sizeof(struct proto_net), 20);
	assert_int_equal(sizeof(struct msg_ctl_status_row) % 8, 0);
}

/* The allowed channels of ARCHITECTURE.md: webd never reaches fwd/astd. */
static void
test_routes_follow_architecture(void **state)
{
	uint32_t	t;

	for (t = 1; t < MSG_MAX; t++) {
		const struct msg_spec *s = msg_spec(t);

		if (s->from & P(WEBD))
			assert_true((s->to & (P(FWD) | P(ASTD))) == 0);
		if (s->to & P(WEBD))
			assert_true((s->from & (P(FWD) | P(ASTD))) == 0);
		/* fwd talks to nobody but the parent (and answers dbd/astd). */
		if (s->from & P(CTL))
			assert_true(s->to == P(PARENT));
	}
	assert_int_equal(msg_route(MSG_FW_BAN, PROC_WEBD, PROC_FWD), PROC_MAX);
	assert_int_equal(msg_route(MSG_FW_BAN, PROC_ASTD, PROC_FWD), PROC_FWD);
	assert_int_equal(msg_route(MSG_FW_BAN, PROC_DBD, 0), PROC_FWD);
	assert_int_equal(msg_route(MSG_HELLO, PROC_DBD, 0), PROC_PARENT);
	assert_int_equal(msg_route(MSG_HELLO, PROC_CTL, 0), PROC_MAX);
	assert_int_equal(msg_route(9999, PROC_DBD, 0), PROC_MAX);
}

static void
test_check(void **state)
{
	struct msg_hello	h;

	assert_null(msg_check(MSG_HELLO, PROC_WEBD, PROC_PARENT, sizeof(h), 0));
	assert_non_null(msg_check(MSG_HELLO, PROC_WEBD, PROC_PARENT,
	    sizeof(h) - 1, 0));
	assert_non_null(msg_check(MSG_HELLO, PROC_WEBD, PROC_PARENT,
	    sizeof(h) + 1, 0));
	assert_non_null(msg_check(MSG_HELLO, PROC_WEBD, PROC_PARENT,
	    sizeof(h), 1));
	assert_non_null(msg_check(MSG_HELLO, PROC_WEBD, PROC_DBD, sizeof(h),
	    0));
	assert_non_null(msg_check(MSG_CONF_LISTEN, PROC_PARENT, PROC_WEBD, 0,
	    0));
	assert_null(msg_check(MSG_CONF_LISTEN, PROC_PARENT, PROC_WEBD, 0, 1));
	assert_non_null(msg_check(MSG_CONF_LISTEN, PROC_PARENT, PROC_DBD, 0,
	    1));
	assert_non_null(msg_check(MSG_FW_BAN, PROC_WEBD, PROC_FWD,
	    sizeof(struct msg_fw_ban), 0));
	assert_non_null(msg_check(MSG_MAX, PROC_PARENT, PROC_WEBD, 0, 0));
	assert_non_null(msg_check(MSG_HELLO, PROC_MAX, PROC_PARENT, sizeof(h),
	    0));
}

static void
test_str_ok(void **state)
{
	char	s[4] = { 'a', 'b', 'c', 'd' };

	assert_false(proto_str_ok(s, sizeof(s)));
	s[3] = '\0';
	assert_true(proto_str_ok(s, sizeof(s)));
	assert_false(proto_str_ok(s, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_sizes_match_structs),
		cmocka_unit_test(test_routes_follow_architecture),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_str_ok),
	};

	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
