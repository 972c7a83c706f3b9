#!/bin/sh
# make demo, non-interactively: its set-up steps in a private tree, inside
# a network namespace of the test's own (numeric users: nothing is added to
# the host), then the console answers the demo admin's certificate, the
# sample data is there, the scripted attack is banned in fwd's namespace,
# and Ctrl-C leaves nothing running.
. "$(dirname "$0")/lib.sh"

demo_ns="trunkd_demo_t$$"
export TRUNKD_DEMO_DIR="$RT/demo" TRUNKD_DEMO_NETNS="$demo_ns" \
    TRUNKD_DEMO_WEB_USER=$WEB_UID:$WEB_UID TRUNKD_DEMO_DB_USER=$DB_UID:$DB_UID \
    TRUNKD_DEMO_AST_USER=$AST_UID:$AST_UID
# A network namespace of its own, in the host's mount namespace so that
# the demo's "ip netns add" is seen here too; one pid all the way down.
(exec unshare --net sh -c 'ip link set lo up && exec setsid sh "$0" "$1"' \
    "$TOP/tests/demo.sh" "$TRUNKD_OBJ" >"$RT/demo.out" 2>&1) &
demo_pid=$!
# Whatever happens, the demo is stopped before the tree goes.
trap 'kill -s INT -- -$demo_pid 2>/dev/null; sleep 3; cleanup' EXIT INT TERM
in_ns() { nsenter --net="/proc/$demo_pid/ns/net" "$@"; }
wait_for 120 grep -q 'Press Ctrl-C' "$RT/demo.out"
ok $? "the demo comes up and says where to point a browser"
grep -q 'Console:      https://127.0.0.1:8443/' "$RT/demo.out"
ok $? "it prints the console's URL"
grep -q 'PKCS#12 password: .' "$RT/demo.out" &&
    grep -q 'oathtool --totp -b [A-Z2-7]' "$RT/demo.out"
ok $? "it prints the PKCS#12 password and how to get a TOTP code"
grep -q '^otpauth://totp/' "$RT/demo/demo-admin.txt" &&
    [ "$(grep -c '█' "$RT/demo/demo-admin.txt")" -gt 10 ]
ok $? "the TOTP secret was shown as otpauth:// URI and QR code"

a=$RT/demo/etc/admins
web() { in_ns curl -sk --cert "$a/demo-admin.crt" --key "$a/demo-admin.key" \
    -o "$RT/page" -w '%{http_code}' "https://127.0.0.1:8443$1"; }
[ "$(web /)" = 200 ] && grep -q 'demo-admin' "$RT/page"
ok $? "the console answers the demo admin's certificate"
[ "$(web /api/v1/trunks)" = 200 ] && [ "$(jq '.total' "$RT/page")" = 3 ]
ok $? "the sample data is there (3 trunks)"
[ "$(web /tenants)" = 200 ] && grep -q 'globex' "$RT/page"
ok $? "the tenants page lists the sample tenants"
code=$(in_ns curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1:8443/)
[ "$code" = 000 ]; ok $? "without a certificate the handshake fails ($code)"
wait_for 10 sh -c "ip netns exec $demo_ns nft list ruleset | grep -q 198.51.100.7"
ok $? "the scripted attack's source is banned in fwd's own namespace"
! nft list ruleset 2>/dev/null | grep -q 'table inet trunkd'
ok $? "the test's network namespace got no trunkd table (fwd is elsewhere)"

kill -s INT -- -"$demo_pid"
wait_for 15 sh -c "! kill -0 $demo_pid 2>/dev/null"
ok $? "Ctrl-C stops the demo"
grep -q 'nothing is left running' "$RT/demo.out"; ok $? "and says so"
left=$(pgrep -f "$RT/demo" | tr '\n' ' ')
[ -z "$left" ]; ok $? "no process of the demo is left${left:+: $left}"
! ip netns list | grep -q "^$demo_ns"; ok $? "fwd's namespace is removed"
[ $tap_failed -eq 0 ] || sed 's/^/# /' "$RT/demo.out" | tail -40
done_testing
