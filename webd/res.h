/*
 * The objects the console and the API work on, in one table: their dbd
 * operations, their fields (JSON name, label, kind) and which of them
 * are list columns and filters.  Pages and API routes are derived from
 * it, so both offer the same operations.
 */
#ifndef TRUNKD_WEBD_RES_H
#define TRUNKD_WEBD_RES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum field_kind {
	F_TEXT,		/* string */
	F_NUMBER,	/* integer */
	F_BOOL,		/* checkbox */
	F_CHOICE,	/* one of field.choices, "a|b|c" */
	F_LIST,		/* strings, one a line in a form */
	F_SECRET,	/* write-only string; empty: unchanged */
	F_TENANT,	/* a tenant id, chosen by name */
	F_TRUNK,	/* a trunk id, chosen by name */
	F_SHOW,		/* shown, never sent */
	F_TIME,		/* shown: Unix time as UTC */
};

#define FF_LIST		0x01	/* a column of the list */
#define FF_FILTER	0x02	/* a filter of the list */
#define FF_FORM		0x04	/* in the create/edit form */
#define FF_REQUIRED	0x08

struct field {
	const char	*name;
	const char	*label;
	enum field_kind	 kind;
	unsigned int	 flags;
	const char	*choices;
	const char	*hint;
};

struct resource {
	const char		*path;		/* "trunks" */
	const char		*title;		/* "Trunks" */
	const char		*one;		/* "trunk" */
	const char		*key;		/* "id", "address" */
	uint32_t		 op_list, op_get, op_create, op_update,
				 op_delete;
	const struct field	*fields;
	size_t			 nfields;
	int			 superadmin;	/* in the menu of superadmins only */
};

extern const struct resource	resources[];
extern const size_t		nresources;

const struct resource	*res_find(const char *path);
const struct field	*res_field(const struct resource *, const char *);
/*
 * Form strings to the JSON dbd takes.  On a bad value, returns NULL and
 * points *bad at the field.
 */
json_t	*res_from_form(const struct resource *, const json_t *form,
	    int create, const struct field **bad);
/* An object from dbd to form strings. */
json_t	*res_to_form(const struct resource *, const json_t *obj);
/* {"id": N} or {"address": "..."} from a URL's key; NULL when bad. */
json_t	*res_key(const struct resource *, const char *key);
/* The "filter" object of a list request from query strings. */
json_t	*res_filter(const struct resource *, const json_t *query);

#endif /* TRUNKD_WEBD_RES_H */
