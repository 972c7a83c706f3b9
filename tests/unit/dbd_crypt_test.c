/*
 * Secrets at rest (AES-256-GCM: round trip, and nothing opens under
 * another key, another purpose or after a change) and the audit hash
 * (every field counts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dbd/audit.h"
#include "dbd/crypt.h"

static void
test_roundtrip(void **state)
{
	uint8_t	key[CRYPT_KEY_LEN], key2[CRYPT_KEY_LEN];
	uint8_t	sealed[64 + CRYPT_OVERHEAD], again[64 + CRYPT_OVERHEAD];
	uint8_t	out[64];
	size_t	slen, slen2, olen;

	memset(key, 7, sizeof(key));
	memset(key2, 8, sizeof(key2));
	assert_int_equal(crypt_seal(key, "totp a", (const uint8_t *)"secret",
	    6, sealed, sizeof(sealed), &slen), 0);
	assert_int_equal(slen, 6 + CRYPT_OVERHEAD);
	assert_int_equal(crypt_open(key, "totp a", sealed, slen, out,
	    sizeof(out), &olen), 0);
	assert_int_equal(olen, 6);
	assert_memory_equal(out, "secret", 6);
	/* A fresh nonce every time. */
	assert_int_equal(crypt_seal(key, "totp a", (const uint8_t *)"secret",
	    6, again, sizeof(again), &slen2), 0);
	assert_memory_not_equal(sealed, again, slen);
	assert_int_equal(crypt_open(key2, "totp a", sealed, slen, out,
	    sizeof(out), &olen), -1);
	assert_int_equal(crypt_open(key, "totp b", sealed, slen, out,
	    sizeof(out), &olen), -1);
	sealed[1 + 12] ^= 1;
	assert_int_equal(crypt_open(key, "totp a", sealed, slen, out,
	    sizeof(out), &olen), -1);
	sealed[1 + 12] ^= 1;
	sealed[0] = 2;
	assert_int_equal(crypt_open(key, "totp a", sealed, slen, out,
	    sizeof(out), &olen), -1);
	assert_int_equal(crypt_open(key, "totp a", sealed, 10, out,
	    sizeof(out), &olen), -1);
	assert_int_equal(crypt_seal(key, "x", (const uint8_t *)"secret", 6,
	    sealed, 6 + CRYPT_OVERHEAD - 1, &slen), -1);
}

static void
test_key_parse(void **state)
{
	uint8_t		key[CRYPT_KEY_LEN];
	const char	*hex = "000102030405060708090a0b0c0d0e0f"
			    "101112131415161718191A1B1C1D1E1F\n";
	uint8_t		raw[CRYPT_KEY_LEN];
	int		i;

	for (i = 0; i < CRYPT_KEY_LEN; i++)
		raw[i] = (uint8_t)i;
	assert_int_equal(crypt_key_parse((const uint8_t *)hex, strlen(hex),
	    key), 0);
	assert_memory_equal(key, raw, sizeof(raw));
	assert_int_equal(crypt_key_parse(raw, sizeof(raw), key), 0);
	assert_memory_equal(key, raw, sizeof(raw));
	assert_int_equal(crypt_key_parse(raw, 31, key), -1);
	assert_int_equal(crypt_key_parse((const uint8_t *)"zz", 2, key), -1);
}

static void
test_audit_hash(void **state)
{
	struct audit_row	r = { 1700000000, "alice", 3, "create", "trunk",
				    7, 9, "{\"name\":\"x\"}" };
	struct audit_row	s;
	uint8_t			prev[AUDIT_HASH_LEN], h[AUDIT_HASH_LEN];
	uint8_t			h2[AUDIT_HASH_LEN];

	memset(prev, 0, sizeof(prev));
	audit_hash(prev, &r, h);
	audit_hash(prev, &r, h2);
	assert_memory_equal(h, h2, sizeof(h));
	s = r;
	s.admin = "alicf";
	audit_hash(prev, &s, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	s = r;
	s.tenant_id = -1;
	audit_hash(prev, &s, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	s = r;
	s.generation = 10;
	audit_hash(prev, &s, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	/* Field boundaries count: "ab"+"c" is not "a"+"bc". */
	s = r;
	s.action = "createt";
	s.object = "runk";
	audit_hash(prev, &s, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	prev[0] = 1;
	audit_hash(prev, &r, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_audit_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
