# Shared by the 7x-web-*.t scripts (after lib.sh): certificates for the
# admin CA that tests/mkruntime.sh made (good, expired, revoked + CRL) and
# from another CA, the web settings under test, and curl through the
# namespace with a client certificate.
PKI=$RT/pki

# web_pki: an `openssl ca` tree for the admin CA, the client certificates
# and the CRL; run after rt_setup.
web_pki() {
	mkdir -p "$PKI/new"
	: > "$PKI/index.txt"
	echo 1000 > "$PKI/serial"
	cat > "$PKI/ca.cnf" <<EOC
[ca]
default_ca = adm
[adm]
dir = $PKI
database = $PKI/index.txt
serial = $PKI/serial
new_certs_dir = $PKI/new
certificate = $RT/etc/ca.crt
private_key = $RT/etc/ca.key
default_md = sha384
default_days = 30
default_crl_days = 30
policy = any
x509_extensions = client
[any]
commonName = supplied
[client]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
EOC
	web_client good "/CN=admin-good" || return 1
	web_client revoked "/CN=admin-revoked" || return 1
	web_client expired "/CN=admin-expired" -startdate 20200101000000Z \
	    -enddate 20200201000000Z || return 1
	openssl ca -batch -config "$PKI/ca.cnf" \
	    -revoke "$PKI/revoked.crt" >/dev/null 2>&1 || return 1
	openssl ca -batch -config "$PKI/ca.cnf" -gencrl \
	    -out "$RT/etc/crl.pem" >/dev/null 2>&1 || return 1
	chmod 0644 "$RT/etc/crl.pem"
	# another CA with the same name as ours, and a client of it
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 \
	    -sha384 -nodes -days 30 -subj /CN=trunkd-admin-ca \
	    -keyout "$PKI/other-ca.key" -out "$PKI/other-ca.crt" \
	    2>/dev/null || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
	    -subj /CN=admin-other -keyout "$PKI/other.key" \
	    -out "$PKI/other.csr" 2>/dev/null &&
	openssl x509 -req -in "$PKI/other.csr" -CA "$PKI/other-ca.crt" \
	    -CAkey "$PKI/other-ca.key" -CAcreateserial -sha384 -days 30 \
	    -out "$PKI/other.crt" 2>/dev/null
}

# web_client NAME SUBJECT [openssl ca options]: a P-384 client certificate.
web_client() {
	n=$1 subj=$2
	shift 2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
	    -subj "$subj" -keyout "$PKI/$n.key" -out "$PKI/$n.csr" \
	    2>/dev/null &&
	openssl ca -batch -config "$PKI/ca.cnf" -notext "$@" \
	    -in "$PKI/$n.csr" -out "$PKI/$n.crt" >/dev/null 2>&1
}

# web_fpr NAME: the SHA-256 fingerprint of a client certificate, hex.
web_fpr() {
	openssl x509 -in "$PKI/$1.crt" -noout -fingerprint -sha256 |
	    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f'
}

# web_conf: the CRL and the settings under test in the web block.
web_conf() {
	sed -i "/csrf key/a\\
	tls crl \"$RT/etc/crl.pem\"\\
	tls groups \"P-384\"\\
	header timeout ${WEB_HEADER_TIMEOUT:-3}\\
	idle timeout ${WEB_IDLE_TIMEOUT:-20}\\
	max connections ${WEB_MAX_CONN:-400}" "$RT/etc/trunkd.conf"
}

WEB=https://127.0.0.1:8443
# wcurl NAME CURL-ARGS...: curl in the namespace as client NAME.
wcurl() {
	n=$1
	shift
	in_ns curl -sk --max-time 10 --cert "$PKI/$n.crt" --key "$PKI/$n.key" \
	    "$@"
}
# wstatus NAME CURL-ARGS...: only the status code ("000": no answer).
wstatus() {
	wcurl "$@" -o /dev/null -w '%{http_code}'
}

# wraw REQUEST-BYTES: sent as they are (printf format); the answer's
# status line, or nothing when the connection closed without one.
wraw() {
	printf "$1" | in_ns timeout 10 openssl s_client -quiet \
	    -connect 127.0.0.1:8443 -cert "$PKI/good.crt" \
	    -key "$PKI/good.key" 2>/dev/null | head -1 | tr -d '\r'
}

# webload ARGS...: the load generator in the namespace, as client good.
webload() {
	in_ns "$TRUNKD_OBJ/bench/webload" -C "$PKI/good.crt" \
	    -K "$PKI/good.key" "$@"
}

# web_db_start ADMIN...: after tests/db/lib.sh, in the script's own
# network namespace (so in_ns runs commands right here): MariaDB, the
# runtime tree and schema, the admins as superadmins (certificates in
# $ADM), trunkd started and answering.
web_db_start() {
	ip link set lo up
	in_ns() { "$@"; }
	db_setup || return 1
	ADM=$RT/rt/etc/admins
	for a in "$@"; do
		admin_add "$a" superadmin || return 1
	done
	"$TRUNKD_OBJ/trunkd" -d -v -f "$CONF" >"$RT/trunkd.log" 2>&1 &
	TRUNKD_PID=$!
	wait_for 20 sh -c "curl -sk --cert $ADM/$1.crt --key $ADM/$1.key \
	    $WEB/api/v1/whoami | grep -q '\"$1\"'"
}
