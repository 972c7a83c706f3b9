#!/bin/sh
# The console and the API against the real dbd and MariaDB: create,
# update and delete tenants, trunks (with networks and DIDs), DIDs and
# carriers through the HTML forms (CSRF tokens, TOTP codes from oathtool)
# and through the API, each read back from MariaDB; replayed codes, bad
# input, another tenant's objects, unknown admins, and markup in every
# field rendered as text.
[ -n "$WEB_NS" ] || exec unshare -n env WEB_NS=1 sh "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"
. "$(dirname "$0")/web.sh"
web_db_start sa1 sa2 sa3 sa4 sa5 sa6
ok $? "trunkd starts with the database, and the API answers"
sql() { sh "$DBH" sql "$RT/db" "USE trunkd; $1"; }
# ac ADMIN CURL-ARGS...: curl as an enrolled admin; the body on stdout.
ac() {
	n=$1
	shift
	curl -sk --max-time 15 --cert "$ADM/$n.crt" --key "$ADM/$n.key" "$@"
}
# Each change needs an unused code: the superadmins take turns.
k=0
pick() {
	set -- sa1 sa2 sa3 sa4 sa5 sa6
	k=$((k % 6 + 1))
	eval WHO=\$$k
	CODE=$(code_next "$WHO")
}
# api METHOD PATH [JSON]: as the next superadmin, with its code; sets
# CODEOUT (status) and BODY.
api() {
	pick
	BODY=$(ac "$WHO" -X "$1" -H "X-TOTP: $CODE" \
	    -H 'Content-Type: application/json' ${3:+--data "$3"} \
	    -w '\n%{http_code}' "$WEB/api/v1/$2")
	CODEOUT=$(echo "$BODY" | tail -1)
	BODY=$(echo "$BODY" | sed '$d')
}

# ---- API ----
api POST tenants '{"name":"alpha","max_trunks":5,"max_channels":30,"allowed_prefixes":["+49"],"max_call_seconds":3600}'
[ "$CODEOUT" = 201 ]; ok $? "API: create tenant alpha ($CODEOUT $BODY)"
TA=$(echo "$BODY" | jq -r .id)
api POST tenants '{"name":"beta","max_trunks":5,"max_channels":30,"allowed_prefixes":[],"max_call_seconds":600}'
TB=$(echo "$BODY" | jq -r .id)
[ "$(sql "SELECT COUNT(*) FROM tenants")" = 2 ]
ok $? "API: both tenants are in MariaDB"
r=$(ac sa1 -X POST -H 'Content-Type: application/json' --data '{"name":"x"}' \
    -w '\n%{http_code}' $WEB/api/v1/tenants)
echo "$r" | grep -q '"field":"totp"' && [ "$(echo "$r" | tail -1)" = 403 ]
ok $? "API: a change without X-TOTP: 403 with field totp ($r)"

TR='{"tenant_id":'$TA',"name":"api-pbx","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":4,"enabled":true,"callerid_policy":"dids","networks":["192.0.2.0/28"],"dids":["+4930111111"]}'
api POST trunks "$TR"
[ "$CODEOUT" = 201 ]; ok $? "API: create a trunk with networks and DIDs ($CODEOUT)"
T1=$(echo "$BODY" | jq -r .id)
[ "$(sql "SELECT name FROM trunks WHERE id = $T1")" = api-pbx ]
ok $? "API: the trunk is in MariaDB"
# The same code again: refused as replayed.
BODY=$(ac "$WHO" -X PUT -H "X-TOTP: $CODE" -H 'Content-Type: application/json' \
    --data '{"max_channels":5}' -w '\n%{http_code}' $WEB/api/v1/trunks/$T1)
[ "$(echo "$BODY" | tail -1)" = 403 ] && echo "$BODY" | grep -q '"field":"totp"'
ok $? "API: a replayed TOTP code is refused"
api PUT trunks/$T1 '{"max_channels":6,"networks":["192.0.2.0/28","198.51.100.0/29"]}'
[ "$CODEOUT" = 200 ] && [ "$(sql "SELECT max_channels FROM trunks WHERE id = $T1")" = 6 ]
ok $? "API: update the trunk, read back from MariaDB ($CODEOUT)"
api PUT trunks/$T1 '{"networks":["10.0.0.0/33"]}'
[ "$CODEOUT" = 422 ] && [ "$(echo "$BODY" | jq -r .field)" = "networks[0]" ]
ok $? "API: a bad network: 422 with its field ($BODY)"
r=$(ac sa1 -w '%{http_code}' -o /dev/null "$WEB/api/v1/trunks/$T1")
[ "$r" = 200 ]; ok $? "API: read the trunk"
api POST dids '{"number":"+4930222222","tenant_id":'$TA',"trunk_id":'$T1'}'
[ "$CODEOUT" = 201 ]; ok $? "API: create a DID ($CODEOUT $BODY)"
D1=$(echo "$BODY" | jq -r .id)
api PUT dids/$D1 '{"number":"+4930222223"}'
[ "$CODEOUT" = 200 ] && [ "$(sql "SELECT number FROM dids WHERE id = $D1")" = +4930222223 ]
ok $? "API: update the DID ($CODEOUT)"
api DELETE dids/$D1
[ "$CODEOUT" = 200 ] && [ "$(sql "SELECT COUNT(*) FROM dids WHERE id = $D1")" = 0 ]
ok $? "API: delete the DID ($CODEOUT)"
api POST carriers '{"name":"carrier-a","host":"192.0.2.50","port":5060,"transport":"udp","register":false,"username":"u","password":"p","networks":["192.0.2.48/29"]}'
[ "$CODEOUT" = 201 ]; ok $? "API: create a carrier ($CODEOUT $BODY)"
C1=$(echo "$BODY" | jq -r .id)
api PUT carriers/$C1 '{"port":5070}'
[ "$CODEOUT" = 200 ] && [ "$(sql "SELECT port FROM carriers WHERE id = $C1")" = 5070 ]
ok $? "API: update the carrier ($CODEOUT)"
api DELETE carriers/$C1
[ "$CODEOUT" = 200 ] && [ "$(sql "SELECT COUNT(*) FROM carriers WHERE id = $C1")" = 0 ]
ok $? "API: delete the carrier ($CODEOUT)"
api DELETE trunks/$T1
[ "$CODEOUT" = 200 ] && [ "$(sql "SELECT COUNT(*) FROM trunks WHERE id = $T1")" = 0 ]
ok $? "API: delete the trunk ($CODEOUT)"

# A tenant-admin of beta asks for alpha's trunk.
admin_add tb tenant-admin beta; ok $? "a tenant-admin of beta enrolled"
api POST trunks "$TR"
T2=$(echo "$BODY" | jq -r .id)
r=$(ac tb -o /dev/null -w '%{http_code}' "$WEB/api/v1/trunks/$T2")
[ "$r" = 404 ] || [ "$r" = 403 ]
ok $? "API: beta's admin gets alpha's trunk: $r"
r=$(ac tb -o /dev/null -w '%{http_code}' "$WEB/trunks/$T2")
[ "$r" = 404 ] || [ "$r" = 403 ]
ok $? "console: beta's admin gets alpha's trunk page: $r"

# ---- HTML forms ----
F='Content-Type: application/x-www-form-urlencoded'
XSS='<script>alert(1)</script>'
enc() { jq -rn --arg v "$1" '$v|@uri'; }
# form ADMIN PATH: the CSRF token of the form on that page.
token() { ac "$1" "$WEB$2" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1; }
# post PATH FIELDS: as the next superadmin with its token and code; sets
# CODEOUT, BODY and LOC (a redirect's target).
post() {
	pick
	t=$(token "$WHO" "$1")
	out=$(ac "$WHO" -H "$F" -D "$RT/hdrs" -w '\n%{http_code}' \
	    --data "csrf=$t&totp=$CODE&$2" "$WEB$1")
	CODEOUT=$(echo "$out" | tail -1)
	BODY=$(echo "$out" | sed '$d')
	LOC=$(sed -n 's/^Location: \(.*\)\r$/\1/p' "$RT/hdrs")
}
# The edit and delete forms are at .../edit and .../delete.
formpath() { echo "$1" | sed 's,/new$,,'; }

post /tenants/new "name=$(enc "$XSS")&max_trunks=3"
[ "$CODEOUT" = 422 ] && echo "$BODY" | grep -qF 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' &&
    ! echo "$BODY" | grep -qF "$XSS"
ok $? "form: a refused name comes back escaped in the form, never as markup"
post /tenants/new "name=t-form&max_trunks=3&max_channels=9&allowed_prefixes=%2B49%0D%0A%2B43&max_call_seconds=60"
[ "$CODEOUT" = 201 ]; ok $? "form: create a tenant ($CODEOUT)"
[ "$CODEOUT" = 201 ] || diag "$(echo "$BODY" | grep -o 'class="msg err"[^<]*<\|class="error">[^<]*')"
TF=$(sql "SELECT id FROM tenants WHERE name = 't-form'")
[ -n "$TF" ]; ok $? "form: the tenant is in MariaDB"
post /tenants/$TF/edit "name=t-form&max_trunks=4&max_channels=9&max_call_seconds=60"
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT max_trunks FROM tenants WHERE id = $TF")" = 4 ]
ok $? "form: update the tenant ($CODEOUT -> $LOC)"

TRF="tenant_id=$TA&name=f-form&auth=ip&transport=tcp&networks=203.0.113.0%2F28%0D%0A2001%3Adb8%3Af%3A%3A%2F48&dids=%2B4930333333&codecs=g722&max_channels=2&callerid_policy=dids&enabled=on"
post /trunks/new "$TRF"
[ "$CODEOUT" = 201 ]; ok $? "form: create a trunk with networks and a DID ($CODEOUT)"
TT=$(sql "SELECT id FROM trunks WHERE name = 'f-form'")
[ -n "$TT" ] && [ "$(sql "SELECT COUNT(*) FROM networks WHERE trunk_id = $TT")" = 2 ] &&
    [ "$(sql "SELECT COUNT(*) FROM dids WHERE trunk_id = $TT")" = 1 ]
ok $? "form: the trunk and its networks are in MariaDB"
# A replayed code re-shows the form with what was typed.
t=$(token "$WHO" /trunks/$TT/edit)
out=$(ac "$WHO" -H "$F" -w '\n%{http_code}' --data \
    "csrf=$t&totp=$CODE&tenant_id=$TA&name=kept-name&auth=ip&transport=udp&networks=203.0.113.0%2F28" \
    "$WEB/trunks/$TT/edit")
[ "$(echo "$out" | tail -1)" = 403 ] &&
    echo "$out" | grep -q 'value="kept-name"' &&
    echo "$out" | grep -q 'wrong or already used TOTP code'
ok $? "form: a replayed code re-shows the form, input kept, with the message"
post /trunks/$TT/edit "tenant_id=$TA&name=f-form&auth=ip&transport=udp&networks=203.0.113.0%2F28&max_channels=3"
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT max_channels FROM trunks WHERE id = $TT")" = 3 ]
ok $? "form: update the trunk ($CODEOUT)"
post /trunks/$TT/edit "tenant_id=$TA&name=x&auth=ip&transport=udp&networks=300.1.2.3%2F8"
[ "$CODEOUT" = 422 ] && echo "$BODY" | grep -q 'class="field invalid"><label for="f-networks"'
ok $? "form: dbd's validation error shows beside its field ($CODEOUT)"
post /bans/new "address=198.51.100.7&duration=600&reason=$(enc "$XSS")"
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT COUNT(*) FROM bans WHERE cidr LIKE '198.51.100.7%'")" = 1 ]
ok $? "form: a manual ban with markup in its reason ($CODEOUT)"
page=$(ac sa1 "$WEB/bans")
echo "$page" | grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' &&
    ! echo "$page" | grep -qF "$XSS"
ok $? "the ban list renders the markup as text"
post /bans/198.51.100.7/delete ""
[ "$CODEOUT" = 303 ]; ok $? "form: unban ($CODEOUT)"

post /dids/new "number=%2B4930444444&tenant_id=$TA&trunk_id=$TT"
[ "$CODEOUT" = 201 ]; ok $? "form: create a DID ($CODEOUT)"
DF=$(sql "SELECT id FROM dids WHERE number = '+4930444444'")
post /dids/$DF/edit "number=%2B4930444445&tenant_id=$TA&trunk_id=$TT"
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT number FROM dids WHERE id = $DF")" = +4930444445 ]
ok $? "form: update the DID ($CODEOUT)"
post /dids/$DF/delete ""
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT COUNT(*) FROM dids WHERE id = $DF")" = 0 ]
ok $? "form: delete the DID ($CODEOUT)"

post /carriers/new "name=c-form&host=192.0.2.60&port=5060&transport=udp&username=u&password=pw&networks=192.0.2.56%2F29"
[ "$CODEOUT" = 201 ]; ok $? "form: create a carrier ($CODEOUT)"
CF=$(sql "SELECT id FROM carriers WHERE host = '192.0.2.60'")
post /carriers/$CF/edit "name=c-form&host=192.0.2.60&port=5080&transport=udp&networks=192.0.2.56%2F29"
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT port FROM carriers WHERE id = $CF")" = 5080 ]
ok $? "form: update the carrier ($CODEOUT)"
post /carriers/$CF/delete ""
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT COUNT(*) FROM carriers WHERE id = $CF")" = 0 ]
ok $? "form: delete the carrier ($CODEOUT)"

post /trunks/$TT/delete ""
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT COUNT(*) FROM trunks WHERE id = $TT")" = 0 ]
ok $? "form: delete the trunk ($CODEOUT)"
post /tenants/$TF/delete ""
[ "$CODEOUT" = 303 ] && [ "$(sql "SELECT COUNT(*) FROM tenants WHERE id = $TF")" = 0 ]
ok $? "form: delete the tenant ($CODEOUT)"

for p in / /tenants /trunks /dids /carriers /bans /audit /admins \
    /trunks/new /bans/new; do
	r=$(ac sa1 -o /dev/null -w '%{http_code}' "$WEB$p")
	[ "$r" = 200 ]; ok $? "page $p: 200"
done
r=$(ac tb -o /dev/null -w '%{http_code}' "$WEB/admins")
[ "$r" = 403 ]; ok $? "Admins is for superadmins only ($r)"

# A certificate of the admin CA that belongs to nobody.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -subj /CN=nobody -keyout "$RT/nobody.key" -out "$RT/nobody.csr" 2>/dev/null
openssl x509 -req -in "$RT/nobody.csr" -CA "$RT/rt/etc/ca.crt" \
    -CAkey "$RT/rt/etc/ca.key" -CAcreateserial -days 1 \
    -out "$RT/nobody.crt" 2>/dev/null
out=$(curl -sk --cert "$RT/nobody.crt" --key "$RT/nobody.key" -w '\n%{http_code}' $WEB/)
[ "$(echo "$out" | tail -1)" = 403 ] && echo "$out" | grep -q 'belongs to no enabled admin'
ok $? "an unknown admin gets a plain 403 page that says so"

grep -q 'webd: 127.0.0.1 - sa1 \[' "$RT/trunkd.log"
ok $? "the access log names the admin"
pid=$(ctl() { "$TRUNKD_OBJ/trunkctl" -s "$RT/rt/run/trunkd.sock" "$@"; }; ctl status | awk '$1 == "webd" { print $2 }')
[ "$(awk '$1 == "Seccomp:" { print $2 }' /proc/$pid/status)" = 2 ]
ok $? "webd still in its seccomp filter"
kill -0 "$TRUNKD_PID"; ok $? "trunkd still running"
[ "$tap_failed" -eq 0 ] || diag "$(tail -30 "$RT/trunkd.log")"
done_testing
