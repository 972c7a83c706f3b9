/*
 * webd: the TLS front end.  It accepts on the listening socket the parent
 * passed and never opens a socket of its own (socket() is killed); the
 * socket options are set on the listener before the lock-down, and
 * accepted connections inherit them.  The common rules (imsg, libevent,
 * malloc, OpenSSL) and the file probes answered with EACCES come from
 * common/sandbox.c.
 */
#include <sys/socket.h>

#include <seccomp.h>

#include "sandbox.h"

static const struct sandbox_rule webd_rules[] = {
	SB_ALLOW(accept4),		/* libevent's listener */
	SB_ALLOW(shutdown),		/* conn.c ends a connection */
};

const struct sandbox_policy webd_sandbox = {
	.role = "webd",
	.rules = webd_rules,
	.nrules = SB_NRULES(webd_rules),
	.keep_net_admin = 0,
	.may_write_files = 0,
	.max_files = 512,		/* browser connections */
};
