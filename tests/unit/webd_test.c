/*
 * webd's pure parts: the gate's head checks (limits, framing, smuggling),
 * HTML escaping, form decoding, CSRF tokens and the form-to-JSON mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>

#include "blob.h"
#include "webd/form.h"
#include "webd/html.h"
#include "webd/res.h"
#include "webd/webd.h"

static int
head(const char *s, uint64_t *body)
{
	struct head	h;
	int		rv;

	rv = gate_parse(s, strlen(s), &h);
	*body = h.body;
	return rv;
}

static void
test_gate_good(void **state)
{
	struct head	 h;
	uint64_t	 body = 99;
	const char	*s;

	assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &body), 0);
	assert_int_equal(body, 0);
	assert_int_equal(head("POST /x?a=b HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 12\r\nX-Y:  v \t\r\n\r\n", &body), 0);
	assert_int_equal(body, 12);
	assert_int_equal(head("GET / HTTP/1.0\r\n\r\n", &body), 0);
	assert_int_equal(head("DELETE /a HTTP/1.1\r\nhost: a\r\n"
	    "content-length: 0\r\n\r\n", &body), 0);
	/* what the connection needs from the head */
	s = "PUT /api/v1/x?y=1 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, "
	    "CLOSE\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
	assert_int_equal(gate_parse(s, strlen(s), &h), 0);
	assert_int_equal(h.method, EVHTTP_REQ_PUT);
	assert_int_equal(h.minor, 1);
	assert_int_equal(h.targetlen, strlen("/api/v1/x?y=1"));
	assert_memory_equal(h.target, "/api/v1/x?y=1", h.targetlen);
	assert_true(h.close);
	assert_true(h.expect);
	s = "GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n";
	assert_int_equal(gate_parse(s, strlen(s), &h), 0);
	assert_false(h.close);
	assert_false(h.expect);
	s = "GET / HTTP/1.0\r\n\r\n";
	assert_int_equal(gate_parse(s, strlen(s), &h), 0);
	assert_true(h.close);
	s = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
	assert_int_equal(gate_parse(s, strlen(s), &h), 0);
	assert_false(h.close);
	assert_int_equal(h.minor, 0);
}

static void
test_gate_bad(void **state)
{
	struct head	h;
	uint64_t	body;

	/* no smuggling: TE with CL, two CLs, odd TE, CL not a number */
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3"
	    "\r\nTransfer-Encoding: chunked\r\n\r\n", &body), 400);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3"
	    "\r\nContent-Length: 3\r\n\r\n", &body), 400);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n", &body), 400);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", &body), 411);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: -1\r\n\r\n", &body), 400);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 1 2\r\n\r\n", &body), 400);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: +5\r\n\r\n", &body), 400);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 65537\r\n\r\n", &body), 413);
	assert_int_equal(head("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 99999999999999999999\r\n\r\n", &body), 400);
	/* syntax */
	assert_int_equal(head("GET / HTTP/1.1\r\n\r\n", &body), 400);
	assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	    &body), 400);
	assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
	    &body), 400);
	assert_int_equal(head("GET / HTTP/1.1\r\nHost : a\r\n\r\n", &body),
	    400);
	assert_int_equal(head("GET / HTTP/1.1\nHost: a\r\n\r\n", &body), 400);
	assert_int_equal(head("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", &body),
	    400);
	assert_int_equal(head("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    &body), 400);
	assert_int_equal(head("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &body),
	    400);
	assert_int_equal(head("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", &body),
	    400);
	assert_int_equal(head("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", &body),
	    501);
	assert_int_equal(gate_parse("GET / HTTP/1.1\r\nHost: a\0\r\n\r\n",
	    28, &h), 400);
}

static char *
escaped(const char *s)
{
	static char	 out[512];
	struct evbuffer	*b = evbuffer_new();
	size_t		 n;

	html_text(b, s);
	n = evbuffer_remove(b, out, sizeof(out) - 1);
	out[n] = '\0';
	evbuffer_free(b);
	return out;
}

static void
test_html(void **state)
{
	assert_string_equal(escaped("<script>alert(1)</script>"),
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_string_equal(escaped("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
	assert_string_equal(escaped("plain"), "plain");
	assert_string_equal(escaped(""), "");
}

static void
test_form(void **state)
{
	json_t	*f;
	char	 out[16], back[32], *e;
	size_t	 len;

	f = form_parse("a=1&b=x+y%21&c=&a=2&&d", 22);
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "a")), "1");
	assert_string_equal(json_string_value(json_object_get(f, "b")),
	    "x y!");
	assert_string_equal(json_string_value(json_object_get(f, "c")), "");
	assert_string_equal(json_string_value(json_object_get(f, "d")), "");
	json_decref(f);
	assert_null(form_parse("a=%00", 5));
	assert_null(form_parse("a=%4", 4));
	assert_null(form_parse("a=%zz", 5));
	assert_null(form_parse("a=%ff%fe", 8));	/* not UTF-8 */
	assert_int_equal(form_decode("a%2Fb+c", 7, out, sizeof(out), 0, &len),
	    0);
	assert_string_equal(out, "a/b+c");
	assert_int_equal(form_decode("0123456789abcdef", 16, out, sizeof(out),
	    0, &len), -1);
	/* encoding, and back */
	e = form_encode("a b/\xc3\xa9~-._Z9&=%", 0);
	assert_string_equal(e, "a%20b%2F%C3%A9~-._Z9%26%3D%25");
	assert_int_equal(form_decode(e, strlen(e), back, sizeof(back), 0,
	    &len), 0);
	assert_string_equal(back, "a b/\xc3\xa9~-._Z9&=%");
	free(e);
	e = form_encode("x y", 1);
	assert_string_equal(e, "x+y");
	free(e);
	assert_null(form_encode(NULL, 0));
}

static void
test_csrf(void **state)
{
	uint8_t	fpr[PROTO_FPR_LEN], other[PROTO_FPR_LEN];
	char	tok[CSRF_TOKEN_LEN], bad[CSRF_TOKEN_LEN];

	memset(fpr, 1, sizeof(fpr));
	memset(other, 2, sizeof(other));
	assert_int_equal(blob_keep(BLOB_CSRF_KEY,
	    (const uint8_t *)"0123456789abcdef0123", 20), 0);
	assert_int_equal(csrf_init(), 0);
	assert_null(blob_get(BLOB_CSRF_KEY, &(size_t){ 0 }));
	csrf_token(fpr, tok, sizeof(tok));
	assert_int_equal(strlen(tok), CSRF_TOKEN_LEN - 1);
	assert_int_equal(csrf_check(fpr, tok), 0);
	assert_int_equal(csrf_check(other, tok), -1);
	memcpy(bad, tok, sizeof(bad));
	bad[20] = bad[20] == 'a' ? 'b' : 'a';
	assert_int_equal(csrf_check(fpr, bad), -1);
	assert_int_equal(csrf_check(fpr, ""), -1);
	assert_int_equal(csrf_check(fpr, NULL), -1);
	/* an old token */
	memcpy(bad, tok, sizeof(bad));
	memcpy(bad, "0000000000000001", 16);
	assert_int_equal(csrf_check(fpr, bad), -1);
}

static void
test_res(void **state)
{
	const struct resource	*r = res_find("trunks");
	const struct field	*bad = NULL;
	json_t			*form, *o;

	assert_non_null(r);
	form = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name",
	    "<b>t1</b>", "tenant_id", "3", "auth", "ip", "transport", "udp",
	    "networks", " 192.0.2.0/28\r\n\r\n2001:db8::/64 ,", "enabled", "on",
	    "max_channels", "");
	o = res_from_form(r, form, 1, &bad);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "name")),
	    "<b>t1</b>");
	assert_int_equal(json_integer_value(json_object_get(o, "tenant_id")),
	    3);
	assert_int_equal(json_array_size(json_object_get(o, "networks")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o,
	    "networks"), 1)), "2001:db8::/64");
	assert_true(json_is_true(json_object_get(o, "enabled")));
	assert_null(json_object_get(o, "max_channels"));
	json_decref(o);
	(void)json_object_set_new(form, "transport", json_string("sctp"));
	assert_null(res_from_form(r, form, 1, &bad));
	assert_string_equal(bad->name, "transport");
	(void)json_object_set_new(form, "transport", json_string("tls"));
	(void)json_object_set_new(form, "tenant_id", json_string("x"));
	assert_null(res_from_form(r, form, 1, &bad));
	assert_string_equal(bad->name, "tenant_id");
	json_decref(form);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_good),
		cmocka_unit_test(test_gate_bad),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_res),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
