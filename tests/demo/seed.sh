#!/bin/sh
# seed.sh OBJDIR CONF RUNTIME: load tests/demo/sample.req through dbd
# (tests/peers/dbdrive plays the parent), every change with a TOTP code
# like an admin's.  dbd accepts each TOTP step once per admin, so a few
# loader admins share the work and are revoked afterwards.
set -eu
obj=$1 conf=$2 rt=$3
here=$(cd "$(dirname "$0")" && pwd)
admins=$(dirname "$conf")/admins
work=$rt/seed
mkdir -p "$work"
grep -v '^#' "$here/sample.req" | grep . > "$work/requests"
n=$(wc -l < "$work/requests")
loaders=$(( (n + 2) / 3 ))
i=1
while [ $i -le $loaders ]; do
	"$obj/trunkctl" admin add -f "$conf" "demo-loader-$i" \
	    --role superadmin > "$work/loader-$i.txt"
	i=$((i + 1))
done
# Not in a step's last seconds: the next step's code stays valid.
while [ $(( 30 - $(date +%s) % 30 )) -le 3 ]; do sleep 1; done
now=$(( $(date +%s) / 30 ))
k=0
while read -r op json; do
	l=$(( k / 3 + 1 )) off=$(( k % 3 - 1 ))
	sec=$(sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p' \
	    "$work/loader-$l.txt")
	fpr=$(openssl x509 -in "$admins/demo-loader-$l.crt" -noout \
	    -fingerprint -sha256 | sed 's/.*=//; s/://g')
	code=$(oathtool --totp -b "$sec" -N "@$(( (now + off) * 30 ))")
	echo "req $op $fpr $code $json"
	k=$((k + 1))
done < "$work/requests" > "$work/lines"
"$obj/tests/peers/dbdrive" -f "$conf" -e "$work/events" \
    < "$work/lines" > "$work/answers" 2> "$work/errors" || true
i=1
while [ $i -le $loaders ]; do
	"$obj/trunkctl" admin revoke -f "$conf" "demo-loader-$i" >/dev/null
	i=$((i + 1))
done
bad=$(grep -vc '^DB_OK ' "$work/answers" || true)
if [ "$(wc -l < "$work/answers")" -ne "$n" ] || [ "$bad" -ne 0 ]; then
	echo "demo: loading the sample data failed:" >&2
	cat "$work/answers" "$work/errors" >&2
	exit 1
fi
echo "demo: sample data loaded ($n changes: 2 tenants, 3 trunks, 1 carrier)"
