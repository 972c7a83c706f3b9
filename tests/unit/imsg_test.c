/*
 * common/imsg.c over real socketpairs: framing, partial I/O, bounds that
 * hold before anything is allocated, and fd passing that never leaks.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "imsg.h"
#include "util.h"

#define SMALL_MAX	4096
#define BIG_MAX		(256U * 1024)
#define BIG_LEN		(200U * 1024)

/* A socketpair with a sending imsgbuf on sv[0], a receiving one on sv[1]. */
struct chan {
	int		sv[2];
	struct imsgbuf	tx, rx;
};

static void
chan_open(struct chan *c, size_t max, int txfds, int rxfds, int nonblock)
{
	int	type = SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0);

	assert_int_equal(socketpair(AF_UNIX, type, 0, c->sv), 0);
	assert_int_equal(imsgbuf_init(&c->tx, c->sv[0], max, txfds), 0);
	assert_int_equal(imsgbuf_init(&c->rx, c->sv[1], max, rxfds), 0);
}

static void
chan_close(struct chan *c)
{
	imsgbuf_clear(&c->tx);
	imsgbuf_clear(&c->rx);
	close(c->sv[0]);
	close(c->sv[1]);
}

static void
fill(unsigned char *p, size_t len, unsigned int seed)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static int
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static int
count_fds(void)
{
	DIR	*d;
	int	 n = 0;

	assert_non_null(d = opendir("/proc/self/fd"));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* The lowest free descriptor: the number the kernel hands out next. */
static int
next_fd(void)
{
	int	fd;

	assert_true((fd = dup(0)) != -1);
	close(fd);
	return fd;
}

/* True when every write end of the pipe is closed (read sees EOF). */
static int
pipe_orphaned(int rd)
{
	char	c;

	assert_int_equal(fcntl(rd, F_SETFL, O_NONBLOCK), 0);
	return read(rd, &c, 1) == 0;
}

/*
 * A refused fd is gone: the number it was given is free again, no other
 * descriptor was left open, and the pipe it wrote to has no writer.
 */
static void
assert_fd_dropped(int arrives, int nfds, int rd)
{
	assert_false(fd_open(arrives));
	assert_int_equal(count_fds(), nfds);
	assert_true(pipe_orphaned(rd));
}

/* Read and take one message; the channel must deliver it. */
static void
recv_one(struct imsgbuf *ibuf, struct imsg *imsg)
{
	int	r, tries;

	for (tries = 0; tries < 8; tries++) {
		if ((r = imsg_get(ibuf, imsg)) == 1)
			return;
		assert_int_equal(r, 0);
		assert_true(imsg_read(ibuf) > 0);
	}
	fail_msg("no message after %d reads", tries);
}

static void
raw_header(int fd, uint32_t len)
{
	struct imsg_hdr	hdr = { .type = 7, .len = len, .peerid = 1,
			    .pid = 1 };

	assert_int_equal(write(fd, &hdr, sizeof(hdr)), sizeof(hdr));
}

/* Send `n` bytes with `nfd` descriptors in one control message. */
static void
raw_send_fds(int sock, const void *buf, size_t n, const int *fds, int nfd)
{
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(8 * sizeof(int))];
	}			 cmsgbuf;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;

	assert_true(nfd >= 1 && nfd <= 8);
	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = n;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_len = CMSG_LEN(nfd * sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), fds, nfd * sizeof(int));
	assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t)n);
}

static void
test_init_bounds(void **state)
{
	struct imsgbuf	ibuf;

	errno = 0;
	assert_int_equal(imsgbuf_init(&ibuf, 0, IMSG_MIN_MAXSIZE - 1, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(imsgbuf_init(&ibuf, 0, IMSG_MAX_MAXSIZE + 1, 0), -1);
	assert_int_equal(imsgbuf_init(&ibuf, -1, SMALL_MAX, 0), -1);
	assert_int_equal(imsgbuf_init(&ibuf, 0, IMSG_MAX_MAXSIZE, 0), 0);
	assert_int_equal(ibuf.pid, getpid());
	imsgbuf_clear(&ibuf);
}

static void
test_roundtrip(void **state)
{
	static const size_t	 lens[] = { 0, 1, SMALL_MAX - IMSG_HDR_SIZE };
	struct chan		 c;
	struct imsg		 imsg;
	unsigned char		*buf;
	size_t			 i;

	chan_open(&c, SMALL_MAX, 0, 0, 0);
	assert_non_null(buf = malloc(SMALL_MAX));
	for (i = 0; i < 3; i++) {
		fill(buf, lens[i], (unsigned int)i);
		assert_int_equal(imsg_compose(&c.tx, 100 + i, 1000 + i, -1,
		    buf, lens[i]), 0);
	}
	assert_int_equal(imsg_pending(&c.tx), 3);
	assert_int_equal(imsg_flush(&c.tx), 0);
	assert_int_equal(imsg_pending(&c.tx), 0);
	for (i = 0; i < 3; i++) {
		recv_one(&c.rx, &imsg);
		assert_int_equal(imsg.hdr.type, 100 + i);
		assert_int_equal(imsg.hdr.peerid, 1000 + i);
		assert_int_equal(imsg.hdr.pid, getpid());
		assert_int_equal(imsg.hdr.len, IMSG_HDR_SIZE + lens[i]);
		assert_int_equal(imsg.datalen, lens[i]);
		assert_int_equal(imsg.fd, -1);
		fill(buf, lens[i], (unsigned int)i);
		if (lens[i] == 0)
			assert_null(imsg.data);
		else
			assert_memory_equal(imsg.data, buf, lens[i]);
		imsg_free(&imsg);
		assert_null(imsg.data);
	}
	assert_int_equal(imsg_get(&c.rx, &imsg), 0);
	free(buf);
	chan_close(&c);
}

/* Small messages around one of BIG_LEN: message i has type i. */
static const size_t	mixed_lens[] = { 10, BIG_LEN, 0, 3 };

static void
queue_mixed(struct imsgbuf *tx, unsigned char *buf)
{
	size_t	i;

	for (i = 0; i < nitems(mixed_lens); i++) {
		fill(buf, mixed_lens[i], (unsigned int)i);
		assert_int_equal(imsg_compose(tx, (uint32_t)i, 0, -1, buf,
		    mixed_lens[i]), 0);
	}
}

/* Take what is complete, checking it against message *got and on. */
static void
take_mixed(struct imsgbuf *rx, unsigned char *buf, size_t *got)
{
	struct imsg	imsg;

	while (imsg_get(rx, &imsg) == 1) {
		assert_true(*got < nitems(mixed_lens));
		assert_int_equal(imsg.hdr.type, *got);
		assert_int_equal(imsg.datalen, mixed_lens[*got]);
		fill(buf, mixed_lens[*got], (unsigned int)*got);
		if (mixed_lens[*got] != 0)
			assert_memory_equal(imsg.data, buf, mixed_lens[*got]);
		imsg_free(&imsg);
		(*got)++;
	}
}

/* Tiny socket buffers: the big message goes out and in many pieces. */
static void
test_partial_io(void **state)
{
	struct chan		 c;
	unsigned char		*buf;
	int			 one = 1, w = 1, partial = 0, rounds;
	size_t			 got = 0;
	ssize_t			 n;

	chan_open(&c, BIG_MAX, 0, 0, 1);
	assert_int_equal(setsockopt(c.sv[0], SOL_SOCKET, SO_SNDBUF, &one,
	    sizeof(one)), 0);
	assert_int_equal(setsockopt(c.sv[1], SOL_SOCKET, SO_RCVBUF, &one,
	    sizeof(one)), 0);
	assert_non_null(buf = malloc(BIG_LEN));
	queue_mixed(&c.tx, buf);
	for (rounds = 0; rounds < 100000 &&
	    (got < nitems(mixed_lens) || w != 0); rounds++) {
		if (w != 0 && (w = imsg_write(&c.tx)) == 1)
			partial++;
		assert_true(w == 0 || w == 1);
		if ((n = imsg_read(&c.rx)) == -1)
			assert_int_equal(errno, EAGAIN);
		else
			assert_true(n > 0);
		take_mixed(&c.rx, buf, &got);
	}
	assert_int_equal(got, nitems(mixed_lens));
	/* Pieces, not one sendmsg(): the socket could not take it at once. */
	assert_true(partial > 1);
	free(buf);
	chan_close(&c);
}

static void
test_header_too_short(void **state)
{
	struct chan	c;
	struct imsg	imsg;

	chan_open(&c, SMALL_MAX, 0, 0, 1);
	raw_header(c.sv[0], IMSG_HDR_SIZE - 1);
	assert_int_equal(imsg_read(&c.rx), IMSG_HDR_SIZE);
	assert_int_equal(imsg_get(&c.rx, &imsg), -1);
	assert_int_equal(errno, EBADMSG);
	/* The channel stays unusable. */
	assert_int_equal(imsg_read(&c.rx), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(imsg_get(&c.rx, &imsg), -1);
	chan_close(&c);
}

/*
 * A header announcing one byte more than the maximum, with a body behind
 * it: nothing grows for it.  The same check on a header announcing exactly
 * the maximum shows that the buffer does grow for a message it accepts.
 */
static void
test_header_too_long(void **state)
{
	static unsigned char	 body[100];
	static const size_t	 max = 1024 * 1024;
	struct chan		 c;
	struct imsg		 imsg;
	int			 bad;

	for (bad = 1; bad >= 0; bad--) {
		chan_open(&c, max, 0, 0, 1);
		raw_header(c.sv[0], (uint32_t)max + (uint32_t)bad);
		assert_int_equal(write(c.sv[0], body, sizeof(body)),
		    sizeof(body));
		if (bad) {
			assert_int_equal(imsg_read(&c.rx), IMSG_HDR_SIZE);
			assert_int_equal(imsg_get(&c.rx, &imsg), -1);
			assert_int_equal(errno, EBADMSG);
			assert_int_equal(c.rx.rlen, IMSG_HDR_SIZE);
			assert_true(c.rx.rsize < max);
		} else {
			assert_int_equal(imsg_read(&c.rx),
			    IMSG_HDR_SIZE + sizeof(body));
			assert_int_equal(imsg_get(&c.rx, &imsg), 0);
			assert_int_equal(c.rx.rsize, max);
		}
		chan_close(&c);
	}
}

static void
test_fd_pass(void **state)
{
	struct chan	 c;
	struct imsg	 imsg;
	char		 msg[6] = "hello", got[6];
	int		 p[2], i;

	chan_open(&c, SMALL_MAX, 1, 1, 0);
	assert_int_equal(pipe(p), 0);
	/* Neighbours without fds, all in the socket before any read. */
	assert_int_equal(imsg_compose(&c.tx, 1, 0, -1, msg, sizeof(msg)), 0);
	assert_int_equal(imsg_compose(&c.tx, 2, 0, p[1], msg, sizeof(msg)),
	    0);
	assert_int_equal(imsg_compose(&c.tx, 3, 0, -1, NULL, 0), 0);
	assert_int_equal(imsg_flush(&c.tx), 0);
	/* The sender let go of its copy once it was sent. */
	assert_false(fd_open(p[1]));
	for (i = 1; i <= 3; i++) {
		recv_one(&c.rx, &imsg);
		assert_int_equal(imsg.hdr.type, i);
		if (i != 2) {
			assert_int_equal(imsg.fd, -1);
			imsg_free(&imsg);
			continue;
		}
		assert_true(imsg.fd != -1);
		assert_true(fcntl(imsg.fd, F_GETFD) & FD_CLOEXEC);
		assert_int_equal(write(imsg.fd, msg, sizeof(msg)), sizeof(msg));
		assert_int_equal(read(p[0], got, sizeof(got)), sizeof(got));
		assert_memory_equal(got, msg, sizeof(msg));
		/* Not taken: imsg_free() closes it. */
		imsg_free(&imsg);
		assert_true(pipe_orphaned(p[0]));
	}
	close(p[0]);
	chan_close(&c);
}

/*
 * Queued messages without fds leave with one sendmsg(), a message with
 * an fd alone: on a SOCK_SEQPACKET pair each sendmsg() is one packet.
 */
static void
test_write_batches(void **state)
{
	struct imsgbuf	tx;
	unsigned char	buf[8192];
	int		sv[2], p[2], i, packets = 0, withfd = 0;
	struct msghdr	msg;
	struct iovec	iov;
	union {
		struct cmsghdr	hdr;
		unsigned char	buf[CMSG_SPACE(sizeof(int))];
	}		cbuf;
	ssize_t		n;
	size_t		lens[4] = { 0 };

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(imsgbuf_init(&tx, sv[0], SMALL_MAX, 1), 0);
	assert_int_equal(pipe(p), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(imsg_compose(&tx, 1, 0, -1, "ab", 2), 0);
	assert_int_equal(imsg_compose(&tx, 2, 0, p[1], NULL, 0), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(imsg_compose(&tx, 3, 0, -1, NULL, 0), 0);
	assert_int_equal(imsg_flush(&tx), 0);
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		if ((n = recvmsg(sv[1], &msg, MSG_DONTWAIT)) <= 0)
			break;
		if (msg.msg_controllen > 0) {
			withfd = packets;
			memcpy(&i, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(i));
			close(i);
		}
		if (packets < 4)
			lens[packets] = (size_t)n;
		packets++;
	}
	assert_int_equal(packets, 3);
	assert_int_equal(withfd, 1);
	assert_int_equal(lens[0], 50 * (IMSG_HDR_SIZE + 2));
	assert_int_equal(lens[1], IMSG_HDR_SIZE);
	assert_int_equal(lens[2], 3 * IMSG_HDR_SIZE);
	close(p[0]);
	imsgbuf_clear(&tx);
	close(sv[0]);
	close(sv[1]);
}

static void
test_fd_refused(void **state)
{
	struct chan	c;
	struct imsg	imsg;
	int		p[2], arrives, nfds;

	chan_open(&c, SMALL_MAX, 1, 0, 1);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(imsg_compose(&c.tx, 1, 0, p[1], NULL, 0), 0);
	assert_int_equal(imsg_write(&c.tx), 0);
	nfds = count_fds();
	arrives = next_fd();
	assert_int_equal(imsg_read(&c.rx), -1);
	assert_int_equal(errno, EBADMSG);
	assert_fd_dropped(arrives, nfds, p[0]);
	assert_int_equal(imsg_get(&c.rx, &imsg), 0);
	close(p[0]);
	chan_close(&c);
}

/* Two fds fit the control buffer, eight are truncated: all are closed. */
static void
test_fd_too_many(void **state)
{
	struct chan	c;
	struct imsg_hdr	hdr = { .type = 1, .len = IMSG_HDR_SIZE };
	int		rd[8], wr[8], p[2], n, i, nfds;

	for (n = 2; n <= 8; n += 6) {
		chan_open(&c, SMALL_MAX, 1, 1, 1);
		for (i = 0; i < n; i++) {
			assert_int_equal(pipe(p), 0);
			rd[i] = p[0];
			wr[i] = p[1];
		}
		raw_send_fds(c.sv[0], &hdr, sizeof(hdr), wr, n);
		for (i = 0; i < n; i++)
			close(wr[i]);
		nfds = count_fds();
		assert_int_equal(imsg_read(&c.rx), -1);
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(count_fds(), nfds);
		for (i = 0; i < n; i++) {
			assert_true(pipe_orphaned(rd[i]));
			close(rd[i]);
		}
		chan_close(&c);
	}
}

/* A second fd for the same message while the first is unclaimed. */
static void
test_fd_second_unclaimed(void **state)
{
	struct chan	c;
	struct imsg_hdr	hdr = { .type = 1, .len = IMSG_HDR_SIZE + 8 };
	unsigned char	body[8] = { 0 };
	int		p1[2], p2[2];

	chan_open(&c, SMALL_MAX, 1, 1, 1);
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	raw_send_fds(c.sv[0], &hdr, sizeof(hdr), &p1[1], 1);
	raw_send_fds(c.sv[0], body, sizeof(body), &p2[1], 1);
	close(p1[1]);
	close(p2[1]);
	assert_int_equal(imsg_read(&c.rx), -1);
	assert_int_equal(errno, EBADMSG);
	assert_true(pipe_orphaned(p2[0]));
	/* The first one is still held, until the channel is cleared. */
	assert_false(pipe_orphaned(p1[0]));
	imsgbuf_clear(&c.rx);
	assert_true(pipe_orphaned(p1[0]));
	close(p1[0]);
	close(p2[0]);
	chan_close(&c);
}

/* tx refuses fds, rx (used here to queue only) takes them. */
static void
test_compose_errors(void **state)
{
	struct chan	 c;
	unsigned char	*buf;
	int		 p[2];

	chan_open(&c, SMALL_MAX, 0, 1, 1);
	assert_int_equal(pipe(p), 0);
	assert_non_null(buf = calloc(1, SMALL_MAX));
	assert_int_equal(imsg_compose(&c.tx, 1, 0, p[1], NULL, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_true(fd_open(p[1]));	/* not taken on failure */
	assert_int_equal(imsg_compose(&c.tx, 1, 0, -1, buf,
	    SMALL_MAX - IMSG_HDR_SIZE + 1), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(imsg_compose(&c.tx, 1, 0, -1, NULL, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(imsg_pending(&c.tx), 0);
	/* Unsent fds are closed on clear. */
	assert_int_equal(imsg_compose(&c.rx, 1, 0, p[1], NULL, 0), 0);
	assert_int_equal(imsg_pending(&c.rx), 1);
	assert_false(pipe_orphaned(p[0]));
	imsgbuf_clear(&c.rx);
	assert_true(pipe_orphaned(p[0]));
	assert_int_equal(imsg_pending(&c.rx), 0);
	close(p[0]);
	free(buf);
	chan_close(&c);
}

static void
test_eof_eagain(void **state)
{
	struct chan	c;
	struct imsg	imsg;

	chan_open(&c, SMALL_MAX, 0, 0, 1);
	assert_int_equal(imsg_read(&c.rx), -1);
	assert_int_equal(errno, EAGAIN);
	/* Half a header, then the peer goes. */
	assert_int_equal(write(c.sv[0], "12345678", 8), 8);
	close(c.sv[0]);
	c.sv[0] = -1;
	assert_int_equal(imsg_read(&c.rx), 8);
	assert_int_equal(imsg_get(&c.rx, &imsg), 0);
	assert_int_equal(imsg_read(&c.rx), 0);
	chan_close(&c);
}

/* A complete message that nobody took blocks further reads. */
static void
test_read_before_get(void **state)
{
	struct chan	c;
	struct imsg	imsg;

	chan_open(&c, SMALL_MAX, 0, 0, 1);
	assert_int_equal(imsg_compose(&c.tx, 1, 0, -1, "ab", 2), 0);
	assert_int_equal(imsg_compose(&c.tx, 2, 0, -1, "cd", 2), 0);
	assert_int_equal(imsg_write(&c.tx), 0);
	assert_int_equal(imsg_read(&c.rx), IMSG_HDR_SIZE + 2);
	assert_int_equal(imsg_read(&c.rx), -1);
	assert_int_equal(errno, ENOBUFS);
	recv_one(&c.rx, &imsg);
	assert_int_equal(imsg.hdr.type, 1);
	imsg_free(&imsg);
	recv_one(&c.rx, &imsg);
	assert_int_equal(imsg.hdr.type, 2);
	assert_memory_equal(imsg.data, "cd", 2);
	imsg_free(&imsg);
	chan_close(&c);
}

/* Message i of the no-fd tests: type 100 + i, i % 97 bytes of payload. */
static size_t
nofd_len(size_t i)
{
	return i % 97;
}

static void
nofd_check(struct imsg *imsg, size_t i)
{
	unsigned char	buf[97];

	assert_int_equal(imsg->hdr.type, 100 + i);
	assert_int_equal(imsg->datalen, nofd_len(i));
	assert_int_equal(imsg->fd, -1);
	fill(buf, nofd_len(i), (unsigned int)i);
	if (nofd_len(i) != 0)
		assert_memory_equal(imsg->data, buf, nofd_len(i));
	imsg_free(imsg);
}

/* Message i as the bytes a sender writes. */
static size_t
nofd_raw(unsigned char *out, size_t i)
{
	struct imsg_hdr	hdr = { .type = 100 + (uint32_t)i, .peerid = 0,
			    .pid = 1 };

	hdr.len = (uint32_t)(IMSG_HDR_SIZE + nofd_len(i));
	memcpy(out, &hdr, sizeof(hdr));
	fill(out + IMSG_HDR_SIZE, nofd_len(i), (unsigned int)i);
	return hdr.len;
}

/* Every byte the buffer holds outside the untaken messages is wiped. */
static void
assert_rbuf_wiped(const struct imsgbuf *ibuf)
{
	size_t	i;

	for (i = 0; i < ibuf->rsize; i++)
		if (i < ibuf->roff || i >= ibuf->rlen)
			assert_int_equal(ibuf->rbuf[i], 0);
}

/* Many messages in the socket: one read takes them all, in order. */
static void
test_nofd_bulk(void **state)
{
	enum { N = 100 };	/* one skb each: 100 fit in the socket */
	struct chan	 c;
	struct imsg	 imsg;
	unsigned char	 buf[97];
	size_t		 i, total = 0;

	chan_open(&c, BIG_MAX, 0, 0, 1);
	imsgbuf_set_nofd(&c.rx);
	for (i = 0; i < N; i++) {
		fill(buf, nofd_len(i), (unsigned int)i);
		assert_int_equal(imsg_compose(&c.tx, 100 + (uint32_t)i, 0, -1,
		    buf, nofd_len(i)), 0);
		total += IMSG_HDR_SIZE + nofd_len(i);
	}
	assert_int_equal(imsg_write(&c.tx), 0);
	assert_int_equal(imsg_read(&c.rx), (ssize_t)total);
	assert_int_equal(c.rx.rsize, IMSG_READ_BULK);
	/* Less than the buffer took: the socket is empty. */
	assert_true(imsg_read_drained(&c.rx));
	for (i = 0; i < N; i++) {
		if (i == 1) {
			/* Complete messages wait: nothing more is read. */
			assert_int_equal(imsg_read(&c.rx), -1);
			assert_int_equal(errno, ENOBUFS);
		}
		assert_int_equal(imsg_get(&c.rx, &imsg), 1);
		nofd_check(&imsg, i);
		assert_rbuf_wiped(&c.rx);
	}
	assert_int_equal(imsg_get(&c.rx, &imsg), 0);
	assert_int_equal(c.rx.rlen, 0);
	assert_int_equal(imsg_read(&c.rx), -1);
	assert_int_equal(errno, EAGAIN);
	chan_close(&c);
}

/*
 * A read that ends inside a message, at every byte of the third one: the
 * next read completes it, and the bytes moved to the front leave no copy.
 */
static void
test_nofd_partial(void **state)
{
	struct chan	 c;
	struct imsg	 imsg;
	unsigned char	 raw[4 * (IMSG_HDR_SIZE + 97)];
	size_t		 off[5], cut, i;

	off[0] = 0;
	for (i = 0; i < 4; i++)
		off[i + 1] = off[i] + nofd_raw(raw + off[i], 95 + i);
	for (cut = off[2] + 1; cut < off[3]; cut++) {
		chan_open(&c, SMALL_MAX, 0, 0, 1);
		imsgbuf_set_nofd(&c.rx);
		assert_int_equal(write(c.sv[0], raw, cut), (ssize_t)cut);
		assert_int_equal(imsg_read(&c.rx), (ssize_t)cut);
		for (i = 0; i < 2; i++) {
			assert_int_equal(imsg_get(&c.rx, &imsg), 1);
			nofd_check(&imsg, 95 + i);
		}
		assert_int_equal(imsg_get(&c.rx, &imsg), 0);
		assert_int_equal(c.rx.rlen - c.rx.roff, cut - off[2]);
		assert_int_equal(write(c.sv[0], raw + cut, off[4] - cut),
		    (ssize_t)(off[4] - cut));
		assert_int_equal(imsg_read(&c.rx), (ssize_t)(off[4] - cut));
		assert_int_equal(c.rx.roff, 0);
		assert_rbuf_wiped(&c.rx);
		for (i = 2; i < 4; i++) {
			assert_int_equal(imsg_get(&c.rx, &imsg), 1);
			nofd_check(&imsg, 95 + i);
		}
		assert_int_equal(imsg_get(&c.rx, &imsg), 0);
		chan_close(&c);
	}
}

/*
 * A message longer than one bulk read between small ones: the buffer grows
 * to that message (never past the maximum) and shrinks back once empty.
 */
static void
test_nofd_long(void **state)
{
	struct chan		 c;
	unsigned char		*buf;
	size_t			 got = 0, grew = 0, full = 0;
	int			 rounds;

	chan_open(&c, BIG_MAX, 0, 0, 1);
	imsgbuf_set_nofd(&c.rx);
	assert_non_null(buf = malloc(BIG_LEN));
	queue_mixed(&c.tx, buf);
	for (rounds = 0; rounds < 100000 && got < nitems(mixed_lens);
	    rounds++) {
		assert_true(imsg_write(&c.tx) >= 0);
		if (imsg_read(&c.rx) == -1)
			assert_int_equal(errno, EAGAIN);
		else if (c.rx.rlen == c.rx.rsize) {
			/* A full buffer says nothing of the socket. */
			assert_false(imsg_read_drained(&c.rx));
			full++;
		} else
			assert_true(imsg_read_drained(&c.rx));
		assert_true(c.rx.rsize <= BIG_MAX);
		if (c.rx.rsize > IMSG_READ_BULK)
			grew++;
		take_mixed(&c.rx, buf, &got);
	}
	assert_int_equal(got, nitems(mixed_lens));
	assert_true(grew > 0 && full > 0);
	assert_true(c.rx.rsize <= IMSG_READ_BULK);
	free(buf);
	chan_close(&c);
}

/*
 * A header past the maximum, alone and behind good messages: those are
 * delivered, it is refused, and nothing beyond one bulk read was allocated.
 */
static void
test_nofd_header_too_long(void **state)
{
	static const size_t	 max = 1024 * 1024;
	static unsigned char	 body[100];
	struct chan		 c;
	struct imsg		 imsg;
	unsigned char		 raw[2 * (IMSG_HDR_SIZE + 97)];
	size_t			 len, i;
	int			 good;

	for (good = 0; good <= 2; good += 2) {
		chan_open(&c, max, 0, 0, 1);
		imsgbuf_set_nofd(&c.rx);
		for (len = 0, i = 0; i < (size_t)good; i++)
			len += nofd_raw(raw + len, 90 + i);
		assert_int_equal(write(c.sv[0], raw, len), (ssize_t)len);
		raw_header(c.sv[0], (uint32_t)max + 1);
		assert_int_equal(imsg_read(&c.rx),
		    (ssize_t)(len + IMSG_HDR_SIZE));
		assert_int_equal(write(c.sv[0], body, sizeof(body)),
		    sizeof(body));
		for (i = 0; i < (size_t)good; i++) {
			assert_int_equal(imsg_get(&c.rx, &imsg), 1);
			nofd_check(&imsg, 90 + i);
		}
		assert_int_equal(imsg_get(&c.rx, &imsg), -1);
		assert_int_equal(errno, EBADMSG);
		/* No read, no growth: the channel stays unusable. */
		assert_int_equal(imsg_read(&c.rx), -1);
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(c.rx.rlen - c.rx.roff, IMSG_HDR_SIZE);
		assert_true(c.rx.rsize <= IMSG_READ_BULK);
		chan_close(&c);
	}
}

/*
 * An fd sent into a no-fd channel, even one whose imsgbuf takes fds, with
 * the first message or behind others: the read fails and no fd is left.
 */
static void
test_nofd_fd_refused(void **state)
{
	struct chan	c;
	struct imsg	imsg;
	int		p[2], nfds, arrives, first, r;
	size_t		got;

	for (first = 1; first >= 0; first--) {
		chan_open(&c, SMALL_MAX, 1, 1, 1);
		imsgbuf_set_nofd(&c.rx);
		assert_int_equal(pipe(p), 0);
		if (!first)
			assert_int_equal(imsg_compose(&c.tx, 1, 0, -1, "ab", 2),
			    0);
		assert_int_equal(imsg_compose(&c.tx, 2, 0, p[1], "cd", 2), 0);
		assert_int_equal(imsg_compose(&c.tx, 3, 0, -1, NULL, 0), 0);
		assert_int_equal(imsg_flush(&c.tx), 0);
		nfds = count_fds();
		arrives = next_fd();
		got = 0;
		while ((r = imsg_get(&c.rx, &imsg)) == 1 ||
		    (r == 0 && imsg_read(&c.rx) > 0)) {
			if (r == 1) {
				/* Only what came before the fd. */
				assert_int_equal(imsg.hdr.type, 1);
				assert_int_equal(imsg.fd, -1);
				imsg_free(&imsg);
				got++;
			}
		}
		assert_int_equal(errno, EBADMSG);
		assert_true(got <= 1);
		assert_fd_dropped(arrives, nfds, p[0]);
		close(p[0]);
		chan_close(&c);
	}
}

/*
 * The child's switch: default mode takes an fd with its message, then the
 * channel turns no-fd with the next message's header already held.  What
 * was held and what follows is delivered in order.
 */
static void
test_nofd_switch(void **state)
{
	struct chan	 c;
	struct imsg	 imsg;
	unsigned char	 raw[3 * (IMSG_HDR_SIZE + 97)];
	size_t		 len, i;
	int		 p[2];

	chan_open(&c, SMALL_MAX, 1, 1, 1);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(imsg_compose(&c.tx, 1, 0, p[1], NULL, 0), 0);
	assert_int_equal(imsg_flush(&c.tx), 0);
	for (len = 0, i = 0; i < 3; i++)
		len += nofd_raw(raw + len, 50 + i);
	assert_int_equal(write(c.sv[0], raw, IMSG_HDR_SIZE), IMSG_HDR_SIZE);
	recv_one(&c.rx, &imsg);
	assert_int_equal(imsg.hdr.type, 1);
	assert_true(imsg.fd != -1);
	imsg_free(&imsg);
	assert_true(pipe_orphaned(p[0]));
	close(p[0]);
	/* Default mode: the header of message 50, and no more. */
	assert_int_equal(imsg_read(&c.rx), IMSG_HDR_SIZE);
	assert_int_equal(imsg_get(&c.rx, &imsg), 0);
	imsgbuf_set_nofd(&c.rx);
	assert_int_equal(write(c.sv[0], raw + IMSG_HDR_SIZE,
	    len - IMSG_HDR_SIZE), (ssize_t)(len - IMSG_HDR_SIZE));
	assert_int_equal(imsg_read(&c.rx), (ssize_t)(len - IMSG_HDR_SIZE));
	for (i = 0; i < 3; i++) {
		assert_int_equal(imsg_get(&c.rx, &imsg), 1);
		nofd_check(&imsg, 50 + i);
	}
	assert_int_equal(imsg_get(&c.rx, &imsg), 0);
	chan_close(&c);
}

static uint64_t	rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/* Take everything the receiver has: 0 on EAGAIN, -1 on a rejected stream. */
static int
drain(struct imsgbuf *rx, size_t *msgs)
{
	struct imsg	imsg;
	int		r;

	for (;;) {
		while ((r = imsg_get(rx, &imsg)) == 1) {
			assert_true(imsg.hdr.len >= IMSG_HDR_SIZE);
			assert_true(imsg.hdr.len <= rx->maxsize);
			assert_int_equal(imsg.datalen,
			    imsg.hdr.len - IMSG_HDR_SIZE);
			assert_true((imsg.data == NULL) == (imsg.datalen == 0));
			assert_int_equal(imsg.fd, -1);
			imsg_free(&imsg);
			(*msgs)++;
		}
		assert_true(rx->rsize <= rx->maxsize);
		if (r == -1) {
			assert_int_equal(errno, EBADMSG);
			return -1;
		}
		if (imsg_read(rx) == -1) {
			if (errno == EAGAIN)
				return 0;
			assert_int_equal(errno, EBADMSG);
			return -1;
		}
	}
}

/*
 * Random streams, half of them shaped like headers with plausible lengths
 * so that whole messages get through as well as garbage.
 */
static void
test_random_stream(void **state)
{
	const int	 nofd = *state != NULL;
	const size_t	 max = IMSG_MIN_MAXSIZE * 4;
	struct chan	 c;
	struct imsg_hdr	 hdr;
	unsigned char	 chunk[2 * IMSG_MIN_MAXSIZE * 4];
	size_t		 len, i, msgs = 0, rejected = 0;
	int		 round, live = 0;

	print_message("seed %#llx\n", (unsigned long long)rng);
	for (round = 0; round < 5000; round++) {
		if (!live) {
			chan_open(&c, max, 0, 0, 1);
			if (nofd)
				imsgbuf_set_nofd(&c.rx);
			live = 1;
		}
		len = 1 + rnd() % sizeof(chunk);
		for (i = 0; i < len; i++)
			chunk[i] = (unsigned char)rnd();
		if (rnd() % 2 && len >= sizeof(hdr)) {
			memcpy(&hdr, chunk, sizeof(hdr));
			hdr.len = rnd() % (max + IMSG_HDR_SIZE);
			memcpy(chunk, &hdr, sizeof(hdr));
			if (hdr.len >= IMSG_HDR_SIZE && hdr.len <= len)
				len = hdr.len;
		}
		assert_int_equal(write(c.sv[0], chunk, len), (ssize_t)len);
		if (drain(&c.rx, &msgs) == -1) {
			rejected++;
			chan_close(&c);
			live = 0;
		}
	}
	if (live)
		chan_close(&c);
	print_message("%zu messages, %zu streams rejected\n", msgs, rejected);
	assert_true(msgs > 100);
	assert_true(rejected > 100);
}

int
main(void)
{
	static int	nofd_on = 1;

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_partial_io),
		cmocka_unit_test(test_header_too_short),
		cmocka_unit_test(test_header_too_long),
		cmocka_unit_test(test_fd_pass),
		cmocka_unit_test(test_write_batches),
		cmocka_unit_test(test_fd_refused),
		cmocka_unit_test(test_fd_too_many),
		cmocka_unit_test(test_fd_second_unclaimed),
		cmocka_unit_test(test_compose_errors),
		cmocka_unit_test(test_eof_eagain),
		cmocka_unit_test(test_read_before_get),
		cmocka_unit_test(test_random_stream),
		cmocka_unit_test(test_nofd_bulk),
		cmocka_unit_test(test_nofd_partial),
		cmocka_unit_test(test_nofd_long),
		cmocka_unit_test(test_nofd_header_too_long),
		cmocka_unit_test(test_nofd_fd_refused),
		cmocka_unit_test(test_nofd_switch),
		cmocka_unit_test_prestate(test_random_stream, &nofd_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
