/* SPDX-License-Identifier: MIT */
/* suggest.h: "did you mean" for mistyped names (edit distance). */
#ifndef MIGRATED_SUGGEST_H
#define MIGRATED_SUGGEST_H

#include <stddef.h>

/*
 * Optimal string alignment distance between a and b (insertions,
 * deletions, substitutions and swaps of two neighbours each cost one),
 * counted in bytes. Names longer than SUGGEST_MAX_LEN count as far from
 * everything.
 */
#define SUGGEST_MAX_LEN 64
size_t suggest_distance(const char *a, const char *b);

/*
 * The candidate closest to word, or NULL when none is close enough: the
 * only one word (2 bytes or more) is a prefix of, else the nearest within
 * 2 edits and fewer edits than word has bytes (ties: the first).
 * Borrowed from cands.
 */
const char *suggest_closest(const char *word, const char *const *cands,
    size_t n);

#endif
