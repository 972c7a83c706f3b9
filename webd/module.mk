# webd/: the webd role executable, installed in libexec.
WEBD_OBJS	:= $(O)/webd/webd.o $(O)/webd/sandbox.o
LIBEXEC_PROGS	+= $(O)/libexec/webd

$(O)/libexec/webd: $(WEBD_OBJS) $(CHILD_OBJS)
	$(LINK) $^ $(EVENT_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
