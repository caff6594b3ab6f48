/* SPDX-License-Identifier: MIT */
/* settings-table.h: the settings table, private to settings.c and its tests. */
#ifndef MIGRATED_SETTINGS_TABLE_H
#define MIGRATED_SETTINGS_TABLE_H

#include <stddef.h>

#include "settings.h"

enum settings_type {
	CFG_STRING,	/* char *; min..max is the length; "" unsets */
	CFG_BOOL,	/* bool */
	CFG_INT,	/* int in min..max */
	CFG_DURATION,	/* int milliseconds in min..max, GUC units */
	CFG_MODE,	/* unsigned int, octal, at most max */
	CFG_ENUM,	/* int: index into choices */
	CFG_LOGLEVEL,	/* int: enum log_level */
};

#define CFG_SECRET	0x01	/* echoed only through settings_redact() */
#define CFG_RELOAD	0x02	/* may change without a restart */
#define CFG_NOFILE	0x04	/* a command-line flag only, no file key */
#define CFG_ENV_INVERT	0x08	/* the environment variable says the opposite */
#define CFG_REQUIRED	0x10	/* a string that may not be empty */

/*
 * Extra check of a CFG_STRING value. Returns 0, or -EINVAL with *why set
 * (caller frees); may replace *value by a normalised copy (caller frees).
 */
typedef int (*settings_check_fn)(const char *text, char **value, char **why);

struct settings_entry {
	const char *name;
	enum settings_type type;
	size_t offset;			/* into struct settings */
	const char *defval;		/* as a string; NULL: unset */
	long long min, max;
	const char *env;		/* environment variable or NULL */
	int flags;
	const char *const *choices;	/* CFG_ENUM, NULL-terminated */
	settings_check_fn check;		/* CFG_STRING, or NULL */
};

/* The value in force of one row. */
struct settings_value {
	char *text;			/* as given; NULL: unset */
	char *source;			/* "default", "FILE:LINE", ... */
};

extern const struct settings_entry settings_table[];
extern const size_t settings_table_len;

/* The row named name, or NULL. */
const struct settings_entry *settings_table_find(const char *name);

/*
 * Parse text as the value of row e and store it in cfg. Returns 0, or
 * -EINVAL with *why set to the problem (caller frees); cfg is unchanged
 * on failure.
 */
int settings_table_set(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why) MIG_MUSTCHECK;

/* Free the string fields of cfg that the table owns. */
void settings_table_free(struct settings *cfg);

/* ms in its largest exact unit: "250ms", "5s", "1min", "0"; caller frees. */
char *settings_format_ms(long long ms);

#endif
