/*
 * fwd: nftables over netlink.  Root uid, CAP_NET_ADMIN only, and netlink
 * sockets only: socket(AF_INET) and friends are killed.  fwd opens its
 * sockets (nf_tables, rtnetlink dump and address monitor) in prepare,
 * before the lock-down; opening one again afterwards stays possible, and
 * is all that socket/bind/getsockname are here for.
 * The common rules (imsg, libevent, malloc, sendto/sendmsg/recvmsg) and
 * the file probes answered with EACCES come from common/sandbox.c.
 */
#include <sys/socket.h>

#include <linux/netlink.h>

#include <seccomp.h>

#include "sandbox.h"

static const struct sandbox_rule fwd_rules[] = {
	SB_ALLOW_ARG(socket, 0, AF_NETLINK),	/* mnl_socket_open() */
	SB_ALLOW(bind),				/* mnl_socket_bind() */
	SB_ALLOW(getsockname),			/* ... reads its port id */
	SB_ALLOW_ARG(setsockopt, 1, SOL_NETLINK),	/* NETLINK_EXT_ACK */
	/* SO_SNDBUFFORCE: a big batch goes in one sendmsg() */
	SB_ALLOW_ARG(setsockopt, 1, SOL_SOCKET),
	/* glibc's qsort() of a big array (a snapshot's bans) asks for the
	 * memory size before it picks its algorithm */
	SB_ALLOW(sysinfo),
};

const struct sandbox_policy fwd_sandbox = {
	.role = "fwd",
	.rules = fwd_rules,
	.nrules = SB_NRULES(fwd_rules),
	.keep_net_admin = 1,
	.may_write_files = 0,
	.max_files = 32,		/* imsg and three netlink sockets */
};
