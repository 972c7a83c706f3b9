# tests/config/: the driver of the golden configuration cases.
TEST_PROGS	+= $(O)/tests/config/conftest

$(O)/tests/config/conftest: $(O)/tests/config/conftest.o $(CONFIG_OBJS) \
    $(O)/common/proto.o
	$(LINK) $^ $(BSD_LIBS)
