/*
 * The two include files astd generates from an export: pjsip.c and
 * dialplan.c write them to a stdio stream (a memory stream in astd), the
 * caller decides whether the result replaces the files on disk.
 */
#ifndef TRUNKD_ASTD_WRITER_H
#define TRUNKD_ASTD_WRITER_H

#include <stdio.h>

#include "export.h"

#define PJSIP_FILE	"pjsip_trunkd.conf"
#define DIALPLAN_FILE	"extensions_trunkd.conf"

/* The comment every generated file starts with. */
void	wr_header(FILE *, const char *file, const char *includer);

/* 0, or -1 on a stream error. */
int	pjsip_write(FILE *, const struct export *);
/* The sections of one trunk / carrier (also used to see which changed). */
void	pjsip_trunk(FILE *, const struct ex_trunk *);
void	pjsip_carrier(FILE *, const struct ex_carrier *);

/* "sip:user@host:port;transport=tcp", IPv6 literals in brackets. */
void	pjsip_uri(FILE *, const char *user, const char *host, uint16_t port,
	    enum ex_transport);

int	dialplan_write(FILE *, const struct export *);

#endif /* TRUNKD_ASTD_WRITER_H */
