/*
 * dbd: the database broker, the only holder of the database credentials
 * and of the key for secrets at rest.  It answers webd's requests, feeds
 * fwd and astd, and records what astd reports.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blob.h"
#include "cache.h"
#include "child.h"
#include "db.h"
#include "dbd.h"
#include "log.h"
#include "sandbox.h"

struct dbd_state	dbd;

/*
 * The connector reads the CA from a file on every (re)connection, after
 * the lock-down too.  The CA (public) is written here, as root, into the
 * root-owned chroot as /db-ca.pem (0444, replaced atomically); dbd's
 * sandbox allows read-only opens for it.  The alternatives were worse:
 * pinning the server's key fingerprint breaks on a new server
 * certificate, and a first connection before the lock-down cannot be
 * made while the database is away.
 */
static int
ca_install(void)
{
	const struct msg_conf_sandbox	*sb;
	const uint8_t			*pem;
	char				 path[PROTO_PATH_MAX + 16];
	char				 tmp[PROTO_PATH_MAX + 16];
	size_t				 len;
	ssize_t				 n;
	int				 fd;

	if ((sb = child_sandbox()) == NULL ||
	    (pem = blob_get(BLOB_DB_CA, &len)) == NULL ||
	    strstr((const char *)pem, "-----BEGIN CERTIFICATE-----") == NULL) {
		log_warnx("no database CA certificate (PEM) received");
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/db-ca.pem",
	    sb->chroot) >= sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp),
	    "%s/.db-ca.pem.tmp", sb->chroot) >= sizeof(tmp))
		return -1;
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0444)) == -1) {
		log_warn("%s", tmp);
		return -1;
	}
	n = write(fd, pem, len);
	if (n != (ssize_t)len || fsync(fd) == -1 || close(fd) == -1 ||
	    rename(tmp, path) == -1) {
		log_warn("%s", path);
		(void)unlink(tmp);
		return -1;
	}
	blob_wipe(BLOB_DB_CA);
	return 0;
}

static int
dbd_prepare(struct event_base *base)
{
	const struct msg_conf_dbd	*c = child_conf();
	const uint8_t			*key;
	size_t				 len;

	memcpy(&dbd.conf, c, sizeof(dbd.conf));
	if (!proto_str_ok(dbd.conf.host, sizeof(dbd.conf.host)) ||
	    !proto_str_ok(dbd.conf.name, sizeof(dbd.conf.name)) ||
	    !proto_str_ok(dbd.conf.user, sizeof(dbd.conf.user)) ||
	    dbd.conf.totp_max_failures == 0) {
		log_warnx("malformed database settings");
		return -1;
	}
	if ((key = blob_get(BLOB_DATA_KEY, &len)) == NULL ||
	    crypt_key_parse(key, len, dbd.key) == -1) {
		log_warnx("data key: 32 bytes, or 64 hex digits, needed");
		return -1;
	}
	blob_wipe(BLOB_DATA_KEY);
	/* Libraries read their configuration now, not in the chroot. */
	if (totp_init() == -1 || db_library_init() == -1) {
		log_warnx("liboath or the database connector failed");
		return -1;
	}
	return ca_install();
}

static void
dbd_start(struct event_base *base)
{
	cache_init();
	if (link_init(base, feed_snapshot) == -1)
		fatalx("database link set-up failed");
}

static int
dbd_dispatch(struct imsg *imsg, enum proc_id from)
{
	if (imsg->hdr.type == MSG_DB_REQ) {
		req_handle(imsg->data, imsg->datalen);
		return 0;
	}
	return feed_dispatch(imsg->hdr.type, imsg->data, imsg->datalen);
}

static void
dbd_state(char *buf, size_t len)
{
	struct cache_stats	s;
	size_t			n;

	link_state(buf, len);
	cache_stats(&s);
	if ((n = strlen(buf)) < len)
		(void)snprintf(buf + n, len - n, "; cache: %zu answers, %llu "
		    "hits, %llu misses", s.entries, (unsigned long long)s.hits,
		    (unsigned long long)s.misses);
}

static const struct child_ops dbd_ops = {
	.role = PROC_DBD,
	.policy = &dbd_sandbox,
	.blob_kinds = 1U << BLOB_DB_PASSWORD | 1U << BLOB_DB_CA |
	    1U << BLOB_DATA_KEY,
	.blob = blob_keep,
	.prepare = dbd_prepare,
	.start = dbd_start,
	.dispatch = dbd_dispatch,
	.state = dbd_state,
};

int
main(int argc, char *argv[])
{
	child_main(&dbd_ops, argc, argv);
}
