/* SPDX-License-Identifier: MIT */
/* suggest.c: "did you mean" for mistyped names (edit distance). */
#include "config.h"

#include <string.h>

#include "suggest.h"

#define SUGGEST_FAR ((size_t)-1)
#define SUGGEST_MAX_EDITS 2

static size_t
suggest_min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t
suggest_distance(const char *a, const char *b)
{
	size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, cost;

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return SUGGEST_FAR;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d[i][j] = suggest_min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
			    d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 <
			    d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

/* The only candidate word is a prefix of, or NULL. */
static const char *
suggest_prefix(const char *word, const char *const *cands, size_t n)
{
	const char *found = NULL;
	size_t len = strlen(word), i;

	if (len < 2)
		return NULL;
	for (i = 0; i < n; i++) {
		if (strncmp(cands[i], word, len) != 0)
			continue;
		if (found != NULL)
			return NULL;
		found = cands[i];
	}
	return found;
}

const char *
suggest_closest(const char *word, const char *const *cands, size_t n)
{
	const char *best;
	size_t bestd = SUGGEST_FAR, d, i;

	if ((best = suggest_prefix(word, cands, n)) != NULL)
		return best;
	for (i = 0; i < n; i++) {
		d = suggest_distance(word, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	if (best != NULL && bestd <= SUGGEST_MAX_EDITS &&
	    bestd < strlen(word))
		return best;
	return NULL;
}
