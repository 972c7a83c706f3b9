# bench/db: dbd's requests per second through its imsg interface (the
# test driver plays webd), against a private MariaDB.
BENCHES		+= bench/db.sh
BENCH_PROGS	+= $(O)/tests/peers/dbdrive $(O)/trunkctl
