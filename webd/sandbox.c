/*
 * webd: the TLS front end.  It accepts on the listening socket the parent
 * passed and never opens a socket of its own (socket() is killed).
 * The common rules (imsg, libevent, malloc, OpenSSL) and the file probes
 * answered with EACCES come from common/sandbox.c.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <seccomp.h>

#include "sandbox.h"

static const struct sandbox_rule webd_rules[] = {
	SB_ALLOW(accept4),		/* libevent's listener */
	SB_ALLOW_ARG(setsockopt, 1, SOL_SOCKET),	/* keep-alive */
	SB_ALLOW_ARG(setsockopt, 1, IPPROTO_TCP),	/* TCP_NODELAY */
	SB_ALLOW(getsockname),		/* a connection's local address */
	SB_ALLOW(getpeername),		/* client address for the audit */
	SB_ALLOW(shutdown),		/* end of a TLS session */
};

const struct sandbox_policy webd_sandbox = {
	.role = "webd",
	.rules = webd_rules,
	.nrules = SB_NRULES(webd_rules),
	.keep_net_admin = 0,
	.may_write_files = 0,
	.max_files = 512,		/* browser connections */
};
