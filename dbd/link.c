/*
 * dbd's one connection to MariaDB.  It is made after the lock-down and
 * made again whenever it is lost, with a backoff from 250 ms to 8 s; every
 * (re)connection reads the CA from the chroot and verifies the server's
 * certificate again.  A successful one checks the schema version and then
 * tells the caller (who sends fwd and astd a fresh snapshot: the
 * database may have changed while we were away).
 */
#include <event2/event.h>

#include <stdio.h>
#include <string.h>

#include "blob.h"
#include "cache.h"
#include "db.h"
#include "dbd.h"
#include "log.h"
#include "schema.h"

#define BACKOFF_MIN_MS	250
#define BACKOFF_MAX_MS	8000
#define PING_SECONDS	30
#define DB_TIMEOUT	5	/* connect, read, write */
/* The CA, as dbd sees it after the chroot (see dbd.c). */
#define CA_PATH		"/db-ca.pem"

static struct {
	struct db	*db;
	int		 up;
	unsigned int	 backoff_ms;
	struct event	*ev_retry;
	struct event	*ev_ping;
	void		(*on_up)(void);
	char		 password[256];
	char		 why[PROTO_ERR_MAX];
	unsigned int	 connects;
} lk;

static void
link_schedule(void)
{
	struct timeval	tv;

	tv.tv_sec = lk.backoff_ms / 1000;
	tv.tv_usec = (lk.backoff_ms % 1000) * 1000;
	(void)evtimer_add(lk.ev_retry, &tv);
	lk.backoff_ms = lk.backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    lk.backoff_ms * 2;
}

static void
link_down(const char *why)
{
	if (lk.up || strcmp(why, lk.why) != 0)
		log_warnx("database unavailable: %s", why);
	(void)strlcpy(lk.why, why, sizeof(lk.why));
	lk.up = 0;
	cache_forget();
	db_disconnect(lk.db);
	if (!evtimer_pending(lk.ev_retry, NULL))
		link_schedule();
}

static void
link_connect(evutil_socket_t fd, short what, void *arg)
{
	const struct msg_conf_dbd	*c = &dbd.conf;
	struct db_params		 p;
	char				 err[PROTO_ERR_MAX];
	int				 ver;

	memset(&p, 0, sizeof(p));
	p.host = c->host;
	p.port = c->port;
	p.name = c->name;
	p.user = c->user;
	p.password = lk.password;
	p.ca_path = CA_PATH;
	p.timeout = DB_TIMEOUT;
	if (db_connect(lk.db, &p, err, sizeof(err)) == -1) {
		link_down(err);
		return;
	}
	if ((ver = schema_version(lk.db)) != SCHEMA_VERSION) {
		(void)snprintf(err, sizeof(err), "schema version %d, this "
		    "dbd needs %d: run trunkctl db init", ver, SCHEMA_VERSION);
		link_down(err);
		return;
	}
	lk.up = 1;
	lk.connects++;
	lk.backoff_ms = BACKOFF_MIN_MS;
	lk.why[0] = '\0';
	/* The database may have changed while we were away. */
	cache_forget();
	log_info("database connected (TLS, server certificate verified)");
	lk.on_up();
}

/* An idle connection the server dropped is found before a request is. */
static void
link_ping(evutil_socket_t fd, short what, void *arg)
{
	static const char	sql_ping[] = "SELECT 1";

	if (lk.up && db_exec(lk.db, sql_ping, NULL, 0, NULL) == -1)
		link_check();
}

int
link_init(struct event_base *base, void (*on_up)(void))
{
	const uint8_t	*pw;
	size_t		 len;
	struct timeval	 ping = { PING_SECONDS, 0 };

	if ((pw = blob_get(BLOB_DB_PASSWORD, &len)) == NULL)
		return -1;
	/* A password file usually ends in a newline. */
	while (len > 0 && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
		len--;
	if (len == 0 || len >= sizeof(lk.password) ||
	    memchr(pw, '\0', len) != NULL) {
		log_warnx("database password: empty, too long or binary");
		return -1;
	}
	memcpy(lk.password, pw, len);
	blob_wipe(BLOB_DB_PASSWORD);
	lk.on_up = on_up;
	lk.backoff_ms = BACKOFF_MIN_MS;
	if ((lk.db = db_new()) == NULL ||
	    (lk.ev_retry = evtimer_new(base, link_connect, NULL)) == NULL ||
	    (lk.ev_ping = event_new(base, -1, EV_PERSIST, link_ping,
	    NULL)) == NULL || event_add(lk.ev_ping, &ping) == -1)
		return -1;
	(void)strlcpy(lk.why, "not connected yet", sizeof(lk.why));
	link_connect(-1, 0, NULL);
	return 0;
}

struct db *
link_db(void)
{
	link_check();
	return lk.up ? lk.db : NULL;
}

void
link_check(void)
{
	if (lk.up && !db_connected(lk.db))
		link_down(db_last_msg(lk.db));
}

void
link_state(char *buf, size_t len)
{
	if (lk.up)
		(void)snprintf(buf, len, "database up (%u connections)",
		    lk.connects);
	else
		(void)snprintf(buf, len, "database unavailable: %s", lk.why);
}
