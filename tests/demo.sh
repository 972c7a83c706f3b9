#!/bin/sh
# make demo: the whole appliance on this machine, in a private tree:
#   a private MariaDB (TLS 1.3, P-384, verified by dbd) with the schema,
#   an admin CA, a server certificate and a superadmin (PEM + PKCS#12,
#   TOTP secret as URI and QR code), a small sample data set, fwd in a
#   network namespace of its own (the host's firewall is never touched),
#   astd against a real Asterisk on 127.0.0.1:5038 if one answers there,
#   else against the AMI test peer playing a small attack;
# then trunkd in the foreground.  Ctrl-C stops everything; running it
# again reuses the tree.
#
# usage: tests/demo.sh OBJDIR [--setup-only]
#   --setup-only  prepare everything, start nothing that keeps running
#                 (the tests run the set-up steps this way)
set -eu
obj=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
setup_only=${2:-}
rt=${TRUNKD_DEMO_DIR:-/var/tmp/trunkd-demo}
port=${TRUNKD_DEMO_PORT:-8443}
amiport=${TRUNKD_DEMO_AMI_PORT:-5038}
ns=${TRUNKD_DEMO_NETNS:-trunkd_demo}
web_user=${TRUNKD_DEMO_WEB_USER:-_trunkd_web}
db_user=${TRUNKD_DEMO_DB_USER:-_trunkd_db}
ast_user=${TRUNKD_DEMO_AST_USER:-_trunkd_ast}
conf=$rt/etc/trunkd.conf
ctl() { "$obj/trunkctl" -s "$rt/run/trunkd.sock" "$@"; }
say() { printf 'demo: %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "make demo must run as root" >&2; exit 1; }

trunkd_pid= peer_pid=
stop_all() {
	trap - INT TERM EXIT
	set +e
	[ -n "$trunkd_pid" ] && kill -TERM "$trunkd_pid" 2>/dev/null &&
	    wait "$trunkd_pid" 2>/dev/null
	[ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null &&
	    wait "$peer_pid" 2>/dev/null
	sh "$top/tests/db/mariadb.sh" stop "$rt/db" >/dev/null 2>&1 || true
	ip netns del "$ns" 2>/dev/null || true
	say "stopped; nothing is left running (the tree stays in $rt)"
}
trap stop_all INT TERM EXIT

for u in "$web_user" "$db_user" "$ast_user"; do
	case $u in *:*) continue ;; esac	# numeric uid:gid (tests)
	if ! getent passwd "$u" >/dev/null; then
		say "adding system user $u"
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin --user-group "$u"
	fi
done
mkdir -p "$rt"
chmod 0755 "$rt"

say "starting a private MariaDB in $rt/db (TLS 1.3 only, P-384)"
sh "$top/tests/db/mariadb.sh" start "$rt/db" >/dev/null
. "$rt/db/env"

DB_PORT=$DB_PORT DB_CA=$DB_CA sh "$top/tests/mkruntime.sh" "$rt" \
    "$obj/libexec" "$web_user" "$db_user" "$ast_user" "$port"
# fwd works in a namespace of its own; astd talks to the chosen AMI port.
grep -q '^	namespace ' "$conf" ||
    sed -i "s|^	table \"trunkd\"|	table \"trunkd\"\\n	namespace \"$ns\"|" \
    "$conf"
sed -i "s|ami host \"127.0.0.1\" port [0-9]*|ami host \"127.0.0.1\" port $amiport|" \
    "$conf"
ip netns add "$ns" 2>/dev/null || true
ip -n "$ns" link set lo up
say "fwd will run in network namespace $ns: the host's firewall is not touched"

sh "$top/tests/db/mariadb.sh" users "$rt/db" trunkd trunkd_owner \
    "$rt/etc/secrets/dbowner.pass" trunkd "$rt/etc/secrets/db.pass"
"$obj/trunkctl" db init -f "$conf"

admins=$rt/etc/admins
if [ ! -f "$admins/demo-admin.crt" ]; then
	say "enrolling the superadmin demo-admin"
	"$obj/trunkctl" admin add -f "$conf" demo-admin --role superadmin \
	    > "$rt/demo-admin.txt"
	chmod 0600 "$rt/demo-admin.txt"
fi
[ -f "$rt/sample.loaded" ] ||
    sh "$top/tests/demo/seed.sh" "$obj" "$conf" "$rt" && touch "$rt/sample.loaded"

# A real Asterisk answers with its banner; otherwise, the test peer.
banner=$(timeout 2 python3 -c "
import socket; s = socket.create_connection(('127.0.0.1', $amiport), 1)
print(s.recv(64).decode(errors='replace').strip())" 2>/dev/null || true)
case $banner in
"Asterisk Call Manager/"*) say "using the real Asterisk on 127.0.0.1:$amiport"
	peer= ;;
*)	say "no Asterisk on 127.0.0.1:$amiport: using the AMI test peer"
	peer=yes ;;
esac
[ -n "$setup_only" ] && { say "set-up done"; exit 0; }

if [ -n "$peer" ]; then
	python3 "$top/tests/peers/ami_peer.py" --port "$amiport" \
	    --secret "$rt/etc/secrets/ami.secret" \
	    --pjsip "$rt/chroot/ast/conf/pjsip_trunkd.conf" \
	    --control "$rt/run/ami.ctl" > "$rt/ami-peer.log" 2>&1 &
	peer_pid=$!
fi
"$obj/trunkd" -d -f "$conf" &
trunkd_pid=$!
i=0
while [ $i -lt 100 ] && ! ctl status 2>/dev/null | grep -q '^astd '; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
if [ -n "$peer" ]; then
	say "the AMI test peer plays an attack from 198.51.100.7"
	python3 "$top/tests/peers/ami_peer.py" --control "$rt/run/ami.ctl" \
	    --send "emit $top/tests/demo/attack.events" >/dev/null || true
	sleep 1
fi
echo
ctl status || true
echo
ip netns exec "$ns" nft list set inet trunkd ban4 2>/dev/null | sed 's/^/    /' || true
secret=$(sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p' "$rt/demo-admin.txt")
p12pass=$(sed -n 's/^PKCS#12 password: //p' "$rt/demo-admin.txt")
cat <<MSG

trunkd is running in the foreground (pid $trunkd_pid).

  Console:      https://127.0.0.1:$port/
  Certificate:  import $admins/demo-admin.p12 into the browser
                (Chromium: Settings > Privacy and security > Security >
                Manage certificates > Import; Firefox: Settings > Privacy &
                Security > Certificates > View Certificates > Import)
                PKCS#12 password: $p12pass
                The server certificate is self-signed ($rt/etc/server.crt):
                accept it, or import it as an authority.
  TOTP code:    oathtool --totp -b $secret
                (or scan the QR code in $rt/demo-admin.txt with an
                authenticator app)
  Status:       $obj/trunkctl -s $rt/run/trunkd.sock status
  Bans:         ip netns exec $ns nft list ruleset

Press Ctrl-C to stop everything.
MSG
wait "$trunkd_pid" || true
trunkd_pid=
