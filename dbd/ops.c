#include <string.h>

#include "ops.h"
#include "proto.h"

#define OP(x)	[DB_OP_##x] = #x
static const char *const op_names[DB_OP_MAX] = {
	OP(WHOAMI), OP(DASHBOARD),
	OP(TENANT_LIST), OP(TENANT_GET), OP(TENANT_CREATE),
	OP(TENANT_UPDATE), OP(TENANT_DELETE),
	OP(TRUNK_LIST), OP(TRUNK_GET), OP(TRUNK_CREATE), OP(TRUNK_UPDATE),
	OP(TRUNK_DELETE),
	OP(DID_LIST), OP(DID_GET), OP(DID_CREATE), OP(DID_UPDATE),
	OP(DID_DELETE),
	OP(CARRIER_LIST), OP(CARRIER_GET), OP(CARRIER_CREATE),
	OP(CARRIER_UPDATE), OP(CARRIER_DELETE),
	OP(ADMIN_LIST), OP(ADMIN_GET), OP(ADMIN_UPDATE),
	OP(BAN_LIST), OP(BAN_ADD), OP(BAN_REMOVE),
	OP(AUDIT_LIST),
};
#undef OP

#define ST(x)	[x] = #x
static const char *const status_names[] = {
	ST(DB_OK), ST(DB_E_INVALID), ST(DB_E_TOTP), ST(DB_E_LOCKED),
	ST(DB_E_FORBIDDEN), ST(DB_E_UNKNOWN_ADMIN), ST(DB_E_NOT_FOUND),
	ST(DB_E_CONFLICT), ST(DB_E_UNAVAILABLE), ST(DB_E_INTERNAL),
};
#undef ST

const char *
db_op_name(uint32_t op)
{
	return op < DB_OP_MAX ? op_names[op] : NULL;
}

uint32_t
db_op_lookup(const char *name)
{
	uint32_t	op;

	for (op = 1; op < DB_OP_MAX; op++)
		if (op_names[op] != NULL && strcmp(op_names[op], name) == 0)
			return op;
	return 0;
}

const char *
db_status_name(int32_t st)
{
	if (st < 0 || (size_t)st >= sizeof(status_names) /
	    sizeof(status_names[0]) || status_names[st] == NULL)
		return "unknown";
	return status_names[st];
}
