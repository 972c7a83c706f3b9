# libFuzzer targets, built by `make fuzz` only (clang, not part of all or
# check).  Each target is tests/fuzz/NAME.c plus the sources it names as
# prerequisites of $(O)/fuzz/NAME; run one with
# $(O)/fuzz/NAME -max_total_time=60.
FUZZ_CC		?= clang
FUZZ_CFLAGS	:= -std=gnu11 -g -O1 -fno-omit-frame-pointer \
		   -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=all $(WARNINGS)

$(O)/fuzz/%: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) \
	    $(BSD_LIBS)

FUZZERS		+= $(O)/fuzz/imsg_fuzz
$(O)/fuzz/imsg_fuzz: common/imsg.c common/imsg.h

FUZZERS		+= $(O)/fuzz/ami_fuzz
$(O)/fuzz/ami_fuzz: astd/amiparse.c astd/autoban.c astd/net.c common/proto.c

FUZZERS		+= $(O)/fuzz/http_fuzz
$(O)/fuzz/http_fuzz: webd/gate.c webd/webd.h
