#!/bin/sh
# bench/web: webd against nginx with the same certificates and TLS
# settings (TLS 1.3, TLS_AES_256_GCM_SHA384, secp384r1, client
# certificate required, no resumption), one worker each, in one run:
# full handshakes/s and keep-alive requests/s for (a) the stylesheet and
# (b) the trunk list page with 100 trunks (webd only: nginx serves no
# such page, so its static rate is the reference), with the server CPU
# time per handshake and per request (webd + the parent, which routes
# its log lines and database requests, + dbd and MariaDB for the list).
# Each figure is the median of WEB_BENCH_ROUNDS (3) rounds.  The API's
# list of all 100 trunks is measured too (the console pages by 25).
# Keep-alive runs use 16 connections for webd and nginx alike: a page
# takes a round trip webd -> parent -> dbd and back, and with 8 the two
# cores idle between hops (the trunk list then reaches 0.9 of its mark).
# Not a test: it prints figures.  Load: bench/webload (one P-384 key
# share, a client certificate).  Loopback only, in a private namespace.
[ -n "$WEB_NS" ] || exec unshare -n env WEB_NS=1 sh "$0" "$@"
TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${TRUNKD_OBJ:=$TOP/obj}"
export TRUNKD_OBJ
BTOP=$TOP
. "$TOP/tests/integration/lib.sh" >/dev/null
TOP=$BTOP	# lib.sh finds it from $0, two levels up
. "$TOP/tests/db/lib.sh"
ip link set lo up
SECS=${WEB_BENCH_SECS:-5}
NGINX_PID=
bench_cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	db_cleanup
}
trap bench_cleanup EXIT INT TERM
command -v nginx >/dev/null || { echo "nginx is not installed"; exit 1; }

db_setup || { echo "database set-up failed"; exit 1; }
admin_add bench superadmin || { echo "admin add failed"; exit 1; }
ETC=$RT/rt/etc
CRT=$ETC/admins/bench.crt KEY=$ETC/admins/bench.key
"$TRUNKD_OBJ/trunkd" -d -f "$CONF" >"$RT/trunkd.log" 2>&1 &
TRUNKD_PID=$!
wait_for 20 sh -c "curl -sk --cert $CRT --key $KEY \
    https://127.0.0.1:8443/api/v1/whoami | grep -q bench" ||
    { echo "trunkd did not come up"; cat "$RT/trunkd.log"; exit 1; }

# 100 trunks, straight into the database (a code per change through the
# console would take an hour of TOTP steps).
{
	echo "USE trunkd;"
	echo "INSERT INTO tenants (name, max_trunks, max_channels," \
	    "allowed_prefixes, max_call_seconds) VALUES ('bench', 1000, 1000," \
	    "'', 3600);"
	i=1
	while [ $i -le 100 ]; do
		echo "INSERT INTO trunks (tenant_id, name, auth, transport," \
		    "codecs, max_channels, enabled, callerid_policy, net_count)" \
		    "SELECT id, 'bench-$i', 'ip', 'udp', 'alaw', 10, 1, 'dids', 1" \
		    "FROM tenants WHERE name = 'bench';"
		echo "INSERT INTO networks (trunk_id, family, prefixlen, addr," \
		    "cidr) VALUES (LAST_INSERT_ID(), 4, 32," \
		    "INET6_ATON('10.9.$((i / 250)).$((i % 250 + 1))')," \
		    "'10.9.$((i / 250)).$((i % 250 + 1))/32');"
		i=$((i + 1))
	done
} | sh "$DBH" sql "$RT/db" || { echo "trunks not inserted"; exit 1; }
n=$(curl -sk --cert "$CRT" --key "$KEY" \
    'https://127.0.0.1:8443/api/v1/trunks?per_page=1' | jq -r .total)
echo "trunks in the database: $n"
echo "trunk list page: $(curl -sk --cert "$CRT" --key "$KEY" \
    https://127.0.0.1:8443/trunks | wc -c) bytes"
echo "API list of all trunks: $(curl -sk --cert "$CRT" --key "$KEY" \
    'https://127.0.0.1:8443/api/v1/trunks?per_page=100' | wc -c) bytes"

# nginx, configured like webd, serving the same stylesheet.
NG=$RT/nginx
mkdir -p "$NG/html/static" "$NG/logs"
cp "$TOP/webd/style.css" "$NG/html/static/style.css"
cat > "$NG/nginx.conf" <<EOC
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/logs/error.log;
events { worker_connections 1024; }
http {
	access_log $NG/logs/access.log combined buffer=64k;
	server_tokens off;
	keepalive_requests 1000000;
	keepalive_timeout 60;
	types { text/css css; }
	server {
		listen 127.0.0.1:9443 ssl;
		ssl_certificate $ETC/server.crt;
		ssl_certificate_key $ETC/server.key;
		ssl_protocols TLSv1.3;
		ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384;
		ssl_ecdh_curve secp384r1;
		ssl_client_certificate $ETC/ca.crt;
		ssl_verify_client on;
		ssl_session_tickets off;
		ssl_session_cache off;
		root $NG/html;
	}
}
EOC
nginx -p "$NG" -c "$NG/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
wait_for 10 sh -c "curl -sk --cert $CRT --key $KEY -o /dev/null \
    https://127.0.0.1:9443/static/style.css" ||
    { echo "nginx did not come up"; cat "$NG/logs/error.log"; exit 1; }

pids_of() { pgrep -d, -f "$1" | sed 's/,$//'; }
WEBD_PIDS=$(pgrep -d, -x webd),$TRUNKD_PID
LIST_PIDS=$WEBD_PIDS,$(pgrep -d, -x dbd),$(pgrep -d, -x mariadbd)
NGINX_PIDS=$(pgrep -d, -x nginx)
NGINX_PIDS=${NGINX_PIDS:-$NGINX_PID}

# ticks PIDS: each process's CPU time (user + system), in clock ticks.
ticks() {
	for p in $(echo "$1" | tr , ' '); do
		printf '%s:%s ' "$(cat /proc/$p/comm 2>/dev/null)" \
		    "$(awk '{ print $14 + $15 }' /proc/$p/stat 2>/dev/null)"
	done
}
# run NAME PORT PIDS MODE PATH CONNS: "rate cpu_ms"
run() {
	t0=$(ticks "$3")
	"$TRUNKD_OBJ/bench/webload" -P "$2" -C "$CRT" -K "$KEY" -c "$6" \
	    -t "$SECS" -p "$3" "$4" "$5" >"$RT/$1.out" 2>&1
	t1=$(ticks "$3")
	# where the server's CPU went, per process (us per operation)
	echo "$t0" "$t1" | awk -v n="$(awk '$1 == "count" { print $2 }' \
	    "$RT/$1.out")" -v hz="$(getconf CLK_TCK)" '{
		h = NF / 2
		for (i = 1; i <= h; i++) {
			split($i, a, ":"); split($(i + h), b, ":")
			us[a[1]] += (b[2] - a[2]) * 1e6 / hz
		}
		printf "cpu_us_per_op"
		for (k in us)
			printf " %s %.1f", k, (n > 0 ? us[k] / n : 0)
		printf "\n"
	}' >>"$RT/$1.out"
	sed 's/^/  /' "$RT/$1.out" | grep -E 'rate|errors|cpu' |
	    sed "s/^/$1:/"
	awk '$1 == "rate" { r = $2 } $1 == "server_cpu_ms_per_op" { c = $2 }
	    END { print r, c }' "$RT/$1.out"
}
# Each figure is the median of ROUNDS runs, webd and nginx taken in
# turn, so that a noisy moment of the machine hits both alike.
ROUNDS=${WEB_BENCH_ROUNDS:-3}
r=1
# pair MODE CONNS: webd's and nginx's run of the stylesheet, the one
# that goes first taking turns (a quiet second before each).
pair() {
	if [ $((r % 2)) -eq 1 ]; then
		sleep 1; run webd-$1 8443 "$WEBD_PIDS" $1 /static/style.css $2
		sleep 1; run nginx-$1 9443 "$NGINX_PIDS" $1 /static/style.css $2
	else
		sleep 1; run nginx-$1 9443 "$NGINX_PIDS" $1 /static/style.css $2
		sleep 1; run webd-$1 8443 "$WEBD_PIDS" $1 /static/style.css $2
	fi >/dev/null
}
while [ "$r" -le "$ROUNDS" ]; do
	pair hs 4
	pair ka 16
	sleep 1
	run webd-list 8443 "$LIST_PIDS" ka /trunks 16 >/dev/null
	sleep 1
	run webd-api 8443 "$LIST_PIDS" ka "/api/v1/trunks?per_page=100" 16 \
	    >/dev/null
	for f in webd-hs nginx-hs webd-ka nginx-ka webd-list webd-api; do
		echo "$f round $r: $(tr '\n' ' ' <"$RT/$f.out")"
		awk -v f="$f" '$1 == "rate" { r = $2 }
		    $1 == "server_cpu_ms_per_op" { c = $2 }
		    END { print f, r, c }' "$RT/$f.out" >>"$RT/rounds"
	done
	r=$((r + 1))
done
# median NAME: "rate cpu_ms", each the median over the rounds
median() {
	for k in 2 3; do
		awk -v f="$1" -v k="$k" '$1 == f { print $k }' "$RT/rounds" |
		    sort -n | awk '{ v[NR] = $1 } END { printf "%s ",
		    NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	done
}
set -- $(median webd-hs); W_HS=$1 W_HS_CPU=$2
set -- $(median nginx-hs); N_HS=$1 N_HS_CPU=$2
set -- $(median webd-ka); W_KA=$1 W_KA_CPU=$2
set -- $(median nginx-ka); N_KA=$1 N_KA_CPU=$2
set -- $(median webd-list); W_LIST=$1 W_LIST_CPU=$2
set -- $(median webd-api); W_API=$1 W_API_CPU=$2

printf 'RESULT\tweb full handshakes/s (static)\t%s\t/s\tnginx\t%s\n' \
    "$W_HS" "$N_HS"
printf 'RESULT\tweb server CPU per handshake\t%s\tms\tnginx\t%s\n' \
    "$W_HS_CPU" "$N_HS_CPU"
printf 'RESULT\tweb keep-alive requests/s (static)\t%s\t/s\tnginx\t%s\n' \
    "$W_KA" "$N_KA"
printf 'RESULT\tweb server CPU per request (static)\t%s\tms\tnginx\t%s\n' \
    "$W_KA_CPU" "$N_KA_CPU"
printf 'RESULT\tweb keep-alive requests/s (trunk list)\t%s\t/s\tnginx static / 2\t%s\n' \
    "$W_LIST" "$(awk -v n="$N_KA" 'BEGIN { printf "%.1f", n / 2 }')"
printf 'RESULT\tweb server CPU per request (trunk list)\t%s\tms\tnginx static\t%s\n' \
    "$W_LIST_CPU" "$N_KA_CPU"
printf 'RESULT\tweb keep-alive requests/s (API, all 100 trunks)\t%s\t/s\tnginx static / 2\t%s\n' \
    "$W_API" "$(awk -v n="$N_KA" 'BEGIN { printf "%.1f", n / 2 }')"
printf 'RESULT\tweb server CPU per request (API, all 100 trunks)\t%s\tms\tnginx static\t%s\n' \
    "$W_API_CPU" "$N_KA_CPU"
