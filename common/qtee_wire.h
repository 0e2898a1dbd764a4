/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The QTEE message codec, shared word for word by the kernel module, the
 * TEE emulator, the unit tests and the fuzzers (docs/wire-protocol.md).
 *
 * It knows the layout of messages and nothing about who sends them: it
 * builds a message into a caller's buffer, parses and bounds-checks a
 * message someone else wrote, and reads and writes asynchronous messages.
 * It never allocates, never sleeps and never copies from userspace, so the
 * same source compiles in both worlds.
 */
#ifndef QTEE_WIRE_H
#define QTEE_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The codec is kernel code first; userspace gets the kernel's names. */
typedef uint32_t u32;
typedef int32_t s32;
#endif

/* Object IDs. */
#define QTEE_OBJ_NULL		0x00000000U
#define QTEE_OBJ_ROOT		0x00000001U
#define QTEE_OBJ_NS_BIT		0x80000000U	/* hosted by the normal world */
#define QTEE_OBJ_PRIMORDIAL	0x80000000U

/* Operations every object has, sent only by transports. */
#define QTEE_OP_METHOD_MASK	0x0000ffffU
#define QTEE_OP_RELEASE		0x0000ffffU
#define QTEE_OP_RETAIN		0x0000fffeU

/* The primordial object's methods (called by the TEE). */
#define QTEE_PRIMORDIAL_MAP_REGION	0	/* IO mem, BO region, OO mapping */
#define QTEE_PRIMORDIAL_YIELD		1
#define QTEE_PRIMORDIAL_SLEEP		2	/* BI u32 ms */

/*
 * Map region's output buffer, packed: u64 address, u64 length, u32
 * permissions.  Releasing the mapping object (the OO) unmaps the region.
 */
#define QTEE_MAP_REGION_SIZE	20U
#define QTEE_PERM_READ		1U
#define QTEE_PERM_WRITE		2U

/* Results (int32 on the wire). */
#define QTEE_OK			0
#define QTEE_ERROR		1
#define QTEE_ERROR_INVALID	2
#define QTEE_ERROR_SIZE_IN	3
#define QTEE_ERROR_SIZE_OUT	4
#define QTEE_ERROR_MEM		5
#define QTEE_ERROR_USERBASE	10
#define QTEE_ERROR_DEFUNCT	(-90)
#define QTEE_ERROR_ABORT	(-91)
#define QTEE_ERROR_BADOBJ	(-92)
#define QTEE_ERROR_NOSLOTS	(-93)
#define QTEE_ERROR_MAXARGS	(-94)
#define QTEE_ERROR_MAXDATA	(-95)
#define QTEE_ERROR_UNAVAIL	(-96)
#define QTEE_ERROR_KMEM		(-97)
#define QTEE_ERROR_REMOTE	(-98)
#define QTEE_ERROR_BUSY		(-99)
#define QTEE_ERROR_TIMEOUT	(-103)

/* Counts: four 4-bit fields, upper 16 bits zero. */
#define QTEE_MAX_PER_KIND	15
#define QTEE_MAX_ARGS		(4 * QTEE_MAX_PER_KIND)
#define QTEE_MAX_BUFS		(2 * QTEE_MAX_PER_KIND)
#define QTEE_COUNTS(bi, bo, io, oo) \
	((bi) | (bo) << 4 | (io) << 8 | (oo) << 12)
#define QTEE_NUM_BI(c)		((c) & 0xf)
#define QTEE_NUM_BO(c)		(((c) >> 4) & 0xf)
#define QTEE_NUM_IO(c)		(((c) >> 8) & 0xf)
#define QTEE_NUM_OO(c)		(((c) >> 12) & 0xf)
/* Index of the first argument of each kind in the args array. */
#define QTEE_IDX_BO(c)		QTEE_NUM_BI(c)

static inline u32 qtee_num_bufs(u32 c)
{
	return QTEE_NUM_BI(c) + QTEE_NUM_BO(c);
}

static inline u32 qtee_num_args(u32 c)
{
	return qtee_num_bufs(c) + QTEE_NUM_IO(c) + QTEE_NUM_OO(c);
}

static inline u32 qtee_idx_io(u32 c)
{
	return qtee_num_bufs(c);
}

static inline u32 qtee_idx_oo(u32 c)
{
	return qtee_num_bufs(c) + QTEE_NUM_IO(c);
}

/* Message kinds: a direct invocation has no result word. */
enum qtee_msg_kind {
	QTEE_MSG_INVOKE,	/* inbound: cxt, op, counts, args */
	QTEE_MSG_CALLBACK,	/* outbound: result, cxt, op, counts, args */
};

#define QTEE_INVOKE_HDR		12U
#define QTEE_CALLBACK_HDR	16U
#define QTEE_ARG_SIZE		8U
#define QTEE_ALIGN		8U

/*
 * A message as the codec sees it: where it is, how large the buffer is,
 * and (once built or parsed) its header and the place of every buffer
 * argument.  The offsets and sizes here are the codec's own record, taken
 * when the message was built or checked; readers of a reply use them, not
 * what the other side may have rewritten since.
 */
struct qtee_msg {
	void *buf;
	u32 cap;		/* bytes at buf */
	u32 end;		/* first byte past args and payloads */
	enum qtee_msg_kind kind;
	u32 cxt;
	u32 op;
	u32 counts;
	u32 off[QTEE_MAX_BUFS];	/* payload offset of buffer arg i */
	u32 len[QTEE_MAX_BUFS];	/* payload size of buffer arg i */
};

/* Asynchronous messages. */
#define QTEE_ASYNC_VERSION	0x00010002U	/* 1.2 */
#define QTEE_ASYNC_OP_RELEASE	0U
#define QTEE_ASYNC_HDR		8U

struct qtee_async {
	u32 version;
	u32 op;
	u32 count;		/* release: number of IDs */
	const void *ids;	/* release: count little-endian u32 IDs */
};

bool qtee_counts_valid(u32 counts);

/* Building (the sender's side). */
int qtee_msg_init(struct qtee_msg *m, void *buf, u32 cap,
		  enum qtee_msg_kind kind, u32 cxt, u32 op,
		  u32 counts);
int qtee_msg_add_buf(struct qtee_msg *m, unsigned int i, u32 size,
		     void **payload);
void qtee_msg_set_obj(struct qtee_msg *m, unsigned int i, u32 id);

/* Parsing a message the other side wrote (everything bounds-checked). */
int qtee_msg_parse(struct qtee_msg *m, void *buf, u32 cap,
		   enum qtee_msg_kind kind);

/* Accessors, valid after init+add or parse. */
void *qtee_msg_payload(const struct qtee_msg *m, unsigned int i);
u32 qtee_msg_get_obj(const struct qtee_msg *m, unsigned int i);
s32 qtee_msg_get_result(const struct qtee_msg *m);
void qtee_msg_set_result(struct qtee_msg *m, s32 result);

/*
 * Answers written in place: the size of output buffer i (never above what
 * was reserved) and the IDs of output objects.
 */
int qtee_msg_read_out_size(const struct qtee_msg *m, unsigned int i,
			   u32 *size);
void qtee_msg_write_out_size(struct qtee_msg *m, unsigned int i,
			     u32 size);

/* Asynchronous messages in the outbound buffer's tail, from *pos on. */
u32 qtee_async_start(const struct qtee_msg *callback);
int qtee_async_next(const void *buf, u32 cap, u32 *pos,
		    struct qtee_async *a);
u32 qtee_async_id(const struct qtee_async *a, u32 i);
int qtee_async_put_release(void *buf, u32 cap, u32 *pos,
			   const u32 *ids, u32 count);

#endif /* QTEE_WIRE_H */
