# tests/peers/dbdrive: plays the parent for one dbd (tests, bench/db).
TEST_PROGS	+= $(O)/tests/peers/dbdrive

$(O)/tests/peers/dbdrive: $(O)/tests/peers/dbdrive.o $(O)/dbd/ops.o \
	    $(O)/parent/parse.o $(O)/parent/config.o $(COMMON_OBJS)
	$(LINK) $^ $(BSD_LIBS)
