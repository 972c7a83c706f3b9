# ctl/: trunkctl.
CTL_OBJS	:= $(O)/ctl/trunkctl.o $(O)/ctl/status.o
# setup reads trunkd.conf: parent/config.mk's CONFIG_OBJS, named here
# because that fragment is read after this one.
CTL_OBJS	+= $(O)/ctl/setup.o $(O)/ctl/setup_cert.o \
		   $(O)/parent/parse.o $(O)/parent/config.o
# db init, ca init, admin, audit verify: with dbd's shared objects.
CTL_OBJS	+= $(O)/ctl/dbctl.o $(O)/ctl/ca.o $(O)/ctl/admin.o \
		   $(O)/dbd/db.o $(O)/dbd/schema.o $(O)/dbd/crypt.o \
		   $(O)/dbd/totp.o $(O)/dbd/audit.o
PROGRAMS	+= $(O)/trunkctl

$(O)/trunkctl: $(CTL_OBJS) $(COMMON_OBJS) $(PROCINFO_OBJS)
	$(LINK) $^ $(MARIADB_LIBS) $(OATH_LIBS) $(QRENCODE_LIBS) \
	    $(SSL_LIBS) $(BSD_LIBS)
