#!/bin/sh
# bench/ami.sh: astd's AMI path.
#  1. in process, one core (bench/ami_bench): security events per second
#     through the AMI parser and AutoBan;
#  2. the real trunkd (all five processes, a private MariaDB) in a network
#     namespace of its own, the AMI peer (tests/peers/ami_peer.py) sending
#     security events over TCP: from the event that decides a ban leaving
#     the peer to the element being in fwd's kernel ban set, as stamped by
#     `nft monitor` (AMI, parser, AutoBan, imsg via the parent, fwd's
#     netlink batch, the kernel's notification), p50 / p99 over attackers
#     sent one after another;
#  3. a burst of 2,000 distinct attackers, 5 events each, interleaved:
#     each attacker's deciding event to its element; "all banned within"
#     is the slowest of them;
#  4. the same through fail2ban (1.0, Debian's package) if it is
#     installed (`apt-get install fail2ban python3-pyinotify`: not in
#     `make deps`, since on a systemd host the package starts a fail2ban
#     of its own that touches the host's firewall): 5 log lines appended as Asterisk's security log writes
#     them -> its `nft add element` per ban, into a set of its own in the
#     same namespace, stamped by the same `nft monitor`.
# Run by `make bench`; needs root.  Prints figures, and RESULT lines.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${TRUNKD_OBJ:=$TOP/obj}"
SINGLE=${AMI_BENCH_SINGLE:-200}		# attackers one after another
F2B_SINGLE=${AMI_BENCH_F2B_SINGLE:-50}
BURST=2000
[ "$(id -u)" -eq 0 ] || { echo "bench/ami: needs root; skipped"; exit 0; }

if [ -z "${AMI_BENCH_NS:-}" ]; then
	out=$("$TRUNKD_OBJ/bench/ami_bench")
	echo "$out"
	echo "$out" | awk '/events\/s/ { for (i = 2; i <= NF; i++)
	    if ($i == "events/s") printf "RESULT\tami parser + AutoBan, " \
	    "one core\t%s\tevents/s\t\t\n", $(i - 1) }'
	NS=trunkd-bench-$$
	ip netns add "$NS" || exit 1
	ip netns exec "$NS" env AMI_BENCH_NS="$NS" sh "$0" "$@"
	rc=$?
	ip netns del "$NS"
	exit $rc
fi

# ---- inside the namespace ----
command -v mariadbd >/dev/null || { echo "bench/ami: no mariadbd"; exit 0; }
ip link set lo up
RT=$(mktemp -d /tmp/trunkd-bench.XXXXXX)
chmod 0755 "$RT"
WEB_UID=61001 DB_UID=61002 AST_UID=61004
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$RT"
}
. "$TOP/tests/db/lib.sh"	# db_setup; its EXIT trap stops MariaDB, cleans up
bg() { "$@" & PIDS="$PIDS $!"; }
waitfor() {	# SECONDS COMMAND...
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}

db_setup || { echo "bench/ami: database set-up failed"; exit 1; }
cat >>"$CONF" <<EOF
autoban {
	threshold 5 window 60
	ban time 3600 multiplier 2 maximum 86400
}
EOF

# Every element added in the namespace: "TIME TABLE SET ELEMENT".
cat >"$RT/stamp.py" <<'PY'
import re, signal, subprocess, sys, time
mon = subprocess.Popen(["stdbuf", "-oL", "nft", "monitor", "new", "elements"],
                       stdout=subprocess.PIPE, text=True)
signal.signal(signal.SIGTERM, lambda *a: (mon.terminate(), sys.exit(0)))
out = open(sys.argv[1], "w", buffering=1)
for line in mon.stdout:
    t = time.time()
    m = re.match(r"add element inet (\S+) (\S+) \{ (.*) \}", line)
    if m:
        for e in m.group(3).split(", "):
            out.write("%.6f %s %s %s\n" % (t, m.group(1), m.group(2),
                                           e.split()[0]))
PY
# latency.py SENT MON TABLE SET NAME: per attacker, its element's time
# minus its deciding event's (or line's) time; prints "p50 p99 max n".
cat >"$RT/latency.py" <<'PY'
import sys
sent = dict(l.split() for l in open(sys.argv[1]))
seen = {}
for l in open(sys.argv[2]):
    t, table, s, e = l.split()
    if table == sys.argv[3] and s == sys.argv[4] and e in sent:
        seen.setdefault(e, float(t))
lat = sorted(seen[a] - float(sent[a]) for a in seen)
if not lat:
    print("0 0 0 0")
    sys.exit(0)
q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1e6
print("%.0f %.0f %.0f %d" % (q(0.5), q(0.99), lat[-1] * 1e6, len(lat)))
PY
# events.py FILE FIRST COUNT INTERLEAVED: 5 ChallengeResponseFailed per
# attacker 10.FIRST.x.y, each attacker's five together or round by round.
cat >"$RT/events.py" <<'PY'
import sys
f, first, n, inter = open(sys.argv[1], "w"), int(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4] == "1"
order = [(i, k) for k in range(5) for i in range(n)] if inter else \
    [(i, k) for i in range(n) for k in range(5)]
for i, k in order:
    f.write("Event: ChallengeResponseFailed\nPrivilege: security,all\n"
            "Severity: Error\nService: PJSIP\nEventVersion: 1\n"
            "AccountID: 100\nSessionID: %d-%d-%d\n"
            "LocalAddress: IPV4/UDP/192.0.2.1/5060\n"
            "RemoteAddress: IPV4/UDP/10.%d.%d.%d/5060\n\n"
            % (first, i, k, first, i >> 8 & 255, i & 255))
PY

bg python3 "$RT/stamp.py" "$RT/mon"
bg python3 "$TOP/tests/peers/ami_peer.py" --port 5038 \
    --secret "$RT/rt/etc/secrets/ami.secret" \
    --pjsip "$RT/rt/chroot/ast/conf/pjsip_trunkd.conf" --control "$RT/ctl" \
    >"$RT/peer.log" 2>&1
bg "$TRUNKD_OBJ/trunkd" -d -f "$CONF" >"$RT/trunkd.log" 2>&1
waitfor 20 grep -q 'AMI: connected' "$RT/trunkd.log" &&
    waitfor 10 grep -q 'snapshot sent' "$RT/trunkd.log" &&
    waitfor 10 nft list set inet trunkd ban4 || {
	echo "bench/ami: trunkd did not start"; tail -20 "$RT/trunkd.log"
	exit 1; }
sleep 1		# fwd has the snapshot; nft monitor listens
peer() { python3 "$TOP/tests/peers/ami_peer.py" --control "$RT/ctl" \
    --send "$*" >/dev/null; }
count() {	# TABLE SET: elements seen
	awk -v t="$1" -v s="$2" '$2 == t && $3 == s' "$RT/mon" | wc -l
}
atleast() { [ "$(count "$1" "$2")" -ge "$3" ]; }

# -- one attacker at a time (3 ms between events) ------------------------
python3 "$RT/events.py" "$RT/single.ev" 1 "$SINGLE" 0
peer emit-timed "$RT/single.ev" "$RT/single.sent" 3
waitfor 10 atleast trunkd ban4 "$SINGLE"
set -- $(python3 "$RT/latency.py" "$RT/single.sent" "$RT/mon" trunkd ban4)
S50=$1 S99=$2 SN=$4
echo "ami: event -> element in the kernel ban set, trunkd (astd + fwd), $SN of $SINGLE attackers: p50 $S50 us, p99 $S99 us (target p99 < 1000)"

# -- a burst of 2,000 attackers ------------------------------------------
python3 "$RT/events.py" "$RT/burst.ev" 2 "$BURST" 1
peer emit-timed "$RT/burst.ev" "$RT/burst.sent"
waitfor 20 atleast trunkd ban4 $((SINGLE + BURST))
set -- $(python3 "$RT/latency.py" "$RT/burst.sent" "$RT/mon" trunkd ban4)
B50=$1 B99=$2 BMAX=$3 BN=$4
BSPAN=$(awk 'NR == 1 || $2 < lo { lo = $2 } $2 > hi { hi = $2 }
    END { printf "%.0f", (hi - lo) * 1e3 }' "$RT/burst.sent")
echo "ami: burst of $BURST attackers x 5 events: $BN banned in the kernel set, each within $(awk -v u="$BMAX" 'BEGIN { printf "%.1f", u / 1e3 }') ms of its deciding event (p50 $B50 us, p99 $B99 us; the peer sent the deciding round in $BSPAN ms) (target 100 ms)"
grep -q 'ban lines not logged' "$RT/trunkd.log" &&
    echo "ami: (astd kept its log within its budget during the burst)"

# -- fail2ban, the same bans ------------------------------------------------
F50= F99= FMAX=
if command -v fail2ban-server >/dev/null 2>&1; then
	F=$RT/f2b
	mkdir -p "$F/filter.d" "$F/action.d"
	cat >"$F/fail2ban.conf" <<EOF
[Definition]
loglevel = INFO
logtarget = $F/server.log
socket = $F/sock
pidfile = $F/pid
dbfile = :memory:
EOF
	# Its default backend (auto: pyinotify when installed, else polling).
	cat >"$F/jail.conf" <<EOF
[asterisk-bench]
enabled = true
filter = asterisk-bench
logpath = $F/security.log
backend = auto
maxretry = 5
findtime = 600
bantime = 3600
action = nft-bench
EOF
	cat >"$F/filter.d/asterisk-bench.conf" <<'EOF'
[Definition]
failregex = SecurityEvent="(?:ChallengeResponseFailed|InvalidAccountID|FailedACL)".*RemoteAddress="IPV[46]/[^/"]*/<HOST>/\d+"
datepattern = ^\[%%Y-%%m-%%d %%H:%%M:%%S\]
EOF
	# As its nftables actions do: one nft process per ban.
	cat >"$F/action.d/nft-bench.conf" <<'EOF'
[Definition]
actionstart = nft add table inet f2b && nft add set inet f2b addr4 '{ type ipv4_addr; flags timeout; }'
actionstop = nft delete table inet f2b
actioncheck =
actionban = nft add element inet f2b addr4 '{ <ip> timeout <bantime>s }'
actionunban = nft delete element inet f2b addr4 '{ <ip> }'
EOF
	: >"$F/security.log"
	bg fail2ban-server -f -x -c "$F" >"$F/stdout" 2>&1
	waitfor 20 nft list set inet f2b addr4 || echo "fail2ban: did not start"
	# f2blog.py LOG SENT FIRST COUNT MODE: Asterisk security-log lines, 5
	# per attacker; "single": one attacker at a time, waiting for its
	# element; "burst": all, round by round.  SENT: each attacker's 5th.
	cat >"$RT/f2blog.py" <<'PY'
import datetime, sys, time
log, sent, first, n, mode, mon = open(sys.argv[1], "a"), {}, \
    int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
def line(a):
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    log.write('[%s] SECURITY[1234] res_security_log.c: SecurityEvent='
              '"ChallengeResponseFailed",EventTV="%s",Severity="Error",'
              'Service="PJSIP",EventVersion="1",AccountID="100",'
              'SessionID="x",LocalAddress="IPV4/UDP/192.0.2.1/5060",'
              'RemoteAddress="IPV4/UDP/%s/5060",Challenge="1",'
              'ReceivedChallenge="1",ReceivedHash="x"\n' % (now, now, a))
addr = ["10.%d.%d.%d" % (first, i >> 8 & 255, i & 255) for i in range(n)]
if mode == "single":
    for a in addr:
        for k in range(5):
            line(a)
        log.flush()
        sent[a] = time.time()
        end = time.time() + 10
        while time.time() < end and (" " + a + "\n") not in open(mon).read():
            time.sleep(0.005)
else:
    for k in range(5):
        for a in addr:
            line(a)
            if k == 4:
                log.flush()
                sent[a] = time.time()
        log.flush()
with open(sys.argv[2], "w") as f:
    for a, t in sent.items():
        f.write("%s %.6f\n" % (a, t))
PY
	python3 "$RT/f2blog.py" "$F/security.log" "$RT/f2b-single.sent" 3 \
	    "$F2B_SINGLE" single "$RT/mon"
	set -- $(python3 "$RT/latency.py" "$RT/f2b-single.sent" "$RT/mon" \
	    f2b addr4)
	F50=$1 F99=$2 FN=$4
	echo "fail2ban: log line -> element in its nft set, $FN of $F2B_SINGLE attackers: p50 $F50 us, p99 $F99 us ($(grep -o "uses [a-z]*" "$F/server.log" | head -1 | sed 's/uses //') backend)"
	python3 "$RT/f2blog.py" "$F/security.log" "$RT/f2b-burst.sent" 4 \
	    "$BURST" burst "$RT/mon"
	waitfor 120 atleast f2b addr4 $((F2B_SINGLE + BURST))
	set -- $(python3 "$RT/latency.py" "$RT/f2b-burst.sent" "$RT/mon" \
	    f2b addr4)
	FMAX=$3 FBN=$4
	echo "fail2ban: burst of $BURST attackers: $FBN banned, the last $(awk -v u="$FMAX" 'BEGIN { printf "%.1f", u / 1e3 }') ms after its 5th line"
	[ "$FBN" -eq "$BURST" ] || FMAX=
else
	echo "fail2ban: not installed (apt-get install fail2ban): comparison skipped"
fi

printf 'RESULT\tami event -> kernel ban set p50 (trunkd)\t%s\tus\t%s\t%s\n' \
    "$S50" "${F50:+fail2ban log line -> nft}" "$F50"
printf 'RESULT\tami event -> kernel ban set p99 (trunkd)\t%s\tus\t%s\t%s\n' \
    "$S99" "${F99:+fail2ban log line -> nft}" "$F99"
printf 'RESULT\tami burst of %s attackers: all banned within\t%s\tms\t%s\t%s\n' \
    "$BURST" "$(awk -v u="$BMAX" 'BEGIN { printf "%.1f", u / 1e3 }')" \
    "${FMAX:+fail2ban}" \
    "$( [ -n "$FMAX" ] && awk -v u="$FMAX" 'BEGIN { printf "%.1f", u / 1e3 }')"
