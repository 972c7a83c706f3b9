#!/bin/sh
# mariadb.sh: a private MariaDB server for the tests, the benchmark and the
# demo, from Debian's mariadb-server, never the system's instance.
#
#   mariadb.sh start DIR     initialise DIR (once) and start the server;
#                            prints the shell assignments of DIR/env
#   mariadb.sh stop DIR      shut it down (a no-op when it is not running)
#   mariadb.sh kill DIR      SIGKILL it (crash tests); `start` brings it
#                            back on the same port with the same data
#   mariadb.sh sql DIR [SQL] run SQL (or stdin) as the server's root, over
#                            the UNIX socket
#   mariadb.sh users DIR DB OWNER OWNERPASSFILE USER USERPASSFILE
#                            create database DB, its owner (all privileges
#                            on DB.* with grant option) and dbd's account
#                            (nothing yet: `trunkctl db init` grants it
#                            what it needs); both over TLS only
#
# DIR/env holds, for `. DIR/env`:
#   DB_PORT    TCP port on 127.0.0.1 (free when the server was started)
#   DB_CA      CA certificate of the server's certificate (PEM)
#   DB_SOCKET  the UNIX socket (root's administration only)
#   DB_PID     the server's process id
# The server accepts TLS 1.3 only, with an ECDSA secp384r1 certificate for
# 127.0.0.1 signed by a P-384 CA made here, and require_secure_transport.
# It listens in the network namespace it is started in: start it with
# `ip netns exec NS` when the trunkd under test runs in NS.
# Callers stop it in their EXIT trap.
set -eu

usage() {
	echo "usage: mariadb.sh start|stop|kill|sql|users DIR [...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2

pidof_server() {
	[ -s "$dir/run/mariadbd.pid" ] || return 1
	pid=$(cat "$dir/run/mariadbd.pid")
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

# The CA and the server certificate: P-384, SHA-384, for 127.0.0.1.
make_tls() {
	t=$dir/tls
	mkdir -p "$t"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 \
	    -sha384 -nodes -days 30 -subj /CN=trunkd-test-db-ca \
	    -keyout "$t/ca.key" -out "$t/ca.crt" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 \
	    -sha384 -nodes -subj /CN=127.0.0.1 -keyout "$t/server.key" \
	    -out "$t/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
	    > "$t/ext.cnf"
	openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" \
	    -CAkey "$t/ca.key" -CAcreateserial -sha384 -days 30 \
	    -extfile "$t/ext.cnf" -out "$t/server.crt" 2>/dev/null
	chmod 0644 "$t/ca.crt"
}

free_port() {
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
		[ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ] && break
	done
	echo "$p"
}

write_cnf() {
	cat > "$dir/my.cnf" <<EOF
[mariadbd]
user = root
datadir = $dir/data
socket = $dir/run/mariadbd.sock
pid-file = $dir/run/mariadbd.pid
log-error = $dir/error.log
bind-address = 127.0.0.1
port = $1
skip-name-resolve
ssl-ca = $dir/tls/ca.crt
ssl-cert = $dir/tls/server.crt
ssl-key = $dir/tls/server.key
tls-version = TLSv1.3
require-secure-transport = ON
innodb-buffer-pool-size = 32M
innodb-log-file-size = 16M
innodb-flush-log-at-trx-commit = 1
performance-schema = OFF
character-set-server = utf8mb4
collation-server = utf8mb4_bin
EOF
}

write_env() {
	cat > "$dir/env" <<EOF
DB_PORT=$port
DB_CA=$dir/tls/ca.crt
DB_SOCKET=$dir/run/mariadbd.sock
DB_PID=$(cat "$dir/run/mariadbd.pid")
EOF
	cat "$dir/env"
}

start() {
	if pidof_server >/dev/null; then
		cat "$dir/env"
		return 0
	fi
	mkdir -p "$dir/run"
	if [ ! -d "$dir/data" ]; then
		make_tls
		mkdir -p "$dir/data"
		write_cnf 0
		mariadb-install-db --defaults-file="$dir/my.cnf" \
		    --auth-root-authentication-method=socket \
		    --skip-test-db >"$dir/install.log" 2>&1 || {
			cat "$dir/install.log" >&2
			return 1
		}
	fi
	# A crash leaves its pid file; the same port after a restart.
	rm -f "$dir/run/mariadbd.pid"
	tries=0
	while :; do
		if [ -s "$dir/port" ]; then port=$(cat "$dir/port")
		else port=$(free_port); fi
		write_cnf "$port"
		# No descriptor of the caller's (a test's pipes) stays open.
		mariadbd --defaults-file="$dir/my.cnf" </dev/null >/dev/null \
		    2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
		n=0
		while [ $n -lt 300 ]; do
			if [ -S "$dir/run/mariadbd.sock" ] &&
			    mariadb --no-defaults -S "$dir/run/mariadbd.sock" \
			    -u root -e 'SELECT 1' >/dev/null 2>&1; then
				echo "$port" > "$dir/port"
				write_env
				return 0
			fi
			kill -0 $! 2>/dev/null || break
			sleep 0.1
			n=$((n + 1))
		done
		kill -KILL $! 2>/dev/null || true
		tries=$((tries + 1))
		# Someone took the port between the check and the bind.
		if [ $tries -ge 5 ] || [ -s "$dir/port" ]; then
			echo "mariadb.sh: server did not start:" >&2
			tail -20 "$dir/error.log" >&2
			return 1
		fi
	done
}

stop() {
	pid=$(pidof_server) || return 0
	kill -TERM "$pid"
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
}

crash() {
	pid=$(pidof_server) || return 0
	kill -KILL "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

sql() {
	if [ $# -gt 0 ]; then
		mariadb --no-defaults -S "$dir/run/mariadbd.sock" -u root \
		    -N -B -e "$1"
	else
		mariadb --no-defaults -S "$dir/run/mariadbd.sock" -u root -N -B
	fi
}

# Names and passwords come from the test's own files: checked anyway.
users() {
	[ $# -eq 5 ] || usage
	for n in "$1" "$2" "$4"; do
		case $n in *[!A-Za-z0-9_]*|'') echo "bad name $n" >&2; exit 2;;
		esac
	done
	opw=$(cat "$3") upw=$(cat "$5")
	for p in "$opw" "$upw"; do
		case $p in *[!A-Za-z0-9]*|'') echo "bad password" >&2; exit 2;;
		esac
	done
	sql <<EOF
CREATE DATABASE IF NOT EXISTS \`$1\`;
CREATE USER IF NOT EXISTS '$2'@'127.0.0.1';
ALTER USER '$2'@'127.0.0.1' IDENTIFIED BY '$opw' REQUIRE SSL;
GRANT ALL PRIVILEGES ON \`$1\`.* TO '$2'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS '$4'@'127.0.0.1';
ALTER USER '$4'@'127.0.0.1' IDENTIFIED BY '$upw' REQUIRE SSL;
EOF
}

case $cmd in
start)	start ;;
stop)	stop ;;
kill)	crash ;;
sql)	sql "$@" ;;
users)	users "$@" ;;
*)	usage ;;
esac
