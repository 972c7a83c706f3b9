#!/bin/sh
# astd alone against the AMI peer: configuration written exactly, loaded
# and verified; AutoBan from replayed security events; reload failures and
# a lost connection.
. "$(dirname "$0")/80-ast-lib.sh"
A="$TOP/tests/astd"

rt_setup >/dev/null 2>&1 || skip_all "cannot set up the namespace"
peer_start
check "the AMI peer listens" test -S "$CTL"
astd_start -b 2 -m 3 -M 100
check "astd starts, logs in and subscribes" \
    seen 'AMI: connected to Asterisk 9.0.0'
check "astd asks for the offence history" seen '^AST_HISTORY_REQ'

# -- configuration ------------------------------------------------------
astd gen 1 "$A/e2e.json"
check "generation 1 applied" seen '^AST_APPLIED 1 1 ""'
check "both modules reloaded" grep -q 'module=pbx_config.so' "$RT/peer.log"
check "every endpoint verified with PJSIPShowEndpoint" \
    grep -q 'PJSIPShowEndpoint.*endpoint=carrier-1' "$RT/peer.log"
peer stats | grep -q 'endpoints=carrier-1,trunk-1,trunk-2'
ok $? "endpoints carrier-1, trunk-1, trunk-2 loaded"
perm=$(stat -c %a "$CONF/pjsip_trunkd.conf")
[ "$perm" = 640 ]; ok $? "the pjsip include is not world-readable ($perm)"
grep -q '^password=pw\\;1$' "$CONF/pjsip_trunkd.conf"
ok $? "a carrier password's ';' is escaped"
cp "$CONF/pjsip_trunkd.conf" "$RT/gen1.pjsip"
cp "$CONF/extensions_trunkd.conf" "$RT/gen1.dialplan"
ino=$(stat -c %i "$CONF/pjsip_trunkd.conf")
reloads=$(grep -c 'action Reload' "$RT/peer.log")

astd gen 2 "$A/e2e.json"
check "the same content again: applied" seen '^AST_APPLIED 2 1 ""'
[ "$(stat -c %i "$CONF/pjsip_trunkd.conf")" = "$ino" ]
ok $? "unchanged content: the file is not rewritten"
[ "$(grep -c 'action Reload' "$RT/peer.log")" = "$reloads" ]
ok $? "unchanged content: no reload"

astd gen 3 "$A/e2e-changed.json"
check "generation 3 (a changed limit) applied" seen '^AST_APPLIED 3 1 ""'
grep -q 'set_var=TRUNKD_TRUNK_MAX=3' "$CONF/pjsip_trunkd.conf"
ok $? "the change is in the file"
n=$(grep -c 'PJSIPShowEndpoint.*endpoint=trunk-1$' "$RT/peer.log")
[ "$n" -ge 2 ]; ok $? "the changed endpoint was verified again"
cp "$CONF/pjsip_trunkd.conf" "$RT/gen3.pjsip"

# -- reload failure: previous files restored, error reported ------------
peer reload-fail on >/dev/null
astd gen 4 "$A/e2e-added.json"
check "a failing reload is reported with its error" \
    seen '^AST_APPLIED 4 0 "reload of res_pjsip.so failed: An unknown error occurred"'
cmp -s "$CONF/pjsip_trunkd.conf" "$RT/gen3.pjsip"
ok $? "the previous pjsip include is restored"
peer reload-fail off >/dev/null

# -- an endpoint Asterisk drops: the check finds it ---------------------
peer hide trunk-3 >/dev/null
astd gen 5 "$A/e2e-added.json"
check "an endpoint missing after the reload fails the generation" \
    seen '^AST_APPLIED 5 0 "endpoint trunk-3 is not loaded after the reload"'
cmp -s "$CONF/pjsip_trunkd.conf" "$RT/gen3.pjsip"
ok $? "the previous files are back"
grep -q 'reload: res_pjsip 3 endpoints' "$RT/peer.log"
ok $? "Asterisk holds the previous endpoints again"

# -- AutoBan --------------------------------------------------------------
E="$RT/events"
mkdir -p "$E"
for i in 1 2 3 4 5; do security ChallengeResponseFailed \
    IPV4/UDP/198.51.100.7/5060 "s$i"; done >"$E/five.txt"
peer emit "$E/five.txt" >/dev/null
check "5 ChallengeResponseFailed from 198.51.100.7: FW_BAN" \
    seen '^FW_BAN 198.51.100.7/32 2 ChallengeResponseFailed'
check "the ban is recorded through dbd" \
    seen '^AST_BAN_RECORD 198.51.100.7/32 1 2 '

for i in 1 2 3 4; do
	security FailedACL IPV4/UDP/198.51.100.8/5060 "pair$i"
	security ChallengeResponseFailed IPV4/UDP/198.51.100.8/5060 "pair$i"
done >"$E/pairs.txt"
peer emit "$E/pairs.txt" >/dev/null
sleep 0.5
! grep -q '^FW_BAN 198.51.100.8/' "$OUT"
ok $? "4 FailedACL+ChallengeResponseFailed pairs: counted 4, no ban"
security FailedACL IPV4/UDP/198.51.100.8/5060 pair5 >"$E/pair5.txt"
peer emit "$E/pair5.txt" >/dev/null
check "the fifth attempt bans" seen '^FW_BAN 198.51.100.8/32 '

for i in 1 2 3 4 5 6 7 8; do security InvalidAccountID \
    IPV4/UDP/192.0.2.55/5060 "t$i"; done >"$E/trunk.txt"
peer emit "$E/trunk.txt" >/dev/null
check "events from a trunk network: a warning" \
    seen "InvalidAccountID from IPV4/UDP/192.0.2.55/5060, inside a trunk's network"
! grep -q '^FW_BAN 192.0.2.55' "$OUT"
ok $? "events from a trunk network: no ban"

sleep 2.5	# the first sentence (2 s) is over
peer emit "$E/five.txt" >/dev/null
check "second offence: the sentence times the multiplier" \
    seen '^FW_BAN 198.51.100.7/32 6 '
check "recorded as the second offence" \
    seen '^AST_BAN_RECORD 198.51.100.7/32 2 6 '

for i in 1 2 3 4 5; do security ChallengeResponseFailed \
    "IPV6/UDP/2001:db8:99::$i/5060" "v6$i"; done >"$E/v6.txt"
peer emit "$E/v6.txt" >/dev/null
check "IPv6 attackers are banned by /64" seen '^FW_BAN 2001:db8:99::/64 '

# -- the connection: lost, re-established, everything reloaded ----------
logins=$(peer stats | sed 's/.*logins=\([0-9]*\).*/\1/')
n=$(count '^AST_APPLIED 3 1')
peer drop >/dev/null
relogged() {
	[ "$(peer stats | sed 's/.*logins=\([0-9]*\).*/\1/')" -gt "$logins" ]
}
wait_for 5 relogged
ok $? "after a dropped connection astd logs in again"
reapplied() { [ "$(count '^AST_APPLIED 3 1')" -gt "$n" ]; }
wait_for 5 reapplied
ok $? "and reloads, verifies and reports the generation on disk again"
peer down 3 >/dev/null
astd gen 6 "$A/e2e.json"
check "Asterisk away: written, reported as not loaded" \
    seen '^AST_APPLIED 6 0 "Asterisk is disconnected: configuration written, not loaded"'
cmp -s "$CONF/pjsip_trunkd.conf" "$RT/gen1.pjsip"
ok $? "Asterisk away: the file is written anyway"
check "Asterisk back: generation 6 loaded and verified" \
    seen '^AST_APPLIED 6 1 ""' 15
astd status
check "the status line shows the connection and AutoBan" \
    seen '^STATUS asterisk connected 9.0.0.*generation 6 applied.*bans'
astd_stop
check "astd exits when its parent goes" seen '^EXIT 0'

# -- restart: history kept; dry run -------------------------------------
printf '{"offenders": [{"address": "198.51.100.9/32", "offences": 2, "last_seen": %s, "expires": 0}]}\n' \
    "$(date +%s)" >"$RT/history.json"
astd_start -b 2 -m 3 -M 100 -H "$RT/history.json"
check "restarted astd loads the history" seen 'history of 1 offenders loaded'
sed 's/198.51.100.7/198.51.100.9/' "$E/five.txt" >"$E/nine.txt"
check "and reconnects" seen 'AMI: connected.*' 
sleep 0.5
peer emit "$E/nine.txt" >/dev/null
check "a remembered offender gets the third sentence" \
    seen '^FW_BAN 198.51.100.9/32 18 '
astd_stop

astd_start -n
check "dry run: astd connects" seen 'AMI: connected' 
sleep 0.5
sed 's/198.51.100.7/198.51.100.10/' "$E/five.txt" >"$E/ten.txt"
peer emit "$E/ten.txt" >/dev/null
check "dry run: logs what it would ban" \
    seen 'AutoBan dry run: would ban 198.51.100.10/32'
! grep -q '^FW_BAN 198.51.100.10' "$OUT"
ok $? "dry run: no FW_BAN"
astd_stop

done_testing
