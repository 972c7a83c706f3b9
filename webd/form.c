/* Form and query decoding: see form.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "util.h"

#define FORM_FIELDS_MAX	256

int
form_decode(const char *s, size_t len, char *dst, size_t dstsize, int plus,
    size_t *outlen)
{
	size_t	i, j = 0;
	int	hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len || (hi = hexval(s[i + 1])) == -1 ||
			    (lo = hexval(s[i + 2])) == -1)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == '\0' || j + 1 >= dstsize)
			return -1;
		dst[j++] = (char)c;
	}
	dst[j] = '\0';
	*outlen = j;
	return 0;
}

/* One name or value into a fresh buffer. */
static char *
form_part(const char *s, size_t len, size_t *outlen)
{
	char	*p;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	if (form_decode(s, len, p, len + 1, 1, outlen) == -1) {
		free(p);
		return NULL;
	}
	return p;
}

char *
form_encode(const char *s, int plus)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 ch;
	char			*out, *o;

	if (s == NULL || (out = reallocarray(NULL, strlen(s) + 1, 3)) == NULL)
		return NULL;
	for (o = out; (ch = (unsigned char)*s) != '\0'; s++) {
		if (isalnum(ch) || strchr("-._~", ch) != NULL)
			*o++ = (char)ch;
		else if (ch == ' ' && plus)
			*o++ = '+';
		else {
			*o++ = '%';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o = '\0';
	return out;
}

json_t *
form_parse(const char *s, size_t len)
{
	json_t		*o, *v, *k;
	const char	*end = s + len, *amp, *eq;
	char		*name = NULL, *value = NULL;
	size_t		 nlen, vlen, n = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	while (s < end) {
		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		if (amp == s) {
			s++;
			continue;
		}
		if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL)
			eq = amp;
		if (++n > FORM_FIELDS_MAX ||
		    (name = form_part(s, (size_t)(eq - s), &nlen)) == NULL ||
		    (value = form_part(eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, &vlen)) == NULL)
			goto fail;
		/* json_stringn refuses invalid UTF-8. */
		if (nlen == 0 || (k = json_stringn(name, nlen)) == NULL)
			goto fail;
		json_decref(k);
		if ((v = json_stringn(value, vlen)) == NULL)
			goto fail;
		if (json_object_get(o, name) == NULL)
			(void)json_object_set_new(o, name, v);
		else
			json_decref(v);
		free(name);
		free(value);
		name = value = NULL;
		s = amp < end ? amp + 1 : end;
	}
	return o;
fail:
	free(name);
	free(value);
	json_decref(o);
	return NULL;
}
