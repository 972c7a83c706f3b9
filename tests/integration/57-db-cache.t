#!/bin/sh
# dbd's answer cache (dbd/cache.c) through its imsg interface, against a
# real MariaDB: the same read twice is one answer with one stamp and a
# hit; callers never get each other's answers; a change through dbd
# shows at once under a new stamp; one made in the database with a
# generation bump (SQL, trunkctl admin revoke) shows after 100 ms, one
# without a bump does not (the cache answers); mutations, reads of state
# outside the generation and failures carry stamp 0; a hit is answered
# while another session holds the trunks table; the database's loss and
# a restart of dbd never bring back an old stamp.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"

NONE=0000000000000000
sql() { sh "$DBH" sql "$RT/db" "$1"; }
stamp() { call stamp; }
hits() { call status | sed -n 's/.* \([0-9]*\) hits.*/\1/p'; }
# Every stamp seen, to tell a new one from an old one.
remember() { [ "$1" != $NONE ] && echo "$1" >>"$RT/stamps"; }
unseen() { ! grep -qx "$1" "$RT/stamps" 2>/dev/null; }
is() {	# is ANSWER STATUS DESCRIPTION
	[ "$(status_of "$1")" = "$2" ]
	ok $? "$3 ($(echo "$1" | cut -c1-100))"
}

db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
admin_add sa superadmin && admin_add sb superadmin
drive_start
r=$(call expect FW_SYNC_END 15)
ok $? "dbd started"

r=$(req TENANT_CREATE sa "$(code_next sa)" '{"name":"alpha","max_trunks":5,"max_channels":30,"allowed_prefixes":[],"max_call_seconds":60}')
is "$r" DB_OK "TENANT_CREATE"
[ "$(stamp)" = $NONE ]
ok $? "a mutation answers stamp 0"
TA=$(jqb "$r" .id)
r=$(req TENANT_CREATE sa "$(code_next sa)" '{"name":"beta","max_trunks":5,"max_channels":30,"allowed_prefixes":[],"max_call_seconds":60}')
TB=$(jqb "$r" .id)
admin_add ta tenant-admin alpha && admin_add vg viewer
ok $? "a tenant-admin and a viewer enrolled"
trunk() {	# trunk TENANT NAME NET
	echo '{"tenant_id":'$1',"name":"'$2'","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":5,"enabled":true,"callerid_policy":"any","networks":["'$3'"]}'
}
r=$(req TRUNK_CREATE sb "$(code_next sb)" "$(trunk $TA alpha-one 192.0.2.0/28)")
K1=$(jqb "$r" .id)
r=$(req TRUNK_CREATE sb "$(code_next sb)" "$(trunk $TB beta-one 198.51.100.0/28)")
K2=$(jqb "$r" .id)
[ -n "$K1" ] && [ -n "$K2" ] && [ "$K1" != null ] && [ "$K2" != null ]
ok $? "two trunks, one per tenant"

# The same read twice.
r1=$(req TRUNK_LIST sa - '{}'); s1=$(stamp); remember "$s1"
h0=$(hits)
r2=$(req TRUNK_LIST sa - '{}'); s2=$(stamp)
h1=$(hits)
[ "$s1" != $NONE ] && [ "$s1" = "$s2" ] && [ "$r1" = "$r2" ] &&
    [ "$(jqb "$r1" .total)" = 2 ]
ok $? "the same read twice: one answer, one stamp ($s1)"
[ -n "$h0" ] && [ "$h1" -eq $((h0 + 1)) ]
ok $? "the second was a cache hit ($h0 -> $h1 hits)"
r3=$(req TRUNK_LIST ta - '{}'); s3=$(stamp)
r4=$(req TRUNK_LIST ta - '{}')
[ "$(jqb "$r3" .total)" = 1 ] && [ "$(jqb "$r3" '.items[0].name')" = alpha-one ] &&
    [ "$r3" = "$r4" ]
ok $? "the same request by alpha's tenant-admin: its own answer, twice"
[ "$s3" = "$s1" ]
ok $? "one stamp per generation, whoever asks"
r=$(req TRUNK_GET ta - '{"id":'$K2'}'); s=$(stamp)
r5=$(req TRUNK_GET ta - '{"id":'$K2'}')
[ "$(status_of "$r")" = DB_E_NOT_FOUND ] && [ "$r" = "$r5" ] && [ "$s" = "$s1" ]
ok $? "a refusal that the state decides is stamped and kept ($r)"
r=$(req WHOAMI ta - '{}')
[ "$(jqb "$r" .role)" = tenant-admin ] && [ "$(stamp)" = "$s1" ]
ok $? "WHOAMI is stamped"

# Stamp 0: reads of state that changes without a bump, and failures.
for op in DASHBOARD ADMIN_LIST BAN_LIST; do
	r=$(req $op sa - '{}')
	[ "$(status_of "$r")" = DB_OK ] && [ "$(stamp)" = $NONE ]
	ok $? "$op answers stamp 0"
done
r=$(req TRUNK_LIST sa - 'not json')
[ "$(status_of "$r")" = DB_E_INVALID ] && [ "$(stamp)" = $NONE ]
ok $? "a malformed request answers stamp 0"

# A change through dbd: at once, under a new stamp.
a1=$(req AUDIT_LIST sa - '{"per_page":1}')
r=$(req AUDIT_LIST sa - '{"per_page":1}')
[ "$r" = "$a1" ] && [ "$(stamp)" = "$s1" ]
ok $? "AUDIT_LIST is kept too"
r=$(req TRUNK_CREATE sa "$(code_next sa)" "$(trunk $TA alpha-two 203.0.113.0/28)")
is "$r" DB_OK "TRUNK_CREATE through dbd"
[ "$(stamp)" = $NONE ]
ok $? "its answer has stamp 0"
r=$(req TRUNK_LIST sa - '{}'); s4=$(stamp)
[ "$(jqb "$r" .total)" = 3 ] && echo "$r" | grep -q '"name":"alpha-two"' &&
    [ "$s4" != $NONE ] && unseen "$s4"
ok $? "the next list shows the new trunk at once, with a new stamp ($s4)"
remember "$s4"
r=$(req AUDIT_LIST sa - '{"per_page":1}')
[ "$(jqb "$r" '.items[0].action')" = create ] &&
    [ "$(jqb "$r" '.items[0].object')" = trunk ] && [ "$r" != "$a1" ]
ok $? "and the audit trail its row"

# Changes made in the database itself.
sql "UPDATE trunkd.trunks SET name = 'quietly-renamed' WHERE id = $K1"
call sleep 150 >/dev/null
r=$(req TRUNK_LIST sa - '{}')
! echo "$r" | grep -q quietly-renamed && [ "$(stamp)" = "$s4" ]
ok $? "a change without a generation bump is not seen: the cache answers"
sql "UPDATE trunkd.trunks SET name = 'renamed-outside' WHERE id = $K1;
    UPDATE trunkd.generation SET generation = generation + 1 WHERE id = 1"
# More than CACHE_RECHECK_MS since dbd last read the generation.
call sleep 150 >/dev/null
r=$(req TRUNK_LIST sa - '{}'); s5=$(stamp)
echo "$r" | grep -q '"name":"renamed-outside"' && [ "$s5" != $NONE ] &&
    unseen "$s5"
ok $? "with a bump it is seen 100 ms later, under a new stamp ($s5)"
remember "$s5"

r=$(req WHOAMI ta - '{}')
is "$r" DB_OK "WHOAMI of alpha's tenant-admin, kept"
"$TRUNKD_OBJ/trunkctl" admin revoke -f "$CONF" ta >"$RT/revoke.out" 2>&1
ok $? "trunkctl admin revoke ta"
call sleep 150 >/dev/null
r=$(req WHOAMI ta - '{}'); s=$(stamp)
is "$r" DB_E_UNKNOWN_ADMIN "the revoked admin's WHOAMI is refused 100 ms later"
unseen "$s"
ok $? "under a new stamp ($s)"
remember "$s"
r=$(req TRUNK_LIST ta - '{}')
is "$r" DB_E_UNKNOWN_ADMIN "and so is its kept trunk list"
r=$(req AUDIT_LIST sa - '{"per_page":1}')
[ "$(jqb "$r" '.items[0].action')" = revoke ]
ok $? "the audit trail shows trunkctl's revoke"

r=$(req WHOAMI vg - '{}')
r=$(req WHOAMI vg - '{}')
is "$r" DB_OK "WHOAMI of the viewer, kept"
VG=$(jqb "$r" .id)
r=$(req ADMIN_UPDATE sb "$(code_next sb)" '{"id":'$VG',"disabled":true}')
is "$r" DB_OK "ADMIN_UPDATE disables the viewer through dbd"
r=$(req WHOAMI vg - '{}')
is "$r" DB_E_UNKNOWN_ADMIN "its WHOAMI is refused at once"

# A hit needs no table but the generation's.
r=$(req TRUNK_LIST sa - '{"page":1}'); s6=$(stamp)
mariadb --no-defaults -S "$DB_SOCKET" -u root -e \
    "LOCK TABLES trunkd.trunks WRITE; DO SLEEP(3)" >/dev/null 2>&1 &
locker=$!
locked() {
	[ "$(sql "SELECT COUNT(*) FROM information_schema.processlist
	    WHERE info LIKE 'DO SLEEP%'")" = 1 ]
}
wait_for 20 locked
ok $? "another session holds the trunks table"
! mariadb --no-defaults -S "$DB_SOCKET" -u root -e "SET SESSION
    lock_wait_timeout = 1; SELECT COUNT(*) FROM trunkd.trunks" >/dev/null 2>&1
ok $? "nobody else can read it"
call sleep 150 >/dev/null
r=$(req TRUNK_LIST sa - '{"page":1}')
[ "$(status_of "$r")" = DB_OK ] && [ "$(stamp)" = "$s6" ] &&
    kill -0 $locker 2>/dev/null
ok $? "a kept list is answered meanwhile (the generation read again)"
wait $locker

# The database away and back; dbd restarted.
sh "$DBH" kill "$RT/db"
call sleep 150 >/dev/null
r=$(req TRUNK_LIST sa - '{}')
[ "$(status_of "$r")" = DB_E_UNAVAILABLE ] && [ "$(stamp)" = $NONE ]
ok $? "the database away: unavailable, stamp 0, nothing from the cache"
sh "$DBH" start "$RT/db" >/dev/null
r=$(call expect FW_SYNC_END 30)
ok $? "dbd reconnects ($r)"
r=$(req TRUNK_LIST sa - '{}'); s=$(stamp)
[ "$(status_of "$r")" = DB_OK ] && [ "$s" != $NONE ] && unseen "$s"
ok $? "after the reconnection a new stamp ($s)"
remember "$s"
drive_stop
drive_start
call expect FW_SYNC_END 15 >/dev/null
r=$(req TRUNK_LIST sa - '{}'); s=$(stamp)
[ "$(status_of "$r")" = DB_OK ] && [ "$s" != $NONE ] && unseen "$s" &&
    [ "${s%????????}" != "${s5%????????}" ]
ok $? "a restarted dbd: stamps of a new epoch ($s)"
drive_stop
grep -q "violation" "$RT/events"
[ $? -ne 0 ]
ok $? "dbd sent nothing the catalogue does not allow"
done_testing
