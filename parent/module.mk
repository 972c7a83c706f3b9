# parent/: trunkd itself.  CONFIG_OBJS comes from parent/config.mk.
PARENT_OBJS	:= $(O)/parent/parent.o $(O)/parent/proc.o \
		   $(O)/parent/config_send.o $(O)/parent/control.o \
		   $(O)/parent/listen.o
PROGRAMS	+= $(O)/trunkd

$(O)/trunkd: $(PARENT_OBJS) $(CONFIG_OBJS) $(COMMON_OBJS) $(PROCINFO_OBJS)
	$(LINK) $^ $(EVENT_LIBS) $(BSD_LIBS)
