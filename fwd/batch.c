/*
 * One nf_tables transaction being built: BATCH_BEGIN (with the generation
 * it was planned against), the messages, BATCH_END.  libnftnl's batch
 * keeps it in pages, sent with one sendmsg() as an iovec.
 */
#include <sys/uio.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <stdlib.h>
#include <time.h>

#include "fwd.h"

/*
 * An element message may be a little over 64 KB (its element list is one
 * attribute with a 16-bit length), so a page always has that much spare.
 */
#define FW_BATCH_PAGE		(256U * 1024)
#define FW_BATCH_OVERRUN	(128U * 1024)

struct fw_batch {
	struct nftnl_batch	*b;
	uint32_t		 first_seq;
	uint32_t		 last_seq;
	size_t			 nmsgs;
	int			 closed;
};

static uint32_t	fw_seq;

uint32_t
fw_seq_next(void)
{
	if (fw_seq == 0)
		fw_seq = (uint32_t)time(NULL);
	if (++fw_seq == 0)
		fw_seq = 1;
	return fw_seq;
}

struct fw_batch *
fw_batch_new(uint32_t genid)
{
	struct fw_batch	*fb;
	struct nlmsghdr	*nlh;

	if ((fb = calloc(1, sizeof(*fb))) == NULL)
		return NULL;
	if ((fb->b = nftnl_batch_alloc(FW_BATCH_PAGE, FW_BATCH_OVERRUN)) ==
	    NULL) {
		free(fb);
		return NULL;
	}
	fb->first_seq = fw_seq_next();
	fb->last_seq = fb->first_seq;
	nlh = nftnl_batch_begin(nftnl_batch_buffer(fb->b), fb->first_seq);
	/* The kernel refuses the batch (ERESTART) if anyone changed the
	 * ruleset since we looked: genid 0 means "do not check". */
	if (genid != 0)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	if (nftnl_batch_update(fb->b) == -1) {
		fw_batch_free(fb);
		return NULL;
	}
	return fb;
}

void
fw_batch_free(struct fw_batch *fb)
{
	if (fb == NULL)
		return;
	nftnl_batch_free(fb->b);
	free(fb);
}

struct nlmsghdr *
fw_batch_msg(struct fw_batch *fb, uint16_t type, uint16_t flags)
{
	fb->last_seq = fw_seq_next();
	fb->nmsgs++;
	/* Every message is acknowledged: the last ACK ends the wait. */
	return nftnl_nlmsg_build_hdr(nftnl_batch_buffer(fb->b), type,
	    NFPROTO_INET, flags | NLM_F_ACK, fb->last_seq);
}

int
fw_batch_next(struct fw_batch *fb)
{
	return nftnl_batch_update(fb->b);
}

int
fw_batch_close(struct fw_batch *fb)
{
	if (fb->closed)
		return 0;
	nftnl_batch_end(nftnl_batch_buffer(fb->b), fw_seq_next());
	if (nftnl_batch_update(fb->b) == -1)
		return -1;
	fb->closed = 1;
	return 0;
}

int
fw_batch_iovcnt(struct fw_batch *fb)
{
	return nftnl_batch_iovec_len(fb->b);
}

void
fw_batch_iov(struct fw_batch *fb, struct iovec *iov, int n)
{
	nftnl_batch_iovec(fb->b, iov, (uint32_t)n);
}

size_t
fw_batch_len(struct fw_batch *fb)
{
	struct iovec	*iov;
	size_t		 len = 0;
	int		 i, n = fw_batch_iovcnt(fb);

	if ((iov = calloc((size_t)n, sizeof(*iov))) == NULL)
		return 0;
	fw_batch_iov(fb, iov, n);
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	free(iov);
	return len;
}

uint32_t
fw_batch_first_seq(const struct fw_batch *fb)
{
	return fb->first_seq;
}

uint32_t
fw_batch_last_seq(const struct fw_batch *fb)
{
	return fb->last_seq;
}

size_t
fw_batch_nmsgs(const struct fw_batch *fb)
{
	return fb->nmsgs;
}
