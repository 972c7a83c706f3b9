/*
 * webd: the only process that faces the network.  This file holds its
 * start-up; TLS, HTTP and the console come in their own files.
 */
#include <stdio.h>
#include <unistd.h>

#include "blob.h"
#include "child.h"
#include "log.h"
#include "sandbox.h"

static int	listen_fd = -1;

static int
webd_fd(uint32_t type, int fd)
{
	if (listen_fd != -1)
		return -1;
	listen_fd = fd;
	return 0;
}

static void
webd_state(char *buf, size_t len)
{
	(void)snprintf(buf, len, "listening socket %s",
	    listen_fd != -1 ? "held" : "missing");
}

static const struct child_ops webd_ops = {
	.role = PROC_WEBD,
	.policy = &webd_sandbox,
	.blob_kinds = 1U << BLOB_TLS_CERT | 1U << BLOB_TLS_KEY |
	    1U << BLOB_CLIENT_CA | 1U << BLOB_CLIENT_CRL | 1U << BLOB_CSRF_KEY,
	.blob = blob_keep,
	.fd = webd_fd,
	.state = webd_state,
};

int
main(int argc, char *argv[])
{
	child_main(&webd_ops, argc, argv);
}
