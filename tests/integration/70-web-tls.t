#!/bin/sh
# webd's TLS: 1.3 only, TLS_AES_256_GCM_SHA384 only, the configured group
# (P-384), no resumption, and a client certificate of the admin CA,
# neither expired nor revoked, required at the handshake; the CRL is
# reloaded on SIGHUP.  Every answer carries the security headers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"

rt_setup >/dev/null || { echo "Bail out! runtime set-up failed"; exit 1; }
web_pki || { echo "Bail out! certificates"; exit 1; }
web_client good2 "/CN=admin-good2" || { echo "Bail out! certificates"; exit 1; }
web_conf
start_trunkd
wait_started
ok $? "trunkd starts with the web settings under test"

CSS=$WEB/static/style.css
[ "$(wstatus good $CSS)" = 200 ]; ok $? "the admin CA's certificate: 200"

# refused DESCRIPTION CERT CURL-ARGS...: the handshake fails (curl gets
# no HTTP status and reports a TLS error, not a time-out).
refused() {
	d=$1 n=$2
	shift 2
	if [ "$n" = none ]; then
		code=$(in_ns curl -sk --max-time 10 -o /dev/null \
		    -w '%{http_code}' "$@" $CSS)
	else
		code=$(wcurl "$n" -o /dev/null -w '%{http_code}' "$@" $CSS)
	fi
	rc=$?
	[ "$code" = 000 ] && [ $rc -ne 0 ] && [ $rc -ne 28 ] && [ $rc -ne 7 ]
	ok $? "$d: refused at the handshake (curl exit $rc, status $code)"
}
refused "no client certificate" none
refused "a certificate of another CA with the same name" other
refused "an expired certificate" expired
refused "a revoked certificate (CRL)" revoked
refused "TLS 1.2" good --tls-max 1.2
refused "another TLS 1.3 cipher suite" good \
    --tls13-ciphers TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256
refused "another key-exchange group (X25519)" good --curves X25519

out=$(printf 'GET /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    in_ns timeout 10 openssl s_client -connect 127.0.0.1:8443 -quiet \
    -cert "$PKI/good.crt" -key "$PKI/good.key" -sess_out "$RT/sess" \
    -msg 2>&1)
echo "$out" | grep -q '^HTTP/1.1 200'; ok $? "openssl s_client: 200"
info=$(echo | in_ns timeout 10 openssl s_client -connect 127.0.0.1:8443 \
    -cert "$PKI/good.crt" -key "$PKI/good.key" 2>&1)
echo "$info" | grep -q 'New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384'
ok $? "negotiated TLS 1.3 with TLS_AES_256_GCM_SHA384"
echo "$info" | grep -Eq 'Server Temp Key: ECDH, (secp384r1|P-384)'
ok $? "key exchange on secp384r1"
echo "$info" | grep -q 'Peer signature type: ECDSA' &&
    echo "$info" | grep -q 'Server public key is 384 bit'
ok $? "server key ECDSA P-384"
! echo "$out" | grep -q 'NewSessionTicket'
ok $? "no session ticket is issued (no resumption)"

hdrs=$(wcurl good -D - -o /dev/null $CSS | tr -d '\r')
for h in 'Strict-Transport-Security: max-age=' \
    "Content-Security-Policy: default-src 'self'" \
    'X-Frame-Options: DENY' 'X-Content-Type-Options: nosniff' \
    'Referrer-Policy: no-referrer'; do
	echo "$hdrs" | grep -qi "^$h"; ok $? "header $h"
done
! echo "$hdrs" | grep -qi '^Server:'; ok $? "no Server header"

# The same headers on an answer of the gate (an oversized head).
big=$(head -c 9000 /dev/zero | tr '\0' a)
ehdrs=$(wcurl good -D - -o /dev/null -H "X-Big: $big" $CSS | tr -d '\r')
echo "$ehdrs" | grep -q '^HTTP/1.1 431' &&
    echo "$ehdrs" | grep -qi "^Content-Security-Policy: default-src 'self'" &&
    echo "$ehdrs" | grep -qi '^Strict-Transport-Security:'
ok $? "an error answer (431) carries the security headers too"

grep -q 'webd: 127.0.0.1 - - \[.*\] "GET /static/style.css HTTP/1.1" 200 ' \
    "$RT/trunkd.log"
ok $? "access log: one line per request in common log format"

# Revoke "good" and reload: the new CRL refuses it, good2 still passes.
[ "$(wstatus good2 $CSS)" = 200 ]; ok $? "second certificate: 200"
openssl ca -batch -config "$PKI/ca.cnf" -revoke "$PKI/good.crt" \
    >/dev/null 2>&1 &&
    openssl ca -batch -config "$PKI/ca.cnf" -gencrl -out "$RT/etc/crl.pem" \
    >/dev/null 2>&1
ok $? "revoke the first certificate"
kill -HUP "$TRUNKD_PID"
wait_for 10 grep -q 'CRL reloaded' "$RT/trunkd.log"
ok $? "webd reloads on SIGHUP"
refused "the certificate revoked by the reloaded CRL" good
[ "$(wstatus good2 $CSS)" = 200 ]; ok $? "second certificate after reload: 200"

# reload: SIGHUP, and wait until webd has loaded the CRL again.
reload() {
	n=$(grep -c 'CRL reloaded' "$RT/trunkd.log")
	kill -HUP "$TRUNKD_PID"
	wait_for 10 sh -c "[ \$(grep -c 'CRL reloaded' '$RT/trunkd.log') -gt $n ]"
}

# The CRL's signature is checked when it is loaded: one of another CA
# with our CA's name is refused, and the CRL in use stays.
cp "$RT/etc/crl.pem" "$RT/crl.good"
openssl ca -batch -config "$PKI/ca.cnf" -gencrl -keyfile "$PKI/other-ca.key" \
    -cert "$PKI/other-ca.crt" -out "$RT/etc/crl.pem" >/dev/null 2>&1
ok $? "a CRL signed by another CA with the same name"
n=$(grep -c 'not signed by the client CA' "$RT/trunkd.log")
kill -HUP "$TRUNKD_PID"
wait_for 10 sh -c "[ \$(grep -c 'not signed by the client CA' \
    '$RT/trunkd.log') -gt $n ]"
ok $? "webd refuses to load it"
[ "$(wstatus good2 $CSS)" = 200 ]; ok $? "the CRL in use stays: 200"
refused "and good stays revoked" good
# A CRL past its next update: every certificate is refused.
openssl ca -batch -config "$PKI/ca.cnf" -gencrl \
    -crl_lastupdate "$(date -u -d '-2 day' +%Y%m%d%H%M%SZ)" \
    -crl_nextupdate "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" \
    -out "$RT/etc/crl.pem" >/dev/null 2>&1
ok $? "a CRL whose next update was yesterday"
kill -HUP "$TRUNKD_PID"
wait_for 10 grep -q 'past its next update' "$RT/trunkd.log"
ok $? "webd warns that it has expired"
refused "a valid certificate with an expired CRL" good2
cp "$RT/crl.good" "$RT/etc/crl.pem"
reload
[ "$(wstatus good2 $CSS)" = 200 ]; ok $? "a CRL in date again: 200"

# A certificate seen before skips only its chain's signature check
# (webd/tls_verify.c): its dates and the CRL still count each time.
web_client brief "/CN=admin-brief" \
    -enddate "$(date -u -d '+6 sec' +%Y%m%d%H%M%SZ)"
ok $? "a certificate valid for six more seconds"
openssl ca -batch -config "$PKI/ca.cnf" -gencrl \
    -crl_nextupdate "$(date -u -d '+6 sec' +%Y%m%d%H%M%SZ)" \
    -out "$RT/etc/crl.pem" >/dev/null 2>&1
reload
ok $? "a CRL whose next update is six seconds ahead"
[ "$(wstatus brief $CSS)" = 200 ] && [ "$(wstatus brief $CSS)" = 200 ] &&
    [ "$(wstatus good2 $CSS)" = 200 ] && [ "$(wstatus good2 $CSS)" = 200 ]
ok $? "both certificates pass, twice each"
sleep 7
refused "the certificate seen before, now expired" brief
refused "the certificate seen before, with the CRL now past due" good2
cp "$RT/crl.good" "$RT/etc/crl.pem"
reload
[ "$(wstatus good2 $CSS)" = 200 ]; ok $? "with a CRL in date: 200 again"

pid=$(child_pid webd)
[ "$(awk '$1 == "Seccomp:" { print $2 }' /proc/$pid/status)" = 2 ]
ok $? "webd still in its seccomp filter"
kill -0 "$TRUNKD_PID" 2>/dev/null; ok $? "trunkd still running"
done_testing
