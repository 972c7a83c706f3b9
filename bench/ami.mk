# bench/ami: astd's AMI path.  bench/ami.sh runs ami_bench (events/s
# through parser + AutoBan on one core, in process) and then the real
# trunkd in a namespace with the AMI peer: event -> element in fwd's
# kernel ban set p50/p99, a burst of 2,000 attackers, and the same through
# fail2ban when it is installed.
BENCH_AMI	:= $(O)/bench/ami_bench
BENCHES		+= bench/ami.sh
BENCH_PROGS	+= $(BENCH_AMI)

$(BENCH_AMI): $(O)/bench/ami_bench.o $(O)/astd/amiparse.o \
    $(O)/astd/autoban.o $(O)/astd/net.o $(O)/common/proto.o
	$(LINK) $^ $(BSD_LIBS)
