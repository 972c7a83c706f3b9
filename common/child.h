/*
 * What every role executable shares: the channel to the parent on fd 3,
 * the start-up handshake (HELLO -> configuration -> lock-down ->
 * CONFIG_DONE -> START), status answers, logging through the parent, and a
 * strict check of every message received.
 */
#ifndef TRUNKD_CHILD_H
#define TRUNKD_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include "imsg.h"
#include "proto.h"

struct event_base;
struct sandbox_policy;

struct child_ops {
	enum proc_id			 role;
	const struct sandbox_policy	*policy;
	uint32_t			 blob_kinds;	/* mask of 1 << kind */
	/* Key material or a secret, before lock-down; the child copies what
	 * it keeps, the caller wipes `data` afterwards. */
	int	(*blob)(enum conf_blob_kind, const uint8_t *data, size_t len);
	/* A file descriptor from the parent (CONF_LISTEN). */
	int	(*fd)(uint32_t type, int fd);
	/* All configuration is in: open what must be opened before the
	 * sandbox goes on.  Return -1 to fail start-up. */
	int	(*prepare)(struct event_base *);
	/* After START. */
	void	(*start)(struct event_base *);
	/* A configuration re-sent on reload (after lock-down). */
	int	(*reload)(void);
	/* A message of the role's own; the sender is already checked against
	 * the table.  Return -1 for a malformed one (fatal). */
	int	(*dispatch)(struct imsg *, enum proc_id from);
	/* A trunkctl command for this role: answer with child_cmd_out(),
	 * now or later, ending with done = 1.  Return -1 for an unknown
	 * command (answered for you). */
	int	(*command)(uint32_t ctlid, const char *cmd, const char *args);
	/* One line for trunkctl status. */
	void	(*state)(char *buf, size_t len);
};

__attribute__((noreturn)) void child_main(const struct child_ops *,
	    int argc, char *argv[]);
/* One line of a trunkctl command's output; done = 1 ends it. */
int	child_cmd_out(uint32_t ctlid, int done, int code, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* The role's own settings (struct msg_conf_<role>), once received. */
const void *child_conf(void);
/* The sandbox settings (chroot, ids), once received. */
const struct msg_conf_sandbox *child_sandbox(void);
/* Queue a message to a process (through the parent). */
int	child_send(uint32_t type, enum proc_id to, int fd, const void *data,
	    size_t len);

#endif /* TRUNKD_CHILD_H */
