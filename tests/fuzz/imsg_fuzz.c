/*
 * libFuzzer target for the imsg read side: the input, after two bytes that
 * pick the channel maximum and the write size, is what a hostile peer
 * writes into the socket.  Every message taken must be within bounds.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Take what has arrived: 0 to go on, -1 once the stream ended or failed. */
static int
drain(struct imsgbuf *rx)
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
			    imsg.fd != -1)
				abort();
			imsg_free(&imsg);
		}
		if (rx->rsize > rx->maxsize)
			abort();
		if (r == -1)
			return -1;
		if ((n = imsg_read(rx)) == -1)
			return errno == EAGAIN ? 0 : -1;
		if (n == 0)
			return -1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imsgbuf	rx;
	size_t		maxsize, step, off, len;
	ssize_t		n;
	int		sv[2], allow_fds, done = 0;

	if (size < 2)
		return 0;
	maxsize = IMSG_MIN_MAXSIZE + (size_t)data[0] * 64;
	step = 1 + data[1];
	allow_fds = data[0] & 1;
	data += 2;
	size -= 2;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		abort();
	if (imsgbuf_init(&rx, sv[1], maxsize, allow_fds) == -1)
		abort();
	for (off = 0; off < size && !done; off += (size_t)n) {
		len = size - off < step ? size - off : step;
		if ((n = write(sv[0], data + off, len)) == -1) {
			if (errno != EAGAIN)
				abort();
			n = 0;
		}
		done = drain(&rx) == -1;
	}
	close(sv[0]);
	while (!done)
		done = drain(&rx) == -1;
	imsgbuf_clear(&rx);
	close(sv[1]);
	return 0;
}
