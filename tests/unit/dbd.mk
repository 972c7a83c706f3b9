# dbd's pure pieces: TOTP on a fake clock, field checks, secrets at rest
# and the audit hash.
UNIT_TESTS	+= $(O)/tests/unit/dbd_totp_test $(O)/tests/unit/dbd_validate_test \
		   $(O)/tests/unit/dbd_crypt_test

$(O)/tests/unit/dbd_totp_test: $(O)/tests/unit/dbd_totp_test.o \
	    $(O)/dbd/totp.o
	$(LINK) $^ $(CMOCKA_LIBS) $(OATH_LIBS) $(BSD_LIBS)
$(O)/tests/unit/dbd_validate_test: $(O)/tests/unit/dbd_validate_test.o \
	    $(O)/dbd/validate.o
	$(LINK) $^ $(CMOCKA_LIBS) $(BSD_LIBS)
$(O)/tests/unit/dbd_crypt_test: $(O)/tests/unit/dbd_crypt_test.o \
	    $(O)/dbd/crypt.o $(O)/dbd/audit.o $(O)/dbd/db.o $(O)/common/util.o
	$(LINK) $^ $(CMOCKA_LIBS) $(MARIADB_LIBS) $(SSL_LIBS) $(BSD_LIBS)
