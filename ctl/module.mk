# ctl/: trunkctl.
CTL_OBJS	:= $(O)/ctl/trunkctl.o $(O)/ctl/status.o
PROGRAMS	+= $(O)/trunkctl

$(O)/trunkctl: $(CTL_OBJS) $(COMMON_OBJS) $(PROCINFO_OBJS)
	$(LINK) $^ $(BSD_LIBS)
