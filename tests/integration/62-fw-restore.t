#!/bin/sh
# Whatever is done to trunkd's table behind fwd's back is noticed and
# undone, and the log says so: the table deleted, a ban set flushed, the
# chain flushed, a rule added, a foreign element added, a port removed.
. "$(dirname "$0")/lib.sh"

rt_setup >/dev/null || { echo "Bail out! set-up"; exit 1; }
start_trunkd
wait_started 20
ok $? "trunkd starts"
ctl ban 198.51.100.20 300 kept >/dev/null
ctl ban 2001:db8:99::/48 300 kept6 >/dev/null
nrules() { in_ns nft -a list chain inet trunkd input | grep -c 'handle'; }
rules=$(nrules)

restored() {	# restored N WHAT: the Nth "restored" line is in the log
	wait_for 5 sh -c "[ \$(grep -c '$2' '$RT/trunkd.log') -ge $1 ]"
}

in_ns nft delete table inet trunkd
restored 1 'table inet trunkd was deleted behind fwd.s back: restoring it'
ok $? "a deleted table is noticed and logged"
wait_for 5 in_ns nft list table inet trunkd
ok $? "... and restored"
in_ns nft list set inet trunkd ban4 | grep -q '198.51.100.20 timeout 5m expires 4m.* comment "kept"'
ok $? "... with its bans, their remaining time and reason"
in_ns nft list set inet trunkd banp6 | grep -q '2001:db8:99::/48 timeout 5m'
ok $? "... and its prefix bans"
[ "$(nrules)" -eq "$rules" ]; ok $? "... and its $rules rules"

in_ns nft flush set inet trunkd ban4
restored 1 'set ban4 changed behind fwd.s back: 1 element(s) restored'
ok $? "a flushed ban set is noticed"
in_ns nft list set inet trunkd ban4 | grep -q '198.51.100.20'
ok $? "... and refilled"

in_ns nft flush chain inet trunkd input
restored 1 'table inet trunkd was changed behind fwd.s back'
ok $? "a flushed chain is noticed"
wait_for 5 sh -c "[ \$(ip netns exec $NS nft -a list chain inet trunkd input | grep -c handle) -eq $rules ]"
ok $? "... and its rules restored"

in_ns nft add rule inet trunkd input accept
restored 2 'table inet trunkd was changed behind fwd.s back'
ok $? "a rule added behind fwd's back is noticed"
wait_for 5 sh -c "[ \$(ip netns exec $NS nft -a list chain inet trunkd input | grep -c handle) -eq $rules ]"
ok $? "... and removed"

in_ns nft add chain inet trunkd sneaky '{ type filter hook input priority 0; }'
restored 3 'table inet trunkd was changed behind fwd.s back'
ok $? "a chain added to the table is noticed"
wait_for 5 sh -c "! ip netns exec $NS nft list chain inet trunkd sneaky"
ok $? "... and removed"

in_ns nft add element inet trunkd ban4 '{ 127.0.0.1 timeout 1h }'
restored 1 'set ban4 changed behind fwd.s back: 0 element(s) restored, 1 foreign removed'
ok $? "a foreign ban (of a never-ban address) is removed"
in_ns nft list set inet trunkd ban4 | grep -q '127.0.0.1'
[ $? -ne 0 ]; ok $? "... from the kernel"

in_ns nft delete element inet trunkd sip_udp '{ 5060 }'
restored 1 'set sip_udp changed behind fwd.s back: 1 element(s) restored'
ok $? "a port removed from a set is put back"

[ $tap_failed -eq 0 ] || sed 's/^/# /' "$RT/trunkd.log"
done_testing
