/*
 * dbd's trunk export (see common/proto_ast.h), validated again and turned
 * into sorted arrays: the writers only ever see checked values.
 */
#ifndef TRUNKD_ASTD_EXPORT_H
#define TRUNKD_ASTD_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* Names and usernames: dbd allows 64 characters, and the NUL. */
#define EX_NAME_MAX		65
#define EX_HOST_MAX		254
#define EX_NUMBER_MAX		32	/* "+" and up to 30 digits */
#define EX_SECRET_MAX		128
#define EX_NETS_MAX		64
#define EX_CODECS_MAX		16
#define EX_CODEC_LEN		8
#define EX_PREFIXES_MAX		64
#define EX_TENANTS_MAX		10000
#define EX_TRUNKS_MAX		10000
#define EX_CARRIERS_MAX		256
#define EX_DIDS_MAX		100000
#define EX_CHANNELS_MAX		100000
#define EX_CALL_SECONDS_MAX	604800

enum ex_transport { EX_UDP = 0, EX_TCP, EX_TLS };
/* The caller IDs a trunk may send: its tenant's DIDs, its own, any
 * number (callerid_policy "dids" or "tenant", "trunk", "any"). */
enum ex_cid { EX_CID_TENANT = 0, EX_CID_TRUNK, EX_CID_ANY };

struct ex_tenant {
	uint64_t	id;
	char		name[EX_NAME_MAX];
	uint32_t	max_channels;		/* 0: no limit */
	uint32_t	max_call_seconds;	/* 0: no limit */
	size_t		nprefixes;
	char		prefixes[EX_PREFIXES_MAX][EX_NUMBER_MAX];	/* sorted */
};

struct ex_trunk {
	uint64_t	id;
	uint64_t	tenant_id;
	char		name[EX_NAME_MAX];
	/* The endpoint's section name: "trunk-<id>", or for a digest trunk
	 * the username it registers and is identified with. */
	char		endpoint[EX_NAME_MAX];
	int		digest;
	int		enabled;
	enum ex_cid	cid;
	enum ex_transport transport;
	uint32_t	max_channels;		/* 0: no limit */
	uint32_t	max_contacts;		/* digest */
	size_t		ncodecs;
	char		codecs[EX_CODECS_MAX][EX_CODEC_LEN];	/* in order */
	size_t		nnets;
	struct proto_net nets[EX_NETS_MAX];	/* sorted, distinct */
	char		username[EX_NAME_MAX];	/* digest */
	char		md5_cred[33];		/* digest, over realm "asterisk" */
	char		host[EX_HOST_MAX];	/* IP trunk: where calls go, or "" */
	uint16_t	port;			/* 0: the default */
};

struct ex_carrier {
	uint64_t	id;
	char		name[EX_NAME_MAX];
	char		host[EX_HOST_MAX];
	uint16_t	port;
	enum ex_transport transport;
	int		reg;
	char		username[EX_NAME_MAX];	/* "" : no authentication */
	char		password[EX_SECRET_MAX];
	size_t		ncodecs;
	char		codecs[EX_CODECS_MAX][EX_CODEC_LEN];
	size_t		nnets;
	struct proto_net nets[EX_NETS_MAX];
};

struct ex_did {
	char		number[EX_NUMBER_MAX];
	uint64_t	tenant_id;
	uint64_t	trunk_id;
};

struct export {
	uint64_t		 generation;
	struct ex_tenant	*tenants;	/* each array sorted by id */
	size_t			 ntenants;
	struct ex_trunk		*trunks;
	size_t			 ntrunks;
	struct ex_carrier	*carriers;
	size_t			 ncarriers;
	struct ex_did		*dids;		/* sorted by number */
	size_t			 ndids;
};

/* Before lock-down: jansson's allocator (wiping) and hash seed. */
void	export_init(void);
/* Parse and check; on error -1 with a one-line reason in err. */
int	export_parse(const char *json, size_t len, struct export *,
	    char *err, size_t errlen);
/* Wipes the carriers' passwords. */
void	export_free(struct export *);
const struct ex_tenant *export_tenant(const struct export *, uint64_t id);
const struct ex_trunk *export_trunk(const struct export *, uint64_t id);
const char *ex_transport_name(enum ex_transport);
/*
 * User text (names) for a comment: the safe characters as they are, any
 * other byte as \xHH.  Always NUL-terminates, truncating if it must.
 */
void	ex_escape(const char *in, char *out, size_t outlen);

#endif /* TRUNKD_ASTD_EXPORT_H */
