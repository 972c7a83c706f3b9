#!/bin/sh
# dbd through its imsg interface, against a private MariaDB over TLS:
# trunk-create (each with its own TOTP code: one step per admin and code,
# so many admins) and trunk-list (a page of 50, networks and DIDs
# included) operations per second.  Figures, not a test.  The trunk list
# also in dbdrive's own loop (8 requests in flight, no shell per answer):
# each request a new one (MariaDB every time), and one page again and
# again (dbd's answer cache).
set -u
: "${TRUNKD_OBJ:=$(pwd)/obj}"
TOP=$(cd "$(dirname "$0")/.." && pwd)
ADMINS=${DB_BENCH_ADMINS:-60}
LISTS=${DB_BENCH_LISTS:-500}
RUNS=${DB_BENCH_RUNS:-2000}
HITS=${DB_BENCH_HITS:-20000}
WEB_UID=61001 DB_UID=61002 AST_UID=61004
[ "$(id -u)" -eq 0 ] || { echo "bench/db: needs root"; exit 0; }
command -v mariadbd >/dev/null || { echo "bench/db: no mariadbd"; exit 0; }
RT=$(mktemp -d /tmp/trunkd-bench.XXXXXX)
chmod 0755 "$RT"
cleanup() { rm -rf "$RT"; }
. "$TOP/tests/db/lib.sh"

db_setup || { echo "bench/db: database set-up failed"; exit 1; }
admin_add boss superadmin
i=1
while [ $i -le "$ADMINS" ]; do
	admin_add "a$i" superadmin || exit 1
	i=$((i + 1))
done
drive_start
call expect FW_SYNC_END 15 >/dev/null
r=$(req TENANT_CREATE boss "$(code_next boss)" '{"name":"bench","max_trunks":10000,"max_channels":100,"allowed_prefixes":[],"max_call_seconds":3600}')
T=$(jqb "$r" .id)

# Every code of the batch must stay in the window: start early in a step.
while [ $(( 30 - $(date +%s) % 30 )) -lt 20 ]; do sleep 1; done
now=$(date +%s)
n=0
: >"$RT/batch"
for off in -1 0 1; do
	i=1
	while [ $i -le "$ADMINS" ]; do
		c=$(oathtool --totp -b "$(secret "a$i")" -N "@$((now + 30 * off))")
		n=$((n + 1))
		o1=$((n / 256)) o2=$((n % 256))
		printf 'req TRUNK_CREATE %s %s {"tenant_id":%s,"name":"b%d","auth":"ip","transport":"udp","codecs":["alaw"],"max_channels":10,"enabled":true,"callerid_policy":"any","networks":["10.%d.%d.0/24"],"dids":["+49301%06d"]}\n' \
		    "$(fpr "a$i")" "$c" "$T" "$n" "$o1" "$o2" "$n" >>"$RT/batch"
		i=$((i + 1))
	done
done
# The whole batch is written while the answers are read: no shell
# round trip per request in the figure.
batch() {	# FILE COUNT OUT: ms for COUNT requests
	b0=$(call clock)
	cat "$1" >&7 &
	k=0
	while [ $k -lt "$2" ] && IFS= read -r a <&8; do
		echo "$a"
		k=$((k + 1))
	done >"$3"
	wait $!
	b1=$(call clock)
	echo $((b1 - b0))
}
ms_create=$(batch "$RT/batch" "$n" "$RT/creates")
okc=$(grep -c '^DB_OK' "$RT/creates")
echo "trunk-create: $okc of $n accepted in $ms_create ms"

F=$(fpr boss)
i=0
while [ $i -lt "$LISTS" ]; do
	echo "req TRUNK_LIST $F - {\"per_page\":50,\"page\":$((i % 3 + 1))}"
	i=$((i + 1))
done >"$RT/listbatch"
ms_list=$(batch "$RT/listbatch" "$LISTS" "$RT/lists")
okl=$(grep -c '^DB_OK' "$RT/lists")
echo "trunk-list: $okl of $LISTS pages of 50 trunks in $ms_list ms"
# Leading blanks make each request new to the cache (PAD 1).
P='{"per_page":50,"page":1}'
set -- $(call bench "$RUNS" 8 1 TRUNK_LIST "$F" "$P")
okm=${2:-0} ms_miss=${3:-0}
echo "trunk-list, every request new: $okm of $RUNS in $ms_miss ms"
set -- $(call bench "$HITS" 8 0 TRUNK_LIST "$F" "$P")
okh=${2:-0} ms_hit=${3:-0}
echo "trunk-list, the same page: $okh of $HITS in $ms_hit ms"
call status
drive_stop

rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", (ms > 0) ? n * 1000 / ms : 0 }'; }
printf 'RESULT\tdbd trunk-create (TOTP, audit, MariaDB TLS)\t%s\tops/s\t\t\n' \
    "$(rate "$okc" "$ms_create")"
printf 'RESULT\tdbd trunk-list (50 per page)\t%s\tops/s\t\t\n' \
    "$(rate "$okl" "$ms_list")"
printf 'RESULT\tdbd trunk-list, 8 in flight, each new\t%s\tops/s\t\t\n' \
    "$(rate "$okm" "$ms_miss")"
printf 'RESULT\tdbd trunk-list, 8 in flight, cached\t%s\tops/s\teach new\t%s\n' \
    "$(rate "$okh" "$ms_hit")" "$(rate "$okm" "$ms_miss")"
