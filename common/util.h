#ifndef TRUNKD_UTIL_H
#define TRUNKD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* The fd a child finds its parent channel on. */
#define CHILD_IMSG_FD	3

time_t	monotime(void);
int	set_nonblock(int fd);
/* Copy into a fixed array; -1 (nothing changed) when it does not fit. */
int	strlcpy_ok(char *dst, const char *src, size_t size);

/* The value of one hexadecimal digit, or -1. */
int	hexval(int c);

#endif /* TRUNKD_UTIL_H */
