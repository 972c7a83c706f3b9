/*
 * astd's parts that do I/O, and what they share: apply.c (export ->
 * files -> reload -> verify), ban.c (AutoBan's glue to fwd and dbd),
 * live.c (per-trunk state for the console), astd.c (start-up, messages).
 */
#ifndef TRUNKD_ASTD_ASTD_H
#define TRUNKD_ASTD_ASTD_H

#include <stddef.h>
#include <stdint.h>

#include "amiparse.h"
#include "export.h"
#include "proto.h"

/* The subdirectory of the chroot the includes are written to. */
#define ASTD_CONF_DIR	"conf"

struct event_base;

struct astd {
	struct event_base		*base;
	const struct msg_conf_astd	*conf;
	int				 dirfd;	/* ASTD_CONF_DIR */
};
extern struct astd	astd;

/* Chunked JSON from dbd (AST_EXPORT, AST_HISTORY), reassembled. */
struct jbuf {
	uint64_t	 generation;
	uint32_t	 next_seq;
	char		*data;
	size_t		 len;
};
/* 1: complete (data NUL-terminated), 0: more to come, -1: malformed. */
int	jbuf_add(struct jbuf *, const void *msg, size_t msglen);
void	jbuf_clear(struct jbuf *);

/* apply.c */
void	apply_generation(uint64_t);
int	apply_export(const void *msg, size_t len);
void	apply_ami(int up);
void	apply_state(char *, size_t);

/* ban.c */
int	ban_init(void);
void	ban_start(void);
void	ban_reconf(void);
void	ban_event(const struct ami_msg *);
void	ban_trusted(const struct export *);
int	ban_fw_result(const void *msg, size_t len);
int	ban_history(const void *msg, size_t len);
void	ban_state(char *, size_t);

/* live.c */
int	live_init(void);
void	live_export(const struct export *);
void	live_event(const struct ami_msg *);
void	live_ami(int up);

#endif /* TRUNKD_ASTD_ASTD_H */
