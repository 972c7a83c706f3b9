/*
 * imsg: length-prefixed messages over a UNIX stream socket, with optional
 * fd passing.  See imsg.h for the contract.
 *
 * By default the read side never reads past the end of the message it is
 * assembling, so the read buffer holds at most one message (never more
 * than maxsize) and an fd received belongs to that message: the sender
 * passes an fd with its message's first byte, and the kernel hands it over
 * with that byte.  The header fixed by the protocol has no "has fd" flag,
 * so reading one message at a time is what keeps fds with the right
 * message: a read that spanned two messages could return the fd of the
 * second one while the first one is still the next to be taken.  That
 * costs two recvmsg() per message (header, then payload).
 *
 * A channel on which the catalogue lets no fd arrive has nothing to keep
 * apart, so imsgbuf_set_nofd() reads it in bulk: one recvmsg() of up to
 * IMSG_READ_BULK bytes (more only to complete one longer message, still
 * never past maxsize), and imsg_get() takes the messages from roff one by
 * one.  Any fd that arrives there is closed and the read fails.
 *
 * The write side sends the queued messages without an fd together, with
 * one sendmsg(); a message with an fd goes alone, its fd with its first
 * byte and nothing before it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

/* Messages without fds sent by one sendmsg(), at most. */
#define IMSG_WRITE_IOV		64

/*
 * A read buffer larger than this is released once its messages are taken
 * (a bulk reader's buffer is kept).
 */
#define IMSG_RBUF_KEEP		IMSG_READ_BULK

struct imsg_wbuf {
	TAILQ_ENTRY(imsg_wbuf)	 entry;
	unsigned char		*buf;	/* header + payload */
	size_t			 len;
	size_t			 off;	/* bytes already sent */
	int			 fd;	/* -1 when none or already sent */
};

/* Control space for exactly one fd, aligned for struct cmsghdr. */
union cmsg_onefd {
	struct cmsghdr	hdr;
	unsigned char	buf[CMSG_SPACE(sizeof(int))];
};

/* A msghdr for one buffer and one fd's worth of control space. */
static void
msg_init(struct msghdr *msg, struct iovec *iov, void *buf, size_t len,
    union cmsg_onefd *cmsgbuf)
{
	memset(msg, 0, sizeof(*msg));
	memset(cmsgbuf, 0, sizeof(*cmsgbuf));
	iov->iov_base = buf;
	iov->iov_len = len;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = cmsgbuf->buf;
	msg->msg_controllen = sizeof(cmsgbuf->buf);
}

static void
wbuf_free(struct imsg_wbuf *wb)
{
	if (wb->fd != -1)
		close(wb->fd);
	freezero(wb->buf, wb->len);
	free(wb);
}

int
imsgbuf_init(struct imsgbuf *ibuf, int fd, size_t maxsize, int allow_fds)
{
	if (fd < 0 || maxsize < IMSG_MIN_MAXSIZE ||
	    maxsize > IMSG_MAX_MAXSIZE) {
		errno = EINVAL;
		return -1;
	}
	memset(ibuf, 0, sizeof(*ibuf));
	ibuf->fd = fd;
	ibuf->maxsize = maxsize;
	ibuf->allow_fds = allow_fds != 0;
	ibuf->pid = getpid();
	ibuf->rfd = -1;
	TAILQ_INIT(&ibuf->wq);
	return 0;
}

void
imsgbuf_set_nofd(struct imsgbuf *ibuf)
{
	ibuf->nofd = 1;
}

void
imsgbuf_clear(struct imsgbuf *ibuf)
{
	struct imsg_wbuf	*wb;

	while ((wb = TAILQ_FIRST(&ibuf->wq)) != NULL) {
		TAILQ_REMOVE(&ibuf->wq, wb, entry);
		wbuf_free(wb);
	}
	ibuf->wqlen = 0;
	freezero(ibuf->rbuf, ibuf->rsize);
	ibuf->rbuf = NULL;
	ibuf->rsize = ibuf->rlen = ibuf->roff = 0;
	if (ibuf->rfd != -1)
		close(ibuf->rfd);
	ibuf->rfd = -1;
}

int
imsg_compose(struct imsgbuf *ibuf, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t datalen)
{
	struct imsg_wbuf	*wb;
	struct imsg_hdr		 hdr;

	if (datalen > ibuf->maxsize - IMSG_HDR_SIZE) {
		errno = EMSGSIZE;
		return -1;
	}
	if (fd < -1 || (fd != -1 && !ibuf->allow_fds)) {
		errno = EBADF;
		return -1;
	}
	if (data == NULL && datalen != 0) {
		errno = EINVAL;
		return -1;
	}
	if ((wb = calloc(1, sizeof(*wb))) == NULL)
		return -1;
	wb->len = IMSG_HDR_SIZE + datalen;
	if ((wb->buf = calloc(1, wb->len)) == NULL) {
		free(wb);
		return -1;
	}
	hdr.type = type;
	hdr.len = (uint32_t)wb->len;
	hdr.peerid = peerid;
	hdr.pid = (uint32_t)ibuf->pid;
	memcpy(wb->buf, &hdr, sizeof(hdr));
	if (datalen != 0)
		memcpy(wb->buf + IMSG_HDR_SIZE, data, datalen);
	wb->fd = fd;
	TAILQ_INSERT_TAIL(&ibuf->wq, wb, entry);
	ibuf->wqlen++;
	return 0;
}

/* One sendmsg() of the first queued message; its fd goes with byte 0. */
static ssize_t
wbuf_send(struct imsgbuf *ibuf, struct imsg_wbuf *wb)
{
	union cmsg_onefd	 cmsgbuf;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	ssize_t			 n;

	msg_init(&msg, &iov, wb->buf + wb->off, wb->len - wb->off, &cmsgbuf);
	if (wb->off != 0 || wb->fd == -1) {
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	} else {
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &wb->fd, sizeof(int));
	}
	if ((n = sendmsg(ibuf->fd, &msg, MSG_NOSIGNAL)) > 0 &&
	    wb->fd != -1) {
		/* The peer holds it now. */
		close(wb->fd);
		wb->fd = -1;
	}
	return n;
}

/*
 * Messages without an fd, one after the other, leave with one sendmsg()
 * (at most IMSG_WRITE_IOV of them): a message with an fd is sent alone,
 * so that its fd goes with its own first byte and nothing before it.
 */
static ssize_t
wbuf_send_run(struct imsgbuf *ibuf)
{
	struct iovec		 iov[IMSG_WRITE_IOV];
	struct msghdr		 msg;
	struct imsg_wbuf	*wb;
	int			 n = 0;

	TAILQ_FOREACH(wb, &ibuf->wq, entry) {
		if (n == IMSG_WRITE_IOV || wb->fd != -1)
			break;
		iov[n].iov_base = wb->buf + wb->off;
		iov[n].iov_len = wb->len - wb->off;
		n++;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n;
	return sendmsg(ibuf->fd, &msg, MSG_NOSIGNAL);
}

int
imsg_write(struct imsgbuf *ibuf)
{
	struct imsg_wbuf	*wb;
	ssize_t			 n;
	size_t			 left;

	while ((wb = TAILQ_FIRST(&ibuf->wq)) != NULL) {
		n = wb->fd != -1 ? wbuf_send(ibuf, wb) : wbuf_send_run(ibuf);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return 1;
			return -1;
		}
		/* What was sent, message by message. */
		for (; (wb = TAILQ_FIRST(&ibuf->wq)) != NULL && n > 0; n -= left) {
			left = wb->len - wb->off;
			if ((size_t)n < left) {
				wb->off += (size_t)n;
				return 1;
			}
			TAILQ_REMOVE(&ibuf->wq, wb, entry);
			ibuf->wqlen--;
			wbuf_free(wb);
		}
	}
	return 0;
}

int
imsg_flush(struct imsgbuf *ibuf)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = ibuf->fd;
	pfd.events = POLLOUT;
	while ((r = imsg_write(ibuf)) == 1) {
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
		if (pfd.revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
	}
	return r;
}

int
imsg_pending(const struct imsgbuf *ibuf)
{
	return ibuf->wqlen > INT_MAX ? INT_MAX : (int)ibuf->wqlen;
}

/*
 * How many bytes the message at roff needs: 0 and *need set when it is
 * incomplete, 1 when it is complete, -1 when its header is bad.
 */
static int
rbuf_need(const struct imsgbuf *ibuf, struct imsg_hdr *hdr, size_t *need)
{
	size_t	have = ibuf->rlen - ibuf->roff;

	if (have < IMSG_HDR_SIZE) {
		*need = IMSG_HDR_SIZE;
		return 0;
	}
	memcpy(hdr, ibuf->rbuf + ibuf->roff, sizeof(*hdr));
	if (hdr->len < IMSG_HDR_SIZE || hdr->len > ibuf->maxsize)
		return -1;
	*need = hdr->len;
	return have < *need ? 0 : 1;
}

/* Room for `size` bytes in rbuf; the callers keep size <= maxsize. */
static int
rbuf_grow(struct imsgbuf *ibuf, size_t size)
{
	unsigned char	*p;

	if (size <= ibuf->rsize)
		return 0;
	if ((p = recallocarray(ibuf->rbuf, ibuf->rsize, size, 1)) == NULL)
		return -1;
	ibuf->rbuf = p;
	ibuf->rsize = size;
	return 0;
}

/*
 * Keep the fd a control message brought, if it is the only one, the
 * channel takes fds and none is waiting to be claimed; otherwise close
 * everything that arrived: -1 (EBADMSG).
 */
static int
take_fds(struct imsgbuf *ibuf, struct msghdr *msg)
{
	struct cmsghdr	*cm;
	unsigned char	*end = (unsigned char *)msg->msg_control +
			    msg->msg_controllen;
	size_t		 i, nfd, total = 0;
	int		 fd, keep = -1, bad = (msg->msg_flags & MSG_CTRUNC) != 0;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_len < CMSG_LEN(0) ||
		    (unsigned char *)cm + cm->cmsg_len > end) {
			bad = 1;
			break;
		}
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++, total++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (keep == -1)
				keep = fd;
			else
				close(fd);
		}
	}
	if (total > 1 || (total == 1 && (!ibuf->allow_fds || ibuf->nofd ||
	    ibuf->rfd != -1)))
		bad = 1;
	if (bad) {
		if (keep != -1)
			close(keep);
		errno = EBADMSG;
		return -1;
	}
	if (keep != -1)
		ibuf->rfd = keep;
	return 0;
}

/* One recvmsg() of at most `len` bytes into the free end of rbuf. */
static ssize_t
rbuf_recv(struct imsgbuf *ibuf, size_t len, int flags)
{
	union cmsg_onefd	 cmsgbuf;
	struct msghdr		 msg;
	struct iovec		 iov;
	ssize_t			 n;

	/* Even a channel that refuses fds must see them, to close them. */
	msg_init(&msg, &iov, ibuf->rbuf + ibuf->rlen, len, &cmsgbuf);
	if ((n = recvmsg(ibuf->fd, &msg, flags | MSG_CMSG_CLOEXEC)) == -1)
		return -1;
	if (take_fds(ibuf, &msg) == -1)
		return -1;
	ibuf->rlen += (size_t)n;
	return n;
}

/*
 * No-fd mode: move the partial message at roff to the front (wiping the
 * copy left behind) and fill the buffer with one recvmsg(): IMSG_READ_BULK
 * bytes, or as many as the partial message needs if it is longer.
 */
static ssize_t
rbuf_recv_bulk(struct imsgbuf *ibuf, size_t need)
{
	size_t	left = ibuf->rlen - ibuf->roff, stale, cap;
	ssize_t	n;

	if (ibuf->roff > 0) {
		memmove(ibuf->rbuf, ibuf->rbuf + ibuf->roff, left);
		/* Below roff imsg_get() wiped already. */
		stale = left > ibuf->roff ? left : ibuf->roff;
		explicit_bzero(ibuf->rbuf + stale, ibuf->rlen - stale);
		ibuf->rlen = left;
		ibuf->roff = 0;
	}
	cap = IMSG_READ_BULK < ibuf->maxsize ? IMSG_READ_BULK : ibuf->maxsize;
	if (need > cap)
		cap = need;
	if (rbuf_grow(ibuf, cap) == -1)
		return -1;
	/* A stream socket fills the buffer unless its queue runs out. */
	n = rbuf_recv(ibuf, cap - ibuf->rlen, 0);
	ibuf->rdrained = n > 0 && ibuf->rlen < cap;
	return n;
}

ssize_t
imsg_read(struct imsgbuf *ibuf)
{
	struct imsg_hdr	 hdr;
	size_t		 need, total = 0;
	ssize_t		 n;
	int		 r;

	if ((r = rbuf_need(ibuf, &hdr, &need)) != 0) {
		/* A bad header, or a message imsg_get() has not taken. */
		errno = r == -1 ? EBADMSG : ENOBUFS;
		return -1;
	}
	if (ibuf->nofd)
		return rbuf_recv_bulk(ibuf, need);
	/* The header first, then the rest once its length is known good. */
	do {
		if (rbuf_grow(ibuf, need) == -1)
			return total > 0 ? (ssize_t)total : -1;
		/* Only the first recvmsg() may wait: report what we have. */
		n = rbuf_recv(ibuf, need - ibuf->rlen,
		    total > 0 ? MSG_DONTWAIT : 0);
		if (n == -1) {
			/* A bad control message is fatal, whatever came. */
			if (total > 0 && errno != EBADMSG)
				break;
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
	} while (rbuf_need(ibuf, &hdr, &need) == 0);
	return (ssize_t)total;
}

int
imsg_read_drained(const struct imsgbuf *ibuf)
{
	return ibuf->rdrained;
}

int
imsg_get(struct imsgbuf *ibuf, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	unsigned char	*msg;
	size_t		 need;
	int		 r;

	if ((r = rbuf_need(ibuf, &hdr, &need)) != 1) {
		if (r == -1)
			errno = EBADMSG;
		return r;
	}
	msg = ibuf->rbuf + ibuf->roff;
	memset(imsg, 0, sizeof(*imsg));
	imsg->hdr = hdr;
	imsg->datalen = need - IMSG_HDR_SIZE;
	imsg->data = NULL;
	if (imsg->datalen != 0) {
		if ((imsg->data = malloc(imsg->datalen)) == NULL)
			return -1;
		memcpy(imsg->data, msg + IMSG_HDR_SIZE, imsg->datalen);
	}
	imsg->fd = ibuf->rfd;
	ibuf->rfd = -1;
	ibuf->roff += need;
	if (ibuf->roff < ibuf->rlen || ibuf->rsize <= IMSG_RBUF_KEEP)
		explicit_bzero(msg, need);
	else {
		freezero(ibuf->rbuf, ibuf->rsize);
		ibuf->rbuf = NULL;
		ibuf->rsize = 0;
	}
	if (ibuf->roff == ibuf->rlen)
		ibuf->roff = ibuf->rlen = 0;
	return 1;
}

void
imsg_free(struct imsg *imsg)
{
	freezero(imsg->data, imsg->datalen);
	imsg->data = NULL;
	imsg->datalen = 0;
	if (imsg->fd != -1)
		close(imsg->fd);
	imsg->fd = -1;
}
