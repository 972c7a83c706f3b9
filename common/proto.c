/*
 * The message table, generated from the one catalogue in proto.h so that it
 * cannot miss a type, and the checks every process applies to it.
 */
#include <string.h>

#include "proto.h"

const struct msg_spec msg_table[MSG_MAX] = {
	[MSG_NONE] = { "NONE", 0, 0, FD_NO, 0, 0 },
#define MSG_SPEC(name, min, max, fd, from, to)				\
	[MSG_##name] = { #name, (min), (max), (fd), (from), (to) },
	MSG_CATALOGUE(MSG_SPEC)
#undef MSG_SPEC
};

_Static_assert(sizeof(msg_table) / sizeof(msg_table[0]) == MSG_MAX,
    "message table incomplete");

const char *const ab_event_names[AB_EVENT_MAX] = {
	[AB_CHALLENGE_RESPONSE_FAILED] = "ChallengeResponseFailed",
	[AB_INVALID_ACCOUNT_ID] = "InvalidAccountID",
	[AB_FAILED_ACL] = "FailedACL",
	[AB_REQUEST_NOT_ALLOWED] = "RequestNotAllowed",
	[AB_AUTH_METHOD_NOT_ALLOWED] = "AuthMethodNotAllowed",
	[AB_INVALID_TRANSPORT] = "InvalidTransport",
};

static const char *const proc_names[PROC_MAX] = {
	[PROC_PARENT] = "parent",
	[PROC_WEBD] = "webd",
	[PROC_DBD] = "dbd",
	[PROC_FWD] = "fwd",
	[PROC_ASTD] = "astd",
	[PROC_CTL] = "trunkctl",
};

const char *
proc_name(enum proc_id id)
{
	if ((unsigned int)id >= PROC_MAX)
		return "unknown";
	return proc_names[id];
}

const struct msg_spec *
msg_spec(uint32_t type)
{
	if (type == MSG_NONE || type >= MSG_MAX)
		return NULL;
	return &msg_table[type];
}

const char *
msg_name(uint32_t type)
{
	const struct msg_spec	*spec;

	if ((spec = msg_spec(type)) == NULL)
		return "unknown";
	return spec->name;
}

const char *
msg_check(uint32_t type, enum proc_id from, enum proc_id to, size_t len,
    int has_fd)
{
	const struct msg_spec	*spec;

	if ((spec = msg_spec(type)) == NULL)
		return "unknown message type";
	if ((unsigned int)from >= PROC_MAX || (spec->from & (1U << from)) == 0)
		return "sender not allowed";
	if ((unsigned int)to >= PROC_MAX || (spec->to & (1U << to)) == 0)
		return "route not allowed";
	if (len < spec->minlen || len > spec->maxlen)
		return "bad payload length";
	if (has_fd && spec->fd == FD_NO)
		return "unexpected file descriptor";
	if (!has_fd && spec->fd == FD_MUST)
		return "missing file descriptor";
	return NULL;
}

enum proc_id
msg_route(uint32_t type, enum proc_id from, uint32_t dest)
{
	const struct msg_spec	*spec;

	if ((spec = msg_spec(type)) == NULL ||
	    (unsigned int)from >= PROC_MAX || (spec->from & (1U << from)) == 0)
		return PROC_MAX;
	/* One receiver: the table decides.  Several: the sender names one. */
	if ((spec->to & (spec->to - 1)) == 0)
		return (enum proc_id)__builtin_ctz(spec->to);
	if (dest < PROC_MAX && (spec->to & (1U << dest)) != 0)
		return (enum proc_id)dest;
	return PROC_MAX;
}

int
proto_may_send_fd(enum proc_id from, enum proc_id to, uint32_t except)
{
	uint32_t	fmask, tmask, type;

	fmask = (unsigned int)from >= PROC_MAX ? ~0U : 1U << from;
	tmask = (unsigned int)to >= PROC_MAX ? ~0U : 1U << to;

	for (type = MSG_NONE + 1; type < MSG_MAX; type++)
		if (type != except && msg_table[type].fd != FD_NO &&
		    (msg_table[type].from & fmask) != 0 &&
		    (msg_table[type].to & tmask) != 0)
			return 1;
	return 0;
}

int
proto_str_ok(const char *s, size_t size)
{
	return size > 0 && memchr(s, '\0', size) != NULL;
}
