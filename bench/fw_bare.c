/*
 * fw_bare N: the yardstick for fwd's bulk path, a bare libnftnl loop as
 * in libnftnl's examples: one table with one timeout set, then N element
 * objects (address, timeout, remaining time) added to a set object, the
 * NEWSETELEM messages built with the element iterator into one batch,
 * sent, every ACK read.  Prints "bare N elements US us"; removes its table.
 * Run it inside a network namespace of its own.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct mnl_socket	*nl;
static uint32_t			 seq;

static uint64_t
now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
talk(struct nftnl_batch *b, uint32_t last)
{
	static char		 buf[256 * 1024];
	struct iovec		 iov[256];
	struct msghdr		 msg;
	struct sockaddr_nl	 snl = { .nl_family = AF_NETLINK };
	const struct nlmsghdr	*h;
	const struct nlmsgerr	*e;
	int			 n = nftnl_batch_iovec_len(b), i, sz = 0, len;
	ssize_t			 got;

	if (n > 256)
		errx(1, "batch too big");
	nftnl_batch_iovec(b, iov, (uint32_t)n);
	for (i = 0; i < n; i++)
		sz += (int)iov[i].iov_len;
	sz += 65536;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &sz,
	    sizeof(sz)) == -1)
		err(1, "SO_SNDBUFFORCE");
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n;
	if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) == -1)
		err(1, "sendmsg");
	/* every message asked for an ACK; the last one ends the batch */
	for (;;) {
		if ((got = mnl_socket_recvfrom(nl, buf, sizeof(buf))) == -1)
			err(1, "recv");
		len = (int)got;
		for (h = (const void *)buf; mnl_nlmsg_ok(h, len);
		    h = mnl_nlmsg_next(h, &len)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(h);
			if (e->error != 0)
				errx(1, "batch refused: %s", strerror(-e->error));
			if (h->nlmsg_seq == last)
				return;
		}
	}
}

static struct nftnl_set *
mkset(void)
{
	struct nftnl_set	*s = nftnl_set_alloc();

	nftnl_set_set_str(s, NFTNL_SET_TABLE, "bare");
	nftnl_set_set_str(s, NFTNL_SET_NAME, "ban4");
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	return s;
}

int
main(int argc, char *argv[])
{
	struct nftnl_batch	*b;
	struct nftnl_table	*t;
	struct nftnl_set	*s;
	struct nftnl_set_elem	*e;
	struct nftnl_set_elems_iter *it;
	struct nlmsghdr		*nlh;
	uint64_t		 t0, t1;
	uint32_t		 i, n, a;
	int			 ret;

	if (argc != 2 || (n = (uint32_t)strtoul(argv[1], NULL, 10)) == 0)
		errx(1, "usage: fw_bare N");
	if ((nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1)
		err(1, "netlink");
	seq = (uint32_t)time(NULL);

	/* the table and its set */
	b = nftnl_batch_alloc(256 * 1024, 128 * 1024);
	nftnl_batch_begin(nftnl_batch_buffer(b), seq++);
	nftnl_batch_update(b);
	t = nftnl_table_alloc();
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "bare");
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b), NFT_MSG_NEWTABLE,
	    NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	nftnl_batch_update(b);
	s = mkset();
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 4);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, 7);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_TIMEOUT);
	nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
	nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b), NFT_MSG_NEWSET,
	    NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	nftnl_batch_update(b);
	nftnl_batch_end(nftnl_batch_buffer(b), seq + 1);
	nftnl_batch_update(b);
	talk(b, seq);
	seq += 2;
	nftnl_batch_free(b);

	/* the measured part: N elements, one batch */
	t0 = now_us();
	s = mkset();
	for (i = 0; i < n; i++) {
		e = nftnl_set_elem_alloc();
		a = htonl(0x64400000 + i);	/* 100.64.0.0 + i */
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a, sizeof(a));
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, 3600000);
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_EXPIRATION, 3600000);
		nftnl_set_elem_add(s, e);
	}
	b = nftnl_batch_alloc(256 * 1024, 128 * 1024);
	nftnl_batch_begin(nftnl_batch_buffer(b), seq++);
	nftnl_batch_update(b);
	it = nftnl_set_elems_iter_create(s);
	do {
		nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b),
		    NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK,
		    seq++);
		ret = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		nftnl_batch_update(b);
	} while (ret > 0);
	nftnl_set_elems_iter_destroy(it);
	nftnl_batch_end(nftnl_batch_buffer(b), seq);
	nftnl_batch_update(b);
	talk(b, seq - 1);
	t1 = now_us();
	nftnl_batch_free(b);
	nftnl_set_free(s);
	printf("bare %u elements %llu us\n", n, (unsigned long long)(t1 - t0));

	/* clean up */
	b = nftnl_batch_alloc(256 * 1024, 128 * 1024);
	nftnl_batch_begin(nftnl_batch_buffer(b), ++seq);
	nftnl_batch_update(b);
	t = nftnl_table_alloc();
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "bare");
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b), NFT_MSG_DELTABLE,
	    NFPROTO_INET, NLM_F_ACK, ++seq);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	nftnl_batch_update(b);
	nftnl_batch_end(nftnl_batch_buffer(b), seq + 1);
	nftnl_batch_update(b);
	talk(b, seq);
	nftnl_batch_free(b);
	mnl_socket_close(nl);
	return 0;
}
