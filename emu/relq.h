/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The pending-release queue: references to normal-world (NW) objects the
 * emulator no longer needs but cannot give back in the answer it is
 * writing.  Two cases put IDs here:
 *
 * - an object outlives the invocation that got the reference (the callback
 *   service's kept object) and lets go of it later, in a destructor or in
 *   another invocation, when no answer is being written for it;
 * - an answer names the very ID it would release (an NW object handed back
 *   as an output object): the kernel processes async messages before it
 *   reads outputs, so the release must travel in a later message.
 *
 * Every COMPLETE of any secure thread (a DONE answer, or a callback
 * request) drains the queue into release messages in its outbound tail;
 * what does not fit stays queued, in order, for the next one.
 *
 * The queue has a fixed capacity.  Pushing onto a full queue loses the
 * reference (logged and counted): the kernel drops every NW reference the
 * TEE held when the emulator detaches, so the cost is an NW object kept
 * alive until then, never a wrong release.
 *
 * Locking: one mutex, a leaf: nothing else is taken while it is held.
 */
#ifndef EMU_RELQ_H
#define EMU_RELQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* At most this many pending releases (4 KiB of IDs). */
#define EMU_RELQ_MAX	1024U

struct emu_relq {
	pthread_mutex_t lock;
	uint32_t cap;			/* invariant: at most EMU_RELQ_MAX */
	uint32_t head;			/* lock: index of the oldest ID */
	uint32_t count;			/* lock: IDs queued */
	uint64_t lost;			/* lock: pushes refused when full */
	uint32_t ids[EMU_RELQ_MAX];	/* lock: a ring of cap entries */
};

/* @cap: 1 to EMU_RELQ_MAX (tests use small queues to overflow them). */
void emu_relq_init(struct emu_relq *q, uint32_t cap);
void emu_relq_destroy(struct emu_relq *q);

/*
 * Queue the release of @id.  IDs that carry no reference (NULL, TEE IDs,
 * the primordial object) are ignored.  False when the queue was full and
 * the reference is lost.
 */
bool emu_relq_push(struct emu_relq *q, uint32_t id);

/*
 * Write as many queued IDs as fit, oldest first, as one release message
 * at *pos in buf (cap bytes), leaving @reserve bytes free after it; *pos
 * moves past the message.  Returns the number of IDs written (and
 * dequeued); 0 writes nothing.
 */
uint32_t emu_relq_drain(struct emu_relq *q, void *buf, uint32_t cap,
			uint32_t *pos, uint32_t reserve);

uint32_t emu_relq_count(struct emu_relq *q);
uint64_t emu_relq_lost(struct emu_relq *q);

#endif /* EMU_RELQ_H */
