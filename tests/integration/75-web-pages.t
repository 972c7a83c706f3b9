#!/bin/sh
# webd keeps the answers to GET requests while dbd's stamp stays the
# same (webd/pages.c): a kept page is sent again only after dbd has said
# again who the admin is, under the page's stamp; any change through
# webd, through trunkctl or straight in the database (with its
# generation) makes the page anew; a disabled admin gets no kept page.
[ -n "$WEB_NS" ] || exec unshare -n env WEB_NS=1 sh "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"
. "$(dirname "$0")/web.sh"
web_db_start sa1 sa2
ok $? "trunkd starts with the database"
sql() { sh "$DBH" sql "$RT/db" "USE trunkd; $1"; }
ctl() { "$TRUNKD_OBJ/trunkctl" -s "$RT/rt/run/trunkd.sock" "$@"; }
ac() {
	n=$1
	shift
	curl -sk --max-time 15 --cert "$ADM/$n.crt" --key "$ADM/$n.key" "$@"
}
# sent: how often webd sent a kept page again.
sent() {
	ctl status | sed -n 's/^webd.* \([0-9]*\) sent again.*/\1/p'
}
api() {
	BODY=$(ac "$1" -X "$2" -H "X-TOTP: $(code_next "$1")" \
	    -H 'Content-Type: application/json' ${4:+--data "$4"} \
	    -w '\n%{http_code}' "$WEB/api/v1/$3")
	CODEOUT=$(echo "$BODY" | tail -1)
	BODY=$(echo "$BODY" | sed '$d')
}

api sa1 POST tenants '{"name":"alpha","max_trunks":10,"max_channels":10,"allowed_prefixes":[],"max_call_seconds":60}'
[ "$CODEOUT" = 201 ]; ok $? "a tenant ($CODEOUT)"
TEN=$(echo "$BODY" | jq -r .id)
api sa1 POST trunks "{\"tenant_id\":$TEN,\"name\":\"first\",\"auth\":\"ip\",\"transport\":\"udp\",\"codecs\":[\"alaw\"],\"max_channels\":2,\"enabled\":true,\"callerid_policy\":\"dids\",\"networks\":[\"192.0.2.0/24\"],\"dids\":[]}"
[ "$CODEOUT" = 201 ]; ok $? "a trunk ($CODEOUT)"
TID=$(echo "$BODY" | jq -r .id)

s0=$(sent)
p1=$(ac sa2 "$WEB/trunks")
echo "$p1" | grep -q '>first<'; ok $? "the trunk list shows the trunk"
[ "$(sent)" = "$s0" ]; ok $? "the first time it is made, not sent again"
p2=$(ac sa2 "$WEB/trunks")
[ "$p1" = "$p2" ]; ok $? "the second answer is the same page"
[ "$(sent)" = $((s0 + 1)) ]; ok $? "and it is the kept one ($(sent))"
j1=$(ac sa2 "$WEB/api/v1/trunks")
j2=$(ac sa2 "$WEB/api/v1/trunks")
[ "$j1" = "$j2" ] && [ "$(echo "$j2" | jq -r '.items[0].name')" = first ]
ok $? "the API's list too"
[ "$(sent)" = $((s0 + 2)) ]; ok $? "sent again from the kept ones ($(sent))"
# Another admin, another query: pages of their own.
ac sa1 "$WEB/trunks" >/dev/null
ac sa2 "$WEB/trunks?page=1" | grep -q '>first<'
ok $? "another query is another page"
[ "$(sent)" = $((s0 + 2)) ]; ok $? "neither was sent from another's page"

# A change through webd: the next answer is made anew.
api sa1 PATCH "trunks/$TID" '{"name":"second"}'
[ "$CODEOUT" = 200 ]; ok $? "the trunk renamed through the API ($CODEOUT)"
p3=$(ac sa2 "$WEB/trunks")
echo "$p3" | grep -q '>second<' && ! echo "$p3" | grep -q '>first<'
ok $? "the list shows the new name at once"

# Straight in the database, with the generation: seen within 100 ms.
ac sa2 "$WEB/trunks" >/dev/null
sql "UPDATE trunks SET name = 'third' WHERE id = $TID;
    UPDATE generation SET generation = generation + 1 WHERE id = 1;"
sleep 0.3
ac sa2 "$WEB/trunks" | grep -q '>third<'
ok $? "a change made in the database shows after its generation"
# Without a new generation nothing depends on it: proof that pages are kept.
sql "UPDATE trunks SET name = 'fourth' WHERE id = $TID"
sleep 0.3
ac sa2 "$WEB/trunks" | grep -q '>third<'
ok $? "a change without a generation is not seen (the kept page is sent)"

# A disabled admin: refused, although its page is kept.
ac sa2 "$WEB/trunks" >/dev/null
sql "UPDATE admins SET disabled = 1 WHERE name = 'sa2';
    UPDATE generation SET generation = generation + 1 WHERE id = 1;"
sleep 0.3
r=$(ac sa2 -o /dev/null -w '%{http_code}' "$WEB/trunks")
[ "$r" = 403 ]; ok $? "a disabled admin gets 403, not the kept page ($r)"
kill -0 "$TRUNKD_PID" 2>/dev/null; ok $? "trunkd still running"
done_testing
