/*
 * trunkctl's local commands: run as root on the host, with trunkd.conf
 * and the database owner's credentials, without the daemon.
 */
#ifndef TRUNKD_CTL_LOCAL_H
#define TRUNKD_CTL_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "parent/config.h"

struct db;

/*
 * dbctl.c.  The commands get their arguments with their last word as
 * argv[0]: [-f trunkd.conf] then between min and max operands, else the
 * usage.  Returns the index of the first operand; conf is loaded.
 */
int		 ctl_local_args(int argc, char *argv[], const char *usage,
		    int min, int max, struct trunkd_conf *conf);
/* A connection as the schema's owner; exits on failure. */
struct db	*ctl_db_owner(const struct trunkd_conf *);
/* The data key from its root-only file; exits on failure. */
void		 ctl_data_key(const struct trunkd_conf *, uint8_t *key);
/* Lock the generation, bump it, chain an audit row: inside a transaction. */
int		 ctl_db_change(struct db *, const char *action, uint64_t id,
		    int64_t tenant_id, const char *detail);
int		 cmd_db_init(int argc, char *argv[]);
int		 cmd_audit_verify(int argc, char *argv[]);

/* ca.c */
int		 cmd_ca_init(int argc, char *argv[]);
/* The CA's key beside its certificate: ca.crt -> ca.key. */
void		 ca_key_path(const char *ca, char *buf, size_t len);
void		 ca_crl_path(const struct trunkd_conf *, char *buf, size_t len);

/* admin.c */
int		 cmd_admin_add(int argc, char *argv[]);
int		 cmd_admin_list(int argc, char *argv[]);
int		 cmd_admin_revoke(int argc, char *argv[]);

#endif /* TRUNKD_CTL_LOCAL_H */
