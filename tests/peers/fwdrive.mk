# fwdrive: plays the parent and dbd for one fwd (firewall tests, bench/fw).
TEST_PROGS	+= $(O)/tests/peers/fwdrive

$(O)/tests/peers/fwdrive: $(O)/tests/peers/fwdrive.o $(COMMON_OBJS)
	$(LINK) $^ $(BSD_LIBS)
