#!/bin/sh
# The configuration parser against its golden cases (tests/config):
#   good/NAME.conf -> good/NAME.out, the normalised printout, which must
#                     also read back to the same configuration (conftest -r);
#   bad/NAME.conf  -> bad/NAME.err, the exact error output (a .err alone
#                     names a file that does not exist);
# then the sample etc/trunkd.conf, and the permission checks on the
# configuration and on secret files.  Run from tests/config so that the
# messages name files as "bad/NAME.conf".

TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${TRUNKD_OBJ:=$TOP/obj}"
CONFTEST=$TRUNKD_OBJ/tests/config/conftest

if [ ! -x "$CONFTEST" ]; then
	echo "1..0 # SKIP $CONFTEST not built (make check-build)"
	exit 0
fi
TMP=$(mktemp -d /tmp/trunkd-conf.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
cd "$TOP/tests/config" || exit 1

n=0
failed=0
ok() {	# ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
# show what differs, as TAP comments
diag_diff() { diff -u "$1" "$2" | sed 's/^/# /'; }

# expect NAME STATUS EXPECTED-STDOUT EXPECTED-STDERR CONFTEST-ARGS...
expect() {
	name=$1 want_rc=$2 want_out=$3 want_err=$4
	shift 4
	"$CONFTEST" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	bad=0
	if [ "$rc" -ne "$want_rc" ]; then
		echo "# exit status $rc, expected $want_rc"
		bad=1
	fi
	cmp -s "$want_out" "$TMP/out" || { diag_diff "$want_out" "$TMP/out"; bad=1; }
	cmp -s "$want_err" "$TMP/err" || { diag_diff "$want_err" "$TMP/err"; bad=1; }
	ok $bad "$name"
}

: >"$TMP/empty"
ngood=$(ls good/*.conf | wc -l)
nbad=$(ls bad/*.err | wc -l)
echo "1..$((ngood + nbad + 15))"

for conf in good/*.conf; do
	expect "$conf prints as ${conf%.conf}.out and reads back the same" \
	    0 "${conf%.conf}.out" "$TMP/empty" -r "$conf"
done

for err in bad/*.err; do
	expect "${err%.err}.conf fails with ${err}" \
	    1 "$TMP/empty" "$err" "${err%.err}.conf"
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
    "$TOP/etc/trunkd.conf" >"$TMP/sample.conf"
"$CONFTEST" -r "$TMP/sample.conf" >/dev/null 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/err"
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
# Ownership needs root to arrange; the mode checks need root to pass.
perm() {	# perm NAME OPTION FILE EXPECTED-MESSAGE (empty: success)
	if [ -z "$4" ]; then
		: >"$TMP/want"
		want_rc=0
	else
		printf '%s\n' "$4" >"$TMP/want"
		want_rc=1
	fi
	"$CONFTEST" "$2" "$3" >/dev/null 2>"$TMP/got"
	rc=$?
	[ "$rc" -eq "$want_rc" ] && cmp -s "$TMP/want" "$TMP/got"
	st=$?
	[ $st -eq 0 ] || diag_diff "$TMP/want" "$TMP/got"
	ok $st "$1"
}
MUST="(must be owned by root and not accessible by group or others)"
if [ "$(id -u)" -ne 0 ]; then
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		n=$((n + 1))
		echo "ok $n # SKIP permission checks need root"
	done
else
	cp good/minimal.conf "$TMP/trunkd.conf"
	chmod 0600 "$TMP/trunkd.conf"
	perm "a root-owned 0600 configuration is accepted" -p \
	    "$TMP/trunkd.conf" ""
	chmod 0400 "$TMP/trunkd.conf"
	perm "a root-owned 0400 configuration is accepted" -p \
	    "$TMP/trunkd.conf" ""
	chmod 0644 "$TMP/trunkd.conf"
	perm "a 0644 configuration is refused" -p "$TMP/trunkd.conf" \
	    "$TMP/trunkd.conf: insecure permissions 0644 $MUST"
	chmod 0604 "$TMP/trunkd.conf"
	perm "a 0604 configuration is refused" -p "$TMP/trunkd.conf" \
	    "$TMP/trunkd.conf: insecure permissions 0604 $MUST"
	chmod 0600 "$TMP/trunkd.conf"
	chown 65534 "$TMP/trunkd.conf"
	perm "a configuration not owned by root is refused" -p \
	    "$TMP/trunkd.conf" \
	    "$TMP/trunkd.conf: insecure owner uid 65534 $MUST"
	perm "a directory is not a configuration" -p "$TMP" \
	    "$TMP: not a regular file"

	printf 'secret\n' >"$TMP/secret"
	chmod 0600 "$TMP/secret"
	perm "a root-owned 0600 secret is accepted" -s "$TMP/secret" ""
	chmod 0640 "$TMP/secret"
	perm "a 0640 secret is refused" -s "$TMP/secret" \
	    "$TMP/secret: insecure permissions 0640 $MUST"
	chmod 0600 "$TMP/secret"
	chown 65534:65534 "$TMP/secret"
	perm "a secret not owned by root is refused" -s "$TMP/secret" \
	    "$TMP/secret: insecure owner uid 65534 $MUST"
	perm "a missing secret is reported" -s "$TMP/nonexistent" \
	    "$TMP/nonexistent: No such file or directory"
	ln -s "$TMP/nonexistent" "$TMP/dangling"
	perm "a dangling link to a secret is reported" -s "$TMP/dangling" \
	    "$TMP/dangling: No such file or directory"
fi

# Without -p the same 0644 file is read: the golden runs rely on that.
cp good/minimal.conf "$TMP/open.conf"
chmod 0644 "$TMP/open.conf"
"$CONFTEST" "$TMP/open.conf" >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 0 ] && cmp -s "$TMP/out" good/minimal.out
ok $? "without the permission check a 0644 file is read"

exit $((failed > 0))
