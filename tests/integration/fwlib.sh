# Shared by the firewall tests (6x-fw-*.t), after lib.sh: an "outside"
# namespace joined to the appliance namespace $NS by a veth pair, with
# several source addresses, a listener in $NS that logs what reaches it,
# a sender, and fwdrive (fwd alone, driven line by line).
#
#   appliance $NS  va 10.99.0.1/24 fd99::1/64
#   outside  $OUT  vo 10.99.0.2/24 fd99::2/64 and, as sources:
#	192.0.2.10 2001:db8:1::10	trunk (when the test says so)
#	198.51.100.10 2001:db8:99::10	a stranger
#	198.51.100.20 2001:db8:99::20	to be banned
#	203.0.113.10 2001:db8:a::10	admin (when the test says so)

OUT="trunkd-out-$$"
FW_PIDS=
APP4=10.99.0.1 APP6=fd99::1
TRUNK4=192.0.2.10 TRUNK6=2001:db8:1::10
STRANGER4=198.51.100.10 STRANGER6=2001:db8:99::10
BAN4=198.51.100.20 BAN6=2001:db8:99::20
ADMIN4=203.0.113.10 ADMIN6=2001:db8:a::10

fw_cleanup() {
	exec 7>&- 2>/dev/null
	for p in $FW_PIDS; do kill "$p" 2>/dev/null; done
	ip netns del "$OUT" 2>/dev/null
	cleanup
}
trap fw_cleanup EXIT INT TERM

in_out() { ip netns exec "$OUT" "$@"; }

# fw_net_setup: $NS must exist (rt_setup).
fw_net_setup() {
	ip netns add "$OUT" || return 1
	ip link add va netns "$NS" type veth peer name vo netns "$OUT" ||
	    return 1
	in_ns ip link set va up
	in_out ip link set lo up
	in_out ip link set vo up
	in_ns ip addr add $APP4/24 dev va
	in_ns ip addr add $APP6/64 dev va nodad
	in_out ip addr add 10.99.0.2/24 dev vo
	in_out ip addr add fd99::2/64 dev vo nodad
	for a in $TRUNK4 $STRANGER4 $BAN4 $ADMIN4; do
		in_out ip addr add $a/32 dev vo
	done
	for a in $TRUNK6 $STRANGER6 $BAN6 $ADMIN6; do
		in_out ip addr add $a/128 dev vo nodad
	done
	for n in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do
		in_ns ip route add $n via 10.99.0.2
	done
	in_ns ip -6 route add 2001:db8::/32 via fd99::2
	fw_tools
}

# The listener (in $NS) and the sender (in $OUT), small python3 scripts.
fw_tools() {
	cat > "$RT/listen.py" <<'EOF'
import selectors, socket, sys
log = open(sys.argv[1], "a", buffering=1)
sel = selectors.DefaultSelector()
def sock(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    sel.register(s, selectors.EVENT_READ, (kind, port))
for p in (5060, 9999, 10000):
    sock(socket.SOCK_DGRAM, p)
for p in sys.argv[2:]:
    sock(socket.SOCK_STREAM, int(p))
log.write("ready\n")
while True:
    for key, _ in sel.select():
        kind, port = key.data
        if kind == socket.SOCK_DGRAM:
            data, src = key.fileobj.recvfrom(2048)
            log.write("udp %d %s %s\n" % (port, src[0].replace("::ffff:", ""), data.decode(errors="replace")))
        else:
            c, src = key.fileobj.accept()
            log.write("tcp %d %s\n" % (port, src[0].replace("::ffff:", "")))
            c.close()
EOF
	cat > "$RT/send.py" <<'EOF'
# send.py udp|tcp SRC DST PORT [COUNT] [TAG]: exit 0 if a TCP connect worked
import socket, sys
proto, src, dst, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
count = int(sys.argv[5]) if len(sys.argv) > 5 else 1
tag = sys.argv[6] if len(sys.argv) > 6 else "x"
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
if proto == "udp":
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 0))
    for i in range(count):
        s.sendto(tag.encode(), (dst, port))
    sys.exit(0)
s = socket.socket(fam, socket.SOCK_STREAM)
s.bind((src, 0))
s.settimeout(1.5)
try:
    s.connect((dst, port))
except OSError:
    sys.exit(1)
sys.exit(0)
EOF
}

# fw_listen [TCP-PORT...]: UDP 5060, 9999, 10000 and these TCP ports.
fw_listen() {
	: > "$RT/heard"
	# not through in_ns: $! must be the process itself, to kill it
	ip netns exec "$NS" python3 "$RT/listen.py" "$RT/heard" "$@" </dev/null \
	    >/dev/null 2>&1 &
	FW_PIDS="$FW_PIDS $!"
	wait_for 5 grep -q ready "$RT/heard"
}

# send udp|tcp SRC DST PORT [COUNT] [TAG]
send() { in_out python3 "$RT/send.py" "$@"; }

# heard PROTO PORT SRC [TAG]: how many such packets/connections arrived.
heard() {
	awk -v p="$1" -v port="$2" -v s="$3" -v t="${4:-}" \
	    '$1 == p && $2 == port && $3 == s && (t == "" || $4 == t)' \
	    "$RT/heard" | wc -l
}

# udp_reaches SRC DST PORT TAG: one datagram, seen within a second?
udp_reaches() {
	send udp "$1" "$2" "$3" 1 "$4"
	wait_for 1 sh -c "[ \$(awk -v t='$4' '\$4 == t' '$RT/heard' | wc -l) -gt 0 ]"
}

# counter NAME: packets of one of trunkd's named counters.
counter() {
	in_ns nft list counter inet trunkd "$1" 2>/dev/null |
	    awk '$1 == "packets" { print $2 }'
}

# fwdrive in $NS, reading commands from a FIFO (fd 7), output in $RT/drv.
DRV_LINE=0
drv_start() {	# drv_start [fwdrive options]
	mkdir -p "$RT/chroot/fw"
	chmod 0755 "$RT/chroot/fw"
	rm -f "$RT/drv.in"
	mkfifo "$RT/drv.in"
	ip netns exec "$NS" "$TRUNKD_OBJ/tests/peers/fwdrive" "$@" \
	    "$TRUNKD_OBJ/libexec/fwd" "$RT/chroot/fw" <"$RT/drv.in" \
	    >"$RT/drv" 2>&1 &
	DRV_PID=$!
	FW_PIDS="$FW_PIDS $DRV_PID"
	exec 7>"$RT/drv.in"
	DRV_LINE=0
	wait_for 10 grep -q '^started' "$RT/drv"
}

# drv COMMAND...: one line to fwdrive, wait until fwd has handled it.
drv() {
	echo "$*" >&7
	DRV_LINE=$((DRV_LINE + 1))
	wait_for 60 grep -qx "done $DRV_LINE" "$RT/drv"
}

drv_stop() {
	exec 7>&-
	wait "$DRV_PID" 2>/dev/null
}
