# rc/: the systemd unit, the Debian init script and the FreeBSD rc.d
# script, installed with the paths of this installation filled in.
UNITDIR		?= $(PREFIX)/lib/systemd/system
INITDIR		?= /etc/init.d
FREEBSD_RCDIR	?= $(PREFIX)/share/trunkd/freebsd

RC_SUBST	= sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		      -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

.PHONY: install-rc
install: install-rc
install-rc:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(INITDIR) \
	    $(DESTDIR)$(FREEBSD_RCDIR)
	$(RC_SUBST) rc/trunkd.service > $(DESTDIR)$(UNITDIR)/trunkd.service
	$(RC_SUBST) rc/trunkd.init > $(DESTDIR)$(INITDIR)/trunkd
	$(RC_SUBST) rc/trunkd.rc.freebsd > $(DESTDIR)$(FREEBSD_RCDIR)/trunkd
	chmod 0644 $(DESTDIR)$(UNITDIR)/trunkd.service
	chmod 0755 $(DESTDIR)$(INITDIR)/trunkd $(DESTDIR)$(FREEBSD_RCDIR)/trunkd
