UNIT_TESTS	+= $(O)/tests/unit/webd_test

$(O)/tests/unit/webd_test: $(O)/tests/unit/webd_test.o $(O)/webd/gate.o \
    $(O)/webd/html.o $(O)/webd/form.o $(O)/webd/csrf.o $(O)/webd/res.o \
    $(O)/common/blob.o $(O)/common/util.o
	$(LINK) $^ $(CMOCKA_LIBS) $(EVENT_LIBS) $(SSL_LIBS) $(JANSSON_LIBS) \
	    $(BSD_LIBS)
