#ifndef TRUNKD_CTL_H
#define TRUNKD_CTL_H

#include "proto.h"

/* status.c: one line per process, lock-down read from /proc. */
void	status_header(void);
void	status_print_row(const struct msg_ctl_status_row *);

/* setup.c: `trunkctl setup [-f file]`, without a running trunkd. */
int	setup_main(int argc, char *argv[]);
/* setup_cert.c: a self-signed server key and certificate, PEM; closes both. */
int	setup_cert_write(const char *listen_addr, int key_fd, int cert_fd);

#endif /* TRUNKD_CTL_H */
