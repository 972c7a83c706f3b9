#!/bin/sh
# The rc scripts: the systemd unit passes `systemd-analyze verify`, the
# shell scripts parse, and the FreeBSD script does what rc.subr asks of it
# when run against a small stand-in rc.subr.  The Debian init script runs
# for real in 92-install.t.
. "$(dirname "$0")/lib.sh"

rc=$TOP/rc
subst() {	# subst FILE: the paths filled in as `make install` does
	sed -e "s|@SBINDIR@|$TRUNKD_OBJ|g" -e "s|@SYSCONFDIR@|$RT/etc|g" "$1"
}

# --- systemd ---
mkdir -p "$RT/unit"
subst "$rc/trunkd.service" > "$RT/unit/trunkd.service"
out=$(systemd-analyze verify --man=no "$RT/unit/trunkd.service" 2>&1)
[ $? -eq 0 ] && [ -z "$out" ]
ok $? "systemd-analyze verify: the unit is clean"
[ -z "$out" ] || diag "$out"

# The check sees mistakes: a misspelt value is reported.
sed 's/^ProtectSystem=strict/ProtectSystem=strictly/' \
    "$RT/unit/trunkd.service" > "$RT/unit/bad.service"
systemd-analyze verify --man=no "$RT/unit/bad.service" 2>&1 |
    grep -q 'bad.service:[0-9]*: .*strictly'
ok $? "systemd-analyze verify reports a bad value"

unit() { sed -n "s/^$1=//p" "$rc/trunkd.service"; }
[ "$(unit Type)" = simple ] && unit ExecStart | grep -q ' -d '
ok $? "unit: Type=simple with trunkd -d in the foreground"
[ "$(unit NoNewPrivileges)" = yes ] && [ "$(unit ProtectSystem)" = strict ] &&
    [ "$(unit ProtectHome)" = yes ] && [ "$(unit PrivateTmp)" = yes ] &&
    [ "$(unit Restart)" = on-failure ]
ok $? "unit: NoNewPrivileges ProtectSystem=strict ProtectHome PrivateTmp Restart"
# The capabilities are the ones the code uses (see the unit's comment);
# 92-install.t starts trunkd with exactly this set.
caps=$(unit CapabilityBoundingSet | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$caps" = "CAP_DAC_READ_SEARCH CAP_KILL CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT " ]
ok $? "unit: bounding set limited to what the parent and fwd need"
[ "$(unit ExecReload)" = '/bin/kill -HUP $MAINPID' ]
ok $? "unit: reload sends SIGHUP"

# --- shell syntax ---
for f in trunkd.init trunkd.rc.freebsd; do
	sh -n "$rc/$f"; ok $? "sh -n $f"
done
# A script with a syntax error fails the same check.
printf 'case x in\n' > "$RT/broken.sh"
! sh -n "$RT/broken.sh" 2>/dev/null
ok $? "sh -n reports a syntax error"

# The LSB header insserv and update-rc.d read.
for h in 'Provides: *trunkd' 'Default-Start: *2 3 4 5' \
    'Default-Stop: *0 1 6' 'Required-Start:.*\$network'; do
	sed -n '/^### BEGIN INIT INFO/,/^### END INIT INFO/p' \
	    "$rc/trunkd.init" | grep -q "^# $h"
	ok $? "init script LSB header: $h"
done
grep -q '^\. /lib/lsb/init-functions' "$rc/trunkd.init" &&
    [ -r /lib/lsb/init-functions ]
ok $? "init script uses /lib/lsb/init-functions (sysvinit-utils)"

# --- FreeBSD rc.d against a stand-in rc.subr ---
# The real rc.subr does much more; this one checks the variables the script
# sets and runs its commands the way rc.subr would.
sh "$TOP/tests/mkruntime.sh" "$RT" "$TRUNKD_OBJ/libexec" \
    "$WEB_UID:$WEB_UID" "$DB_UID:$DB_UID" "$AST_UID:$AST_UID" >/dev/null
cat > "$RT/rc.subr" <<'EOF'
load_rc_config() { [ "$1" = "$name" ] || exit 90; . "$RC_CONF"; }
checkyesno() {
	eval "v=\$$1"
	case $v in [Yy][Ee][Ss]) return 0 ;; [Nn][Oo]) return 1 ;; esac
	echo "$1 is not set properly"; return 1
}
run_rc_command() {
	for v in name rcvar command command_args required_files; do
		eval "[ -n \"\$$v\" ]" || { echo "unset: $v"; exit 91; }
	done
	eval "rc_flags=\$${name}_flags"
	case $1 in
	start)
		checkyesno "$rcvar" || return 0
		for f in $required_files; do
			[ -r "$f" ] || { echo "missing $f"; return 1; }
		done
		$start_precmd || return 1
		echo "run: $command $rc_flags $command_args" ;;
	reload)
		$reload_precmd || return 1
		echo "signal: $sig_reload" ;;
	*)
		case " $extra_commands " in *" $1 "*) ;;
		*) echo "unknown: $1"; return 1 ;; esac
		eval "\$${1}_cmd" ;;
	esac
}
EOF
subst "$rc/trunkd.rc.freebsd" | sed "s|/etc/rc.subr|$RT/rc.subr|" \
    > "$RT/trunkd.rc"
RC_CONF=$RT/rc.conf; export RC_CONF
bsd() { sh "$RT/trunkd.rc" "$@" 2>&1; }

echo 'trunkd_enable="NO"' > "$RC_CONF"
[ -z "$(bsd start)" ]
ok $? "rc.d: trunkd_enable=NO starts nothing"

cat > "$RC_CONF" <<EOF
trunkd_enable="YES"
trunkd_config="$RT/etc/trunkd.conf"
trunkd_flags="-v"
EOF
out=$(bsd start)
echo "$out" | grep -qx "run: $TRUNKD_OBJ/trunkd -v -f $RT/etc/trunkd.conf"
ok $? "rc.d: start runs trunkd with trunkd_flags and -f trunkd_config"
[ -n "$out" ] && diag "$out"
bsd configtest >/dev/null
ok $? "rc.d: configtest passes a good configuration"
bsd reload | grep -qx 'signal: HUP'
ok $? "rc.d: reload checks the configuration, then sends SIGHUP"

echo 'web {' > "$RT/bad.conf"
chmod 0600 "$RT/bad.conf"
echo "trunkd_config=\"$RT/bad.conf\"" >> "$RC_CONF"
! bsd configtest >/dev/null
ok $? "rc.d: configtest fails a bad configuration"
! bsd start | grep -q '^run:'
ok $? "rc.d: start refuses a bad configuration"
! bsd reload | grep -q '^signal:'
ok $? "rc.d: reload refuses a bad configuration"
bsd frobnicate | grep -q '^unknown'
ok $? "rc.d: unknown commands are refused"

done_testing
