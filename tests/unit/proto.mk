UNIT_TESTS	+= $(O)/tests/unit/proto_test

$(O)/tests/unit/proto_test: $(O)/tests/unit/proto_test.o $(O)/common/proto.o
	$(LINK) $^ $(CMOCKA_LIBS) $(BSD_LIBS)
