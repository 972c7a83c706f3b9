/*
 * A small imsg layer: length-prefixed messages over a UNIX stream socket,
 * with optional file descriptor passing.  Debian ships no libutil imsg, so
 * trunkd carries its own, stricter one:
 *  - the header's length is checked against the channel maximum before
 *    anything is allocated for the message;
 *  - fd passing is opt-in per channel, one fd per message; an fd that
 *    arrives on a channel that refuses fds is closed and is an error;
 *  - a channel on which no fd can arrive may be read in bulk, many
 *    messages per recvmsg(); an fd that comes anyway is an error;
 *  - every buffer that held message bytes is freed with freezero().
 */
#ifndef TRUNKD_IMSG_H
#define TRUNKD_IMSG_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct imsg_hdr {
	uint32_t	type;
	uint32_t	len;		/* header + payload */
	uint32_t	peerid;
	uint32_t	pid;
};

#define IMSG_HDR_SIZE		sizeof(struct imsg_hdr)
#define IMSG_MIN_MAXSIZE	(IMSG_HDR_SIZE + 64)
#define IMSG_MAX_MAXSIZE	(16U * 1024 * 1024)
#define IMSG_READ_BULK		(64U * 1024)	/* one bulk read, at most */

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1 when none */
	size_t		 datalen;
	void		*data;		/* NULL when datalen == 0 */
};

struct imsg_wbuf;
TAILQ_HEAD(imsg_wqueue, imsg_wbuf);

struct imsgbuf {
	int			 fd;
	size_t			 maxsize;	/* largest message, header included */
	int			 allow_fds;
	pid_t			 pid;		/* stamped into every header sent */
	/* read side */
	int			 nofd;		/* bulk reads, fds refused */
	int			 rdrained;	/* last bulk read was short */
	unsigned char		*rbuf;
	size_t			 rsize;		/* allocated */
	size_t			 rlen;		/* bytes held */
	size_t			 roff;		/* next message */
	int			 rfd;		/* fd received, not yet claimed */
	/* write side */
	struct imsg_wqueue	 wq;
	size_t			 wqlen;		/* messages queued */
};

/* 0 on success, -1 (errno EINVAL) on a bad maxsize. */
int	imsgbuf_init(struct imsgbuf *, int fd, size_t maxsize, int allow_fds);
/* Frees every buffer and closes pending fds; does not close ibuf->fd. */
void	imsgbuf_clear(struct imsgbuf *);
/*
 * From now on no fd may arrive (sending is unchanged): imsg_read() takes
 * up to IMSG_READ_BULK bytes, or the rest of a longer message, with one
 * recvmsg(), and a control message is an error.  What is held stays.
 */
void	imsgbuf_set_nofd(struct imsgbuf *);

/*
 * Queue one message.  fd is -1 for none; otherwise ownership of fd passes
 * to the imsgbuf (closed after it is sent or on clear).  Fails with
 * EMSGSIZE past the channel maximum and EBADF for an fd on a channel that
 * refuses fds; on failure the fd is not taken.
 */
int	imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t datalen);
/*
 * Write as much as the socket takes: 0 all sent, 1 more pending (also when
 * the socket is full: EAGAIN, or EINTR), -1 error.
 */
int	imsg_write(struct imsgbuf *);
/* imsg_write() until the queue is empty, waiting in poll(): 0 or -1. */
int	imsg_flush(struct imsgbuf *);
int	imsg_pending(const struct imsgbuf *);

/*
 * Read what the socket has, up to the end of one message (in no-fd mode:
 * as much as one bulk read takes): >0 bytes read, 0 end of file, -1 error
 * (EAGAIN and EINTR are returned as -1 with errno set, for the caller's
 * event loop).  A control message that is truncated, carries more than
 * one fd, or an fd on a channel that refuses them, is an error (EBADMSG),
 * and so is a bad header already read.  ENOBUFS: a complete message
 * waits; take it with imsg_get() first (until it returns 0).
 */
ssize_t	imsg_read(struct imsgbuf *);
/*
 * Did the last read (no-fd mode only) get less than it had room for, so
 * that the socket was empty?  A level-triggered caller then waits for its
 * next event instead of reading again only to see EAGAIN.
 */
int	imsg_read_drained(const struct imsgbuf *);
/*
 * Take the next complete message: 1 got one, 0 none yet, -1 error (EBADMSG:
 * a header with a length below the header size or above the channel
 * maximum; nothing is allocated for it and the channel is unusable).
 */
int	imsg_get(struct imsgbuf *, struct imsg *);
/* Wipes the payload; closes imsg->fd unless the caller took it (set -1). */
void	imsg_free(struct imsg *);

#endif /* TRUNKD_IMSG_H */
