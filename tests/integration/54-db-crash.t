#!/bin/sh
# The database dies in the middle of a mutation: the request gets an
# error, no partial row survives, dbd reconnects (verifying the server's
# certificate again, from inside its sandbox) and the next mutation works.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"

sql() { sh "$DBH" sql "$RT/db" "$1"; }
db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
admin_add s superadmin
drive_start
call expect FW_SYNC_END 15 >/dev/null
r=$(req TENANT_CREATE s "$(code_next s)" '{"name":"alpha","max_trunks":5,"max_channels":30,"allowed_prefixes":[],"max_call_seconds":60}')
TA=$(jqb "$r" .id)
T='{"tenant_id":'$TA',"name":"victim","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":5,"enabled":true,"callerid_policy":"any","networks":["192.0.2.0/28"],"dids":["+4930123123"]}'

# Hold the audit table: the mutation writes its rows, then waits there.
mariadb --no-defaults -S "$DB_SOCKET" -u root -e \
    "LOCK TABLES trunkd.audit WRITE; DO SLEEP(120)" >/dev/null 2>&1 &
locked() {
	[ "$(sql "SELECT COUNT(*) FROM information_schema.processlist
	    WHERE info LIKE 'DO SLEEP%'")" = 1 ]
}
wait_for 20 locked
ok $? "another session holds the audit table"
waiting() {
	[ "$(sql "SELECT COUNT(*) FROM information_schema.processlist
	    WHERE user = 'trunkd' AND state LIKE 'Waiting for table%'")" = 1 ]
}
uncommitted() {
	[ "$(sql "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;
	    SELECT COUNT(*) FROM trunkd.trunks")" = 1 ]
}
(
	wait_for 20 waiting && uncommitted && echo mid >"$RT/mid"
	sh "$DBH" kill "$RT/db"
) &
killer=$!
r=$(req TRUNK_CREATE s "$(code_next s)" "$T")
wait $killer
[ -f "$RT/mid" ]
ok $? "the mutation was half-way (its trunk row written, uncommitted) when the server was killed"
[ "$(status_of "$r")" = DB_E_UNAVAILABLE ]
ok $? "it is answered with an error ($r)"
r=$(req WHOAMI s - '{}')
[ "$(status_of "$r")" = DB_E_UNAVAILABLE ]
ok $? "while the server is away: database unavailable ($r)"
r=$(call status)
case $r in *unavailable*) ok 0 "status: $r";; *) ok 1 "status: $r";; esac

sh "$DBH" start "$RT/db" >/dev/null
ok $? "the server restarts on the same port"
r=$(call expect FW_SYNC_END 30)
ok $? "dbd reconnects and sends fwd a fresh snapshot ($r)"
grep -c "server certificate verified" "$RT/events" | grep -qx 2
ok $? "the reconnection verified the server certificate again"
r=$(req TRUNK_LIST s - '{}')
[ "$(status_of "$r")" = DB_OK ] && [ "$(jqb "$r" .total)" = 0 ]
ok $? "no partial trunk survived ($r)"
[ "$(sql "SELECT (SELECT COUNT(*) FROM trunkd.networks) +
    (SELECT COUNT(*) FROM trunkd.dids)")" = 0 ]
ok $? "nor its networks or DIDs"
r=$(req TRUNK_CREATE s "$(code_next s)" "$T")
[ "$(status_of "$r")" = DB_OK ]
ok $? "the next mutation works ($(echo "$r" | cut -c1-60))"
r=$(call expect FW_NET_ADD 5)
ok $? "and reaches fwd ($r)"
"$TRUNKD_OBJ/trunkctl" audit verify -f "$CONF" >/dev/null
ok $? "the audit chain is intact"
drive_stop
done_testing
