// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The QTEE message codec (see qtee_wire.h and docs/wire-protocol.md).
 *
 * Every length that comes from a message is checked against the buffer
 * with arithmetic that cannot wrap before it is used: the message may have
 * been written by a buggy or hostile peer, and in the real system the
 * buffer is shared memory the peer can rewrite at any time, so each field
 * is read once and the checked copy is what the rest of the code uses.
 */
#include "qtee_wire.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/unaligned.h>

static inline u32 rd32(const void *p)
{
	return get_unaligned_le32(p);
}

static inline void wr32(void *p, u32 v)
{
	put_unaligned_le32(v, p);
}
#else
#include <endian.h>
#include <errno.h>
#include <string.h>

static inline u32 rd32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline void wr32(void *p, u32 v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}
#endif

static u32 hdr_size(enum qtee_msg_kind kind)
{
	return kind == QTEE_MSG_CALLBACK ? QTEE_CALLBACK_HDR : QTEE_INVOKE_HDR;
}

/* Round up to the payload alignment; callers keep v far below 2^32. */
static u32 align8(u32 v)
{
	return (v + QTEE_ALIGN - 1) & ~(QTEE_ALIGN - 1);
}

static unsigned char *arg_at(const struct qtee_msg *m, unsigned int i)
{
	return (unsigned char *)m->buf + hdr_size(m->kind) + i * QTEE_ARG_SIZE;
}

bool qtee_counts_valid(u32 counts)
{
	/* Four 4-bit fields cannot exceed 15; only the upper half can be bad. */
	return (counts >> 16) == 0;
}

/* Header words after the optional result word. */
static unsigned char *cxt_at(const struct qtee_msg *m)
{
	return (unsigned char *)m->buf + (m->kind == QTEE_MSG_CALLBACK ? 4 : 0);
}

int qtee_msg_init(struct qtee_msg *m, void *buf, u32 cap,
		  enum qtee_msg_kind kind, u32 cxt, u32 op,
		  u32 counts)
{
	u32 args_end;

	if (!qtee_counts_valid(counts))
		return -EINVAL;
	args_end = hdr_size(kind) + qtee_num_args(counts) * QTEE_ARG_SIZE;
	if (args_end > cap)
		return -ENOSPC;

	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->cap = cap;
	m->kind = kind;
	m->cxt = cxt;
	m->op = op;
	m->counts = counts;
	m->end = args_end;

	memset(buf, 0, args_end);
	wr32(cxt_at(m), cxt);
	wr32(cxt_at(m) + 4, op);
	wr32(cxt_at(m) + 8, counts);
	return 0;
}

int qtee_msg_add_buf(struct qtee_msg *m, unsigned int i, u32 size,
		     void **payload)
{
	unsigned char *base = m->buf;
	u32 off;

	if (i >= qtee_num_bufs(m->counts))
		return -EINVAL;
	off = align8(m->end);
	if (off > m->cap || size > m->cap - off)
		return -ENOSPC;

	memset(base + m->end, 0, off - m->end);
	wr32(arg_at(m, i), off);
	wr32(arg_at(m, i) + 4, size);
	m->off[i] = off;
	m->len[i] = size;
	m->end = off + size;
	/* Output space goes out zeroed: unused space is always zero. */
	if (i >= QTEE_IDX_BO(m->counts))
		memset(base + off, 0, size);
	*payload = base + off;
	return 0;
}

void qtee_msg_set_obj(struct qtee_msg *m, unsigned int i, u32 id)
{
	wr32(arg_at(m, i), id);
}

int qtee_msg_parse(struct qtee_msg *m, void *buf, u32 cap,
		   enum qtee_msg_kind kind)
{
	u32 args_end, end, off, len;
	unsigned int i, nbufs;

	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->cap = cap;
	m->kind = kind;
	if (cap < hdr_size(kind))
		return -EINVAL;

	m->cxt = rd32(cxt_at(m));
	m->op = rd32(cxt_at(m) + 4);
	m->counts = rd32(cxt_at(m) + 8);
	if (!qtee_counts_valid(m->counts))
		return -EINVAL;
	args_end = hdr_size(kind) + qtee_num_args(m->counts) * QTEE_ARG_SIZE;
	if (args_end > cap)
		return -EINVAL;

	end = args_end;
	nbufs = qtee_num_bufs(m->counts);
	for (i = 0; i < nbufs; i++) {
		off = rd32(arg_at(m, i));
		len = rd32(arg_at(m, i) + 4);
		/* Payloads follow the argument array, aligned, inside cap. */
		if (off < args_end || off % QTEE_ALIGN || off > cap ||
		    len > cap - off)
			return -EINVAL;
		m->off[i] = off;
		m->len[i] = len;
		if (off + len > end)
			end = off + len;
	}
	m->end = end;
	return 0;
}

void *qtee_msg_payload(const struct qtee_msg *m, unsigned int i)
{
	return (unsigned char *)m->buf + m->off[i];
}

u32 qtee_msg_get_obj(const struct qtee_msg *m, unsigned int i)
{
	return rd32(arg_at(m, i));
}

s32 qtee_msg_get_result(const struct qtee_msg *m)
{
	return (s32)rd32(m->buf);
}

void qtee_msg_set_result(struct qtee_msg *m, s32 result)
{
	wr32(m->buf, (u32)result);
}

int qtee_msg_read_out_size(const struct qtee_msg *m, unsigned int i,
			   u32 *size)
{
	u32 v = rd32(arg_at(m, i) + 4);

	/* An answer may shrink an output buffer, never grow it. */
	if (v > m->len[i])
		return -EINVAL;
	*size = v;
	return 0;
}

void qtee_msg_write_out_size(struct qtee_msg *m, unsigned int i,
			     u32 size)
{
	wr32(arg_at(m, i) + 4, size);
}

u32 qtee_async_start(const struct qtee_msg *callback)
{
	return callback ? align8(callback->end) : 0;
}

int qtee_async_next(const void *buf, u32 cap, u32 *pos,
		    struct qtee_async *a)
{
	const unsigned char *p;
	u32 at = *pos, count, size;

	if (at % QTEE_ALIGN || at > cap || cap - at < QTEE_ASYNC_HDR)
		return -ENOENT;	/* no room for another header: the end */
	p = (const unsigned char *)buf + at;
	a->version = rd32(p);
	a->op = rd32(p + 4);
	if (a->version == 0 && a->op == 0)
		return -ENOENT;
	/* Only major version 1 is understood; minors are compatible. */
	if (a->version >> 16 != QTEE_ASYNC_VERSION >> 16)
		return -EINVAL;
	if (a->op != QTEE_ASYNC_OP_RELEASE)
		return -EINVAL;	/* unknown length: nothing after it is safe */

	if (cap - at < QTEE_ASYNC_HDR + 4)
		return -EINVAL;
	count = rd32(p + QTEE_ASYNC_HDR);
	if (count > (cap - at - QTEE_ASYNC_HDR - 4) / 4)
		return -EINVAL;
	size = QTEE_ASYNC_HDR + 4 + count * 4;
	a->count = count;
	a->ids = p + QTEE_ASYNC_HDR + 4;
	/* The next message is aligned; past cap simply means the end. */
	*pos = at + size > cap - QTEE_ALIGN ? cap : align8(at + size);
	return 0;
}

u32 qtee_async_id(const struct qtee_async *a, u32 i)
{
	return rd32((const unsigned char *)a->ids + i * 4);
}

int qtee_async_put_release(void *buf, u32 cap, u32 *pos,
			   const u32 *ids, u32 count)
{
	unsigned char *p;
	u32 at = *pos, i;

	if (at % QTEE_ALIGN || at > cap || count > (cap - at) / 4 ||
	    QTEE_ASYNC_HDR + 4 + count * 4 > cap - at)
		return -ENOSPC;
	p = (unsigned char *)buf + at;
	wr32(p, QTEE_ASYNC_VERSION);
	wr32(p + 4, QTEE_ASYNC_OP_RELEASE);
	wr32(p + 8, count);
	for (i = 0; i < count; i++)
		wr32(p + 12 + 4 * i, ids[i]);
	at += QTEE_ASYNC_HDR + 4 + count * 4;
	/* Zero the padding up to the next message's alignment. */
	if (at % QTEE_ALIGN && align8(at) <= cap) {
		memset((unsigned char *)buf + at, 0, align8(at) - at);
		at = align8(at);
	}
	*pos = at;
	return 0;
}
