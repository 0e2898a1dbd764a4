/* SPDX-License-Identifier: MIT */
/*
 * A small map from a 32-bit ID (an object ID, an fd) to two counters,
 * for the targets' bookkeeping: references given and given back, fds
 * installed and closed.  Open addressing, grown at half full; entries are
 * never removed (a counter pair at zero is as good as none), so a pointer
 * to an entry stays valid until fz_idmap_get() adds one.
 */
#ifndef FUZZ_IDMAP_H
#define FUZZ_IDMAP_H

#include <stdbool.h>
#include <stdint.h>

struct fz_ident {
	uint32_t id;
	uint32_t a, b;		/* the two counters, the user's meaning */
	bool used;
};

struct fz_idmap {
	struct fz_ident *slot;
	uint32_t cap;		/* a power of two, or 0 */
	uint32_t n;		/* slots used */
};

/* The entry of @id, made (counters zero) if it was not there. */
struct fz_ident *fz_idmap_get(struct fz_idmap *m, uint32_t id);
/* The entry of @id, or NULL. */
struct fz_ident *fz_idmap_find(const struct fz_idmap *m, uint32_t id);
void fz_idmap_free(struct fz_idmap *m);

/* Every entry: for (i = 0; i < m->cap; i++) if (m->slot[i].used) ... */

#endif /* FUZZ_IDMAP_H */
