#ifndef TRUNKD_PARENT_H
#define TRUNKD_PARENT_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "imsg.h"
#include "proto.h"

struct event;
struct event_base;

struct child_proc {
	enum proc_id	 role;
	pid_t		 pid;		/* 0 once reaped */
	int		 errfd;		/* the child's stdout/stderr */
	struct imsgbuf	 ibuf;
	struct event	*ev_read;
	struct event	*ev_write;	/* the socket is full */
	struct event	*ev_flush;	/* the end of this turn */
	struct event	*ev_err;
	int		 hello;
	int		 config_done;
	int		 started;
	time_t		 start_time;
	uint64_t	 msgs_in;	/* from the child */
	uint64_t	 msgs_out;	/* to the child */
	struct msg_status status;	/* last STATUS answer */
	int		 status_fresh;
	char		 errline[PROTO_LOG_MAX];
	size_t		 errlen;
};

struct trunkd {
	struct trunkd_conf	*conf;
	struct event_base	*base;
	struct child_proc	 children[PROC_MAX];
	int			 listen_fd;
	int			 foreground;
	int			 verbose;
	int			 stopping;
	int			 exit_code;
	time_t			 start_time;
	uint64_t		 msgs_in;
	uint64_t		 msgs_out;
	struct event		*ev_kill;
	struct event		*ev_status;	/* waiting for STATUS answers */
	int			 webd_wants_procs;
};

extern struct trunkd	*env;

#define FOREACH_CHILD(id)	\
	for ((id) = PROC_WEBD; (id) <= PROC_ASTD; (id)++)

/* proc.c: the children and the routing between them. */
void	proc_start_all(void);
int	proc_send(enum proc_id, uint32_t type, uint32_t peerid, int fd,
	    const void *, size_t);
void	proc_reap(void);
void	proc_request_status(void);
int	proc_status_complete(void);
/* Stop everything; exit with `code` once every child is gone. */
void	parent_shutdown(int code, const char *why, ...)
	    __attribute__((format(printf, 2, 3)));

/* config_send.c: what each child is told at start and on reload. */
int	config_send(enum proc_id, const struct trunkd_conf *);
int	config_check_secrets(const struct trunkd_conf *);

/* listen.c */
int	listen_open(const char *addr, uint16_t port);

/* control.c */
int	control_init(const char *path);
void	control_status_ready(void);
void	control_child_out(enum proc_id, const struct msg_ctl_out *);
void	control_cleanup(void);

/* parent.c */
int	parent_reload(char *err, size_t errlen);

#endif /* TRUNKD_PARENT_H */
