# dbd/: the dbd role executable, installed in libexec.  DBD_SHARED_OBJS is
# what trunkctl links too (connection, schema, secrets, TOTP, audit chain).
DBD_SHARED_OBJS	:= $(O)/dbd/db.o $(O)/dbd/schema.o $(O)/dbd/crypt.o \
		   $(O)/dbd/totp.o $(O)/dbd/audit.o
DBD_OBJS	:= $(O)/dbd/dbd.o $(O)/dbd/sandbox.o $(O)/dbd/link.o \
		   $(O)/dbd/req.o $(O)/dbd/authz.o $(O)/dbd/secret.o \
		   $(O)/dbd/nets.o $(O)/dbd/validate.o $(O)/dbd/ops.o \
		   $(O)/dbd/feed.o $(O)/dbd/req_tenant.o $(O)/dbd/req_trunk.o \
		   $(O)/dbd/req_did.o $(O)/dbd/req_carrier.o \
		   $(O)/dbd/req_admin.o $(O)/dbd/req_ban.o $(O)/dbd/req_audit.o \
		   $(O)/dbd/cache.o $(DBD_SHARED_OBJS)
DBD_LIBS	:= $(MARIADB_LIBS) $(OATH_LIBS) $(JANSSON_LIBS) $(SSL_LIBS)
LIBEXEC_PROGS	+= $(O)/libexec/dbd

$(O)/dbd/%.o: CPPFLAGS += $(MARIADB_CFLAGS)

$(O)/libexec/dbd: $(DBD_OBJS) $(CHILD_OBJS)
	$(LINK) $^ $(DBD_LIBS) $(EVENT_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
