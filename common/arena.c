/* SPDX-License-Identifier: MIT */
/* arena.c: bump allocation freed all at once. */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"
#include "xmalloc.h"

#define ARENA_ALIGN alignof(max_align_t)

/*
 * Blocks of ARENA_MMAP bytes or more are mapped: freed, they go back to the
 * system at once (malloc would keep them, raising its mmap threshold).
 */
#define ARENA_MMAP (128 * 1024)

struct arena_block {
	struct arena_block *next;	/* older blocks */
	size_t size, used;		/* of data[] */
	alignas(max_align_t) unsigned char data[];
};

static struct arena_block *
arena_block_new(size_t size)
{
	struct arena_block *b;
	size_t total = sizeof *b + size;

	if (total < ARENA_MMAP)
		b = xmalloc(total);
	else if ((b = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		fatal("arena: cannot map %zu bytes", total);
	b->size = size;
	b->used = 0;
	return b;
}

static void
arena_block_free(struct arena_block *b)
{
	size_t total = sizeof *b + b->size;

	if (total < ARENA_MMAP)
		free(b);
	else
		munmap(b, total);
}

static size_t
arena_round(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *
arena_alloc_align(struct arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;
	size_t size, at = 0;
	void *p;

	if (b != NULL)
		at = (b->used + align - 1) & ~(align - 1);
	if (b == NULL || at > b->size || b->size - at < n) {
		size = a->block > sizeof *b + n ? a->block - sizeof *b :
		    arena_round(n);
		if (size > SIZE_MAX / 2)
			fatal("arena: %zu bytes", n);
		b = arena_block_new(size);
		/* An oversized object gets its own block behind the head. */
		if (a->head != NULL && sizeof *b + size > a->block) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
		a->bytes += sizeof *b + size;
		at = 0;
	}
	p = b->data + at;
	b->used = at + n;
	return p;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	return arena_alloc_align(a, n != 0 ? n : 1, ARENA_ALIGN);
}

char *
arena_strndup(struct arena *a, const char *p, size_t n)
{
	char *s = arena_alloc_align(a, n + 1, 1);	/* text: unaligned */

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void *
arena_grow(struct arena *a, void *v, size_t n, size_t *cap, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	*cap = *cap != 0 ? *cap * 2 : 4;
	if (*cap > SIZE_MAX / 2 / size)
		fatal("arena: %zu elements", *cap);
	nv = arena_alloc(a, *cap * size);
	if (n > 0)
		memcpy(nv, v, n * size);
	return nv;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (a->head == NULL)
		return;
	for (b = a->head->next; b != NULL; b = next) {
		next = b->next;
		a->bytes -= sizeof *b + b->size;
		arena_block_free(b);
	}
	a->head->next = NULL;
	a->head->used = 0;
}

void
arena_clear(struct arena *a)
{
	arena_reset(a);
	if (a->head != NULL)
		arena_block_free(a->head);
	a->head = NULL;
	a->bytes = 0;
}

size_t
arena_bytes(const struct arena *a)
{
	return a->bytes;
}
