#!/bin/sh
# Bad input to dbd: each refused with the field and a reason a person
# understands, and nothing stored.  Networks (IPv4 and IPv6), overlaps
# across tenants, DIDs, names, SQL in text stored literally, lengths.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v jq >/dev/null || skip_all "jq not installed"

db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
admin_add s superadmin
drive_start
call expect FW_SYNC_END 15 >/dev/null
r=$(req TENANT_CREATE s "$(code_next s)" '{"name":"alpha","max_trunks":5,"max_channels":30,"allowed_prefixes":[],"max_call_seconds":60}')
TA=$(jqb "$r" .id)
r=$(req TENANT_CREATE s "$(code_next s)" '{"name":"beta","max_trunks":5,"max_channels":30,"allowed_prefixes":[],"max_call_seconds":60}')
TB=$(jqb "$r" .id)
r=$(req TRUNK_CREATE s "$(code_next s)" '{"tenant_id":'$TB',"name":"beta-secret-name","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":5,"enabled":true,"callerid_policy":"any","networks":["198.51.100.0/24","2001:db8:b::/48"],"dids":["+4930999999"]}')
[ "$(status_of "$r")" = DB_OK ]
ok $? "beta's trunk created ($r)"
admin_add ta tenant-admin alpha
audit0=$(jqb "$(req AUDIT_LIST s - '{}')" .total)

T='{"tenant_id":'$TA',"name":"good","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":5,"enabled":true,"callerid_policy":"any","networks":["203.0.113.0/28"]}'
with() { echo "$T" | jq -c ". + $1"; }
bad() {	# DESCRIPTION STATUS FIELD PATCH [TEXT-IN-ERROR]
	r=$(req TRUNK_CREATE ta 000000 "$(with "$4")")
	st=$(status_of "$r") f=$(jqb "$r" .field) e=$(jqb "$r" .error)
	[ "$st" = "$2" ] && [ "$f" = "$3" ] && [ -n "$e" ] &&
	    { [ -z "${5:-}" ] || echo "$e" | grep -qF -- "$5"; }
	ok $? "$1: $st $f: $e"
}

bad "0.0.0.0/0" DB_E_INVALID "networks[0]" '{"networks":["0.0.0.0/0"]}' \
    "every address"
bad "10.0.0.0/33" DB_E_INVALID "networks[0]" '{"networks":["10.0.0.0/33"]}' \
    "prefix length 33"
bad '"1.2.3"' DB_E_INVALID "networks[0]" '{"networks":["1.2.3"]}' \
    "not an IPv4 or IPv6 network"
bad "300.1.1.1/32" DB_E_INVALID "networks[0]" '{"networks":["300.1.1.1/32"]}' \
    "not an IPv4 or IPv6 network"
bad "host bits set" DB_E_INVALID "networks[0]" '{"networks":["10.0.0.1/24"]}' \
    "the network is 10.0.0.0/24"
bad "wider than the minimum" DB_E_INVALID "networks[0]" \
    '{"networks":["10.0.0.0/8"]}' "/16"
bad "::/0" DB_E_INVALID "networks[0]" '{"networks":["::/0"]}' "every address"
bad "IPv6 host bits" DB_E_INVALID "networks[0]" \
    '{"networks":["2001:db8::1/64"]}' "2001:db8::/64"
bad "IPv6 /129" DB_E_INVALID "networks[0]" '{"networks":["2001:db8::/129"]}' \
    "0 to 128"
bad "IPv6 wider than /32" DB_E_INVALID "networks[0]" \
    '{"networks":["2001:db8::/16"]}' "/32"
bad "IPv4-mapped IPv6" DB_E_INVALID "networks[0]" \
    '{"networks":["::ffff:192.0.2.1/128"]}' "IPv4-mapped"
bad "IPv6 with a zone" DB_E_INVALID "networks[0]" '{"networks":["fe80::1%eth0"]}'
bad "IPv6 in brackets" DB_E_INVALID "networks[0]" '{"networks":["[2001:db8::]/48"]}'
bad "second entry" DB_E_INVALID "networks[1]" \
    '{"networks":["203.0.113.0/28","bogus"]}' "bogus"
bad "overlap within the list" DB_E_INVALID "networks[1]" \
    '{"networks":["192.0.2.0/24","192.0.2.16/28"]}' "overlaps 192.0.2.0/24"
bad "overlap with another tenant's trunk" DB_E_CONFLICT "networks[0]" \
    '{"networks":["198.51.100.128/25"]}' "another tenant's trunk"
echo "$r" | grep -q "beta-secret-name"
[ $? -ne 0 ]
ok $? "the other tenant's trunk is not named"
bad "IPv6 overlap with another tenant's trunk" DB_E_CONFLICT "networks[0]" \
    '{"networks":["2001:db8:b:1::/64"]}' "overlaps"
bad "IP trunk without a network" DB_E_INVALID networks '{"networks":[]}' \
    "needs at least one network"
bad "duplicate DID" DB_E_CONFLICT "dids[0]" '{"dids":["+4930999999"]}' \
    "assigned already"
bad "DID without +" DB_E_INVALID "dids[0]" '{"dids":["030123456"]}' "E.164"
bad "DID starting +0" DB_E_INVALID "dids[0]" '{"dids":["+0301234"]}' "E.164"
bad "DID of 16 digits" DB_E_INVALID "dids[0]" '{"dids":["+1234567890123456"]}'
bad "DID twice in the list" DB_E_INVALID "dids[1]" \
    '{"dids":["+4930111111","+4930111111"]}' "twice"
bad "name with a quote" DB_E_INVALID name '{"name":"o'"'"'brien"}' "may only hold"
bad "name with a double quote" DB_E_INVALID name '{"name":"a\"b"}'
bad "name with SQL" DB_E_INVALID name '{"name":"'"'"'; DROP TABLE trunks; --"}'
bad "name of 65 characters" DB_E_INVALID name \
    "{\"name\":\"$(printf 'n%.0s' $(seq 65))\"}" "65 characters"
bad "description of 256 bytes" DB_E_INVALID description \
    "{\"description\":\"$(printf 'd%.0s' $(seq 256))\"}" "256 bytes"
bad "description with a control character" DB_E_INVALID description \
    '{"description":"a\u0007b"}' "control"
bad "unknown codec" DB_E_INVALID "codecs[0]" '{"codecs":["mp3"]}'
bad "no codec" DB_E_INVALID codecs '{"codecs":[]}'
bad "auth none" DB_E_INVALID auth '{"auth":"none"}'
bad "transport sctp" DB_E_INVALID transport '{"transport":"sctp"}'
bad "no channels" DB_E_INVALID max_channels '{"max_channels":0}'
bad "more channels than the tenant allows" DB_E_INVALID max_channels \
    '{"max_channels":31}' "at most 30"
bad "a number as a string" DB_E_INVALID max_channels '{"max_channels":"5"}'
bad "an unknown field" DB_E_INVALID foo '{"foo":1}' "unknown field"
bad "no name" DB_E_INVALID name '{"name":null}' "required"
bad "201 DIDs" DB_E_INVALID dids \
    "{\"dids\":[$(seq -f '"+49301%06g"' -s, 201)]}" "the most is 200"
r=$(req TENANT_CREATE s 000000 '{"name":"gamma","max_trunks":1,"max_channels":1,"allowed_prefixes":["49"],"max_call_seconds":60}')
[ "$(jqb "$r" .field)" = "allowed_prefixes[0]" ]
ok $? "a destination prefix without + ($(jqb "$r" .error))"
r=$(req BAN_ADD s 000000 '{"address":"0.0.0.0/0","duration":60}')
[ "$(jqb "$r" .field)" = address ]
ok $? "a ban of 0.0.0.0/0 ($(jqb "$r" .error))"

r=$(req TRUNK_LIST s - '{"filter":{"tenant_id":'$TA'}}')
[ "$(jqb "$r" .total)" = 0 ]
ok $? "none of it was stored"
[ "$(jqb "$(req AUDIT_LIST s - '{}')" .total)" = "$audit0" ]
ok $? "and nothing was audited"

SQL="'; DROP TABLE trunks; --"
r=$(req TRUNK_CREATE ta "$(code_next ta)" "$(with "{\"description\":\"$SQL\",\"networks\":[\"2001:DB8:0:0::/48\"]}")")
[ "$(status_of "$r")" = DB_OK ]
ok $? "SQL in a description is accepted as text"
K=$(jqb "$r" .id)
r=$(req TRUNK_GET ta - '{"id":'$K'}')
[ "$(jqb "$r" .description)" = "$SQL" ]
ok $? "and read back unchanged"
[ "$(jqb "$r" '.networks[0]')" = "2001:db8::/48" ]
ok $? "networks are stored normalised"
[ "$(sh "$DBH" sql "$RT/db" "SELECT COUNT(*) FROM trunkd.trunks")" = 2 ]
ok $? "the trunks table is still there"
drive_stop
done_testing
