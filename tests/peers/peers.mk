# tests/peers/: programs the integration tests run against trunkd.
TEST_PROGS	+= $(O)/tests/peers/rogue

$(O)/tests/peers/rogue: $(O)/tests/peers/rogue.o $(COMMON_OBJS)
	$(LINK) $^ $(BSD_LIBS)
