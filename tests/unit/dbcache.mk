# dbd's answer cache (dbd/cache.c) with the database read stubbed.
UNIT_TESTS	+= $(O)/tests/unit/dbcache_test

$(O)/tests/unit/dbcache_test: $(O)/tests/unit/dbcache_test.o \
	    $(O)/dbd/cache.o
	$(LINK) $^ $(CMOCKA_LIBS) $(SSL_LIBS) $(BSD_LIBS)
