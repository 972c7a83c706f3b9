/*
 * libFuzzer target for the imsg read side: the input, after two bytes that
 * pick the channel maximum and the write size, is what a hostile peer
 * writes into the socket.  Every message taken must be within bounds, and
 * a no-fd (bulk) reader must take exactly the messages the default reader
 * takes from the same stream.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What one reader took: a digest per message. */
struct taken {
	uint64_t	*digest;
	size_t		 n, max;
};

static uint64_t
digest(const struct imsg *imsg)
{
	const unsigned char	*p = imsg->data;
	uint64_t		 h = 0xcbf29ce484222325ULL;
	size_t			 i;

	h = (h ^ imsg->hdr.type) * 0x100000001b3ULL;
	h = (h ^ imsg->hdr.peerid) * 0x100000001b3ULL;
	for (i = 0; i < imsg->datalen; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Take what has arrived: 0 to go on, -1 once the stream ended or failed. */
static int
drain(struct imsgbuf *rx, struct taken *t)
{
	struct imsg	imsg;
	ssize_t		n;
	int		r;

	for (;;) {
		while ((r = imsg_get(rx, &imsg)) == 1) {
			if (imsg.hdr.len < IMSG_HDR_SIZE ||
			    imsg.hdr.len > rx->maxsize ||
			    imsg.datalen != imsg.hdr.len - IMSG_HDR_SIZE ||
			    (imsg.data == NULL) != (imsg.datalen == 0) ||
			    imsg.fd != -1 || t->n == t->max)
				abort();
			t->digest[t->n++] = digest(&imsg);
			imsg_free(&imsg);
		}
		if (rx->rsize > rx->maxsize || rx->roff > rx->rlen ||
		    rx->rlen > rx->rsize)
			abort();
		if (r == -1)
			return -1;
		if ((n = imsg_read(rx)) == -1)
			return errno == EAGAIN ? 0 : -1;
		if (n == 0)
			return -1;
	}
}

/* Write the stream `step` bytes at a time, taking messages as they come. */
static void
run(const uint8_t *data, size_t size, size_t maxsize, size_t step,
    int allow_fds, int nofd, struct taken *t)
{
	struct imsgbuf	rx;
	size_t		off, len;
	ssize_t		n;
	int		sv[2], done = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		abort();
	if (imsgbuf_init(&rx, sv[1], maxsize, allow_fds) == -1)
		abort();
	if (nofd)
		imsgbuf_set_nofd(&rx);
	for (off = 0; off < size && !done; off += (size_t)n) {
		len = size - off < step ? size - off : step;
		if ((n = write(sv[0], data + off, len)) == -1) {
			if (errno != EAGAIN)
				abort();
			n = 0;
		}
		done = drain(&rx, t) == -1;
	}
	close(sv[0]);
	while (!done)
		done = drain(&rx, t) == -1;
	imsgbuf_clear(&rx);
	close(sv[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct taken	one, bulk;
	size_t		maxsize, step;
	int		allow_fds;

	if (size < 2)
		return 0;
	maxsize = IMSG_MIN_MAXSIZE + (size_t)data[0] * 64;
	step = 1 + data[1];
	allow_fds = data[0] & 1;
	data += 2;
	size -= 2;
	memset(&one, 0, sizeof(one));
	memset(&bulk, 0, sizeof(bulk));
	one.max = bulk.max = size / IMSG_HDR_SIZE + 1;
	if ((one.digest = calloc(one.max, sizeof(uint64_t))) == NULL ||
	    (bulk.digest = calloc(bulk.max, sizeof(uint64_t))) == NULL)
		abort();
	run(data, size, maxsize, step, allow_fds, 0, &one);
	run(data, size, maxsize, step, allow_fds, 1, &bulk);
	if (one.n != bulk.n || memcmp(one.digest, bulk.digest,
	    one.n * sizeof(uint64_t)) != 0)
		abort();
	free(one.digest);
	free(bulk.digest);
	return 0;
}
