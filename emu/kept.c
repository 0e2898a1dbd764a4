// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The shared kept slot (see kept.h). */
#include "kept.h"

#include <stdbool.h>
#include <stddef.h>

void emu_kept_slot_init(struct emu_kept_slot *s)
{
	pthread_mutex_init(&s->lock, NULL);
	s->kept = NULL;
}

void emu_kept_slot_destroy(struct emu_kept_slot *s)
{
	emu_kept_swap(s, NULL);
	pthread_mutex_destroy(&s->lock);
}

struct emu_kept *emu_kept_get(struct emu_kept_slot *s)
{
	struct emu_kept *k;

	pthread_mutex_lock(&s->lock);
	k = s->kept;
	if (k)
		k->users++;
	pthread_mutex_unlock(&s->lock);
	return k;
}

void emu_kept_put(struct emu_kept_slot *s, struct emu_kept *k)
{
	bool last;

	pthread_mutex_lock(&s->lock);
	last = --k->users == 0;
	pthread_mutex_unlock(&s->lock);
	if (last)
		k->drop(k);	/* outside the lock: it queues releases */
}

void emu_kept_swap(struct emu_kept_slot *s, struct emu_kept *k)
{
	struct emu_kept *old;

	pthread_mutex_lock(&s->lock);
	old = s->kept;
	s->kept = k;
	pthread_mutex_unlock(&s->lock);
	if (old)
		emu_kept_put(s, old);
}
