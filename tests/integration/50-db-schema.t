#!/bin/sh
# The schema and the database link: migrations from empty and again, the
# grants of dbd's account, rules the schema itself enforces, TLS with the
# server's certificate verified (a wrong CA gets nothing), the admin CA,
# enrolment, revocation (disabled + CRL), and dbd's start-up snapshot.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"

db_setup
ok $? "private MariaDB started, schema created by trunkctl db init"
check "first run applies migration 1" grep -q "applying migration 1" \
    "$RT/dbinit.out"
"$TRUNKD_OBJ/trunkctl" db init -f "$CONF" >"$RT/dbinit2.out" 2>&1
ok $? "db init runs again"
check "the second run has nothing to migrate" \
    grep -q "nothing to migrate" "$RT/dbinit2.out"
sql() { sh "$DBH" sql "$RT/db" "$1"; }
[ "$(sql 'SELECT GROUP_CONCAT(version ORDER BY version) FROM trunkd.schema_version')" = 1,2 ]
ok $? "schema versions 1 and 2 recorded once each"
[ "$(sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'trunkd'")" -eq 11 ]
ok $? "eleven tables"

# dbd's account: only what it needs, and audit is append-only for it.
as_dbd() {
	mariadb --no-defaults -h 127.0.0.1 -P "$DB_PORT" -u trunkd \
	    -p"$(cat "$RT/rt/etc/secrets/db.pass")" --ssl-ca="$DB_CA" \
	    --ssl-verify-server-cert -N -B trunkd -e "$1" 2>&1
}
as_dbd "SELECT COUNT(*) FROM audit" | grep -qx 0
ok $? "dbd's account reads audit"
as_dbd "UPDATE audit SET admin = 'x'" | grep -q "command denied"
ok $? "dbd's account may not UPDATE audit"
as_dbd "DELETE FROM audit" | grep -q "command denied"
ok $? "dbd's account may not DELETE from audit"
as_dbd "DROP TABLE trunks" | grep -q "command denied"
ok $? "dbd's account may not DROP"
mariadb --no-defaults -h 127.0.0.1 -P "$DB_PORT" -u trunkd \
    -p"$(cat "$RT/rt/etc/secrets/db.pass")" --skip-ssl -e 'SELECT 1' \
    >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "the server refuses a connection without TLS"

# The schema refuses an IP trunk without a network, whatever the client.
sql "INSERT INTO trunkd.tenants (name, max_trunks, max_channels,
    allowed_prefixes, max_call_seconds) VALUES ('t1', 5, 10, '', 60)"
sql "INSERT INTO trunkd.trunks (tenant_id, name, auth, transport, codecs,
    max_channels, enabled, callerid_policy, net_count)
    VALUES (1, 'x', 'ip', 'udp', 'alaw', 1, 1, 'any', 0)" 2>"$RT/err"
grep -q "trunk_ip_needs_network" "$RT/err"
ok $? "schema: an IP trunk with no network is refused"
sql "INSERT INTO trunkd.trunks (tenant_id, name, auth, transport, codecs,
    max_channels, enabled, callerid_policy, net_count)
    VALUES (1, 'y', 'ip', 'udp', 'alaw', 1, 1, 'any', 1);
    SET @t = (SELECT id FROM trunkd.trunks WHERE name = 'y');
    INSERT INTO trunkd.networks (trunk_id, family, prefixlen, addr, cidr)
    VALUES (@t, 4, 24, UNHEX('C0000200'), '192.0.2.0/24')"
sql "DELETE FROM trunkd.networks" 2>"$RT/err"
grep -q "trunk_ip_needs_network" "$RT/err"
ok $? "schema: the last network of an IP trunk cannot be deleted"
sql "INSERT INTO trunkd.dids (number, tenant_id, trunk_id)
    SELECT '12345', 1, id FROM trunkd.trunks WHERE name = 'y'" 2>"$RT/err"
grep -q "did_e164" "$RT/err"
ok $? "schema: a DID that is not E.164 is refused"
[ "$(sql "SELECT net_count FROM trunkd.trunks WHERE name = 'y'")" = 1 ]
ok $? "schema: the trunk's network count follows its networks"
sql "DELETE FROM trunkd.trunks; DELETE FROM trunkd.tenants"

# The admin CA: ca init refuses to overwrite, makes P-384 with SHA-384.
"$TRUNKD_OBJ/trunkctl" ca init -f "$CONF" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "ca init refuses to replace an existing CA"
rm -f "$RT/rt/etc/ca.crt" "$RT/rt/etc/ca.key"
"$TRUNKD_OBJ/trunkctl" ca init -f "$CONF" >"$RT/ca.out" 2>&1
ok $? "ca init makes a new admin CA"
openssl x509 -in "$RT/rt/etc/ca.crt" -noout -text >"$RT/ca.txt"
grep -q "NIST CURVE: P-384" "$RT/ca.txt" &&
    grep -q "ecdsa-with-SHA384" "$RT/ca.txt" && grep -q "CA:TRUE" "$RT/ca.txt"
ok $? "the CA is ECDSA P-384, signs with SHA-384, CA:TRUE"
[ "$(stat -c %a "$RT/rt/etc/ca.key")" = 600 ]
ok $? "the CA key is root-only"

admin_add boss superadmin
ok $? "admin add: a superadmin"
A=$(dirname "$CONF")/admins
openssl verify -CAfile "$RT/rt/etc/ca.crt" "$A/boss.crt" >/dev/null 2>&1
ok $? "its certificate verifies against the CA"
openssl x509 -in "$A/boss.crt" -noout -text | grep -q "TLS Web Client"
ok $? "it is a client certificate"
pass=$(sed -n 's/^PKCS#12 password: //p' "$RT/admins/boss.out")
openssl pkcs12 -in "$A/boss.p12" -passin "pass:$pass" -nokeys \
    2>/dev/null | grep -q "BEGIN CERTIFICATE"
ok $? "the PKCS#12 opens with the printed password"
grep -q "^otpauth://totp/trunkd:boss?secret=" "$RT/admins/boss.out" &&
    grep -q "▀" "$RT/admins/boss.out"
ok $? "the otpauth URI and a QR code are printed"
"$TRUNKD_OBJ/trunkctl" admin add -f "$CONF" boss --role viewer \
    >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a second admin of the same name is refused"
"$TRUNKD_OBJ/trunkctl" admin add -f "$CONF" tx --role tenant-admin \
    >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a tenant-admin without a tenant is refused"
admin_add eve viewer
"$TRUNKD_OBJ/trunkctl" admin list -f "$CONF" >"$RT/list.out"
grep -q "^boss .*superadmin .*active .*$(fpr boss)" "$RT/list.out" &&
    grep -q "^eve .*viewer" "$RT/list.out"
ok $? "admin list shows both, with fingerprints"

# dbd: verified TLS, snapshot and generation on start, then requests.
drive_start
r=$(call expect FW_SYNC_END 15)
ok $? "dbd connects and sends fwd a snapshot ($r)"
r=$(call expect AST_GENERATION 5)
[ "$r" = "AST_GENERATION 2" ]
ok $? "astd is told the generation, one per enrolment ($r)"
grep -q "server certificate verified" "$RT/events"
ok $? "the connection is TLS with the server certificate verified"
r=$(req WHOAMI eve - '{}')
[ "$(status_of "$r")" = DB_OK ] && [ "$(jqb "$r" .role)" = viewer ]
ok $? "WHOAMI resolves the certificate fingerprint ($r)"
r=$(call req WHOAMI 00000000000000000000000000000000000000000000000000000000000000aa - '{}')
[ "$(status_of "$r")" = DB_E_UNKNOWN_ADMIN ]
ok $? "an unknown fingerprint is refused ($r)"

"$TRUNKD_OBJ/trunkctl" admin revoke -f "$CONF" eve >"$RT/revoke.out" 2>&1
ok $? "admin revoke"
# dbd's answer cache sees changes made outside dbd within 100 ms.
call sleep 150 >/dev/null
r=$(req WHOAMI eve - '{}')
[ "$(status_of "$r")" = DB_E_UNKNOWN_ADMIN ]
ok $? "a revoked admin is refused ($r)"
serial=$(openssl x509 -in "$A/eve.crt" -noout -serial | sed 's/.*=//')
openssl crl -in "$RT/rt/etc/crl.pem" -noout -text | grep -qi "$serial"
ok $? "its certificate is in the CRL"
openssl crl -in "$RT/rt/etc/crl.pem" -CAfile "$RT/rt/etc/ca.crt" -noout \
    2>&1 | grep -q "verify OK"
ok $? "the CRL is signed by the CA"
r=$(call status)
case $r in "database up"*) ok 0 "status: $r";; *) ok 1 "status: $r";; esac
drive_stop

# A CA that did not issue the server's certificate: no connection.
sed -i "s|tls ca \".*\"|tls ca \"$RT/rt/etc/ca.crt\"|" "$CONF"
drive_start
r=$(req WHOAMI boss - '{}')
[ "$(status_of "$r")" = DB_E_UNAVAILABLE ]
ok $? "with a wrong CA dbd does not connect: $r"
grep -qi "certificate" "$RT/events"
ok $? "and the log says why"
drive_stop

done_testing
