#!/bin/sh
# Every request type through dbd's imsg interface, the authorisation
# matrix (a tenant-admin of A neither reads nor changes B, a viewer only
# reads), what fwd and astd are told after each change, and what astd
# reports.  Real MariaDB; admins enrolled by trunkctl; codes from oathtool.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"

is() {	# is ANSWER STATUS DESCRIPTION
	[ "$(status_of "$1")" = "$2" ]
	ok $? "$3 ($(echo "$1" | cut -c1-160))"
}

db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
for a in sa1 sa2 sa3; do admin_add $a superadmin; done
drive_start
r=$(call expect FW_SYNC_END 15)
ok $? "dbd started and synced fwd"

# Tenants (superadmin only).
r=$(req TENANT_CREATE sa1 "$(code_next sa1)" '{"name":"alpha","max_trunks":5,"max_channels":30,"allowed_prefixes":["+49","+43"],"max_call_seconds":3600}')
is "$r" DB_OK "TENANT_CREATE alpha"
TA=$(jqb "$r" .id)
r=$(req TENANT_CREATE sa1 "$(code_next sa1)" '{"name":"beta","max_trunks":2,"max_channels":10,"allowed_prefixes":[],"max_call_seconds":600}')
is "$r" DB_OK "TENANT_CREATE beta"
TB=$(jqb "$r" .id)
r=$(call expect AST_GENERATION 5)
r=$(call expect AST_GENERATION 5)
ok $? "astd told of each change ($r)"
admin_add ta tenant-admin alpha && admin_add ta2 tenant-admin alpha &&
    admin_add tb tenant-admin beta && admin_add va viewer alpha &&
    admin_add vg viewer
ok $? "tenant-admins, a tenant viewer and a global viewer enrolled"

r=$(req TENANT_LIST sa1 - '{}')
[ "$(jqb "$r" .total)" = 2 ]
ok $? "TENANT_LIST: a superadmin sees both"
r=$(req TENANT_LIST ta - '{"page":1,"per_page":10}')
[ "$(jqb "$r" .total)" = 1 ] && [ "$(jqb "$r" '.items[0].name')" = alpha ]
ok $? "TENANT_LIST: a tenant-admin sees its own only"
r=$(req TENANT_GET ta - '{"id":'$TB'}')
is "$r" DB_E_NOT_FOUND "TENANT_GET of another tenant"
r=$(req TENANT_GET va - '{"id":'$TA'}')
is "$r" DB_OK "TENANT_GET of its own tenant by a viewer"
r=$(req TENANT_UPDATE ta 000000 '{"id":'$TA',"max_trunks":50}')
is "$r" DB_E_FORBIDDEN "TENANT_UPDATE by a tenant-admin"
r=$(req TENANT_UPDATE sa1 "$(code_next sa1)" '{"id":'$TA',"max_trunks":4}')
is "$r" DB_OK "TENANT_UPDATE by a superadmin"
[ "$(jqb "$r" .max_trunks)" = 4 ] && [ "$(jqb "$r" .max_channels)" = 30 ]
ok $? "TENANT_UPDATE changes what is given, keeps the rest"

# Trunks.
TRUNK_A='{"tenant_id":'$TA',"name":"alpha-pbx","auth":"ip","transport":"udp","codecs":["g722","alaw"],"max_channels":10,"enabled":true,"callerid_policy":"dids","networks":["192.0.2.0/28","2001:db8:a::/48"],"dids":["+4930111111"]}'
r=$(req TRUNK_CREATE ta "$(code_next ta)" "$TRUNK_A")
is "$r" DB_OK "TRUNK_CREATE by the tenant-admin of alpha"
KA=$(jqb "$r" .id)
r=$(call expect FW_NET_ADD 5)
[ "$r" = "FW_NET_ADD trunk 192.0.2.0/28 2001:db8:a::/48" ]
ok $? "fwd gets the new networks ($r)"
r=$(req TRUNK_CREATE ta 000000 '{"tenant_id":'$TB',"name":"sneaky","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":1,"enabled":true,"callerid_policy":"any","networks":["198.51.100.0/24"]}')
is "$r" DB_E_FORBIDDEN "TRUNK_CREATE in beta by alpha's admin"
r=$(req TRUNK_CREATE tb "$(code_next tb)" '{"tenant_id":'$TB',"name":"beta-reg","auth":"digest","transport":"tls","codecs":["opus"],"max_channels":5,"enabled":true,"callerid_policy":"any","networks":["2001:db8:beef::/48"]}')
is "$r" DB_OK "TRUNK_CREATE of a digest trunk"
call expect FW_NET_ADD 5 >/dev/null
KB=$(jqb "$r" .id)
PW=$(jqb "$r" .sip_password)
[ ${#PW} -eq 32 ]
ok $? "its generated SIP password has 32 characters, shown once"
r=$(req TRUNK_GET tb - '{"id":'$KB'}')
[ "$(jqb "$r" .sip_password)" = null ] && [ "$(jqb "$r" .username)" = beta-reg ]
ok $? "TRUNK_GET shows no password again"
r=$(req TRUNK_LIST ta - '{}')
[ "$(jqb "$r" .total)" = 1 ] && [ "$(jqb "$r" '.items[0].id')" = "$KA" ] &&
    [ "$(jqb "$r" '.items[0].dids[0]')" = "+4930111111" ]
ok $? "TRUNK_LIST by alpha's admin: its trunk, with networks and DIDs"
r=$(req TRUNK_LIST vg - '{}')
[ "$(jqb "$r" .total)" = 2 ]
ok $? "TRUNK_LIST by a global viewer: all"
r=$(req TRUNK_LIST va - '{}')
[ "$(jqb "$r" .total)" = 1 ]
ok $? "TRUNK_LIST by alpha's viewer: alpha's"
r=$(req TRUNK_LIST ta - '{"filter":{"tenant_id":'$TB'}}')
is "$r" DB_E_FORBIDDEN "TRUNK_LIST filtered on beta by alpha's admin"
r=$(req TRUNK_GET ta - '{"id":'$KB'}')
is "$r" DB_E_NOT_FOUND "TRUNK_GET of beta's trunk by alpha's admin"
r=$(req TRUNK_UPDATE ta 000000 '{"id":'$KB',"enabled":false}')
is "$r" DB_E_NOT_FOUND "TRUNK_UPDATE of beta's trunk by alpha's admin"
r=$(req TRUNK_DELETE ta 000000 '{"id":'$KB'}')
is "$r" DB_E_NOT_FOUND "TRUNK_DELETE of beta's trunk by alpha's admin"
r=$(req TRUNK_UPDATE va 000000 '{"id":'$KA',"enabled":false}')
is "$r" DB_E_FORBIDDEN "TRUNK_UPDATE by a viewer"
r=$(req TRUNK_DELETE vg 000000 '{"id":'$KA'}')
is "$r" DB_E_FORBIDDEN "TRUNK_DELETE by a viewer"
r=$(req TRUNK_UPDATE ta "$(code_next ta)" '{"id":'$KA',"networks":["192.0.2.0/28","203.0.113.0/26"],"enabled":false}')
is "$r" DB_OK "TRUNK_UPDATE of networks"
[ "$(jqb "$r" .enabled)" = false ] && [ "$(jqb "$r" '.dids[0]')" = "+4930111111" ]
ok $? "TRUNK_UPDATE keeps what is not given"
r=$(call expect FW_NET_ADD 5)
[ "$r" = "FW_NET_ADD trunk 203.0.113.0/26" ]
ok $? "fwd gets the added network ($r)"
r=$(call expect FW_NET_DEL 5)
[ "$r" = "FW_NET_DEL trunk 2001:db8:a::/48" ]
ok $? "fwd gets the removed network ($r)"

# DIDs.
r=$(req DID_CREATE ta "$(code_next ta)" '{"number":"+4930222222","tenant_id":'$TA',"trunk_id":'$KA'}')
is "$r" DB_OK "DID_CREATE"
DID=$(jqb "$r" .id)
r=$(req DID_CREATE ta 000000 '{"number":"+4930333333","tenant_id":'$TA',"trunk_id":'$KB'}')
is "$r" DB_E_INVALID "DID_CREATE on another tenant's trunk"
r=$(req DID_LIST ta - '{"filter":{"trunk_id":'$KA'}}')
[ "$(jqb "$r" .total)" = 2 ]
ok $? "DID_LIST of the trunk"
r=$(req DID_LIST tb - '{}')
[ "$(jqb "$r" .total)" = 0 ]
ok $? "DID_LIST by beta's admin: none of alpha's"
r=$(req DID_GET tb - '{"id":'$DID'}')
is "$r" DB_E_NOT_FOUND "DID_GET of alpha's DID by beta's admin"
r=$(req DID_UPDATE ta2 "$(code_next ta2)" '{"id":'$DID',"number":"+4930222223"}')
is "$r" DB_OK "DID_UPDATE"
[ "$(jqb "$r" .number)" = "+4930222223" ]
ok $? "DID_UPDATE changed the number"
r=$(req DID_DELETE ta2 "$(code_next ta2)" '{"id":'$DID'}')
is "$r" DB_OK "DID_DELETE"
r=$(req DID_GET ta - '{"id":'$DID'}')
is "$r" DB_E_NOT_FOUND "the DID is gone"

# Carriers (the operator's).
r=$(req CARRIER_CREATE sa2 "$(code_next sa2)" '{"name":"upstream1","host":"sip.example.net","port":5060,"transport":"udp","register":true,"username":"acct1","password":"s3cret-pass","networks":["198.51.100.64/27"]}')
is "$r" DB_OK "CARRIER_CREATE"
KC=$(jqb "$r" .id)
[ "$(jqb "$r" .password)" = null ]
ok $? "the carrier's password is not read back"
r=$(req CARRIER_LIST vg - '{}')
[ "$(jqb "$r" .total)" = 1 ]
ok $? "CARRIER_LIST by a global viewer"
r=$(req CARRIER_LIST ta - '{}')
is "$r" DB_E_FORBIDDEN "CARRIER_LIST by a tenant-admin"
r=$(req CARRIER_UPDATE sa2 "$(code_next sa2)" '{"id":'$KC',"port":5080}')
is "$r" DB_OK "CARRIER_UPDATE"
r=$(req CARRIER_GET sa1 - '{"id":'$KC'}')
[ "$(jqb "$r" .port)" = 5080 ] && [ "$(jqb "$r" '.networks[0]')" = "198.51.100.64/27" ]
ok $? "CARRIER_GET shows the change"

# astd: export, applied, ban records, history, live.
r=$(call export 0)
G=$(echo "$r" | cut -d' ' -f3- | jq -r .generation)
echo "$r" | cut -d' ' -f3- | jq -e '.trunks | length == 2' >/dev/null &&
    echo "$r" | cut -d' ' -f3- | jq -e '.carriers[0].password == "s3cret-pass"' >/dev/null &&
    echo "$r" | cut -d' ' -f3- | jq -e '[.trunks[] | select(.auth == "digest")][0].md5_cred | length == 32' >/dev/null
ok $? "AST_EXPORT: generation $G, trunks, the carrier's password, md5_cred"
MD5=$(printf 'beta-reg:asterisk:%s' "$PW" | md5sum | cut -d' ' -f1)
echo "$r" | grep -q "\"md5_cred\":\"$MD5\""
ok $? "md5_cred is md5(username:realm:password)"
echo "$r" | grep -q "$PW"
[ $? -ne 0 ]
ok $? "the SIP password itself is stored nowhere"
r=$(call applied "$G" 0 reload failed: test)
r=$(req DASHBOARD sa1 - '{}')
[ "$(jqb "$r" .last_apply_error)" = "reload failed: test" ]
ok $? "AST_APPLIED failure shows on the dashboard"
r=$(call applied "$G" 1)
r=$(req DASHBOARD sa1 - '{}')
[ "$(jqb "$r" .applied_generation)" = "$G" ] && [ "$(jqb "$r" .trunks)" = 2 ]
ok $? "AST_APPLIED success: applied generation $G"
r=$(call banrec 203.0.113.99/32 3 3600 autoban: 5 failures)
r=$(req BAN_LIST vg - '{"filter":{"address":"203.0.113.99"}}')
[ "$(jqb "$r" '.items[0].source')" = autoban ] && [ "$(jqb "$r" '.items[0].offences')" = 3 ]
ok $? "AST_BAN_RECORD stored the ban and its offences"
r=$(call history)
echo "$r" | grep -q '"address":"203.0.113.99/32","offences":3'
ok $? "AST_HISTORY returns the offender"
r=$(call live '{"channels":3}')
r=$(req DASHBOARD sa1 - '{}')
[ "$(jqb "$r" .live.channels)" = 3 ]
ok $? "AST_LIVE shows on a superadmin's dashboard"
r=$(req DASHBOARD ta - '{}')
[ "$(jqb "$r" .live)" = null ] && [ "$(jqb "$r" .trunks)" = 1 ] &&
    [ "$(jqb "$r" .carriers)" = 0 ]
ok $? "a tenant-admin's dashboard counts its own rows"

# Bans (superadmin).
r=$(req BAN_ADD ta 000000 '{"address":"198.51.100.200","duration":3600,"reason":"x"}')
is "$r" DB_E_FORBIDDEN "BAN_ADD by a tenant-admin"
r=$(req BAN_ADD sa3 000000 '{"address":"192.0.2.1","duration":3600,"reason":"x"}')
is "$r" DB_E_CONFLICT "BAN_ADD of a trunk's address"
r=$(req BAN_ADD sa3 "$(code_next sa3)" '{"address":"198.51.100.200","duration":3600,"reason":"manual"}')
is "$r" DB_OK "BAN_ADD"
r=$(call expect FW_BAN 5)
[ "$r" = "FW_BAN 198.51.100.200/32 3600 manual" ]
ok $? "fwd is told to ban ($r)"
r=$(req BAN_LIST va - '{}')
[ "$(jqb "$r" .total)" = 2 ]
ok $? "BAN_LIST: both bans"
r=$(req BAN_REMOVE sa3 "$(code_next sa3)" '{"address":"198.51.100.200"}')
is "$r" DB_OK "BAN_REMOVE"
r=$(call expect FW_UNBAN 5)
ok $? "fwd is told to unban ($r)"
r=$(req BAN_REMOVE sa3 000000 '{"address":"198.51.100.200"}')
is "$r" DB_E_NOT_FOUND "BAN_REMOVE of what is not banned"

# Admins.
r=$(req ADMIN_LIST sa1 - '{}')
[ "$(jqb "$r" .total)" = 8 ]
ok $? "ADMIN_LIST by a superadmin: all eight"
r=$(req ADMIN_LIST ta - '{}')
[ "$(jqb "$r" .total)" = 3 ] && jqb "$r" '.items[].totp_secret' | grep -qx null
ok $? "ADMIN_LIST by alpha's admin: alpha's three, no secrets"
VA=$(jqb "$r" '.items[] | select(.name == "va") | .id')
r=$(req ADMIN_GET ta - '{"id":'$VA'}')
[ "$(jqb "$r" .fingerprint)" = "$(fpr va)" ]
ok $? "ADMIN_GET shows the fingerprint"
r=$(req ADMIN_UPDATE ta 000000 '{"id":'$VA',"disabled":true}')
is "$r" DB_E_FORBIDDEN "ADMIN_UPDATE by a tenant-admin"
r=$(req ADMIN_UPDATE sa3 "$(code_next sa3)" '{"id":'$VA',"disabled":true}')
is "$r" DB_OK "ADMIN_UPDATE disables an admin"
r=$(req WHOAMI va - '{}')
is "$r" DB_E_UNKNOWN_ADMIN "the disabled admin is refused"

# Audit, deletes.
r=$(req AUDIT_LIST sa1 - '{"per_page":100}')
[ "$(jqb "$r" .total)" -ge 15 ] && jqb "$r" '.items[].action' | grep -qx ban
ok $? "AUDIT_LIST: every change, bans included"
r=$(req AUDIT_LIST ta - '{"per_page":100}')
[ "$(jqb "$r" "[.items[] | select(.tenant_id != $TA)] | length")" = 0 ] &&
    [ "$(jqb "$r" .total)" -ge 3 ]
ok $? "AUDIT_LIST by alpha's admin: alpha's rows only"
r=$(req AUDIT_LIST sa1 '-' '{"filter":{"object":"did"}}')
[ "$(jqb "$r" .total)" = 3 ]
ok $? "AUDIT_LIST filtered by object: the DID's three changes"
r=$(req TENANT_DELETE sa1 000000 '{"id":'$TA'}')
is "$r" DB_E_CONFLICT "TENANT_DELETE of a tenant with trunks"
r=$(req TRUNK_DELETE ta2 "$(code_next ta2)" '{"id":'$KA'}')
is "$r" DB_OK "TRUNK_DELETE"
r=$(call expect FW_NET_DEL 5)
[ "$r" = "FW_NET_DEL trunk 192.0.2.0/28 203.0.113.0/26" ]
ok $? "fwd loses the trunk's networks ($r)"
r=$(req CARRIER_DELETE sa2 "$(code_next sa2)" '{"id":'$KC'}')
is "$r" DB_OK "CARRIER_DELETE"
r=$(req TRUNK_LIST sa1 - '{}')
[ "$(jqb "$r" .total)" = 1 ]
ok $? "one trunk left"
r=$(req WHOAMI sa1 - 'not json')
is "$r" DB_E_INVALID "a body that is not JSON"
r=$(req WHOAMI sa1 - '{"a":1,"a":2}')
is "$r" DB_E_INVALID "duplicate keys"

r=$(call badreq)
r=$(call exited 5)
[ "$r" = exited ]
ok $? "a malformed DB_REQ makes dbd exit (fail closed)"
grep -q "violation" "$RT/events"
[ $? -ne 0 ]
ok $? "dbd sent nothing the catalogue does not allow"
drive_stop
done_testing
