# astd/: the astd role executable, installed in libexec.
ASTD_OBJS	:= $(O)/astd/astd.o $(O)/astd/sandbox.o
LIBEXEC_PROGS	+= $(O)/libexec/astd

$(O)/libexec/astd: $(ASTD_OBJS) $(CHILD_OBJS)
	$(LINK) $^ $(EVENT_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
