/*
 * A rogue child for the routing tests, installed in a test libexec
 * directory in place of webd.  It completes the handshake like webd, then
 * misbehaves in the way its directory's name says:
 *   .../route/webd    sends a firewall ban meant for fwd (webd may not);
 *   .../unknown/webd  sends a message type that is not in the catalogue;
 *   .../badlen/webd   sends STATUS with a payload of the wrong size.
 * It is a test program only: nothing in production has such a switch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "proto.h"
#include "util.h"

static struct imsgbuf	ibuf;

static void
send_msg(uint32_t type, uint32_t peerid, const void *data, size_t len)
{
	if (imsg_compose(&ibuf, type, peerid, -1, data, len) == -1 ||
	    imsg_flush(&ibuf) == -1)
		exit(2);
}

/* Wait for a given message type, dropping everything else. */
static void
await(uint32_t type)
{
	struct imsg	imsg;
	struct pollfd	pfd = { CHILD_IMSG_FD, POLLIN, 0 };
	int		r;

	for (;;) {
		while ((r = imsg_get(&ibuf, &imsg)) == 1) {
			if (imsg.fd != -1)
				close(imsg.fd);
			if (imsg.hdr.type == type) {
				imsg_free(&imsg);
				return;
			}
			imsg_free(&imsg);
		}
		if (r == -1 || poll(&pfd, 1, -1) == -1 ||
		    imsg_read(&ibuf) == 0)
			exit(3);
	}
}

int
main(int argc, char *argv[])
{
	struct msg_hello	hello;
	struct msg_fw_ban	ban;
	const char		*mode = argv[0];
	char			 junk[8];
	size_t			 n;

	/* The directory above the executable names the misbehaviour. */
	n = strlen(mode);
	while (n > 0 && mode[n - 1] != '/')
		n--;
	if (imsgbuf_init(&ibuf, CHILD_IMSG_FD, PROTO_CHANNEL_MAX, 1) == -1)
		return 1;
	memset(&hello, 0, sizeof(hello));
	hello.role = PROC_WEBD;
	hello.version = TRUNKD_PROTO_VERSION;
	hello.pid = (uint32_t)getpid();
	send_msg(MSG_HELLO, PROC_PARENT, &hello, sizeof(hello));
	await(MSG_CONF_END);
	send_msg(MSG_CONFIG_DONE, PROC_PARENT, NULL, 0);
	await(MSG_START);

	if (n >= 6 && strncmp(mode + n - 6, "route/", 6) == 0) {
		memset(&ban, 0, sizeof(ban));
		ban.net.family = 4;
		ban.net.prefixlen = 32;
		(void)inet_pton(AF_INET, "198.51.100.7", ban.net.addr);
		(void)strlcpy(ban.reason, "rogue", sizeof(ban.reason));
		send_msg(MSG_FW_BAN, PROC_FWD, &ban, sizeof(ban));
	} else if (n >= 8 && strncmp(mode + n - 8, "unknown/", 8) == 0)
		send_msg(9999, PROC_PARENT, NULL, 0);
	else {
		memset(junk, 0, sizeof(junk));
		send_msg(MSG_STATUS, PROC_PARENT, junk, sizeof(junk));
	}
	/* Stay until the parent shuts everything down. */
	await(MSG_NONE);
	return 0;
}
