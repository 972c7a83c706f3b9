#!/bin/sh
# The audit trail's hash chain: `trunkctl audit verify` passes on a clean
# chain and names the first broken row after a row is changed by hand,
# or removed.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"

sql() { sh "$DBH" sql "$RT/db" "$1"; }
verify() { "$TRUNKD_OBJ/trunkctl" audit verify -f "$CONF" 2>&1; }
db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
admin_add s superadmin && admin_add t superadmin
drive_start
call expect FW_SYNC_END 15 >/dev/null
for n in a b c; do
	r=$(req TENANT_CREATE s "$(code_next s)" '{"name":"'$n'","max_trunks":1,"max_channels":1,"allowed_prefixes":[],"max_call_seconds":60}')
done
r=$(req TENANT_UPDATE t "$(code_next t)" '{"id":2,"max_channels":5}')
[ "$(status_of "$r")" = DB_OK ]
ok $? "changes made through dbd"
drive_stop

out=$(verify)
ok $? "audit verify passes on a clean chain: $out"
echo "$out" | grep -q "intact: 6 rows"
ok $? "it walked every row (two enrolments, four changes)"

cp -p "$RT/db/env" /dev/null
sql "UPDATE trunkd.audit SET admin = 'mallory' WHERE id = 4"
out=$(verify)
[ $? -eq 1 ]
ok $? "audit verify fails after an UPDATE of a row"
echo "$out" | grep -q "BROKEN at row 4: it was changed"
ok $? "and names that row: $out"
sql "UPDATE trunkd.audit SET admin = 's' WHERE id = 4"
verify >/dev/null
ok $? "restored, the chain verifies again"

sql "DELETE FROM trunkd.audit WHERE id = 3"
out=$(verify)
[ $? -eq 1 ] && echo "$out" | grep -q "BROKEN at row 4: it does not follow"
ok $? "a removed row breaks the chain at the next one: $out"

sql "DELETE FROM trunkd.audit WHERE id >= 3"
out=$(verify)
[ $? -eq 1 ] && echo "$out" | grep -q "rows were removed from the end"
ok $? "rows cut from the end are noticed: $out"
done_testing
