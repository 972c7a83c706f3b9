# fwd/: the fwd role executable, installed in libexec.
FWD_OBJS	:= $(O)/fwd/fwd.o $(O)/fwd/sandbox.o
LIBEXEC_PROGS	+= $(O)/libexec/fwd

$(O)/libexec/fwd: $(FWD_OBJS) $(CHILD_OBJS)
	$(LINK) $^ $(EVENT_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
