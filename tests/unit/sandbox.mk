# The lock-down of every role, each case in a forked child (needs root).
UNIT_TESTS	+= $(O)/tests/unit/sandbox_test
$(O)/tests/unit/sandbox_test: $(O)/tests/unit/sandbox_test.o \
	    $(O)/common/sandbox.o $(O)/webd/sandbox.o $(O)/dbd/sandbox.o \
	    $(O)/fwd/sandbox.o $(O)/astd/sandbox.o
	$(LINK) $^ $(SECCOMP_LIBS) $(CMOCKA_LIBS) $(BSD_LIBS)
