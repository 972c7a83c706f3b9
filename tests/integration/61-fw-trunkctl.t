#!/bin/sh
# The firewall through trunkctl with the whole of trunkd running: show,
# ban, bans, unban, refusals, flush; and a restart, across which a ban
# keeps its remaining time and no packet from the banned address passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fwlib.sh"

command -v python3 >/dev/null || skip_all "needs python3"
rt_setup >/dev/null && fw_net_setup || { echo "Bail out! set-up"; exit 1; }
fw_listen 5060 || { echo "Bail out! listener"; exit 1; }
start_trunkd
wait_started 20
ok $? "trunkd starts"

out=$(ctl firewall show)
echo "$out" | grep -q '^rule ban4 .*ip saddr @ban4 drop$'
ok $? "firewall show lists the rules with their counters"
echo "$out" | grep -q '^set noban4 .* ranges$'; ok $? "... and the sets"

udp_reaches $BAN4 $APP4 9999 pre
ok $? "before the ban, packets pass"
out=$(ctl ban $BAN4 300 brute); rc=$?
[ $rc -eq 0 ] && [ "$out" = "banned $BAN4 for 300 s" ]
ok $? "trunkctl ban ($out)"
udp_reaches $BAN4 $APP4 9999 banned
[ $? -ne 0 ]; ok $? "the banned address is dropped"
ctl bans | awk -v a=$BAN4 '$1 == a && $3 == "brute" { s = $2 + 0;
    exit !(s >= 298 && s <= 300) }'
ok $? "trunkctl bans shows it with its remaining time and reason"
out=$(ctl firewall show | awk '$1 == "rule" && $2 == "ban4" { print $4 }')
[ "${out:-0}" -gt 0 ]; ok $? "the ban4 counter counted it ($out)"

out=$(ctl ban 127.0.0.1 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'refused: 127.0.0.1 is never banned'
ok $? "a ban of an ignored network is refused ($out)"
grep -q 'fwd: ban refused: 127.0.0.1' "$RT/trunkd.log"; ok $? "... and logged"
out=$(ctl ban $APP4 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "host's own addresses"
ok $? "a ban of the host's own address is refused"
out=$(ctl ban 198.51.0.0/16 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'wider than'
ok $? "a ban wider than the maximum is refused"
out=$(ctl ban 198.51.100.1/24 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'host bits'
ok $? "a network with host bits set is refused"

ctl unban $BAN4 >/dev/null; ok $? "trunkctl unban"
udp_reaches $BAN4 $APP4 9999 unbanned
ok $? "after the unban packets pass again"
out=$(ctl unban $BAN4 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'not banned'
ok $? "unban of an address not banned says so"

# ---- restart: the table stays, bans keep their time ----
ctl ban $BAN4 300 restart >/dev/null
ctl ban 2001:db8:99::/48 200 net6 >/dev/null
left() { ctl bans | awk -v a="$1" '$1 == a { print $2 + 0 }'; }
l1=$(left $BAN4); t1=$(date +%s)
in_out python3 -c '
import socket, time
s = socket.socket(); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'$BAN4'", 0))
for i in range(600):
    s.sendto(b"during", ("'$APP4'", 9999)); time.sleep(0.01)' &
SENDER=$!
sleep 0.5
kill -TERM "$TRUNKD_PID"; wait "$TRUNKD_PID"; TRUNKD_PID=
in_ns nft list set inet trunkd ban4 | grep -q "$BAN4"
ok $? "with trunkd stopped the ban is still in the kernel"
cp "$RT/trunkd.log" "$RT/trunkd-1.log"
sleep 1
start_trunkd
wait_started 20
ok $? "trunkd starts again"
wait "$SENDER"
[ "$(heard udp 9999 $BAN4 during)" -eq 0 ]
ok $? "no packet from the banned address passed during the restart"
grep -q 'fwd: table inet trunkd adopted: 0 trunk ranges, 2 bans' "$RT/trunkd.log"
ok $? "fwd adopted the bans the kernel held"
l2=$(left $BAN4); t2=$(date +%s)
d=$((l1 - (t2 - t1) - l2))
[ "$d" -ge -1 ] && [ "$d" -le 1 ]
ok $? "the ban kept its remaining time ($l1 s then $l2 s, $((t2 - t1)) s apart)"
in_ns nft list set inet trunkd banp6 | grep -q '2001:db8:99::/48 timeout 3m20s'
ok $? "a prefix ban kept its timeout"
udp_reaches $BAN4 $APP4 9999 after
[ $? -ne 0 ]; ok $? "the address is still dropped after the restart"

# ---- flush ----
out=$(ctl firewall flush); rc=$?
[ $rc -eq 0 ]; ok $? "trunkctl firewall flush ($out)"
in_ns nft list table inet trunkd >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "the table is gone"
sleep 2
in_ns nft list table inet trunkd >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "... and fwd does not put it back by itself"
ctl firewall show | grep -q 'flushed by the operator'
ok $? "firewall show says it was flushed"
ctl reload >/dev/null
wait_for 5 in_ns nft list table inet trunkd
ok $? "trunkctl reload creates it again"

[ $tap_failed -eq 0 ] || sed 's/^/# /' "$RT/trunkd.log"
done_testing
