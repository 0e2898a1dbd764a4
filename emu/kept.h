/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * A slot holding one thing an object keeps across invocations (the
 * callback service's kept NW object, the memory service's kept mapping),
 * shared by the slot and every method running on it.  A method takes a
 * user with emu_kept_get() and gives it up with emu_kept_put(); a keep
 * or drop on another thread only empties the slot, and whoever is last,
 * slot or method, calls the entry's drop, which gives its references back
 * (through the pending-release queue: no answer is being written for
 * them) and frees it.  So nothing a method is using goes away under it.
 *
 * Locking: the slot's mutex is a leaf, never held across a drop.
 */
#ifndef EMU_KEPT_H
#define EMU_KEPT_H

#include <pthread.h>
#include <stdint.h>

struct emu_kept {
	uint32_t users;				/* the slot's lock */
	void (*drop)(struct emu_kept *k);	/* invariant */
};

struct emu_kept_slot {
	pthread_mutex_t lock;
	struct emu_kept *kept;			/* lock: NULL when empty */
};

void emu_kept_slot_init(struct emu_kept_slot *s);
/* Empties the slot (dropping what it holds), then destroys it. */
void emu_kept_slot_destroy(struct emu_kept_slot *s);

/* The kept entry with one more user (put with emu_kept_put()), or NULL. */
struct emu_kept *emu_kept_get(struct emu_kept_slot *s);
void emu_kept_put(struct emu_kept_slot *s, struct emu_kept *k);
/*
 * Put @k (users = 1, the slot's; or NULL) in the slot; what the slot held
 * loses the slot's use.  From here another thread may drop @k.
 */
void emu_kept_swap(struct emu_kept_slot *s, struct emu_kept *k);

#endif /* EMU_KEPT_H */
