# common/: pieces every process links; each program names what it needs.
COMMON_OBJS	:= $(O)/common/imsg.o $(O)/common/proto.o $(O)/common/log.o \
		   $(O)/common/util.o $(O)/common/blob.o
# /proc readers: the parent and trunkctl.
PROCINFO_OBJS	:= $(O)/common/procinfo.o
# A child: the handshake with the parent and the lock-down.
CHILD_OBJS	:= $(COMMON_OBJS) $(O)/common/child.o $(O)/common/sandbox.o
