/*
 * fwd: the only process with CAP_NET_ADMIN, and it can do nothing else.
 * Its netlink socket is opened before the lock-down, which allows no other
 * socket family afterwards.
 */
#include <sys/socket.h>

#include <linux/netlink.h>
#include <stdio.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "sandbox.h"

static int	nl_fd = -1;

static int
fwd_prepare(struct event_base *base)
{
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (nl_fd == -1) {
		log_warn("netlink socket");
		return -1;
	}
	return 0;
}

static void
fwd_state(char *buf, size_t len)
{
	(void)snprintf(buf, len, "netlink socket %s",
	    nl_fd != -1 ? "open" : "closed");
}

static const struct child_ops fwd_ops = {
	.role = PROC_FWD,
	.policy = &fwd_sandbox,
	.prepare = fwd_prepare,
	.state = fwd_state,
};

int
main(int argc, char *argv[])
{
	child_main(&fwd_ops, argc, argv);
}
