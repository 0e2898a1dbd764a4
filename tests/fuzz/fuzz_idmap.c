// SPDX-License-Identifier: MIT
/* The ID map of the targets' bookkeeping (fuzz_idmap.h). */
#include "fuzz_idmap.h"

#include <stdlib.h>

#include "fuzz_check.h"

static uint32_t hash(uint32_t id)
{
	/* Fibonacci hashing: consecutive IDs and fds spread out. */
	return id * 0x9e3779b1U;
}

static struct fz_ident *probe(const struct fz_idmap *m, uint32_t id)
{
	uint32_t i = hash(id) & (m->cap - 1);

	while (m->slot[i].used && m->slot[i].id != id)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static void grow(struct fz_idmap *m)
{
	struct fz_idmap bigger = { .cap = m->cap ? m->cap * 2 : 64 };
	uint32_t i;

	bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
	FZ_CHECK(bigger.slot);
	for (i = 0; i < m->cap; i++)
		if (m->slot[i].used)
			*probe(&bigger, m->slot[i].id) = m->slot[i];
	bigger.n = m->n;
	free(m->slot);
	*m = bigger;
}

struct fz_ident *fz_idmap_get(struct fz_idmap *m, uint32_t id)
{
	struct fz_ident *e = fz_idmap_find(m, id);

	if (e)
		return e;
	/* Only a new entry moves the others. */
	if (2 * (m->n + 1) > m->cap)
		grow(m);
	e = probe(m, id);
	*e = (struct fz_ident){ .id = id, .used = true };
	m->n++;
	return e;
}

struct fz_ident *fz_idmap_find(const struct fz_idmap *m, uint32_t id)
{
	struct fz_ident *e;

	if (!m->cap)
		return NULL;
	e = probe(m, id);
	return e->used ? e : NULL;
}

void fz_idmap_free(struct fz_idmap *m)
{
	free(m->slot);
	*m = (struct fz_idmap){ 0 };
}
