UNIT_TESTS += $(O)/tests/unit/config_test
$(O)/tests/unit/config_test: $(O)/tests/unit/config_test.o $(CONFIG_OBJS) \
    $(O)/common/proto.o
	$(LINK) $^ $(CMOCKA_LIBS) $(BSD_LIBS)
