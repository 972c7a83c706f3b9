# astd's unit tests: the writers against golden files, the AMI parser,
# AutoBan.
UNIT_TESTS += $(O)/tests/unit/astd_writer_test
$(O)/tests/unit/astd_writer_test: $(O)/tests/unit/astd_writer_test.o \
    $(ASTD_CORE) $(O)/common/proto.o
	$(LINK) $^ $(CMOCKA_LIBS) $(JANSSON_LIBS) $(BSD_LIBS)

UNIT_TESTS += $(O)/tests/unit/astd_amiparse_test
$(O)/tests/unit/astd_amiparse_test: $(O)/tests/unit/astd_amiparse_test.o \
    $(O)/astd/amiparse.o
	$(LINK) $^ $(CMOCKA_LIBS) $(BSD_LIBS)

UNIT_TESTS += $(O)/tests/unit/astd_autoban_test
$(O)/tests/unit/astd_autoban_test: $(O)/tests/unit/astd_autoban_test.o \
    $(O)/astd/autoban.o $(O)/astd/net.o $(O)/common/proto.o
	$(LINK) $^ $(CMOCKA_LIBS) $(BSD_LIBS)
