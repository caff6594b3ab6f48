/* SPDX-License-Identifier: MIT */
/* xmalloc.h: allocation that aborts on out-of-memory. */
#ifndef MIGRATED_XMALLOC_H
#define MIGRATED_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

#define MIG_MUSTCHECK __attribute__((warn_unused_result))
#define MIG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define MIG_NORETURN __attribute__((noreturn))
/* Discard a checked result on purpose (gcc ignores a (void) cast). */
#define MIG_IGNORE(expr) do { if ((expr) != 0) { } } while (0)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* All return memory the caller frees with free(); none returns NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xmemdup(const void *p, size_t n);
char *xasprintf(const char *fmt, ...) MIG_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) MIG_PRINTF(1, 0);

/* Print a message to stderr and abort: for broken invariants only. */
void fatal(const char *fmt, ...) MIG_PRINTF(1, 2) MIG_NORETURN;

#endif
