# Shared by the database tests (tests/integration/5x-db-*.t), after
# tests/integration/lib.sh: a private MariaDB (tests/db/mariadb.sh), a
# runtime tree pointing at it with the schema made by `trunkctl db init`,
# admins enrolled by `trunkctl admin add`, TOTP codes from oathtool, and
# dbd driven through its imsg interface by tests/peers/dbdrive.
#
#   db_setup                  server, runtime tree ($CONF), schema
#   admin_add NAME ROLE [TENANT]   enrol; fpr NAME / secret NAME
#   code NAME OFFSET          the code of the step now+OFFSET
#   code_next NAME            a code of a step NAME has not used yet
#   drive_start / drive_stop  dbd under dbdrive; events in $RT/events
#   call LINE                 one dbdrive command, its answer line
#   req OP ADMIN CODE JSON    call "req OP <fpr> CODE JSON"
#   status_of LINE, body_of LINE   the two halves of an answer
# The server is stopped on exit, whatever happens.

DBH="$TOP/tests/db/mariadb.sh"
CONF="$RT/rt/etc/trunkd.conf"
DRIVE_PID=

db_cleanup() {
	[ -n "$DRIVE_PID" ] && kill "$DRIVE_PID" 2>/dev/null
	sh "$DBH" stop "$RT/db" 2>/dev/null
	cleanup
}
trap db_cleanup EXIT INT TERM

db_setup() {
	sh "$DBH" start "$RT/db" >/dev/null || return 1
	. "$RT/db/env"
	DB_PORT=$DB_PORT DB_CA=$DB_CA DB_LOCKOUT=${DB_LOCKOUT:-900} \
	    sh "$TOP/tests/mkruntime.sh" "$RT/rt" "$TRUNKD_OBJ/libexec" \
	    "$WEB_UID:$WEB_UID" "$DB_UID:$DB_UID" "$AST_UID:$AST_UID" \
	    >/dev/null || return 1
	sh "$DBH" users "$RT/db" trunkd trunkd_owner \
	    "$RT/rt/etc/secrets/dbowner.pass" trunkd \
	    "$RT/rt/etc/secrets/db.pass" || return 1
	mkdir -p "$RT/admins"
	"$TRUNKD_OBJ/trunkctl" db init -f "$CONF" >"$RT/dbinit.out" 2>&1
}

admin_add() {	# NAME ROLE [TENANT]
	n=$1 r=$2
	if [ $# -ge 3 ]; then set -- --tenant "$3"; else set --; fi
	"$TRUNKD_OBJ/trunkctl" admin add -f "$CONF" "$n" --role "$r" "$@" \
	    >"$RT/admins/$n.out" 2>&1 || return 1
	sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p' "$RT/admins/$n.out" \
	    >"$RT/admins/$n.secret"
	openssl x509 -in "$(dirname "$CONF")/admins/$n.crt" -noout \
	    -fingerprint -sha256 | sed 's/.*=//; s/://g' >"$RT/admins/$n.fpr"
	[ -s "$RT/admins/$n.secret" ] && [ -s "$RT/admins/$n.fpr" ]
}

fpr() { cat "$RT/admins/$1.fpr"; }
secret() { cat "$RT/admins/$1.secret"; }

# Not within two seconds of a step's end: a code asked for now is still
# in the window when dbd checks it.
step_settle() {
	while [ $(( 30 - $(date +%s) % 30 )) -le 2 ]; do sleep 0.5; done
}

code() {	# NAME OFFSET
	oathtool --totp -b "$(secret "$1")" -N "@$(( $(date +%s) + 30 * $2 ))"
}

# The oldest step in the window that NAME has not used (dbd keeps the
# last one used): previous, current, next, then wait for a new step.
code_next() {
	u=$(cat "$RT/admins/$1.used" 2>/dev/null || echo 0)
	while :; do
		step_settle
		now=$(date +%s)
		s=$((now / 30 - 1))
		[ "$s" -le "$u" ] && s=$((u + 1))
		[ "$s" -le $((now / 30 + 1)) ] && break
		sleep 1
	done
	echo "$s" >"$RT/admins/$1.used"
	oathtool --totp -b "$(secret "$1")" -N "@$((s * 30))"
}

drive_start() {
	rm -f "$RT/drive.in" "$RT/drive.out"
	mkfifo "$RT/drive.in" "$RT/drive.out"
	"$TRUNKD_OBJ/tests/peers/dbdrive" -f "$CONF" -e "$RT/events" \
	    <"$RT/drive.in" >"$RT/drive.out" 2>>"$RT/drive.err" &
	DRIVE_PID=$!
	exec 7>"$RT/drive.in" 8<"$RT/drive.out"
}

drive_stop() {
	exec 7>&- 8<&-
	wait "$DRIVE_PID" 2>/dev/null
	DRIVE_PID=
}

call() {
	printf '%s\n' "$*" >&7
	IFS= read -r REPLY <&8 || REPLY="dbdrive gone"
	echo "$REPLY" >>"$RT/calls.log"
	echo "$REPLY"
}

req() {	# OP ADMIN CODE JSON
	op=$1 who=$2 c=$3
	shift 3
	call "req $op $(fpr "$who") $c $*"
}

status_of() { echo "${1%% *}"; }
body_of() { echo "${1#* }"; }
# jq on an answer's body: jqb ANSWER FILTER
jqb() { body_of "$1" | jq -r "$2"; }
