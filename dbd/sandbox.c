/*
 * dbd: the MariaDB broker.  The connector may reconnect at any time, so
 * dbd may open TCP or UNIX stream sockets, and read the database's CA
 * (/db-ca.pem in its chroot) on every connection: read-only opens.
 * The common rules (imsg, libevent, malloc, OpenSSL) and the file probes
 * answered with EACCES come from common/sandbox.c.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <seccomp.h>

#include "sandbox.h"

static const struct sandbox_rule dbd_rules[] = {
	/* a (re)connection to MariaDB over TCP or its UNIX socket */
	SB_ALLOW_ARG(socket, 0, AF_INET),
	SB_ALLOW_ARG(socket, 0, AF_INET6),
	SB_ALLOW_ARG(socket, 0, AF_UNIX),
	SB_ALLOW(connect),
	SB_ALLOW_ARG(setsockopt, 1, SOL_SOCKET),	/* keep-alive, timeouts */
	SB_ALLOW_ARG(setsockopt, 1, IPPROTO_TCP),	/* TCP_NODELAY */
	SB_ALLOW_ARG(setsockopt, 1, IPPROTO_IP),	/* IP_TOS */
	SB_ALLOW(getsockopt),		/* SO_ERROR after connect */
	SB_ALLOW(shutdown),		/* mysql_close() */
	SB_ALLOW(clock_nanosleep),	/* usleep() between resolver retries */
};

const struct sandbox_policy dbd_sandbox = {
	.role = "dbd",
	.rules = dbd_rules,
	.nrules = SB_NRULES(dbd_rules),
	.keep_net_admin = 0,
	.may_write_files = 0,
	.may_read_files = 1,		/* the CA: see dbd.c */
	.max_files = 64,		/* imsg and a few connections */
};
