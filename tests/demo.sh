#!/bin/sh
# make demo: a private runtime tree, the role users if missing, and trunkd
# in the foreground.  Ctrl-C stops everything.
# usage: tests/demo.sh OBJDIR
set -eu
obj=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
rt=${TRUNKD_DEMO_DIR:-/var/tmp/trunkd-demo}
port=${TRUNKD_DEMO_PORT:-8443}

[ "$(id -u)" -eq 0 ] || { echo "make demo must run as root" >&2; exit 1; }
for u in _trunkd_web _trunkd_db _trunkd_ast; do
	if ! getent passwd "$u" >/dev/null; then
		echo "demo: adding system user $u"
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin --user-group "$u"
	fi
done
mkdir -p "$rt"
chmod 0755 "$rt"
sh "$top/tests/mkruntime.sh" "$rt" "$obj/libexec" _trunkd_web _trunkd_db \
    _trunkd_ast "$port"

echo "demo: runtime tree in $rt (configuration: $rt/etc/trunkd.conf)"
"$obj/trunkd" -n -f "$rt/etc/trunkd.conf" >/dev/null
"$obj/trunkd" -d -f "$rt/etc/trunkd.conf" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' INT TERM
i=0
while [ $i -lt 50 ] && ! "$obj/trunkctl" -s "$rt/run/trunkd.sock" status \
    >/dev/null 2>&1; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
echo
"$obj/trunkctl" -s "$rt/run/trunkd.sock" status || true
cat <<MSG

trunkd is running in the foreground (pid $pid).
  status:  $obj/trunkctl -s $rt/run/trunkd.sock status
  reload:  $obj/trunkctl -s $rt/run/trunkd.sock reload
  console: https://127.0.0.1:$port/ (the web console arrives with webd's
           TLS front end; the socket is open and held by webd)
Press Ctrl-C to stop.
MSG
wait $pid
