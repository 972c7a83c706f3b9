# fwd/: the fwd role executable, installed in libexec.  FWD_NFT_OBJS are
# the pieces that build and parse netlink messages without a socket (the
# unit tests link them alone).
FWD_NFT_OBJS	:= $(O)/fwd/addr.o $(O)/fwd/batch.o $(O)/fwd/nft.o
FWD_OBJS	:= $(O)/fwd/fwd.o $(O)/fwd/sandbox.o $(O)/fwd/nl.o \
		   $(O)/fwd/kread.o $(O)/fwd/bans.o $(O)/fwd/banops.o \
		   $(O)/fwd/state.o $(O)/fwd/reconcile.o $(O)/fwd/hostaddr.o \
		   $(O)/fwd/ctl.o $(FWD_NFT_OBJS)
LIBEXEC_PROGS	+= $(O)/libexec/fwd

$(FWD_OBJS): CPPFLAGS += $(NFT_CFLAGS)

$(O)/libexec/fwd: $(FWD_OBJS) $(CHILD_OBJS)
	$(LINK) $^ $(NFT_LIBS) $(EVENT_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
