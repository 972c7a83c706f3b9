/*
 * application/x-www-form-urlencoded bodies and query strings, decoded
 * strictly: a bad escape, a NUL or invalid UTF-8 refuses the whole input.
 */
#ifndef TRUNKD_WEBD_FORM_H
#define TRUNKD_WEBD_FORM_H

#include <stddef.h>

#include <jansson.h>

/* Percent-decode s[0..len) into dst (NUL-terminated); plus: '+' is ' '. */
int	 form_decode(const char *s, size_t len, char *dst, size_t dstsize,
	    int plus, size_t *outlen);
/*
 * Percent-encode s for a URL: all but A-Z a-z 0-9 - . _ ~ (space as '+'
 * when plus).  Allocated; NULL for NULL or out of memory.  Our own: the
 * only alternative, evhttp_uriencode(), would map libevent's HTTP and DNS
 * library into webd for it.
 */
char	*form_encode(const char *s, int plus);
/* name=value&... into an object of strings (the first of a name wins). */
json_t	*form_parse(const char *s, size_t len);

#endif /* TRUNKD_WEBD_FORM_H */
