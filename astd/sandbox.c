/*
 * astd: the AMI client and pjsip writer.  Its chroot is the directory of
 * the generated configuration: it creates a temporary file there, fsyncs
 * it, renames it into place and fsyncs the directory; it never executes
 * anything.  The common rules (imsg, libevent, malloc) come from
 * common/sandbox.c; being a file writer, it gets no EACCES probe answers.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <fcntl.h>
#include <seccomp.h>

#include "sandbox.h"

/* Open flags astd may use: no O_PATH, O_TMPFILE, O_DIRECT, O_SYNC... */
#define ASTD_OPEN_FLAGS	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | \
			 O_APPEND | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | \
			 O_DIRECTORY | O_CLOEXEC)

static const struct sandbox_rule astd_rules[] = {
	/* the configuration file and its directory, within the chroot */
	SB_ALLOW_MASKED(openat, 2, (uint32_t)~ASTD_OPEN_FLAGS, 0),
	SB_ALLOW_ARG(newfstatat, 3, 0),			/* stat() */
	SB_ALLOW_ARG(newfstatat, 3, AT_SYMLINK_NOFOLLOW),	/* lstat() */
	SB_ALLOW(lseek),		/* stdio */
	SB_ALLOW(fsync),		/* the file, then its directory */
	SB_ALLOW(fdatasync),
	SB_ALLOW(rename),		/* the atomic replace */
	SB_ALLOW(renameat),
	SB_ALLOW(renameat2),
	SB_ALLOW(unlink),		/* a temporary file left behind */
	SB_ALLOW(unlinkat),
	/* AMI: (re)connect to Asterisk over TCP */
	SB_ALLOW_ARG(socket, 0, AF_INET),
	SB_ALLOW_ARG(socket, 0, AF_INET6),
	SB_ALLOW(connect),
	SB_ALLOW(getsockopt),		/* SO_ERROR after connect */
	SB_ALLOW_ARG(setsockopt, 1, SOL_SOCKET),	/* keep-alive */
	SB_ALLOW_ARG(setsockopt, 1, IPPROTO_TCP),	/* TCP_NODELAY */
	SB_ALLOW(shutdown),
	/* glibc's qsort() sizes its buffer by the physical memory */
	SB_ALLOW(sysinfo),
};

const struct sandbox_policy astd_sandbox = {
	.role = "astd",
	.rules = astd_rules,
	.nrules = SB_NRULES(astd_rules),
	.keep_net_admin = 0,
	.may_write_files = 1,		/* the pjsip configuration */
	.max_files = 64,		/* imsg, AMI, the file being written */
};
