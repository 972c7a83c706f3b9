# astd/: the astd role executable, installed in libexec.
# ASTD_CORE: the parts without I/O, shared with the unit tests, the fuzzer
# and the benchmark.
ASTD_CORE	:= $(O)/astd/net.o $(O)/astd/export.o $(O)/astd/pjsip.o \
		   $(O)/astd/dialplan.o $(O)/astd/amiparse.o $(O)/astd/autoban.o
ASTD_OBJS	:= $(O)/astd/astd.o $(O)/astd/sandbox.o $(O)/astd/ami.o \
		   $(O)/astd/apply.o $(O)/astd/afile.o $(O)/astd/live.o \
		   $(O)/astd/ban.o $(ASTD_CORE)
LIBEXEC_PROGS	+= $(O)/libexec/astd

$(O)/libexec/astd: $(ASTD_OBJS) $(CHILD_OBJS)
	$(LINK) $^ $(JANSSON_LIBS) $(EVENT_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
