/*
 * The processes and their lock-down, as the parent reads them from /proc
 * (webd cannot, from its chroot), for the dashboard.  The parent answers
 * PROCS_REQ once for every request still waiting, so one question is out
 * at a time and its answer serves everybody waiting.
 */
#include <string.h>

#include "child.h"
#include "procinfo.h"
#include "webd.h"

#define PROCS_WAIT	32

static struct wfetch	*waiting[PROCS_WAIT];
static int		 nwait;

void
procs_fetch(struct wreq *w, int slot)
{
	if (nwait == PROCS_WAIT || (nwait == 0 &&
	    child_send(MSG_PROCS_REQ, PROC_PARENT, -1, NULL, 0) == -1)) {
		w->status[slot] = DB_E_UNAVAILABLE;
		return;
	}
	w->fetch[slot].w = w;
	w->fetch[slot].slot = slot;
	w->pending++;
	w->nocache = 1;		/* the parent's figures of the moment */
	waiting[nwait++] = &w->fetch[slot];
}

/* MSG_PROCS: -1 when malformed. */
int
procs_answer(const void *data, size_t len)
{
	const struct msg_procs		*m = data;
	const struct proto_procinfo	*p;
	struct wfetch			*done[PROCS_WAIT];
	json_t				*a;
	char				 caps[128];
	uint32_t			 i;
	int				 n;

	if (len != sizeof(*m) || m->n > PROC_ASTD + 1)
		return -1;
	if ((a = json_array()) == NULL)
		return -1;
	for (i = 0; i < m->n; i++) {
		p = &m->procs[i];
		if (p->role >= PROC_MAX ||
		    !proto_str_ok(p->user, sizeof(p->user)) ||
		    !proto_str_ok(p->root, sizeof(p->root)) ||
		    !proto_str_ok(p->state, sizeof(p->state))) {
			json_decref(a);
			return -1;
		}
		procinfo_caps(p->capeff, caps, sizeof(caps));
		(void)json_array_append_new(a, json_pack("{s:s, s:I, s:s, s:s, "
		    "s:b, s:s, s:s, s:I, s:s}", "process", proc_name(p->role),
		    "pid", (json_int_t)p->pid, "user", p->user, "seccomp",
		    procinfo_seccomp(p->seccomp), "no_new_privs", p->nnp == 1,
		    "capabilities", caps, "root", p->root, "uptime",
		    (json_int_t)p->uptime, "state", p->state));
	}
	/* A waiter's reply may ask again: take the list first. */
	n = nwait;
	memcpy(done, waiting, sizeof(done[0]) * (size_t)n);
	nwait = 0;
	for (i = 0; i < (uint32_t)n; i++) {
		done[i]->w->status[done[i]->slot] = DB_OK;
		done[i]->w->res[done[i]->slot] = json_incref(a);
		wreq_end(done[i]->w);
	}
	json_decref(a);
	return 0;
}
