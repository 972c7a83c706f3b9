#!/bin/sh
# `make install` into a DESTDIR, then the installed tree used the way an
# operator uses it, inside a network namespace and a private mount
# namespace in which the tree is /usr/local, /etc is a copy of the host's
# with the installed files added, and /var/lib and /run are empty:
# `trunkctl setup` prepares the installed sample configuration (adding
# users to the private /etc only), the Debian init script starts, reloads
# and stops the installed trunkd, and trunkd runs as the systemd unit
# would run it (its capability bounding set, no new privileges).
. "$(dirname "$0")/lib.sh"

stage=$RT/stage
root=$RT/root
conf=/etc/trunkd/test.conf	# inside the private namespace
users="_tdt_web _tdt_db _tdt_ast"

# --- install ---
# -o all: install what `make check` built, build nothing.
# ok_or_show RC DESCRIPTION FILE: the file is shown when the test failed.
ok_or_show() { ok "$1" "$2"; [ "$1" -eq 0 ] || diag "$(cat "$3")"; }

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory \
    -o all install DESTDIR="$stage" O="$TRUNKD_OBJ" > "$RT/install.log" 2>&1
ok_or_show $? "make install DESTDIR=$stage" "$RT/install.log"

bad=
for f in usr/local/sbin/trunkd:755 usr/local/sbin/trunkctl:755 \
    usr/local/libexec/trunkd/webd:755 usr/local/libexec/trunkd/dbd:755 \
    usr/local/libexec/trunkd/fwd:755 usr/local/libexec/trunkd/astd:755 \
    usr/local/share/man/man8/trunkd.8:644 \
    usr/local/share/man/man8/trunkctl.8:644 \
    usr/local/share/man/man5/trunkd.conf.5:644 \
    etc/trunkd/trunkd.conf.sample:600 \
    usr/local/lib/systemd/system/trunkd.service:644 \
    etc/init.d/trunkd:755 usr/local/share/trunkd/freebsd/trunkd:755; do
	[ "$(stat -c %a "$stage/${f%:*}" 2>/dev/null)" = "${f#*:}" ] ||
	    bad="$bad ${f%:*}"
done
[ -z "$bad" ]; ok $? "installed: programs, man pages, sample, rc scripts"
[ -z "$bad" ] || diag "missing or wrong mode:$bad"
unit=$stage/usr/local/lib/systemd/system/trunkd.service
! grep -q '@[A-Z]*@' "$unit" "$stage/etc/init.d/trunkd" \
    "$stage/usr/local/share/trunkd/freebsd/trunkd"
ok $? "rc scripts: every path filled in"
grep -qx 'ExecStart=/usr/local/sbin/trunkd -d -f /etc/trunkd/trunkd.conf' \
    "$unit" && grep -qx 'DAEMON=/usr/local/sbin/trunkd' \
    "$stage/etc/init.d/trunkd"
ok $? "rc scripts: the installed trunkd and /etc/trunkd/trunkd.conf"

# --- the private system ---
host_had_varlib=$([ -e /var/lib/trunkd ] && echo yes)
mkdir -p "$root" && cp -a /etc "$root/"
cp -a "$stage/etc/." "$root/etc/"
mkdir -p "$root/run" "$root/varlib"
ip netns add "$NS" && in_ns ip link set lo up
# priv COMMAND...: in the namespaces; each call mounts the same tree.
priv() {
	ip netns exec "$NS" unshare --mount sh -c '
	    mount --bind "$1/etc" /etc && mount --bind "$1/run" /run &&
	    mount --bind "$1/varlib" /var/lib &&
	    mount --bind "$2/usr/local" /usr/local && shift 2 &&
	    exec "$@"' sh "$root" "$stage" "$@"
}
priv test -x /usr/local/sbin/trunkd -a -f /etc/init.d/trunkd
ok $? "private namespace: the installed tree in place"

# The installed sample, with test users.
sed -e 's/"_trunkd_\(web\|db\|ast\)"/"_tdt_\1"/' \
    "$root/etc/trunkd/trunkd.conf.sample" > "$root$conf"
chmod 0600 "$root$conf"

# --- trunkctl setup ---
priv /usr/local/sbin/trunkctl setup -f "$conf" > "$RT/setup.out" 2>&1
ok_or_show $? "trunkctl setup -f $conf" "$RT/setup.out"
for u in $users; do
	priv getent passwd "$u" | grep -q ':/usr/sbin/nologin$'
	ok $? "setup: system user $u added, no shell"
	! getent passwd "$u" >/dev/null; ok $? "the host has no user $u"
done
for d in web db fw asterisk; do
	[ "$(stat -c '%U %G %a' "$root/varlib/trunkd/$d" 2>/dev/null)" = \
	    "root root 755" ]
	ok $? "setup: chroot /var/lib/trunkd/$d, root, 0755"
done
[ "$(priv stat -c '%U %a' /var/lib/trunkd/asterisk/conf 2>/dev/null)" = \
    "_tdt_ast 2750" ]
ok $? "setup: astd's output directory, its user's, set-group-ID, 2750"
for s in csrf.key data.key db.pass dbowner.pass ami.secret; do
	f=$root/etc/trunkd/secrets/$s
	[ "$(stat -c '%U %a %s' "$f" 2>/dev/null)" = "root 600 64" ] &&
	    grep -qx '[0-9a-f]\{64\}' "$f"
	ok $? "setup: secret $s, root, 0600, 32 random bytes in hex"
done
[ "$(for f in "$root"/etc/trunkd/secrets/*; do cat "$f"; echo; done |
    sort -u | wc -l)" -eq 5 ]
ok $? "setup: every secret is different"
openssl x509 -in "$root/etc/trunkd/tls/server.crt" -noout -text \
    > "$RT/cert.txt" 2>&1 &&
    grep -q 'ecdsa-with-SHA384' "$RT/cert.txt" &&
    grep -q 'NIST CURVE: P-384' "$RT/cert.txt" &&
    grep -q 'IP Address:127.0.0.1' "$RT/cert.txt" &&
    [ "$(stat -c %a "$root/etc/trunkd/tls/server.key")" = 600 ]
ok $? "setup: self-signed P-384 server certificate, key root-only"
for w in "CREATE USER 'trunkd'@'127.0.0.1'" \
    "GRANT ALL PRIVILEGES ON trunkd.\\* TO 'trunkd_owner'@'127.0.0.1'" \
    'trunkctl db init' 'trunkctl ca init' \
    'permit = 127.0.0.1/255.255.255.255' \
    '#include "/var/lib/trunkd/asterisk/conf/pjsip_trunkd.conf"' \
    'is self-signed'; do
	grep -q "$w" "$RT/setup.out"; ok $? "setup says: $w"
done
! grep -q "$(cat "$root/etc/trunkd/secrets/db.pass")" "$RT/setup.out"
ok $? "setup prints no secret"

cp -p "$root/etc/trunkd/secrets/csrf.key" "$RT/csrf.before"
priv /usr/local/sbin/trunkctl setup -f "$conf" > "$RT/setup2.out" 2>&1 &&
    cmp -s "$RT/csrf.before" "$root/etc/trunkd/secrets/csrf.key" &&
    ! grep -q '^created\|^added' "$RT/setup2.out"
ok $? "setup again: nothing changed, nothing overwritten"
chmod 0644 "$root/etc/trunkd/secrets/ami.secret"
! priv /usr/local/sbin/trunkctl setup -f "$conf" > "$RT/setup3.out" 2>&1 &&
    grep -q 'ami.secret.*insecure' "$RT/setup3.out"
ok $? "setup refuses a secret open to others"
chmod 0600 "$root/etc/trunkd/secrets/ami.secret"

# What setup leaves to the operator: the admin CA and its CRL, and the
# database server's CA (here any CA certificate will do).
priv /usr/local/sbin/trunkctl ca init -f "$conf" > "$RT/ca.out" 2>&1
ok_or_show $? "trunkctl ca init" "$RT/ca.out"
cp "$root/etc/trunkd/ca/ca.crt" "$root/etc/trunkd/db-ca.pem"
priv /usr/local/sbin/trunkd -n -f "$conf" >/dev/null 2>&1
ok $? "the installed trunkd accepts the prepared configuration"

# --- the Debian init script, for real ---
echo "CONFIG=$conf" > "$root/etc/default/trunkd"
init() { priv env _SYSTEMCTL_SKIP_REDIRECT=1 /etc/init.d/trunkd "$@"; }
# Whatever runs the installed trunkd is stopped, whichever test failed.
trap 'init stop >/dev/null 2>&1; cleanup' EXIT INT TERM
row() {	# row PROCESS FIELD: from the installed trunkctl's status
	priv /usr/local/sbin/trunkctl status 2>/dev/null |
	    awk -v p="$1" -v f="$2" '$1 == p { print $f }'
}
gone() {	# gone PID...
	for p; do ! kill -0 "$p" 2>/dev/null || return 1; done
}
all_up() {
	for p in parent webd dbd fwd astd; do
		[ -n "$(row $p 2)" ] || return 1
	done
}

init start > "$RT/init.out" 2>&1
ok_or_show $? "init script: start" "$RT/init.out"
wait_for 10 all_up
ok $? "init script: trunkd and its four children run"
TRUNKD_PID=$(row parent 2)	# for the cleanup, should a test fail
diag "$(priv /usr/local/sbin/trunkctl status 2>&1)"
init status > "$RT/init.out" 2>&1
ok_or_show $? "init script: status says running" "$RT/init.out"

in1=$(row webd 9)
init reload > "$RT/init.out" 2>&1
ok_or_show $? "init script: reload" "$RT/init.out"
sleep 1
in2=$(row webd 9)
# A status request is one message; the configuration is several.
[ -n "$in1" ] && [ -n "$in2" ] && [ $((in2 - in1)) -gt 3 ] &&
    [ "$(row parent 2)" = "$TRUNKD_PID" ]
ok $? "reload: webd got its configuration again ($in1 -> $in2 messages)"

cp "$root$conf" "$RT/conf.good"
echo 'nonsense' >> "$root$conf"
! init reload > "$RT/init.out" 2>&1 && [ "$(row parent 2)" = "$TRUNKD_PID" ]
ok $? "init script: reload with a bad configuration fails, trunkd stays"
! init restart > "$RT/init.out" 2>&1 && [ "$(row parent 2)" = "$TRUNKD_PID" ]
ok $? "init script: restart with a bad configuration keeps trunkd running"
cp "$RT/conf.good" "$root$conf"

children="$(row webd 2) $(row dbd 2) $(row fwd 2) $(row astd 2)"
init stop > "$RT/init.out" 2>&1
ok_or_show $? "init script: stop" "$RT/init.out"
wait_for 3 gone $TRUNKD_PID $children
ok $? "stop: trunkd and its children are gone"
init status > /dev/null 2>&1
[ $? -eq 3 ]; ok $? "init script: status says not running (3)"
init stop > /dev/null 2>&1
ok $? "init script: stopping a stopped trunkd succeeds"

# --- as the systemd unit runs it ---
priv systemd-analyze verify --man=no \
    /usr/local/lib/systemd/system/trunkd.service > "$RT/verify.out" 2>&1 &&
    [ ! -s "$RT/verify.out" ]
ok_or_show $? "systemd-analyze verify: the installed unit" "$RT/verify.out"

cp "$root$conf" "$root/etc/trunkd/trunkd.conf"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
bset=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z ' 'a-z,' |
    sed 's/cap_/+/g')
# run_unit BOUNDING-SET LOG: trunkd as ExecStart, in the background.
run_unit() {
	priv setpriv --bounding-set "-all,$1" --no-new-privs $exec_start \
	    > "$2" 2>&1 &
	unit_job=$!
}
run_unit "$bset" "$RT/unit.log"
wait_for 10 grep -q 'all processes configured' "$RT/unit.log"
ok_or_show $? "with the unit's bounding set and no new privileges: starts" \
    "$RT/unit.log"
TRUNKD_PID=$(row parent 2)
want=0
for c in $(sed -n 's/^CapabilityBoundingSet=//p' "$unit"); do
	n=$(awk -v c="$c" '$1 == "#define" && $2 == c { print $3 }' \
	    /usr/include/linux/capability.h)
	want=$((want | (1 << n)))
done
[ "$(awk '$1 == "CapBnd:" { print $2 }' /proc/$TRUNKD_PID/status)" = \
    "$(printf %016x $want)" ] &&
    [ "$(awk '$1 == "NoNewPrivs:" { print $2 }' /proc/$TRUNKD_PID/status)" = 1 ]
ok $? "the parent runs with exactly that bounding set, NoNewPrivs 1"
fwd=$(row fwd 2)
[ -n "$fwd" ] && [ "$(awk '$1 == "CapEff:" { print $2 }' /proc/$fwd/status)" = \
    0000000000001000 ]
ok $? "fwd keeps CAP_NET_ADMIN under it"
kill -TERM "$TRUNKD_PID"; wait $unit_job
ok $? "SIGTERM (systemctl stop): trunkd exits 0"

# The set is not decoration: without any one of these a child cannot
# start or lock down, and trunkd fails closed.  (CAP_KILL and
# CAP_NET_BIND_SERVICE are needed only for a child that hangs and for a
# port below 1024.)
for c in setuid setgid sys_chroot setpcap net_admin dac_read_search; do
	run_unit "$(echo "$bset" | sed "s/,+$c,/,/; s/^+$c,//; s/,+$c\$//")" \
	    "$RT/unit-$c.log"
	wait $unit_job
	# Whichever child notices first, the parent says it stopped on a
	# failure (or the start-up itself failed).
	[ $? -ne 0 ] && grep -qE 'failed|after a failure' "$RT/unit-$c.log"
	ok_or_show $? "without cap_$c trunkd fails closed" "$RT/unit-$c.log"
done
TRUNKD_PID=

# --- the host is as it was ---
bad=
for u in $users; do grep -q "^$u:" /etc/passwd && bad="$bad $u"; done
[ -n "$host_had_varlib" ] || [ ! -e /var/lib/trunkd ] || bad="$bad /var/lib/trunkd"
[ -z "$bad" ]; ok $? "the host's /etc and /var/lib are untouched"
[ -z "$bad" ] || diag "on the host:$bad"

done_testing
