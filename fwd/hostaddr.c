/*
 * The host's own addresses, which are never banned: read with an
 * rtnetlink dump, and read again when the address monitor says one came
 * or went.  Both sockets are opened before the lock-down.
 */
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwd.h"

static struct mnl_socket	*rt_dump, *rt_mon;
static uint32_t			 rt_seq;

int
fw_host_open(void)
{
	struct timeval	tv = { 5, 0 };

	if ((rt_dump = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(rt_dump, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    setsockopt(mnl_socket_get_fd(rt_dump), SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv)) == -1)
		return -1;
	if ((rt_mon = mnl_socket_open2(NETLINK_ROUTE,
	    SOCK_CLOEXEC | SOCK_NONBLOCK)) == NULL ||
	    mnl_socket_bind(rt_mon, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
	    MNL_SOCKET_AUTOPID) == -1)
		return -1;
	rt_seq = (uint32_t)time(NULL);
	return 0;
}

int
fw_host_monitor_fd(void)
{
	return mnl_socket_get_fd(rt_mon);
}

int
fw_host_changed(void)
{
	char	buf[8192];
	int	changed = 0;

	/* Any message, or a lost one (ENOBUFS), means: read them again. */
	for (;;) {
		if (mnl_socket_recvfrom(rt_mon, buf, sizeof(buf)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno != ENOBUFS && errno != EINTR)
				break;
		}
		changed = 1;
	}
	return changed;
}

static int
fw_host_attr_cb(const struct nlattr *a, void *arg)
{
	const struct nlattr	**tb = arg;
	int			  type = mnl_attr_get_type(a);

	if (type == IFA_ADDRESS || type == IFA_LOCAL)
		tb[type] = a;
	return MNL_CB_OK;
}

static int
fw_host_addr_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr	*tb[IFA_MAX + 1];
	const struct nlattr	*a;
	struct ifaddrmsg	*ifa;
	struct proto_net	 net;
	struct fw_range		 r;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	memset(tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, sizeof(*ifa), fw_host_attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	/* On point-to-point links IFA_ADDRESS is the peer's. */
	if ((a = tb[IFA_LOCAL]) == NULL)
		a = tb[IFA_ADDRESS];
	if (a == NULL)
		return MNL_CB_OK;
	memset(&net, 0, sizeof(net));
	if (ifa->ifa_family == AF_INET &&
	    mnl_attr_get_payload_len(a) == 4) {
		net.family = 4;
		net.prefixlen = 32;
		memcpy(net.addr, mnl_attr_get_payload(a), 4);
	} else if (ifa->ifa_family == AF_INET6 &&
	    mnl_attr_get_payload_len(a) == 16) {
		net.family = 6;
		net.prefixlen = 128;
		memcpy(net.addr, mnl_attr_get_payload(a), 16);
	} else
		return MNL_CB_OK;
	fw_net_range(&net, &r);
	return fw_ranges_add(arg, &r) == 0 ? MNL_CB_OK : MNL_CB_ERROR;
}

int
fw_host_read(struct fw_ranges *out)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct fw_ranges	 now = { NULL, 0, 0 };
	struct nlmsghdr		*nlh;
	struct rtgenmsg		*rt;
	uint32_t		 seq = ++rt_seq;
	ssize_t			 n;
	int			 ret, changed;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(rt_dump, nlh, nlh->nlmsg_len) == -1)
		return -1;
	do {
		if ((n = mnl_socket_recvfrom(rt_dump, buf, sizeof(buf))) <= 0) {
			fw_ranges_free(&now);
			return -1;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq,
		    mnl_socket_get_portid(rt_dump), fw_host_addr_cb, &now);
	} while (ret > MNL_CB_STOP);
	if (ret == MNL_CB_ERROR) {
		fw_ranges_free(&now);
		return -1;
	}
	fw_ranges_merge(&now);
	changed = now.n != out->n || (now.n > 0 &&
	    memcmp(now.v, out->v, now.n * sizeof(*now.v)) != 0);
	fw_ranges_free(out);
	*out = now;
	return changed;
}
