UNIT_TESTS += $(O)/tests/unit/imsg_test
$(O)/tests/unit/imsg_test: $(O)/tests/unit/imsg_test.o $(O)/common/imsg.o
	$(LINK) $^ $(CMOCKA_LIBS) $(BSD_LIBS)
