#!/bin/sh
# webd's HTTP limits, each with its status: a head over 8 KiB -> 431, a
# body over 64 KiB -> 413, bad or conflicting Content-Length and
# Transfer-Encoding -> 400 (no smuggling), header and idle timeouts, and
# a POST without a valid CSRF token -> 403.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"

rt_setup >/dev/null || { echo "Bail out! runtime set-up failed"; exit 1; }
web_pki || { echo "Bail out! certificates"; exit 1; }
WEB_HEADER_TIMEOUT=3 WEB_IDLE_TIMEOUT=2 web_conf
start_trunkd
wait_started
ok $? "trunkd starts"

CSS=$WEB/static/style.css
pad() { head -c "$1" /dev/zero | tr '\0' a; }
[ "$(wstatus good -H "X-Pad: $(pad 7800)" $CSS)" = 200 ]
ok $? "a head just under 8 KiB: 200"
[ "$(wstatus good -H "X-Pad: $(pad 8200)" $CSS)" = 431 ]
ok $? "a head over 8 KiB: 431"
[ "$(wstatus good -H "X-A: $(pad 4000)" -H "X-B: $(pad 4000)" \
    -H "X-C: $(pad 400)" $CSS)" = 431 ]
ok $? "many headers together over 8 KiB: 431"

pad 65536 > "$RT/body-ok"
pad 65537 > "$RT/body-big"
code=$(wstatus good -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary @"$RT/body-big" $WEB/trunks/new)
[ "$code" = 413 ]; ok $? "a body over 64 KiB: 413 (got $code)"
code=$(wstatus good -H 'Expect:' -H 'Content-Type: text/plain' \
    --data-binary @"$RT/body-big" $WEB/trunks/new)
[ "$code" = 413 ]; ok $? "a body over 64 KiB without Expect: 413 (got $code)"
code=$(wstatus good -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary @"$RT/body-ok" $WEB/trunks/new)
[ "$code" = 403 ]
ok $? "a 64 KiB body is read (then refused: no CSRF token, 403, got $code)"

H='Host: x\r\n'
r=$(wraw "POST /trunks/new HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
[ "$r" = "HTTP/1.1 400 Bad Request" ]
ok $? "Content-Length with Transfer-Encoding: 400 ($r)"
r=$(wraw "POST /trunks/new HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef")
[ "$r" = "HTTP/1.1 400 Bad Request" ]; ok $? "two Content-Length: 400 ($r)"
r=$(wraw "POST /trunks/new HTTP/1.1\r\n${H}Content-Length: 0x10\r\n\r\n")
[ "$r" = "HTTP/1.1 400 Bad Request" ]; ok $? "Content-Length 0x10: 400 ($r)"
r=$(wraw "POST /trunks/new HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n")
[ "$r" = "HTTP/1.1 400 Bad Request" ]
ok $? "an unknown Transfer-Encoding: 400 ($r)"
r=$(wraw "POST /trunks/new HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
[ "$r" = "HTTP/1.1 411 Length Required" ]
ok $? "a chunked body: 411 ($r)"
r=$(wraw "GET /static/style.css HTTP/1.1\r\n${H}X-Bad : y\r\n\r\n")
[ "$r" = "HTTP/1.1 400 Bad Request" ]
ok $? "a space before the colon: 400 ($r)"
r=$(wraw "GET /static/style.css HTTP/1.1\r\n${H} folded\r\n\r\n")
[ "$r" = "HTTP/1.1 400 Bad Request" ]; ok $? "a folded header: 400 ($r)"
r=$(wraw "GET /static/style.css HTTP/1.1\r\n\r\n")
[ "$r" = "HTTP/1.1 400 Bad Request" ]; ok $? "HTTP/1.1 without Host: 400 ($r)"
r=$(wraw "BREW /static/style.css HTTP/1.1\r\n${H}\r\n")
[ "$r" = "HTTP/1.1 501 Not Implemented" ]; ok $? "an unknown method: 501 ($r)"
# Smuggling attempt: what follows a refused head is never read.
n0=$(grep -c '"GET /static/style.css' "$RT/trunkd.log")
r=$(wraw "POST /x HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /static/style.css HTTP/1.1\r\n${H}\r\n" )
n=$(grep -c '"GET /static/style.css' "$RT/trunkd.log")
[ "$r" = "HTTP/1.1 400 Bad Request" ] && [ "$n" -eq "$n0" ]
ok $? "nothing after a refused head is served"
# Pipelined keep-alive requests are answered in order.
r=$(printf "GET /static/style.css HTTP/1.1\r\n${H}\r\nGET /static/style.css HTTP/1.1\r\n${H}Connection: close\r\n\r\n" |
    in_ns timeout 10 openssl s_client -quiet -connect 127.0.0.1:8443 \
    -cert "$PKI/good.crt" -key "$PKI/good.key" 2>/dev/null |
    grep -c '^HTTP/1.1 200')
[ "$r" = 2 ]; ok $? "two pipelined requests: two answers ($r)"
# HTTP/1.0 without keep-alive: the whole answer, then the close.
r=$(printf "GET /static/style.css HTTP/1.0\r\n\r\n" |
    in_ns timeout 10 openssl s_client -quiet -connect 127.0.0.1:8443 \
    -cert "$PKI/good.crt" -key "$PKI/good.key" 2>/dev/null | wc -c)
[ "$r" -gt 6000 ]; ok $? "HTTP/1.0: the whole answer before the close ($r bytes)"

# CSRF: a form without its token, or with a wrong one, is refused.
F='Content-Type: application/x-www-form-urlencoded'
code=$(wstatus good -H "$F" --data 'name=t1&totp=123456' $WEB/trunks/new)
[ "$code" = 403 ]; ok $? "a POST without a CSRF token: 403 (got $code)"
tok="$(printf '%016x' "$(date +%s)").$(pad 64 | tr a 0)"
code=$(wstatus good -H "$F" --data "csrf=$tok&name=t1" $WEB/trunks/new)
[ "$code" = 403 ]; ok $? "a POST with a wrong CSRF token: 403 (got $code)"
body=$(wcurl good -H "$F" --data 'name=t1' $WEB/trunks/new)
echo "$body" | grep -q 'security token is missing or wrong'
ok $? "the 403 page says why"
code=$(wstatus good -H 'Content-Type: text/plain' --data 'x' $WEB/trunks/new)
[ "$code" = 415 ]; ok $? "a POST that is not a form: 415 (got $code)"

# Timeouts: a head not finished within the header timeout (3 s), and an
# idle keep-alive connection (2 s), are closed.
out=$(webload -c 1 -t 6 slow /static/style.css)
echo "$out" | grep -q '^closed_by_server 1$'
ok $? "a head still unfinished after the header timeout: closed"
start=$(date +%s)
(printf "GET /static/style.css HTTP/1.1\r\n${H}\r\n"; sleep 8) |
    { in_ns timeout 10 openssl s_client -quiet -connect 127.0.0.1:8443 \
    -cert "$PKI/good.crt" -key "$PKI/good.key" >/dev/null 2>&1
    date +%s > "$RT/idle-end"; }
el=$(($(cat "$RT/idle-end") - start))
[ "$el" -ge 1 ] && [ "$el" -le 5 ]
ok $? "an idle keep-alive connection is closed after the idle timeout (${el} s)"
start=$(date +%s)
in_ns timeout 10 sh -c 'exec 3<>/dev/tcp/127.0.0.1/8443; cat <&3' \
    >/dev/null 2>&1 ||
    in_ns timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8443; cat <&3' \
    >/dev/null 2>&1
el=$(($(date +%s) - start))
[ "$el" -ge 2 ] && [ "$el" -le 6 ]
ok $? "a connection that never starts the handshake is closed (${el} s)"

pid=$(child_pid webd)
[ "$(awk '$1 == "Seccomp:" { print $2 }' /proc/$pid/status)" = 2 ]
ok $? "webd still in its seccomp filter"
kill -0 "$TRUNKD_PID" 2>/dev/null; ok $? "trunkd still running"
done_testing
