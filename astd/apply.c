/*
 * A generation, from dbd's notice to "applied": fetch the export, write
 * the includes (only when they change), reload the modules whose file
 * changed, and check with PJSIPShowEndpoint that every changed endpoint
 * is loaded with its context and every removed one is gone -- a reload's
 * Success proves neither (Asterisk drops an endpoint with a bad option
 * and still answers Success).  On failure the previous files go back,
 * the modules are reloaded again, and the error goes to dbd.
 *
 * One generation at a time; a newer notice that arrives meanwhile is
 * fetched when the current one is done.  While Asterisk is away the
 * files are still written; the reload and check happen on reconnect.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "afile.h"
#include "ami.h"
#include "astd.h"
#include "child.h"
#include "log.h"
#include "writer.h"

enum { F_PJSIP, F_DIALPLAN, F_MAX };
static const char *const files[F_MAX] = { PJSIP_FILE, DIALPLAN_FILE };
static const char *const modules[F_MAX] = { "res_pjsip.so", "pbx_config.so" };

/* An endpoint as generated: its sections' hash and its context. */
struct ep {
	char		name[EX_NAME_MAX];
	char		context[32];
	uint64_t	hash;
};

/* One PJSIPShowEndpoint to make. */
struct check {
	char		name[EX_NAME_MAX];
	char		context[32];	/* "" : must be absent */
	int		seen;		/* EndpointDetail arrived */
	int		context_ok;
};

enum ap_state { AP_IDLE, AP_FETCH, AP_RELOAD, AP_VERIFY, AP_RESTORE };

static struct {
	enum ap_state	 st;
	uint64_t	 want;		/* newest generation announced */
	uint64_t	 gen;		/* the one in progress */
	uint64_t	 disk_gen;	/* the one whose files are written */
	uint64_t	 applied;	/* the last one verified */
	int		 full;		/* reload and check everything */
	struct jbuf	 jb;
	char		*prev[F_MAX];	/* file contents before this one */
	size_t		 prevlen[F_MAX];
	int		 changed[F_MAX];
	int		 reload_next;	/* index into modules[] */
	struct ep	*eps;		/* as on disk */
	size_t		 neps;
	struct ep	*loaded;	/* as last verified in Asterisk */
	size_t		 nloaded;
	struct check	*checks;
	size_t		 nchecks;
	size_t		 next_check;
	char		 error[PROTO_ERR_MAX];
} ap;

static void	ap_reload_next(void);
static void	ap_finish(int ok);

static void
ap_report(uint64_t gen, int ok, const char *error)
{
	struct msg_ast_applied	m;

	memset(&m, 0, sizeof(m));
	m.generation = gen;
	m.ok = ok;
	(void)strlcpy(m.error, error, sizeof(m.error));
	if (ok)
		log_info("generation %llu applied", (unsigned long long)gen);
	else
		log_warnx("generation %llu not applied: %s",
		    (unsigned long long)gen, error);
	(void)child_send(MSG_AST_APPLIED, PROC_DBD, -1, &m, sizeof(m));
}

static int	ap_fail(const char *, ...) __attribute__((format(printf, 1, 2)));

static int
ap_fail(const char *fmt, ...)
{
	va_list	ap_;

	va_start(ap_, fmt);
	(void)vsnprintf(ap.error, sizeof(ap.error), fmt, ap_);
	va_end(ap_);
	return -1;
}

static void
ap_request(void)
{
	struct msg_ast_generation	m;

	memset(&m, 0, sizeof(m));
	m.generation = ap.want;
	ap.gen = ap.want;
	ap.st = AP_FETCH;
	jbuf_clear(&ap.jb);
	(void)child_send(MSG_AST_EXPORT_REQ, PROC_DBD, -1, &m, sizeof(m));
}

void
apply_generation(uint64_t gen)
{
	if (gen > ap.want)
		ap.want = gen;
	if (ap.st == AP_IDLE)
		ap_request();
}

static uint64_t
ap_hash(const char *s, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	while (len-- > 0)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

/* Render each endpoint's sections alone to see which changed. */
static int
ap_endpoints(const struct export *ex, struct ep **out, size_t *n)
{
	struct ep	*eps;
	char		*buf;
	size_t		 len, i, k = 0;
	FILE		*fp;

	*out = NULL;
	*n = 0;
	if (ex->ntrunks + ex->ncarriers == 0)
		return 0;
	if ((eps = calloc(ex->ntrunks + ex->ncarriers, sizeof(*eps))) == NULL)
		return -1;
	for (i = 0; i < ex->ntrunks + ex->ncarriers; i++) {
		if (i < ex->ntrunks && !ex->trunks[i].enabled)
			continue;
		if ((fp = open_memstream(&buf, &len)) == NULL) {
			free(eps);
			return -1;
		}
		if (i < ex->ntrunks) {
			pjsip_trunk(fp, &ex->trunks[i]);
			(void)strlcpy(eps[k].name, ex->trunks[i].endpoint,
			    sizeof(eps[k].name));
			(void)snprintf(eps[k].context, sizeof(eps[k].context),
			    "tenant-%llu",
			    (unsigned long long)ex->trunks[i].tenant_id);
		} else {
			pjsip_carrier(fp, &ex->carriers[i - ex->ntrunks]);
			(void)snprintf(eps[k].name, sizeof(eps[k].name),
			    "carrier-%llu", (unsigned long long)
			    ex->carriers[i - ex->ntrunks].id);
			(void)strlcpy(eps[k].context, "trunkd-from-carrier",
			    sizeof(eps[k].context));
		}
		fclose(fp);
		eps[k++].hash = ap_hash(buf, len);
		freezero(buf, len);	/* carriers' passwords */
	}
	*out = eps;
	*n = k;
	return 0;
}

static const struct ep *
ap_ep_find(const struct ep *eps, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcasecmp(eps[i].name, name) == 0)
			return &eps[i];
	return NULL;
}

/* Changed or new endpoints must be there, removed ones gone. */
static int
ap_plan_checks(void)
{
	const struct ep	*old;
	size_t		 i, n = 0;

	free(ap.checks);
	ap.checks = NULL;
	ap.nchecks = ap.next_check = 0;
	if (ap.neps + ap.nloaded == 0)
		return 0;
	if ((ap.checks = calloc(ap.neps + ap.nloaded, sizeof(*ap.checks))) ==
	    NULL)
		return -1;
	for (i = 0; i < ap.neps; i++) {
		old = ap_ep_find(ap.loaded, ap.nloaded, ap.eps[i].name);
		if (!ap.full && old != NULL && old->hash == ap.eps[i].hash)
			continue;
		(void)strlcpy(ap.checks[n].name, ap.eps[i].name,
		    sizeof(ap.checks[n].name));
		(void)strlcpy(ap.checks[n].context, ap.eps[i].context,
		    sizeof(ap.checks[n].context));
		n++;
	}
	for (i = 0; i < ap.nloaded; i++)
		if (ap_ep_find(ap.eps, ap.neps, ap.loaded[i].name) == NULL) {
			(void)strlcpy(ap.checks[n].name, ap.loaded[i].name,
			    sizeof(ap.checks[n].name));
			n++;
		}
	ap.nchecks = n;
	return 0;
}

static void
ap_forget_prev(void)
{
	int	i;

	for (i = 0; i < F_MAX; i++) {
		if (ap.prev[i] != NULL)
			freezero(ap.prev[i], ap.prevlen[i]);
		ap.prev[i] = NULL;
		ap.prevlen[i] = 0;
	}
}

/* Render, then replace each file that differs; keep the old content. */
static int
ap_write(const struct export *ex)
{
	int	(*writers[F_MAX])(FILE *, const struct export *) = {
		pjsip_write, dialplan_write };
	char	*buf;
	size_t	 len;
	FILE	*fp;
	int	 i, rv;

	ap_forget_prev();
	for (i = 0; i < F_MAX; i++) {
		if ((fp = open_memstream(&buf, &len)) == NULL)
			return ap_fail("out of memory");
		rv = writers[i](fp, ex);
		if (fclose(fp) != 0 || rv == -1) {
			freezero(buf, len);
			return ap_fail("cannot render %s", files[i]);
		}
		ap.prev[i] = afile_read(astd.dirfd, files[i], &ap.prevlen[i]);
		if (ap.prev[i] == NULL && errno != ENOENT) {
			freezero(buf, len);
			return ap_fail("%s: %s", files[i], strerror(errno));
		}
		rv = afile_replace(astd.dirfd, files[i], buf, len);
		freezero(buf, len);
		if (rv == -1)
			return ap_fail("%s: %s", files[i], strerror(errno));
		ap.changed[i] = rv == 1;
	}
	return 0;
}

/* Put the previous files back (a missing one becomes an empty include). */
static void
ap_restore(void)
{
	char	*buf;
	size_t	 len;
	FILE	*fp;
	int	 i;

	for (i = 0; i < F_MAX; i++) {
		if (!ap.changed[i])
			continue;
		if (ap.prev[i] != NULL) {
			if (afile_replace(astd.dirfd, files[i], ap.prev[i],
			    ap.prevlen[i]) == -1)
				log_warn("restoring %s", files[i]);
			continue;
		}
		if ((fp = open_memstream(&buf, &len)) == NULL)
			continue;
		wr_header(fp, files[i], i == F_PJSIP ? "pjsip.conf" :
		    "extensions.conf");
		fclose(fp);
		if (afile_replace(astd.dirfd, files[i], buf, len) == -1)
			log_warn("restoring %s", files[i]);
		free(buf);
	}
}

static void
ap_check_reply(const struct ami_msg *m, int done, void *arg)
{
	struct check	*c = &ap.checks[ap.next_check];
	const char	*ev, *ctx;

	if (m == NULL) {
		ap_fail("Asterisk went away during the check");
		ap_finish(-1);
		return;
	}
	if ((ev = ami_get(m, "Event")) != NULL &&
	    strcasecmp(ev, "EndpointDetail") == 0) {
		c->seen = 1;
		ctx = ami_get(m, "Context");
		c->context_ok = ctx != NULL && strcmp(ctx, c->context) == 0;
	}
	if (!done)
		return;
	if (c->context[0] == '\0' && c->seen) {
		ap_fail("endpoint %s still loaded after its removal",
		    c->name);
		ap_finish(0);
		return;
	}
	if (c->context[0] != '\0' && (!c->seen || !c->context_ok)) {
		ap_fail("endpoint %s %s after the reload", c->name,
		    c->seen ? "has the wrong context" : "is not loaded");
		ap_finish(0);
		return;
	}
	ap.next_check++;
	ap_reload_next();
}

static void
ap_reload_reply(const struct ami_msg *m, int done, void *arg)
{
	const char	*r, *msg;
	int		 i = ap.reload_next - 1;

	if (m == NULL) {
		ap_fail("Asterisk went away during the reload");
		ap_finish(-1);
		return;
	}
	r = ami_get(m, "Response");
	if (ap.st == AP_RELOAD && (r == NULL || strcasecmp(r, "Success"))) {
		msg = ami_get(m, "Message");
		ap_fail("reload of %s failed: %s", modules[i],
		    msg != NULL ? msg : "no message");
		ap_finish(0);
		return;
	}
	ap_reload_next();
}

/* Reload each changed module, then run the checks; one at a time. */
static void
ap_reload_next(void)
{
	const char	*kv[3] = { NULL, NULL, NULL };

	while (ap.reload_next < F_MAX) {
		kv[0] = "Module";
		kv[1] = modules[ap.reload_next++];
		if (!ap.full && !ap.changed[ap.reload_next - 1])
			continue;
		if (ami_action("Reload", kv, ap_reload_reply, NULL) == -1) {
			ap_fail("Asterisk is not connected");
			ap_finish(-1);
		}
		return;
	}
	if (ap.st == AP_RESTORE) {
		ap_finish(0);
		return;
	}
	ap.st = AP_VERIFY;
	if (ap.next_check == ap.nchecks) {
		ap_finish(1);
		return;
	}
	kv[0] = "Endpoint";
	kv[1] = ap.checks[ap.next_check].name;
	if (ami_action("PJSIPShowEndpoint", kv, ap_check_reply, NULL) == -1) {
		ap_fail("Asterisk is not connected");
		ap_finish(-1);
	}
}

/* The files went back: on disk is again what Asterisk had loaded. */
static void
ap_eps_restored(void)
{
	free(ap.eps);
	ap.eps = NULL;
	ap.neps = 0;
	if (ap.nloaded > 0 && (ap.eps = reallocarray(NULL, ap.nloaded,
	    sizeof(*ap.eps))) != NULL) {
		memcpy(ap.eps, ap.loaded, ap.nloaded * sizeof(*ap.eps));
		ap.neps = ap.nloaded;
	}
}

/*
 * ok 1: verified.  ok 0: failed, restore and reload (once).  ok -1:
 * Asterisk away; the files stay, all is reloaded and checked on return.
 */
static void
ap_finish(int ok)
{
	if (ok == 0 && ap.st != AP_RESTORE) {
		ap_report(ap.gen, 0, ap.error);
		ap_restore();
		ap.disk_gen = ap.applied;
		ap_eps_restored();
		ap.st = AP_RESTORE;
		ap.reload_next = 0;
		if (ami_is_up()) {
			ap_reload_next();
			return;
		}
	} else if (ok == 1) {
		free(ap.loaded);
		ap.loaded = ap.eps;
		ap.nloaded = ap.neps;
		ap.eps = NULL;
		ap.neps = 0;
		ap.applied = ap.gen;
		ap.full = 0;
		ap_report(ap.gen, 1, "");
	} else if (ok == -1) {
		ap.full = 1;
		if (ap.st != AP_RESTORE)
			ap_report(ap.gen, 0, ap.error);
	}
	ap.st = AP_IDLE;
	ap_forget_prev();
	if (ap.want > ap.gen)
		ap_request();
}

/* Reload what changed (everything when `full`) and verify. */
static void
ap_load(void)
{
	if (ap_plan_checks() == -1) {
		ap_fail("out of memory");
		ap_finish(0);
		return;
	}
	if (!ap.full && !ap.changed[F_PJSIP] && !ap.changed[F_DIALPLAN]) {
		ap.st = AP_VERIFY;
		ap_finish(1);
		return;
	}
	if (!ami_is_up()) {
		ap_fail("Asterisk is disconnected: configuration written, "
		    "not loaded");
		ap_finish(-1);
		return;
	}
	ap.st = AP_RELOAD;
	ap.reload_next = 0;
	ap_reload_next();
}

int
apply_export(const void *msg, size_t len)
{
	struct export	ex;
	int		r;

	if (ap.st != AP_FETCH)
		return -1;	/* an export nobody asked for */
	if ((r = jbuf_add(&ap.jb, msg, len)) == -1)
		return -1;
	if (r == 0)
		return 0;
	/* dbd sends its current generation: newer than asked, maybe. */
	if (ap.jb.generation > ap.gen)
		ap.gen = ap.jb.generation;
	if (ap.gen > ap.want)
		ap.want = ap.gen;
	r = export_parse(ap.jb.data, ap.jb.len, &ex, ap.error,
	    sizeof(ap.error));
	jbuf_clear(&ap.jb);
	if (r == -1) {
		ap_report(ap.gen, 0, ap.error);
		ap.st = AP_IDLE;
		if (ap.want > ap.gen)
			ap_request();
		return 0;
	}
	free(ap.eps);
	ap.eps = NULL;
	ap.neps = 0;
	if (ap_endpoints(&ex, &ap.eps, &ap.neps) == -1 ||
	    ap_write(&ex) == -1) {
		if (ap.error[0] == '\0')
			ap_fail("out of memory");
		export_free(&ex);
		ap_restore();
		ap_eps_restored();
		ap_report(ap.gen, 0, ap.error);
		ap.st = AP_IDLE;
		ap_forget_prev();
		return 0;
	}
	ap.disk_gen = ap.gen;
	ban_trusted(&ex);
	live_export(&ex);
	export_free(&ex);
	ap_load();
	return 0;
}

void
apply_ami(int up)
{
	if (!up)
		return;		/* the actions in flight fail on their own */
	ap.full = 1;
	if (ap.st != AP_IDLE || ap.disk_gen == 0)
		return;		/* done with the generation in progress */
	ap.gen = ap.disk_gen;
	ap.changed[F_PJSIP] = ap.changed[F_DIALPLAN] = 0;
	ap_load();
}

void
apply_state(char *buf, size_t len)
{
	static const char *const names[] = { "idle", "fetching", "reloading",
	    "verifying", "restoring" };

	(void)snprintf(buf, len, "generation %llu applied, %s",
	    (unsigned long long)ap.applied, names[ap.st]);
}
