#!/bin/sh
# The TOTP step-up through dbd, with codes from oathtool: the previous,
# current and next step are accepted, two steps off are not, a code is
# never accepted twice, and five failures lock the admin.  (The release
# at exactly the configured time is tested with a fake clock in
# tests/unit/dbd_totp_test.c; here time is moved by rewriting the lock.)
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v oathtool >/dev/null || skip_all "oathtool not installed"

is() {
	[ "$(status_of "$1")" = "$2" ]
	ok $? "$3 ($(echo "$1" | cut -c1-120))"
}
tenant() { echo '{"name":"'$1'","max_trunks":1,"max_channels":1,"allowed_prefixes":[],"max_call_seconds":60}'; }
count() { jqb "$(req TENANT_LIST s - '{}')" .total; }

db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
admin_add s superadmin && admin_add l superadmin && admin_add o superadmin
drive_start
call expect FW_SYNC_END 15 >/dev/null

step_settle
M2=$(code s -2) P=$(code s -1) C=$(code s 0) N=$(code s 1) P2=$(code s 2)
r=$(req TENANT_CREATE s "$M2" "$(tenant t0)")
is "$r" DB_E_TOTP "a code two steps old is refused"
r=$(req TENANT_CREATE s "$P2" "$(tenant t0)")
is "$r" DB_E_TOTP "a code two steps ahead is refused"
[ "$(count)" = 0 ]
ok $? "nothing was stored"
r=$(req TENANT_CREATE s "$P" "$(tenant t1)")
is "$r" DB_OK "the previous step's code is accepted"
r=$(req TENANT_CREATE s "$P" "$(tenant t2)")
is "$r" DB_E_TOTP "the same code again is refused"
echo "$r" | grep -q "used already"
ok $? "and the answer says it was used"
r=$(req TENANT_CREATE s "$C" "$(tenant t2)")
is "$r" DB_OK "the current step's code is accepted"
r=$(req TENANT_CREATE s "$N" "$(tenant t3)")
is "$r" DB_OK "the next step's code is accepted"
r=$(req TENANT_CREATE s "$C" "$(tenant t4)")
is "$r" DB_E_TOTP "an older code after a newer one is refused"
r=$(req TENANT_CREATE s - "$(tenant t4)")
is "$r" DB_E_TOTP "a change without a code is refused"
for bad in 12345 1234567 abcdef; do
	r=$(req TENANT_CREATE s "$bad" "$(tenant t4)")
	is "$r" DB_E_TOTP "a malformed code ($bad) is refused"
done
[ "$(count)" = 3 ]
ok $? "three changes stored, no more"

# Lockout: five failures, then even the right code is refused.
step_settle
W=$(code l -2)
i=1
while [ $i -le 4 ]; do
	r=$(req TENANT_CREATE l "$W" "$(tenant l$i)")
	[ "$(status_of "$r")" = DB_E_TOTP ] || break
	i=$((i + 1))
done
[ $i -eq 5 ]
ok $? "four wrong codes: four refusals"
r=$(req TENANT_CREATE l "$W" "$(tenant l5)")
is "$r" DB_E_LOCKED "the fifth wrong code locks"
r=$(req TENANT_CREATE l "$(code l 0)" "$(tenant l6)")
is "$r" DB_E_LOCKED "the right code is refused while locked"
"$TRUNKD_OBJ/trunkctl" admin list -f "$CONF" | grep -q "^l .*locked"
ok $? "admin list shows the lock"
r=$(req TENANT_CREATE o "$(code_next o)" "$(tenant t5)")
is "$r" DB_OK "another admin is not affected"
r=$(req WHOAMI l - '{}')
is "$r" DB_OK "a locked admin still reads"
# The lockout time passes: the lock is released.
sh "$DBH" sql "$RT/db" "UPDATE trunkd.admins SET locked_until =
    UNIX_TIMESTAMP() - 1 WHERE name = 'l'"
step_settle
r=$(req TENANT_CREATE l "$(code l 0)" "$(tenant l7)")
is "$r" DB_OK "after the lockout the right code works again"
r=$(req TENANT_CREATE l "$W" "$(tenant l8)")
is "$r" DB_E_TOTP "and the failures start from zero"
drive_stop
done_testing
