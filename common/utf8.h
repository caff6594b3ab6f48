/* SPDX-License-Identifier: MIT */
/* utf8.h: UTF-8 validation shared by the file parser and the protocol. */
#ifndef MIGRATED_UTF8_H
#define MIGRATED_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence at s (n >= 1 bytes left), or 0 for
 * an invalid one (overlong forms, surrogates, beyond U+10FFFF).
 */
static inline size_t
utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

#endif
