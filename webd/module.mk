# webd/: the webd role executable, installed in libexec.
WEBD_OBJS	:= $(addprefix $(O)/webd/, webd.o sandbox.o tls.o tls_verify.o conn.o http.o \
		   gate.o db.o csrf.o form.o html.o res.o ui.o ui_res.o \
		   ui_dash.o api.o static.o procs.o pages.o)
LIBEXEC_PROGS	+= $(O)/libexec/webd

# The stylesheet is assembled into static.o.
$(O)/webd/static.o: webd/style.css

$(O)/libexec/webd: $(WEBD_OBJS) $(CHILD_OBJS) $(O)/common/procinfo.o
	$(LINK) $^ $(EVENT_LIBS) $(SSL_LIBS) \
	    $(JANSSON_LIBS) $(SECCOMP_LIBS) $(BSD_LIBS)
