/*
 * The AMI client: one TCP connection to Asterisk, login, the security and
 * system events, actions matched to their answers by ActionID (with the
 * event list some answers bring), a keep-alive Ping, and reconnection
 * with capped exponential backoff when anything goes wrong.
 */
#ifndef TRUNKD_ASTD_AMI_H
#define TRUNKD_ASTD_AMI_H

#include <stddef.h>

#include "amiparse.h"

struct event_base;

#define AMI_BACKOFF_MIN		1	/* seconds */
#define AMI_BACKOFF_MAX		30
#define AMI_ACTION_TIMEOUT	10
#define AMI_PING_INTERVAL	20
#define AMI_PENDING_MAX		1024

/*
 * An action's answer: the response first, then any list events with its
 * ActionID; done = 1 on the last one.  msg == NULL (done = 1) when the
 * connection was lost or the answer timed out.
 */
typedef void	(*ami_reply_fn)(const struct ami_msg *, int done, void *);

struct ami_callbacks {
	/* Logged in and subscribed (up = 1), or the connection is gone. */
	void	(*state)(int up, void *);
	/* An event that answers no action. */
	void	(*event)(const struct ami_msg *, void *);
	void	*arg;
};

/* host is an address literal; secret is copied (and wiped on free). */
int	ami_init(struct event_base *, const char *host, unsigned int port,
	    const char *user, const char *secret, size_t secretlen,
	    const struct ami_callbacks *);
void	ami_start(void);
int	ami_is_up(void);
const char *ami_version(void);
/*
 * Send an action: `kv` holds key, value pairs ending with NULL.  Values
 * with CR or LF are refused.  0, or -1 when not connected or refused.
 */
int	ami_action(const char *action, const char *const *kv, ami_reply_fn,
	    void *);
/* Counters for the status line. */
void	ami_stats(unsigned long long *events, unsigned long long *bad,
	    unsigned int *reconnects);

#endif /* TRUNKD_ASTD_AMI_H */
