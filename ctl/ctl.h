#ifndef TRUNKD_CTL_H
#define TRUNKD_CTL_H

#include "proto.h"

/* status.c: one line per process, lock-down read from /proc. */
void	status_header(void);
void	status_print_row(const struct msg_ctl_status_row *);

#endif /* TRUNKD_CTL_H */
