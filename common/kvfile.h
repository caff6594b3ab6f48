/* SPDX-License-Identifier: MIT */
/* kvfile.h: "key = value" settings files (migrated.conf): one syntax. */
#ifndef MIGRATED_KVFILE_H
#define MIGRATED_KVFILE_H

#include "xmalloc.h"

/*
 * One line of a file: key and value (borrowed, valid during the call),
 * or, for a malformed line, key NULL and problem set. Blank and comment
 * lines are not reported.
 */
typedef void (*kvfile_cb)(void *arg, const char *path, unsigned int line,
    const char *key, const char *value, const char *problem);

/*
 * Split "key = value  # comment" in place: NULL with *key and *value set
 * (*key NULL for a blank or comment line), or the problem of a malformed
 * line. A value may be quoted with ' or " (no escapes); unquoted, a '#'
 * after a blank starts a comment.
 */
const char *kvfile_split_line(char *line, char **key, char **value);

/*
 * Read path line by line (a leading UTF-8 byte order mark is skipped),
 * calling cb for every key and every malformed line. Returns 0, or a
 * negative errno when the file cannot be opened or read.
 */
int kvfile_read(const char *path, kvfile_cb cb, void *arg) MIG_MUSTCHECK;

#endif
