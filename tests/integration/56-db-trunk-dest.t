#!/bin/sh
# Schema 2: an IP trunk's destination (host, port).  The upgrade from a
# version-1 database (with a trunk in it), the migration run again after
# it was cut short, the fields through dbd's imsg interface (stored, read
# back, exported to astd, refused with a per-field reason), and the SIP
# usernames astd reserves for its own sections, refused by dbd.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"
command -v jq >/dev/null || skip_all "jq not installed"

sql() { sh "$DBH" sql "$RT/db" "USE trunkd; $1"; }
is() {	# is ANSWER STATUS [FIELD [TEXT]] DESCRIPTION
	a=$1 st=$2
	shift 2
	if [ $# -ge 3 ]; then f=$1 txt=$2; shift 2
	elif [ $# -ge 2 ]; then f=$1 txt=; shift
	else f= txt=; fi
	[ "$(status_of "$a")" = "$st" ] &&
	    { [ -z "$f" ] || [ "$(jqb "$a" .field)" = "$f" ]; } &&
	    { [ -z "$txt" ] || jqb "$a" .error | grep -qF -- "$txt"; }
	ok $? "$1 ($(echo "$a" | cut -c1-200))"
}

# -- the upgrade from version 1 ------------------------------------------
db_setup || { ok 1 "database set-up"; done_testing; exit 1; }
grep -q "applying migration 2" "$RT/dbinit.out"
ok $? "a new database gets migration 2"
# (but for the next AUTO_INCREMENT value)
table() { sql "SHOW CREATE TABLE trunks" | sed 's/ AUTO_INCREMENT=[0-9]*//'; }
table >"$RT/trunks.v2"
# Back to exactly what version 1 made, with a trunk in it.
sql "ALTER TABLE trunks DROP CONSTRAINT trunk_host_ip_only,
    DROP CONSTRAINT trunk_port, DROP COLUMN host, DROP COLUMN port;
    DELETE FROM schema_version WHERE version = 2;
    INSERT INTO tenants (name, max_trunks, max_channels, allowed_prefixes,
    max_call_seconds) VALUES ('old', 5, 10, '', 60);
    INSERT INTO trunks (tenant_id, name, auth, transport, codecs,
    max_channels, enabled, callerid_policy, net_count)
    VALUES (LAST_INSERT_ID(), 'old-pbx', 'ip', 'udp', 'alaw', 1, 1, 'any', 1);
    INSERT INTO networks (trunk_id, family, prefixlen, addr, cidr)
    VALUES (LAST_INSERT_ID(), 4, 28, UNHEX('C6336410'), '198.51.100.16/28')"
[ "$(sql "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'trunkd' AND table_name = 'trunks' AND column_name IN ('host', 'port')")" = 0 ]
ok $? "the database is at version 1 again, with a trunk"

for a in s s2 s3 s4; do admin_add $a superadmin; done
drive_start
r=$(call status)
echo "$r" | grep -q "schema version 1, this dbd needs 2"
ok $? "dbd refuses to serve a version-1 schema ($r)"
drive_stop

"$TRUNKD_OBJ/trunkctl" db init -f "$CONF" >"$RT/up.out" 2>&1
ok $? "trunkctl db init upgrades it"
grep -q "applying migration 2" "$RT/up.out" &&
    ! grep -q "applying migration 1" "$RT/up.out"
ok $? "only migration 2 is applied"
table >"$RT/trunks.up"
cmp -s "$RT/trunks.v2" "$RT/trunks.up"
ok $? "the upgraded table is the one a new database gets"
[ "$(sql "SELECT CONCAT(COALESCE(host, 'NULL'), ' ', port) FROM trunks WHERE name = 'old-pbx'")" = "NULL 5060" ]
ok $? "the old trunk has no host and port 5060"
# Cut short after its DDL, before it was recorded: it runs again.
sql "DELETE FROM schema_version WHERE version = 2"
"$TRUNKD_OBJ/trunkctl" db init -f "$CONF" >"$RT/again.out" 2>&1 &&
    grep -q "applying migration 2" "$RT/again.out"
ok $? "migration 2 runs again over its own columns ($(tail -1 "$RT/again.out"))"
[ "$(sql 'SELECT GROUP_CONCAT(version ORDER BY version) FROM schema_version')" = 1,2 ]
ok $? "versions 1 and 2 recorded"
sql "UPDATE trunks SET auth = 'digest', username = 'x', md5_cred = 'x',
    host = 'pbx.example.net' WHERE name = 'old-pbx'" 2>"$RT/err"
grep -q trunk_host_ip_only "$RT/err"
ok $? "schema: a digest trunk cannot have a host"
sql "UPDATE trunks SET port = 0 WHERE name = 'old-pbx'" 2>"$RT/err"
grep -q trunk_port "$RT/err"
ok $? "schema: port 0 is refused"

# -- host and port through dbd -------------------------------------------
# Each change needs a code not used yet: the four superadmins take turns
# (sets WHO; use as: pick; req OP "$WHO" "$CODE" JSON).
k=0
pick() {
	set -- s s2 s3 s4
	k=$((k % 4 + 1))
	eval WHO=\$$k
	CODE=$(code_next "$WHO")
}
drive_start
call expect FW_SYNC_END 15 >/dev/null
pick; r=$(req TENANT_CREATE "$WHO" "$CODE" '{"name":"alpha","max_trunks":20,"max_channels":30,"allowed_prefixes":[],"max_call_seconds":60}')
TA=$(jqb "$r" .id)
T='{"tenant_id":'$TA',"name":"pbx1","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":5,"enabled":true,"callerid_policy":"any","networks":["203.0.113.0/28"],"dids":["+4930555001"]}'
with() { echo "$T" | jq -c ". + $1"; }
pick; r=$(req TRUNK_CREATE "$WHO" "$CODE" "$(with '{"host":"pbx.example.net","port":5080}')")
is "$r" DB_OK "TRUNK_CREATE with host and port"
K1=$(jqb "$r" .id)
r=$(req TRUNK_GET s - '{"id":'$K1'}')
[ "$(jqb "$r" .host)" = pbx.example.net ] && [ "$(jqb "$r" .port)" = 5080 ]
ok $? "TRUNK_GET shows them"
pick; r=$(req TRUNK_CREATE "$WHO" "$CODE" "$(with '{"name":"pbx2","networks":["203.0.113.16/28"],"dids":[]}')")
K2=$(jqb "$r" .id)
[ "$(jqb "$r" .host)" = null ] && [ "$(jqb "$r" .port)" = 5060 ]
ok $? "without them: no host, port 5060"
pick; r=$(req TRUNK_UPDATE "$WHO" "$CODE" '{"id":'$K2',"host":"2001:db8:5::10"}')
[ "$(jqb "$r" .host)" = 2001:db8:5::10 ] && [ "$(jqb "$r" .port)" = 5060 ]
ok $? "TRUNK_UPDATE sets an IPv6 host, keeps the port"
pick; r=$(req TRUNK_UPDATE "$WHO" "$CODE" '{"id":'$K1',"enabled":false}')
[ "$(jqb "$r" .host)" = pbx.example.net ] && [ "$(jqb "$r" .port)" = 5080 ]
ok $? "TRUNK_UPDATE of another field keeps host and port"
r=$(req TRUNK_LIST s - '{}')
[ "$(jqb "$r" "[.items[] | select(.id == $K1)][0].host")" = pbx.example.net ]
ok $? "TRUNK_LIST shows the host"
r=$(call export 0)
X=$(echo "$r" | cut -d' ' -f3-)
echo "$X" | jq -e --argjson k "$K1" '.trunks[] | select(.id == $k) | .host == "pbx.example.net" and .port == 5080' >/dev/null &&
    echo "$X" | jq -e '.trunks[] | select(.name == "old-pbx") | .host == null and .port == 5060' >/dev/null
ok $? "astd's export carries host and port"
pick; r=$(req TRUNK_UPDATE "$WHO" "$CODE" '{"id":'$K2',"host":""}')
[ "$(jqb "$r" .host)" = null ]
ok $? "host \"\" removes it"
[ "$(sql "SELECT host IS NULL FROM trunks WHERE id = $K2")" = 1 ]
ok $? "stored as NULL"

bad() {	# DESCRIPTION FIELD PATCH [TEXT]
	r=$(req TRUNK_CREATE s 000000 "$(with "$3")")
	is "$r" DB_E_INVALID "$2" "${4:-}" "$1"
}
bad "host with a URI parameter" host \
    '{"host":"pbx.example.net;transport=tcp"}' "not a host name"
bad "host with a space" host '{"host":"a b"}'
bad "host in brackets" host '{"host":"[2001:db8::1]"}'
bad "host with a zone" host '{"host":"fe80::1%eth0"}'
bad "host label of 64" host "{\"host\":\"$(printf 'h%.0s' $(seq 64)).example\"}"
bad "host of 254 characters" host \
    "{\"host\":\"$(printf 'abcdefghi.%.0s' $(seq 25))abcd\"}"
bad "host starting with -" host '{"host":"-pbx.example"}'
bad "host not a string" host '{"host":17}'
bad "port 0" port '{"port":0}' "between 1"
bad "port 65536" port '{"port":65536}' "between 1"
bad "port as a string" port '{"port":"5060"}'
bad "a digest trunk without a network" networks \
    '{"name":"reg1","auth":"digest","networks":[]}' "registrations too"
bad "a digest trunk with a host" host \
    '{"name":"reg1","auth":"digest","host":"192.0.2.1"}' \
    "contact it registers"
bad "a digest trunk with a port" port \
    '{"name":"reg1","auth":"digest","port":5062}'
pick; r=$(req TRUNK_UPDATE "$WHO" "$CODE" '{"id":'$K1',"auth":"digest","dids":[]}')
is "$r" DB_OK "an IP trunk with a host becomes digest"
[ "$(jqb "$r" .host)" = null ] && [ "$(sql "SELECT host IS NULL FROM trunks WHERE id = $K1")" = 1 ]
ok $? "and loses its host"

# -- SIP usernames astd reserves ---------------------------------------
for n in trunk-1 Carrier-x TENANT-a trunkd trunkd-foo TrunkDemo; do
	r=$(req TRUNK_CREATE s 000000 "$(with '{"name":"'$n'","auth":"digest","dids":[]}')")
	is "$r" DB_E_INVALID name "reserved" "a digest trunk named $n"
done
pick; r=$(req TRUNK_CREATE "$WHO" "$CODE" "$(with '{"name":"trunk-9","networks":["203.0.113.32/28"],"dids":[]}')")
is "$r" DB_OK "an IP trunk may be named trunk-9 (not a username)"
K9=$(jqb "$r" .id)
r=$(req TRUNK_UPDATE s 000000 '{"id":'$K9',"auth":"digest"}')
is "$r" DB_E_INVALID name "reserved" "but it cannot become digest"
pick; r=$(req TRUNK_CREATE "$WHO" "$CODE" "$(with '{"name":"hh-pbx","auth":"digest","networks":["203.0.113.48/28"],"dids":[]}')")
is "$r" DB_OK "a digest trunk hh-pbx"
r=$(req TRUNK_CREATE s 000000 "$(with '{"name":"HH-PBX","auth":"digest","networks":["203.0.113.64/28"],"dids":[]}')")
is "$r" DB_E_CONFLICT name "differing only in case" \
    "another digest trunk HH-PBX (the same username to Asterisk)"
C='{"name":"up1","host":"sip.example.net","port":5060,"transport":"udp","register":true,"username":"acct1","password":"pw1","networks":["198.51.100.64/27"]}'
r=$(req CARRIER_CREATE s 000000 "$(echo "$C" | jq -c '. + {"username":"trunkd"}')")
is "$r" DB_E_INVALID username "reserved" "a carrier username trunkd"
r=$(req CARRIER_CREATE s 000000 "$(echo "$C" | jq -c 'del(.password)')")
is "$r" DB_E_INVALID password "required" "a carrier without a password"
[ "$(sql "SELECT COUNT(*) FROM trunks WHERE name IN ('HH-PBX', 'reg1', 'trunkd') OR name LIKE 'Carrier-%'")" = 0 ] &&
    [ "$(sql "SELECT COUNT(*) FROM carriers")" = 0 ]
ok $? "none of the refused objects was stored"
r=$(call export 0)
echo "$r" | cut -d' ' -f3- | jq -e '[.trunks[] | select(.auth == "digest") | .username] | sort == ["hh-pbx","pbx1"]' >/dev/null
ok $? "the export's usernames: hh-pbx, pbx1"
drive_stop
done_testing
