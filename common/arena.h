/* SPDX-License-Identifier: MIT */
/* arena.h: bump allocation freed all at once. */
#ifndef MIGRATED_ARENA_H
#define MIGRATED_ARENA_H

#include <stddef.h>

/*
 * Many small objects with one lifetime (a parse tree, a loaded set of
 * revisions) from a few large blocks: no per-object header, no per-object
 * free. Blocks under 128 KiB come from malloc, larger ones are mapped
 * (mmap), so freeing them returns them to the system at once; both abort on
 * out-of-memory.
 */
struct arena_block;

struct arena {
	struct arena_block *head;	/* the block being filled */
	size_t block;			/* bytes of a new block, header
					   included (a page multiple) */
	size_t bytes;			/* of every block held */
};

#define ARENA_INIT(block) { NULL, (block), 0 }

/* n bytes aligned for any type, uninitialised; never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/*
 * n (> 0) bytes at a multiple of align (a power of 2, at most
 * alignof(max_align_t)): an array of n / size elements of a type whose
 * alignof is align wastes no padding (arena_alloc() rounds to 16).
 */
void *arena_alloc_align(struct arena *a, size_t n, size_t align);
/* A NUL-terminated copy of p[0..n). */
char *arena_strndup(struct arena *a, const char *p, size_t n);
/* A NUL-terminated copy of s. */
char *arena_strdup(struct arena *a, const char *s);
/*
 * Room for element n of the array v (*cap elements of size bytes): v, or a
 * copy twice as large (the old one stays in the arena until it is freed).
 */
void *arena_grow(struct arena *a, void *v, size_t n, size_t *cap,
    size_t size);
/* Free every object; keeps one block for reuse. */
void arena_reset(struct arena *a);
/* Free every block. The arena stays usable. */
void arena_clear(struct arena *a);
/* Bytes of blocks held (what the arena costs). */
size_t arena_bytes(const struct arena *a);

#endif
