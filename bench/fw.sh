#!/bin/sh
# bench/fw.sh: fwd's netlink path, in a network namespace of its own.
#  - bulk: 100,000 bans as one snapshot; fwd's own time for the batch
#    (plan: read the set back, diff, build; send; every ACK), against a
#    bare libnftnl loop building and sending the same batch (fw_bare),
#    and against one `nft add element` process per ban (as fail2ban does);
#  - one ban: fwd's time from the request to the netlink ACK, p50/p99
#    over 2,000 bans, and the round trip seen by the requester; against
#    one nft process per ban.
set -u
: "${TRUNKD_OBJ:=$(pwd)/obj}"
N=${FW_BENCH_N:-100000}
NFTN=${FW_BENCH_NFT:-300}
LATN=${FW_BENCH_LAT:-2000}
[ "$(id -u)" -eq 0 ] || { echo "bench/fw: needs root; skipped"; exit 0; }
NS=trunkd-bench-$$
T=$(mktemp -d /tmp/trunkd-bench.XXXXXX)
chmod 0755 "$T"
mkdir -m 0755 "$T/chroot"
trap 'exec 7>&- 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$T"' EXIT
ip netns add $NS && ip netns exec $NS ip link set lo up || exit 1
inns() { ip netns exec $NS "$@"; }
now_us() { python3 -c 'import time; print(int(time.monotonic() * 1e6))'; }

# --- fwd, driven by fwdrive ---
mkfifo "$T/in"
ip netns exec $NS "$TRUNKD_OBJ/tests/peers/fwdrive" \
    "$TRUNKD_OBJ/libexec/fwd" "$T/chroot" <"$T/in" >"$T/out" 2>&1 &
exec 7>"$T/in"
line=0
drv() {
	echo "$*" >&7
	line=$((line + 1))
	while ! grep -qx "done $line" "$T/out"; do
		kill -0 $! 2>/dev/null || { cat "$T/out"; exit 1; }
		sleep 0.05
	done
}
drv begin 1
drv bulk "$N" 100.64.0.0 3600
t0=$(now_us)
drv end
t1=$(now_us)
drv cmd show
fwd_us=$(sed -n 's/^out: last batch: \([0-9]*\) elements in \([0-9]*\) us/\2/p' \
    "$T/out" | tail -1)
e2e_us=$((t1 - t0))
drv lat "$LATN" 100.127.0.0 3600
drv cmd show
p50=$(sed -n 's/.*ban latency (request to ACK): p50 \([0-9]*\) us.*/\1/p' "$T/out" | tail -1)
p99=$(sed -n 's/.*ban latency (request to ACK): p50 [0-9]* us, p99 \([0-9]*\) us.*/\1/p' "$T/out" | tail -1)
rtt=$(grep '^latency n' "$T/out" | tail -1)
exec 7>&-
wait
inns nft delete table inet trunkd

# --- a bare libnftnl loop, the same batch ---
bare_us=$(inns "$TRUNKD_OBJ/bench/fw_bare" "$N" | awk '{ print $4 }')

# --- one nft process per ban ---
inns nft add table inet nftb
inns nft add set inet nftb ban4 '{ type ipv4_addr; flags timeout; }'
t0=$(now_us)
i=0
while [ $i -lt "$NFTN" ]; do
	inns nft add element inet nftb ban4 \
	    "{ 100.64.$((i / 256)).$((i % 256)) timeout 1h }"
	i=$((i + 1))
done
t1=$(now_us)
nft_us=$(( (t1 - t0) / NFTN ))

rate() { awk -v n="$1" -v us="$2" 'BEGIN { printf "%d", n * 1e6 / us }'; }
fwd_rate=$(rate "$N" "$fwd_us")
e2e_rate=$(rate "$N" "$e2e_us")
bare_rate=$(rate "$N" "$bare_us")
nft_rate=$(rate 1 "$nft_us")
echo "bulk, $N bans in one batch:"
echo "  fwd (plan + send + ACKs)     $fwd_us us  $fwd_rate bans/s"
echo "  fwd end to end (snapshot END to applied) $e2e_us us  $e2e_rate bans/s"
echo "  bare libnftnl loop           $bare_us us  $bare_rate bans/s"
echo "  one nft process per ban      $nft_us us each  $nft_rate bans/s"
echo "  fwd / bare: $(awk -v a=$fwd_rate -v b=$bare_rate 'BEGIN { printf "%.2f", a / b }')"
echo "one ban ($LATN in a row): fwd request to ACK p50 $p50 us, p99 $p99 us"
echo "  requester's round trip (imsg both ways): $rtt"
echo "  one nft process per ban: $nft_us us"
printf 'RESULT\tfw bulk bans/s (fwd batch)\t%s\tbans/s\tbare libnftnl loop\t%s\n' \
    "$fwd_rate" "$bare_rate"
printf 'RESULT\tfw bulk bans/s (fwd batch)\t%s\tbans/s\tnft process per ban\t%s\n' \
    "$fwd_rate" "$nft_rate"
printf 'RESULT\tfw bulk bans/s (snapshot end to end)\t%s\tbans/s\t\t\n' \
    "$e2e_rate"
printf 'RESULT\tfw one ban p50 (request to ACK)\t%s\tus\tnft process per ban\t%s\n' \
    "$p50" "$nft_us"
printf 'RESULT\tfw one ban p99 (request to ACK)\t%s\tus\tnft process per ban\t%s\n' \
    "$p99" "$nft_us"
