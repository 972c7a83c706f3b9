#!/bin/sh
# Slow clients hold up nobody: 200 connections that send one header byte
# a second while normal requests (each a new connection with a full
# handshake) are timed.  The connection limit leaves the rest in the
# backlog, and webd keeps its seccomp filter under load.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/web.sh"

rt_setup >/dev/null || { echo "Bail out! runtime set-up failed"; exit 1; }
web_pki || { echo "Bail out! certificates"; exit 1; }
WEB_HEADER_TIMEOUT=60 WEB_MAX_CONN=400 web_conf
start_trunkd
wait_started
ok $? "trunkd starts (header timeout 60 s, 400 connections)"
webd_seccomp() {
	pid=$(child_pid webd)
	[ "$(awk '$1 == "Seccomp:" { print $2 }' /proc/$pid/status)" = 2 ]
}

out=$(webload -c 200 -t 8 slow /static/style.css)
diag "$out"
val() { echo "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
[ "$(val handshaken)" -ge 200 ]; ok $? "200 slow connections are in"
[ "$(val still_open)" -eq 200 ]; ok $? "and still open at the end"
[ "$(val probes)" -ge 10 ] && [ "$(val errors)" -eq 0 ]
ok $? "$(val probes) normal requests meanwhile, all answered 200"
awk -v m="$(val probe_max_ms)" 'BEGIN { exit !(m < 500) }'
ok $? "the slowest normal request took $(val probe_max_ms) ms (< 500)"
webd_seccomp; ok $? "webd keeps Seccomp 2 under the load"

out=$(webload -c 8 -t 3 ka /static/style.css)
diag "$out"
[ "$(val errors)" -eq 0 ] && [ "$(val count)" -gt 100 ]
ok $? "keep-alive load: $(val count) requests, no error"
out=$(webload -c 4 -t 3 hs /static/style.css)
diag "$out"
[ "$(val errors)" -eq 0 ] && [ "$(val count)" -gt 20 ]
ok $? "handshake load: $(val count) handshakes, no error"
webd_seccomp; ok $? "webd keeps Seccomp 2 after it"

# The connection limit: 30 of 40 get in, the others wait in the backlog.
kill -TERM "$TRUNKD_PID"; wait "$TRUNKD_PID" 2>/dev/null
sed -i 's/max connections 400/max connections 30/' "$RT/etc/trunkd.conf"
start_trunkd
wait_started
ok $? "trunkd restarts with 30 connections at most"
out=$(webload -c 40 -t 3 slow /static/style.css)
diag "$out"
[ "$(val handshaken)" -eq 30 ]
ok $? "$(val handshaken) of 40 connections accepted at once"
kill -0 "$TRUNKD_PID" 2>/dev/null; ok $? "trunkd still running"
done_testing
