#!/bin/sh
# Clear errors: trunkctl without trunkd or without root; trunkd with a
# secret file open to others, a missing secret, or a chroot that others
# may write to; `trunkd -n` prints the configuration normalised.
. "$(dirname "$0")/lib.sh"

rt_setup || { echo "Bail out! runtime set-up failed"; exit 1; }
conf=$RT/etc/trunkd.conf

out=$(ctl status 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "trunkd is not running (no control socket at $RT/run/trunkd.sock)"
ok $? "trunkctl without trunkd: says trunkd is not running ($out)"

out=$(setpriv --reuid 65534 --regid 65534 --clear-groups \
    "$TRUNKD_OBJ/trunkctl" -s "$RT/run/trunkd.sock" status 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "must run as root"
ok $? "trunkctl as non-root: says it must run as root ($out)"

out=$("$TRUNKD_OBJ/trunkctl" -s "$RT/run/trunkd.sock" frobnicate 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'unknown command "frobnicate"'
ok $? "trunkctl with an unknown command says so"

out=$("$TRUNKD_OBJ/trunkd" -n -f "$conf" 2>&1); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "configuration OK" &&
    echo "$out" | grep -q "^web {"
ok $? "trunkd -n checks and prints the configuration"

chmod 0644 "$RT/etc/secrets/db.pass"
out=$(in_ns "$TRUNKD_OBJ/trunkd" -d -f "$conf" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "$RT/etc/secrets/db.pass: insecure permissions 0644"
ok $? "a secret readable by others is refused, naming the file"
chmod 0600 "$RT/etc/secrets/db.pass"

mv "$RT/etc/secrets/ami.secret" "$RT/ami.secret"
out=$(in_ns "$TRUNKD_OBJ/trunkd" -d -f "$conf" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "$RT/etc/secrets/ami.secret: No such file or directory"
ok $? "a missing secret is refused, naming the file"
mv "$RT/ami.secret" "$RT/etc/secrets/ami.secret"

chmod 0777 "$RT/chroot/web"
out=$(in_ns "$TRUNKD_OBJ/trunkd" -d -f "$conf" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "webd chroot $RT/chroot/web must be a directory owned by root"
ok $? "a chroot others may write to is refused"
chmod 0755 "$RT/chroot/web"

chmod 0644 "$conf"
out=$(in_ns "$TRUNKD_OBJ/trunkd" -d -f "$conf" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "insecure permissions 0644"
ok $? "a configuration readable by others is refused"
chmod 0600 "$conf"

# fwd alone in a network namespace of its own ("namespace" in firewall).
sed -i 's|^\ttable "trunkd"|\ttable "trunkd"\n\tnamespace "trunkd_fwns_'$$'"|' "$conf"
out=$(in_ns "$TRUNKD_OBJ/trunkd" -d -f "$conf" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'firewall namespace trunkd_fwns_[0-9]* (create it with "ip netns add'
ok $? "a firewall namespace that does not exist is refused, saying how to make it"
ip netns add "trunkd_fwns_$$"

start_trunkd
wait_started; ok $? "with everything right, trunkd starts"
fwd=$(child_pid fwd)
[ "$(stat -L -c %i "/proc/$fwd/ns/net")" = "$(stat -L -c %i "/run/netns/trunkd_fwns_$$")" ] &&
    [ "$(stat -L -c %i "/proc/$TRUNKD_PID/ns/net")" != "$(stat -L -c %i "/run/netns/trunkd_fwns_$$")" ]
ok $? "fwd runs in the firewall namespace, the parent does not"
kill -TERM "$TRUNKD_PID"; wait "$TRUNKD_PID"; TRUNKD_PID=
ip netns del "trunkd_fwns_$$"
done_testing
