#!/bin/sh
# End to end: the real trunkd (parent, webd, dbd, fwd, astd) in a network
# namespace with a private MariaDB and the AMI peer (tests/peers/
# ami_peer.py) in the same namespace.  A trunk made through the API lands
# in Asterisk's include, in fwd's trunk set and as "applied" in dbd;
# security events replayed by the peer end as elements of fwd's kernel ban
# set (counted once per SessionID, never for a trunk's network, escalated
# for a repeat offender, remembered across a restart of trunkd); a failed
# reload restores the previous files and is recorded in dbd; a restarted
# Asterisk gets everything again.
#
# The whole script runs inside the namespace (MariaDB binds 127.0.0.1 in
# it, where dbd, webd's clients and astd's AMI peer are too).
if [ -z "${E2E_IN_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
	# lib.sh names the namespace after the pid, which exec keeps.
	ip netns add "trunkd-test-$$" ||
	    { echo "1..0 # SKIP cannot make a namespace"; exit 0; }
	exec ip netns exec "trunkd-test-$$" env E2E_IN_NS=1 sh "$0" "$@"
fi
. "$(dirname "$0")/80-ast-lib.sh"
. "$TOP/tests/db/lib.sh"
. "$(dirname "$0")/web.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"
command -v jq >/dev/null || skip_all "jq not installed"
command -v nft >/dev/null || skip_all "nft not installed"
ip link set lo up

ETC=$RT/rt/etc
CTL=$RT/ami.ctl
ASTCONF=$RT/rt/chroot/ast/conf
LOG=$RT/trunkd.log
e2e_cleanup() {
	[ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null
	PEER_PID=
	db_cleanup
}
trap e2e_cleanup EXIT INT TERM

peer_up() {
	python3 "$TOP/tests/peers/ami_peer.py" --port 5038 \
	    --secret "$ETC/secrets/ami.secret" \
	    --pjsip "$ASTCONF/pjsip_trunkd.conf" --control "$CTL" \
	    >>"$RT/peer.log" 2>&1 &
	PEER_PID=$!
	wait_for 5 test -S "$CTL"
}
peer_down() {
	kill "$PEER_PID" 2>/dev/null
	wait "$PEER_PID" 2>/dev/null
	PEER_PID=
	rm -f "$CTL"
}
trunkd_up() {
	"$TRUNKD_OBJ/trunkd" -d -v -f "$CONF" >>"$LOG" 2>&1 &
	TRUNKD_PID=$!
}
trunkd_down() {	# fails if it is still there after its exit
	pid=$TRUNKD_PID
	TRUNKD_PID=
	kill -TERM "$pid" && wait "$pid" 2>/dev/null
	! kill -0 "$pid" 2>/dev/null
}
logged() { wait_for "${2:-10}" grep -Eq "$1" "$LOG"; }
lines() { grep -Ec "$1" "$LOG"; }
sql() { sh "$DBH" sql "$RT/db" "USE trunkd; $1"; }

# api METHOD PATH [JSON]: as the next of four superadmins with a fresh
# code; the HTTP status in CODEOUT, the body in BODY.
k=0
api() {
	k=$((k % 4 + 1))
	who=sa$k
	BODY=$(curl -sk --max-time 15 --cert "$ETC/admins/$who.crt" \
	    --key "$ETC/admins/$who.key" -X "$1" \
	    -H "X-TOTP: $(code_next "$who")" \
	    -H 'Content-Type: application/json' ${3:+--data "$3"} \
	    -w '\n%{http_code}' "$WEB/api/v1/$2")
	CODEOUT=$(echo "$BODY" | tail -1)
	BODY=$(echo "$BODY" | sed '$d')
}

# The kernel's sets, as nft(8) reads them.
set_json() { nft -j list set inet trunkd "$1" 2>/dev/null; }
# ban_timeout ADDRESS: its element's timeout in ban4 (seconds), or nothing.
ban_timeout() {
	set_json ban4 | jq -r --arg a "$1" '.nftables[].set? // empty |
	    .elem[]? | select(type == "object") | .elem |
	    select(.val == $a) | .timeout'
}
banned() { [ -n "$(ban_timeout "$1")" ]; }
unbanned() { ! banned "$1"; }
banned_for() { [ "$(ban_timeout "$1")" = "$2" ]; }
in_trunk4() {
	set_json trunk4 | jq -e --arg n "$1" '[.nftables[].set? // empty |
	    .elem[]? | .prefix? // empty | "\(.addr)/\(.len)"] |
	    index($n) != null' >/dev/null
}
generation() { sql "SELECT generation FROM generation"; }
applied_ok() {	# GEN: dbd has it as applied
	[ "$(sql "SELECT ok FROM applied WHERE generation = $1")" = 1 ]
}
E=$RT/ev
mkdir -p "$E"
emit() { peer emit "$1" >/dev/null; }

# -- start: database, admins, AutoBan settings, the peer, trunkd -----------
db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
for a in sa1 sa2 sa3 sa4; do admin_add $a superadmin; done
# Short sentences: 3 s, then 60 s.
cat >>"$CONF" <<EOF
autoban {
	threshold 5 window 60
	ban time 3 multiplier 20 maximum 3600
}
EOF
peer_up
ok $? "the AMI peer listens on 127.0.0.1:5038"
trunkd_up
wait_for 20 sh -c "curl -sk --cert $ETC/admins/sa1.crt \
    --key $ETC/admins/sa1.key $WEB/api/v1/whoami | grep -q sa1"
ok $? "trunkd (parent, webd, dbd, fwd, astd) starts and the API answers"
logged 'AMI: connected to Asterisk 9.0.0'
ok $? "astd logs in to the peer"
logged 'AutoBan: history of 0 offenders loaded'
ok $? "astd loads the (empty) offence history from dbd"

# -- a trunk through the API: include, fwd's trunk set, applied ----------
api POST tenants '{"name":"acme","max_trunks":5,"max_channels":10,"allowed_prefixes":["+49"],"max_call_seconds":3600}'
TA=$(echo "$BODY" | jq -r .id)
api POST trunks '{"tenant_id":'$TA',"name":"acme-pbx","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":4,"enabled":true,"callerid_policy":"dids","networks":["192.0.2.0/28","2001:db8:e2e::/48"],"dids":["+4930777001"],"host":"192.0.2.10","port":5080}'
[ "$CODEOUT" = 201 ]
ok $? "API: an IP trunk with a host and port ($CODEOUT $(echo "$BODY" | cut -c1-120))"
K1=$(echo "$BODY" | jq -r .id)
# A digest trunk whose name has the 64 characters dbd allows.
LONG=$(printf 'r%.0s' $(seq 64))
api POST trunks '{"tenant_id":'$TA',"name":"'$LONG'","auth":"digest","transport":"udp","codecs":["alaw"],"max_channels":2,"enabled":true,"callerid_policy":"dids","networks":["198.18.0.0/24"]}'
[ "$CODEOUT" = 201 ]
ok $? "API: a digest trunk with a 64-character name ($CODEOUT)"
G=$(generation)
wait_for 10 applied_ok "$G"
ok $? "dbd records generation $G as applied by astd"
P=$ASTCONF/pjsip_trunkd.conf
grep -q "^\[trunk-$K1\]" "$P" && grep -qx "contact=sip:192.0.2.10:5080" "$P"
ok $? "the pjsip include has trunk-$K1 and its contact sip:192.0.2.10:5080"
grep -qx "\[$LONG\]" "$P"
ok $? "and the digest trunk's endpoint, named by its 64-character username"
peer stats | grep -q "endpoints=.*trunk-$K1"
ok $? "the peer (Asterisk) loaded trunk-$K1"
wait_for 5 in_trunk4 192.0.2.0/28
ok $? "192.0.2.0/28 is in fwd's kernel trunk set"
set_json trunk6 | grep -q '2001:db8:e2e::'
ok $? "2001:db8:e2e::/48 is in the IPv6 trunk set"
logged "generation $G applied"
ok $? "astd logs generation $G applied"

# -- AutoBan into the kernel set ------------------------------------------
for i in 1 2 3 4 5; do security ChallengeResponseFailed \
    IPV4/UDP/198.51.100.7/5060 "a$i"; done >"$E/seven"
emit "$E/seven"
wait_for 5 banned 198.51.100.7
ok $? "5 ChallengeResponseFailed from 198.51.100.7: in the kernel ban set"
[ "$(ban_timeout 198.51.100.7)" = 3 ]
ok $? "with the first sentence, 3 s ($(ban_timeout 198.51.100.7))"

for i in 1 2 3 4; do
	security FailedACL IPV4/UDP/198.51.100.8/5060 "p$i"
	security ChallengeResponseFailed IPV4/UDP/198.51.100.8/5060 "p$i"
done >"$E/pairs"
emit "$E/pairs"
sleep 1
unbanned 198.51.100.8
ok $? "4 FailedACL + ChallengeResponseFailed pairs (one SessionID each): counted 4, not banned"
security FailedACL IPV4/UDP/198.51.100.8/5060 p5 >"$E/pair5"
emit "$E/pair5"
wait_for 5 banned 198.51.100.8
ok $? "the fifth attempt: banned"

for i in 1 2 3 4 5 6 7 8; do security InvalidAccountID \
    IPV4/UDP/192.0.2.5/5060 "t$i"; done >"$E/trunk"
emit "$E/trunk"
logged "InvalidAccountID from IPV4/UDP/192.0.2.5/5060, inside a trunk's network"
ok $? "events from the trunk's network: a warning in the log"
unbanned 192.0.2.5 && ! grep -q "AutoBan: ban 192.0.2.5" "$LOG"
ok $? "and no ban"

wait_for 6 unbanned 198.51.100.7
ok $? "the first sentence runs out: 198.51.100.7 leaves the kernel set"
sed 's/SessionID: a/SessionID: b/' "$E/seven" >"$E/seven2"
emit "$E/seven2"
wait_for 5 banned 198.51.100.7 && banned_for 198.51.100.7 60
ok $? "second offence: the kernel element has the longer sentence, 60 s ($(ban_timeout 198.51.100.7))"
wait_for 5 sh -c "[ \"\$(sh $DBH sql $RT/db \"SELECT offences FROM trunkd.bans WHERE cidr = '198.51.100.7/32'\")\" = 2 ]"
ok $? "dbd holds the offence count (2)"

# -- a failed reload: previous files back, the error in dbd ---------------
wait_for 5 applied_ok "$(generation)"
cp "$P" "$RT/before.pjsip"
peer reload-fail on >/dev/null
api PUT "trunks/$K1" '{"max_channels":3}'
[ "$CODEOUT" = 200 ]; ok $? "API: a change while Asterisk fails reloads"
G=$(generation)
failed() { [ "$(sql "SELECT ok FROM applied WHERE generation = $G")" = 0 ]; }
wait_for 10 failed
ok $? "dbd records generation $G as failed"
sql "SELECT error FROM applied WHERE generation = $G" >"$RT/err"
grep -q "reload of res_pjsip.so failed: An unknown error occurred" "$RT/err"
ok $? "with the reload's error: $(cat "$RT/err")"
cmp -s "$P" "$RT/before.pjsip"
ok $? "the previous pjsip include is restored"
curl -sk --cert "$ETC/admins/sa1.crt" --key "$ETC/admins/sa1.key" \
    "$WEB/api/v1/dashboard" | jq -r .last_apply_error | grep -q "reload"
ok $? "the console's dashboard shows the error"
peer reload-fail off >/dev/null
api PUT "trunks/$K1" '{"max_channels":4}'
G=$(generation)
wait_for 10 applied_ok "$G"
ok $? "Asterisk reloads again: generation $G applied"

# -- Asterisk restarts: astd reconnects and applies again ------------------
n=$(lines 'AMI: connected')
peer_down
peer_up
reconnected() { [ "$(lines 'AMI: connected')" -gt "$n" ]; }
wait_for 15 reconnected
ok $? "the peer restarted: astd logs in again"
loaded() { peer stats | grep -q "endpoints=.*trunk-$K1"; }
wait_for 10 loaded
ok $? "and reloads: the new Asterisk holds trunk-$K1 ($(peer stats | sed 's/.*endpoints=//'))"

# -- trunkd restarts: bans and offence history kept -------------------------
trunkd_down
ok $? "trunkd stops"
banned 198.51.100.7
ok $? "the kernel keeps the ban while trunkd is down"
wait_for 5 unbanned 198.51.100.8
n=$(lines 'AutoBan: history of')
trunkd_up
histloaded() { [ "$(lines 'AutoBan: history of [1-9]')" -gt 0 ]; }
wait_for 20 histloaded
ok $? "trunkd restarted: astd loads the offence history from dbd ($(grep 'AutoBan: history of' "$LOG" | tail -1 | sed 's/.*AutoBan: //'))"
logged 'AMI: connected.*' 10
sed 's/SessionID: p/SessionID: q/' "$E/pairs" >"$E/pairs2"
sed 's/SessionID: p/SessionID: q/' "$E/pair5" >"$E/pair52"
emit "$E/pairs2"
emit "$E/pair52"
wait_for 5 banned 198.51.100.8 && banned_for 198.51.100.8 60
ok $? "198.51.100.8 offends again after the restart: the escalated sentence, 60 s ($(ban_timeout 198.51.100.8))"
banned 198.51.100.7
ok $? "198.51.100.7 is still banned after the restart"

grep -q "violation\|SIGSYS" "$LOG"
[ $? -ne 0 ]
ok $? "no process broke the routing table or its sandbox"
done_testing
