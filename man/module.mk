# man/: the manual pages (mdoc), installed by `make install`.
MAN5		:= man/trunkd.conf.5
MAN8		:= man/trunkd.8 man/trunkctl.8

.PHONY: install-man
install: install-man
install-man:
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
