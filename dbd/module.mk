# dbd/: the dbd role executable, installed in libexec.
DBD_OBJS	:= $(O)/dbd/dbd.o $(O)/dbd/sandbox.o
LIBEXEC_PROGS	+= $(O)/libexec/dbd

$(O)/libexec/dbd: $(DBD_OBJS) $(CHILD_OBJS)
	$(LINK) $^ $(EVENT_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
