#!/bin/sh
# bench/ami.sh: a burst of 2,000 distinct attackers (5 events each) from
# the AMI peer over TCP to a real, sandboxed astd; for each attacker, the
# time from the peer sending its 5th event to astd's FW_BAN reaching its
# parent (AMI, parser, AutoBan, imsg: everything up to fwd), p50 / p99 /
# all.  Then fail2ban on the same 10,000 lines, if it is installed.
# Run by `make bench`; needs root (a network namespace).  Prints figures.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${TRUNKD_OBJ:=$TOP/obj}"
[ "$(id -u)" -eq 0 ] || { echo "ami.sh: needs root, skipped"; exit 0; }
B=$(mktemp -d /tmp/trunkd-bench.XXXXXX)
NS="trunkd-bench-$$"
chmod 0755 "$B"
PEER= PARENT=
done_() {
	exec 7>&- 2>/dev/null
	[ -n "$PARENT" ] && kill "$PARENT" 2>/dev/null
	[ -n "$PEER" ] && kill "$PEER" 2>/dev/null
	sleep 0.2
	ip netns del "$NS" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$B"
}
trap done_ EXIT INT TERM
ip netns add "$NS" && ip netns exec "$NS" ip link set lo up
mkdir -p "$B/chroot" && chmod 0755 "$B/chroot"
openssl rand -hex 16 >"$B/secret"

(exec ip netns exec "$NS" python3 "$TOP/tests/peers/ami_peer.py" \
    --secret "$B/secret" --pjsip "$B/chroot/conf/pjsip_trunkd.conf" \
    --control "$B/ctl" >"$B/peer.log" 2>&1) &
PEER=$!
mkfifo "$B/in"
sleep 0.5
(exec ip netns exec "$NS" "$TRUNKD_OBJ/tests/peers/astd_parent" -T \
    -x "$TRUNKD_OBJ/libexec/astd" -c "$B/chroot" -u 61004 -g 61004 \
    -s "$B/secret" <"$B/in" >"$B/out" 2>&1) &
PARENT=$!
exec 7>"$B/in"
n=0
while ! grep -q 'AMI: connected' "$B/out" && [ $n -lt 50 ]; do
	sleep 0.1; n=$((n + 1))
done

python3 - "$B/events" "$B/f2b.log" <<'PY'
import sys
ev, log = open(sys.argv[1], "w"), open(sys.argv[2], "w")
for k in range(5):
    for i in range(2000):
        a = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        ev.write("Event: ChallengeResponseFailed\nPrivilege: security,all\n"
                 "Severity: Error\nService: PJSIP\nEventVersion: 1\n"
                 "AccountID: 100\nSessionID: %d-%d\n"
                 "LocalAddress: IPV4/UDP/192.0.2.1/5060\n"
                 "RemoteAddress: IPV4/UDP/%s/5060\n\n" % (i, k, a))
        log.write('[2024-05-01 10:00:00] SECURITY[1] res_security_log.c: '
                  'SecurityEvent="ChallengeResponseFailed",'
                  'RemoteAddress="IPV4/UDP/%s/5060"\n' % a)
PY
python3 "$TOP/tests/peers/ami_peer.py" --control "$B/ctl" \
    --send "emit-timed $B/events $B/sent" >/dev/null
n=0
while [ "$(grep -c 'FW_BAN' "$B/out")" -lt 2000 ] && [ $n -lt 100 ]; do
	sleep 0.1; n=$((n + 1))
done
python3 - "$B/sent" "$B/out" <<'PY'
import sys
sent = dict(l.split() for l in open(sys.argv[1]))
lat = []
for l in open(sys.argv[2]):
    w = l.split()
    if len(w) >= 3 and w[1] == "FW_BAN":
        a = w[2].split("/")[0]
        if a in sent:
            lat.append(float(w[0]) - float(sent[a]))
lat.sort()
if not lat:
    print("ami: no ban arrived")
    sys.exit(0)
p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1e3
print("ami: burst of 2000 attackers over AMI to a sandboxed astd: %d FW_BAN,"
      " event -> FW_BAN p50 %.3f ms, p99 %.3f ms, last %.3f ms"
      % (len(lat), p(0.5), p(0.99), lat[-1] * 1e3))
print("ami: (the peer is Python: its send time bounds the figures; fwd's "
      "netlink commit is not included here)")
PY

if command -v fail2ban-regex >/dev/null 2>&1; then
	cat >"$B/filter.conf" <<'F2B'
[Definition]
failregex = SecurityEvent="(ChallengeResponseFailed|InvalidAccountID|FailedACL)".*RemoteAddress="IPV[46]/[^/"]*/<HOST>/\d+"
F2B
	t0=$(date +%s.%N)
	fail2ban-regex "$B/f2b.log" "$B/filter.conf" >"$B/f2b.out" 2>&1
	t1=$(date +%s.%N)
	python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); print('fail2ban: fail2ban-regex on the same 10000 lines: %.1f ms = %.0f lines/s' % (t*1e3, 10000/t))" "$t0" "$t1"
else
	echo "fail2ban: not installed (apt-get install fail2ban): comparison skipped"
fi
