/* The console's TCP socket, opened as root and handed to webd. */
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "util.h"

int
listen_open(const char *addr, uint16_t port)
{
	struct addrinfo	 hints, *res;
	char		 portstr[8];
	int		 fd, on = 1, error;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	(void)snprintf(portstr, sizeof(portstr), "%u", port);
	if ((error = getaddrinfo(addr, portstr, &hints, &res)) != 0) {
		log_warnx("listen on %s: %s", addr, gai_strerror(error));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
	    res->ai_protocol);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 128) == -1 || set_nonblock(fd) == -1) {
		log_warn("listen on %s port %u", addr, port);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
