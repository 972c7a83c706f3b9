# bench/ami*: astd's AMI path.  `make bench` builds and runs it; it prints
# figures (events/s through parser + AutoBan, the deciding event's cost,
# a burst of 2,000 attackers) and, where it can run, the same ban through
# astd and fwd into the kernel set, and through fail2ban (bench/ami.sh).
BENCH_AMI	:= $(O)/bench/ami_bench
$(BENCH_AMI): $(O)/bench/ami_bench.o $(O)/astd/amiparse.o \
    $(O)/astd/autoban.o $(O)/astd/net.o $(O)/common/proto.o
	$(LINK) $^ $(BSD_LIBS)

.PHONY: bench-ami
bench: bench-ami
bench-ami: $(BENCH_AMI) all $(TEST_PROGS)
	$(BENCH_AMI)
	@TRUNKD_OBJ=$$(cd $(O) && pwd) sh bench/ami.sh
