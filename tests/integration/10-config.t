#!/bin/sh
# The configuration parser against its golden cases (tests/config):
#   good/NAME.conf -> good/NAME.out, the normalised printout, which must
#                     also read back to the same configuration (conftest -r);
#   bad/NAME.conf  -> bad/NAME.err, the exact error output (a .err alone
#                     names a file that does not exist);
# then the sample etc/trunkd.conf, and the permission checks on the
# configuration and on secret files (root sets up the owners).  Run from
# tests/config so that the messages name files as "bad/NAME.conf".
. "$(dirname "$0")/lib.sh"

CONFTEST=$TRUNKD_OBJ/tests/config/conftest
[ -x "$CONFTEST" ] || skip_all "$CONFTEST not built (make check-build)"
cd "$TOP/tests/config" || exit 1

# show what differs, as TAP comments
diag_diff() { diff -u "$1" "$2" | sed 's/^/# /'; }

# expect NAME STATUS EXPECTED-STDOUT EXPECTED-STDERR CONFTEST-ARGS...
expect() {
	name=$1 want_rc=$2 want_out=$3 want_err=$4
	shift 4
	"$CONFTEST" "$@" >"$RT/out" 2>"$RT/err"
	rc=$?
	bad=0
	if [ "$rc" -ne "$want_rc" ]; then
		echo "# exit status $rc, expected $want_rc"
		bad=1
	fi
	for f in out err; do
		eval "want=\$want_$f"
		cmp -s "$want" "$RT/$f" || { diag_diff "$want" "$RT/$f"; bad=1; }
	done
	ok $bad "$name"
}

: >"$RT/empty"

for conf in good/*.conf; do
	expect "$conf prints as ${conf%.conf}.out and reads back the same" \
	    0 "${conf%.conf}.out" "$RT/empty" -r "$conf"
done

for err in bad/*.err; do
	expect "${err%.err}.conf fails with ${err}" \
	    1 "$RT/empty" "$err" "${err%.err}.conf"
done

orphans=
for conf in bad/*.conf; do
	[ -f "${conf%.conf}.err" ] || orphans="$orphans $conf"
done
[ -z "$orphans" ] && rc=0 || { echo "# no .err for:$orphans"; rc=1; }
ok $rc "every bad case has its .err"

# The documented sample parses (with numeric users: the test host has no
# _trunkd_* users), reads back the same, and shows every keyword in a
# statement or, for alternatives, in the comment beside one.
sed -e 's/user "_trunkd_web"/user 61001:61001/' \
    -e 's/user "_trunkd_db"/user 61002:61002/' \
    -e 's/user "_trunkd_ast"/user 61003:61003/' \
    "$TOP/etc/trunkd.conf" >"$RT/sample.conf"
"$CONFTEST" -r "$RT/sample.conf" >/dev/null 2>"$RT/err"
rc=$?
sed 's/^/# /' "$RT/err"
ok $rc "etc/trunkd.conf parses and reads back the same"

missing=
for kw in $(sed -n 's/^	{ "\([a-z0-9]*\)",.*T_[A-Z0-9]* },$/\1/p' \
    "$TOP/parent/parse.y"); do
	grep -v '^[[:space:]]*#' "$TOP/etc/trunkd.conf" | grep -qw -- "$kw" ||
	    missing="$missing $kw"
done
nkw=$(grep -c '^	{ "[a-z0-9]*",.*T_[A-Z0-9]* },$' "$TOP/parent/parse.y")
[ "$nkw" -gt 50 ] && [ -z "$missing" ] && rc=0 || rc=1
[ -z "$missing" ] || echo "# not used in etc/trunkd.conf:$missing"
ok $rc "etc/trunkd.conf uses each of the $nkw keywords"

# Permissions: the configuration (conftest -p) and secrets (conftest -s).
perm() {	# perm NAME OPTION FILE EXPECTED-MESSAGE (empty: success)
	if [ -z "$4" ]; then
		: >"$RT/want"
		want_rc=0
	else
		printf '%s\n' "$4" >"$RT/want"
		want_rc=1
	fi
	"$CONFTEST" "$2" "$3" >/dev/null 2>"$RT/got"
	rc=$?
	[ "$rc" -eq "$want_rc" ] && cmp -s "$RT/want" "$RT/got"
	st=$?
	[ $st -eq 0 ] || diag_diff "$RT/want" "$RT/got"
	ok $st "$1"
}
MUST="(must be owned by root and not accessible by group or others)"
cp good/minimal.conf "$RT/trunkd.conf"
chmod 0600 "$RT/trunkd.conf"
perm "a root-owned 0600 configuration is accepted" -p \
    "$RT/trunkd.conf" ""
chmod 0400 "$RT/trunkd.conf"
perm "a root-owned 0400 configuration is accepted" -p \
    "$RT/trunkd.conf" ""
chmod 0644 "$RT/trunkd.conf"
perm "a 0644 configuration is refused" -p "$RT/trunkd.conf" \
    "$RT/trunkd.conf: insecure permissions 0644 $MUST"
chmod 0604 "$RT/trunkd.conf"
perm "a 0604 configuration is refused" -p "$RT/trunkd.conf" \
    "$RT/trunkd.conf: insecure permissions 0604 $MUST"
chmod 0600 "$RT/trunkd.conf"
chown 65534 "$RT/trunkd.conf"
perm "a configuration not owned by root is refused" -p \
    "$RT/trunkd.conf" \
    "$RT/trunkd.conf: insecure owner uid 65534 $MUST"
perm "a directory is not a configuration" -p "$RT" \
    "$RT: not a regular file"

printf 'secret\n' >"$RT/secret"
chmod 0600 "$RT/secret"
perm "a root-owned 0600 secret is accepted" -s "$RT/secret" ""
chmod 0640 "$RT/secret"
perm "a 0640 secret is refused" -s "$RT/secret" \
    "$RT/secret: insecure permissions 0640 $MUST"
chmod 0600 "$RT/secret"
chown 65534:65534 "$RT/secret"
perm "a secret not owned by root is refused" -s "$RT/secret" \
    "$RT/secret: insecure owner uid 65534 $MUST"
perm "a missing secret is reported" -s "$RT/nonexistent" \
    "$RT/nonexistent: No such file or directory"
ln -s "$RT/nonexistent" "$RT/dangling"
perm "a dangling link to a secret is reported" -s "$RT/dangling" \
    "$RT/dangling: No such file or directory"

# Without -p the same 0644 file is read: the golden runs rely on that.
cp good/minimal.conf "$RT/open.conf"
chmod 0644 "$RT/open.conf"
"$CONFTEST" "$RT/open.conf" >"$RT/out" 2>&1
rc=$?
[ $rc -eq 0 ] && cmp -s "$RT/out" good/minimal.out
ok $? "without the permission check a 0644 file is read"

done_testing
