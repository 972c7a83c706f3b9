/*
 * Golden files for astd's writers: tests/astd/NAME.json (an export as dbd
 * sends it) must give exactly NAME.pjsip and NAME.dialplan; every
 * tests/astd/bad/NAME.json must be refused with the message in NAME.err.
 * ASTD_GOLDEN_UPDATE=1 rewrites the expected files (review the diff).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "astd/export.h"
#include "astd/writer.h"

static const char *golden_dir = "tests/astd";

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 ||
	    (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static void
compare(const char *name, const char *ext, const char *got, size_t gotlen)
{
	char	 path[512];
	char	*want;
	size_t	 wantlen;
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s.%s", golden_dir, name, ext);
	if (getenv("ASTD_GOLDEN_UPDATE") != NULL) {
		assert_non_null(fp = fopen(path, "w"));
		assert_int_equal(fwrite(got, 1, gotlen, fp), gotlen);
		fclose(fp);
	}
	want = slurp(path, &wantlen);
	if (want == NULL)
		fail_msg("%s: missing", path);
	if (wantlen != gotlen || memcmp(want, got, gotlen) != 0) {
		fprintf(stderr, "---- got %s ----\n%s", path, got);
		fail_msg("%s differs", path);
	}
	free(want);
}

typedef int (*writer_fn)(FILE *, const struct export *);

static void
golden(void **state)
{
	const char	*name = *state;
	static const struct { const char *ext; writer_fn fn; } w[] = {
		{ "pjsip", pjsip_write },
		{ "dialplan", dialplan_write },
	};
	struct export	 ex;
	char		 path[512], err[256], *json, *out;
	size_t		 len, outlen, i;
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s.json", golden_dir, name);
	assert_non_null(json = slurp(path, &len));
	if (export_parse(json, len, &ex, err, sizeof(err)) == -1)
		fail_msg("%s: %s", path, err);
	for (i = 0; i < 2; i++) {
		assert_non_null(fp = open_memstream(&out, &outlen));
		assert_int_equal(w[i].fn(fp, &ex), 0);
		fclose(fp);
		compare(name, w[i].ext, out, outlen);
		free(out);
	}
	export_free(&ex);
	free(json);
}

/* The same export twice, elements shuffled: the same bytes. */
static void
deterministic(void **state)
{
	static const char a[] = "{\"generation\":1,\"tenants\":[{\"id\":2,"
	    "\"name\":\"b\"},{\"id\":1,\"name\":\"a\",\"allowed_prefixes\":"
	    "[\"+2\",\"+1\"]}],\"trunks\":[{\"id\":9,\"tenant_id\":1,\"name\":"
	    "\"x\",\"auth\":\"ip\",\"networks\":[\"192.0.2.0/24\","
	    "\"10.0.0.0/8\"]},{\"id\":8,\"tenant_id\":2,\"name\":\"y\","
	    "\"auth\":\"ip\",\"networks\":[\"10.1.0.0/16\"]}]}";
	static const char b[] = "{\"trunks\":[{\"id\":8,\"tenant_id\":2,"
	    "\"name\":\"y\",\"auth\":\"ip\",\"networks\":[\"10.1.0.0/16\"]},"
	    "{\"networks\":[\"10.0.0.0/8\",\"192.0.2.0/24\",\"10.0.0.0/8\"],"
	    "\"id\":9,\"tenant_id\":1,\"name\":\"x\",\"auth\":\"ip\"}],"
	    "\"tenants\":[{\"id\":1,\"name\":\"a\",\"allowed_prefixes\":"
	    "[\"+1\",\"+2\"]},{\"id\":2,\"name\":\"b\"}],\"generation\":1}";
	const char	*in[2] = { a, b };
	char		*out[2], err[256];
	size_t		 len[2];
	struct export	 ex;
	FILE		*fp;
	int		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		if (export_parse(in[i], strlen(in[i]), &ex, err,
		    sizeof(err)) == -1)
			fail_msg("%s", err);
		assert_non_null(fp = open_memstream(&out[i], &len[i]));
		assert_int_equal(pjsip_write(fp, &ex), 0);
		assert_int_equal(dialplan_write(fp, &ex), 0);
		fclose(fp);
		export_free(&ex);
	}
	assert_int_equal(len[0], len[1]);
	assert_memory_equal(out[0], out[1], len[0]);
	free(out[0]);
	free(out[1]);
}

/* tests/astd/bad/NAME.json -> refused, with NAME.err's first line. */
static void
refused(void **state)
{
	const char	*name = *state;
	struct export	 ex;
	char		 path[512], err[256], *json, *want;
	size_t		 len, wantlen;

	snprintf(path, sizeof(path), "%s/bad/%s.json", golden_dir, name);
	assert_non_null(json = slurp(path, &len));
	if (export_parse(json, len, &ex, err, sizeof(err)) == 0)
		fail_msg("%s: accepted", path);
	strlcat(err, "\n", sizeof(err));
	snprintf(path, sizeof(path), "%s/bad/%s.err", golden_dir, name);
	if (getenv("ASTD_GOLDEN_UPDATE") != NULL) {
		FILE *fp = fopen(path, "w");

		assert_non_null(fp);
		fputs(err, fp);
		fclose(fp);
	}
	assert_non_null(want = slurp(path, &wantlen));
	assert_string_equal(err, want);
	free(want);
	free(json);
}

#define GOLDEN(n)	cmocka_unit_test_prestate(golden, (void *)(n))
#define REFUSED(n)	cmocka_unit_test_prestate(refused, (void *)(n))

int
main(void)
{
	const struct CMUnitTest tests[] = {
		GOLDEN("sample"),
		GOLDEN("ipv6"),
		GOLDEN("odd-names"),
		cmocka_unit_test(deterministic),
		REFUSED("acl-space"),
		REFUSED("bad-codec"),
		REFUSED("control-char"),
		REFUSED("did-other-tenant"),
		REFUSED("host-bits"),
		REFUSED("ip-trunk-no-network"),
		REFUSED("password-backslash"),
		REFUSED("reserved-username"),
		REFUSED("duplicate-id"),
		REFUSED("bad-prefix"),
	};

	if (getenv("ASTD_GOLDEN_DIR") != NULL)
		golden_dir = getenv("ASTD_GOLDEN_DIR");
	export_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
