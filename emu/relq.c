// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The pending-release queue (see relq.h). */
#include "relq.h"

#include "log.h"
#include "qtee_wire.h"

void emu_relq_init(struct emu_relq *q, uint32_t cap)
{
	pthread_mutex_init(&q->lock, NULL);
	q->cap = cap < 1 ? 1 : cap > EMU_RELQ_MAX ? EMU_RELQ_MAX : cap;
	q->head = 0;
	q->count = 0;
	q->lost = 0;
}

void emu_relq_destroy(struct emu_relq *q)
{
	/* At exit the NW is gone with the device: nobody to release to. */
	if (q->count)
		emu_dbg("%u pending releases dropped at exit", q->count);
	pthread_mutex_destroy(&q->lock);
}

bool emu_relq_push(struct emu_relq *q, uint32_t id)
{
	bool queued = false;

	if (!(id & QTEE_OBJ_NS_BIT) || id == QTEE_OBJ_PRIMORDIAL)
		return true;	/* no reference to give back */
	pthread_mutex_lock(&q->lock);
	if (q->count < q->cap) {
		q->ids[(q->head + q->count) % q->cap] = id;
		q->count++;
		queued = true;
	} else {
		q->lost++;
	}
	pthread_mutex_unlock(&q->lock);
	if (queued)
		emu_trace("release of %#x queued", id);
	else
		emu_warn("pending-release queue full: %#x leaks until detach",
			 id);
	return queued;
}

/* How many IDs one release message at @pos can carry. */
static uint32_t room_for(uint32_t cap, uint32_t pos, uint32_t reserve)
{
	uint32_t hdr = QTEE_ASYNC_HDR + 4;	/* header and count */

	if (pos % QTEE_ALIGN || pos > cap || cap - pos < hdr + reserve)
		return 0;
	return (cap - pos - hdr - reserve) / 4;
}

uint32_t emu_relq_drain(struct emu_relq *q, void *buf, uint32_t cap,
			uint32_t *pos, uint32_t reserve)
{
	uint32_t ids[EMU_RELQ_MAX];
	uint32_t n, i;

	pthread_mutex_lock(&q->lock);
	n = room_for(cap, *pos, reserve);
	if (n > q->count)
		n = q->count;
	for (i = 0; i < n; i++)
		ids[i] = q->ids[(q->head + i) % q->cap];
	/* Dequeue only what the message really holds. */
	if (n && qtee_async_put_release(buf, cap, pos, ids, n) == 0) {
		q->head = (q->head + n) % q->cap;
		q->count -= n;
	} else {
		n = 0;
	}
	pthread_mutex_unlock(&q->lock);
	if (n)
		emu_trace("released %u queued NW references", n);
	return n;
}

uint32_t emu_relq_count(struct emu_relq *q)
{
	uint32_t n;

	pthread_mutex_lock(&q->lock);
	n = q->count;
	pthread_mutex_unlock(&q->lock);
	return n;
}

uint64_t emu_relq_lost(struct emu_relq *q)
{
	uint64_t n;

	pthread_mutex_lock(&q->lock);
	n = q->lost;
	pthread_mutex_unlock(&q->lock);
	return n;
}
