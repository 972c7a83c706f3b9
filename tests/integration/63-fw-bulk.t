#!/bin/sh
# 100,000 bans in one request (a snapshot of 98 chunks, applied at its
# end) go into the kernel as one batch, one ruleset generation; the set
# read back with `nft -j` holds exactly them.  A second snapshot that
# keeps half of them and brings 50,000 new is applied as one diff.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fwlib.sh"

command -v python3 >/dev/null || skip_all "needs python3"
ip netns add "$NS" && in_ns ip link set lo up ||
    { echo "Bail out! namespace"; exit 1; }
drv_start || { cat "$RT/drv"; echo "Bail out! fwdrive"; exit 1; }

# state: $st = "G B", generation and batches from firewall show (not in
# a subshell: drv counts its lines)
state() {
	drv cmd show
	st=$(grep 'out: table inet trunkd:' "$RT/drv" | tail -1 |
	    sed 's/.*generation \([0-9]*\), \([0-9]*\) batches.*/\1 \2/')
}
# matches FIRST N: the kernel's ban4 set is exactly N addresses from FIRST
matches() {
	in_ns nft -j list ruleset > "$RT/rs.json" || return 1
	python3 - "$RT/rs.json" "$1" "$2" <<'PY'
import ipaddress, json, sys
rs = json.load(open(sys.argv[1]))["nftables"]
first, n = ipaddress.ip_address(sys.argv[2]), int(sys.argv[3])
want = {str(first + i) for i in range(n)}
have = set()
for o in rs:
    s = o.get("set")
    if s and s["table"] == "trunkd" and s["name"] == "ban4":
        for e in s.get("elem", []):
            e = e["elem"] if isinstance(e, dict) and "elem" in e else e
            have.add(e["val"] if isinstance(e, dict) else e)
sys.exit(0 if have == want else 1)
PY
}

state; set -- $st; g0=$1 b0=$2
drv begin 1
drv bulk 100000 100.64.0.0 3600
drv end
grep -q 'log: snapshot 1 applied: .* 100000 bans' "$RT/drv"
ok $? "a snapshot with 100,000 bans is applied"
state; set -- $st; g1=$1 b1=$2
[ $((b1 - b0)) -eq 1 ] && [ $((g1 - g0)) -eq 1 ]
ok $? "in one batch, one ruleset generation ($g0 -> $g1, $b0 -> $b1 batches)"
grep 'out: last batch:' "$RT/drv" | tail -1 | grep -q 'last batch: 100000 elements'
ok $? "the batch carried the 100,000 elements"
matches 100.64.0.0 100000
ok $? "nft -j list ruleset: ban4 holds exactly the 100,000 addresses"
in_ns nft -j list set inet trunkd ban4 | python3 -c '
import json, sys
s = json.load(sys.stdin)["nftables"][1]["set"]
e = s["elem"][0]["elem"]
sys.exit(0 if e["timeout"] == 3600 and 3500 < e["expires"] <= 3600 else 1)'
ok $? "... each with its timeout and remaining time"

drv begin 2
drv bulk 100000 100.64.195.80 3600
drv end
state; set -- $st; g2=$1 b2=$2
[ $((b2 - b1)) -eq 1 ] && [ $((g2 - g1)) -eq 1 ]
ok $? "a half-new snapshot is one batch as well"
grep 'out: last batch:' "$RT/drv" | tail -1 | grep -q 'last batch: 100000 elements'
ok $? "... of 50,000 removals and 50,000 additions"
matches 100.64.195.80 100000
ok $? "nft -j list ruleset: ban4 holds exactly the new snapshot's bans"

drv begin 3
drv nobans
drv end
in_ns nft list set inet trunkd ban4 | grep -q 'elements'
[ $? -ne 0 ]; ok $? "a snapshot with an empty ban chunk removes every ban"

drv_stop
[ $tap_failed -eq 0 ] || grep -v '^done' "$RT/drv" | sed 's/^/# /'
done_testing
