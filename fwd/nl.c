/*
 * The persistent NETLINK_NETFILTER socket: transactions (a batch sent
 * with one sendmsg, every message acknowledged, errors collected), GET
 * requests and dumps, and the ruleset generation.  Opened before the
 * lock-down; afterwards only send, receive and setsockopt are used.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"

#ifndef NFT_MSG_DESTROYTABLE
#define NFT_MSG_DESTROYTABLE	26	/* Linux 6.3 */
#endif

/* Dumps come in skbs of up to 32 KB; room for a few at once. */
#define FW_NL_RCVBUF	(256U * 1024)
#define FW_NL_TIMEOUT	10		/* seconds for any answer */

static struct mnl_socket	*nl;
static uint32_t			 nl_portid;
static char			*nl_buf;
static size_t			 nl_sndbuf;
static int			 nl_destroy;

int
fw_nl_has_destroy(void)
{
	return nl_destroy;
}

/* Send bytes, growing the send buffer for a big batch (CAP_NET_ADMIN). */
static int
fw_nl_send(struct iovec *iov, int n, size_t len)
{
	struct sockaddr_nl	snl;
	struct msghdr		msg;
	int			sz;

	if (len + 4096 > nl_sndbuf) {
		sz = (int)(len + 65536);
		if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET,
		    SO_SNDBUFFORCE, &sz, sizeof(sz)) == -1)
			return -errno;
		nl_sndbuf = (size_t)sz;
	}
	memset(&snl, 0, sizeof(snl));
	snl.nl_family = AF_NETLINK;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n;
	if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) == -1)
		return -errno;
	return 0;
}

static ssize_t
fw_nl_recv(void)
{
	ssize_t	n;

	do {
		n = mnl_socket_recvfrom(nl, nl_buf, FW_NL_RCVBUF);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errno = ETIMEDOUT;
	return n;
}

static int
fw_nl_extack_cb(const struct nlattr *a, void *arg)
{
	const char	**msg = arg;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

int
fw_nl_commit(struct fw_batch *b, char *err, size_t errlen)
{
	struct iovec		*iov;
	const struct nlmsghdr	*nlh;
	const struct nlmsgerr	*e;
	const char		*text;
	uint32_t		 first, last;
	ssize_t			 got;
	int			 n, len, rv = 0, done = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (fw_batch_nmsgs(b) == 0)
		return 0;
	if (fw_batch_close(b) == -1)
		return -ENOMEM;
	n = fw_batch_iovcnt(b);
	if ((iov = calloc((size_t)n, sizeof(*iov))) == NULL)
		return -ENOMEM;
	fw_batch_iov(b, iov, n);
	rv = fw_nl_send(iov, n, fw_batch_len(b));
	free(iov);
	if (rv != 0)
		return rv;
	first = fw_batch_first_seq(b);
	last = fw_batch_last_seq(b);
	while (!done) {
		if ((got = fw_nl_recv()) <= 0)
			return got == 0 ? -EPIPE : -errno;
		len = (int)got;
		for (nlh = (const struct nlmsghdr *)nl_buf;
		    mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			/* Answers to an earlier batch that timed out. */
			if (nlh->nlmsg_seq < first || nlh->nlmsg_seq > last ||
			    nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
				return -EPROTO;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error != 0 && rv == 0) {
				rv = e->error;
				text = NULL;
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					(void)mnl_attr_parse(nlh, sizeof(*e),
					    fw_nl_extack_cb, &text);
				if (err != NULL)
					(void)snprintf(err, errlen, "%s%s%s",
					    strerror(-rv), text ? ": " : "",
					    text ? text : "");
			}
			/* A refused BEGIN ends the batch right there. */
			if (nlh->nlmsg_seq == last ||
			    (nlh->nlmsg_seq == first && e->error != 0))
				done = 1;
		}
	}
	return rv;
}

int
fw_nl_request(struct nlmsghdr *req, fw_nl_cb cb, void *arg)
{
	uint32_t	seq = req->nlmsg_seq;
	ssize_t		len;
	int		ret;

	if ((req->nlmsg_flags & NLM_F_DUMP) == 0)
		req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) == -1)
		return -errno;
	for (;;) {
		if ((len = fw_nl_recv()) <= 0)
			return len == 0 ? -EPIPE : -errno;
		ret = mnl_cb_run(nl_buf, (size_t)len, seq, nl_portid, cb, arg);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret == MNL_CB_ERROR)
			return errno != 0 ? -errno : -EPROTO;
	}
}

static int
fw_nl_gen_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nftnl_gen	*g;
	uint32_t		*genid = arg;

	if ((g = nftnl_gen_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, g) == 0)
		*genid = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	nftnl_gen_free(g);
	return MNL_CB_OK;
}

int
fw_nl_getgen(uint32_t *genid)
{
	char		 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr	*nlh;

	*genid = 0;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0,
	    fw_seq_next());
	return fw_nl_request(nlh, fw_nl_gen_cb, genid);
}

/* A batch destroying a table nobody has: fine from 6.3, EINVAL before. */
static void
fw_nl_probe_destroy(void)
{
	struct fw_batch	*b;
	char		 err[128];

	if ((b = fw_batch_new(0)) == NULL)
		return;
	if (fw_nft_del_table(b, "trunkd_probe_", 1) == 0)
		nl_destroy = fw_nl_commit(b, err, sizeof(err)) == 0;
	fw_batch_free(b);
}

int
fw_nl_open(void)
{
	struct timeval	tv = { FW_NL_TIMEOUT, 0 };
	socklen_t	sl = sizeof(int);
	int		one = 1, fd, sz;

	if ((nl_buf = malloc(FW_NL_RCVBUF)) == NULL)
		return -1;
	if ((nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1)
		return -1;
	nl_portid = mnl_socket_get_portid(nl);
	fd = mnl_socket_get_fd(nl);
	/* Short errors (no copy of our message) with the kernel's text. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
	    sizeof(one)) == -1 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
	    sizeof(one)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, &sl) == -1)
		return -1;
	nl_sndbuf = (size_t)sz;
	fw_nl_probe_destroy();
	return 0;
}
