// SPDX-License-Identifier: MIT
/*
 * The shared QTEE wire codec (common/qtee_wire.c): messages built by one
 * side parse back identically on the other, and every malformed message,
 * out-of-bounds length and asynchronous-message defect is refused.  The
 * tests write fields the way a hostile peer would, straight into the
 * buffer, and check the codec's verdict.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "qtee_wire.h"

#define CAP	256

/* 8-aligned storage so that offsets in the buffer are offsets in memory. */
static uint64_t store[CAP / 8];
static unsigned char *const buf = (unsigned char *)store;

static uint32_t rd(uint32_t off)
{
	uint32_t v;

	memcpy(&v, buf + off, 4);
	return le32toh(v);
}

static void wr(uint32_t off, uint32_t v)
{
	v = htole32(v);
	memcpy(buf + off, &v, 4);
}

static int setup(void **state)
{
	memset(buf, 0xAA, CAP);	/* garbage, so zeroing is visible */
	return 0;
}

static bool all_zero(uint32_t from, uint32_t to)
{
	for (; from < to; from++)
		if (buf[from])
			return false;
	return true;
}

/* Build a message with every kind: BI "abc", BI 5 bytes, BO 16, IO, OO. */
static void build_all_kinds(struct qtee_msg *m, enum qtee_msg_kind kind)
{
	uint32_t counts = QTEE_COUNTS(2, 1, 1, 1);
	void *p;

	assert_int_equal(qtee_msg_init(m, buf, CAP, kind, 0x42, 7, counts), 0);
	assert_int_equal(qtee_msg_add_buf(m, 0, 3, &p), 0);
	memcpy(p, "abc", 3);
	assert_int_equal(qtee_msg_add_buf(m, 1, 5, &p), 0);
	memcpy(p, "hello", 5);
	assert_int_equal(qtee_msg_add_buf(m, 2, 16, &p), 0);
	qtee_msg_set_obj(m, 3, 0x80000001u);
	qtee_msg_set_obj(m, 4, QTEE_OBJ_NULL);
}

static void check_round_trip(enum qtee_msg_kind kind, uint32_t hdr)
{
	struct qtee_msg b, p;
	uint32_t args_end = hdr + 5 * QTEE_ARG_SIZE;
	unsigned int i;

	build_all_kinds(&b, kind);
	assert_int_equal(qtee_msg_parse(&p, buf, CAP, kind), 0);
	assert_int_equal(p.cxt, 0x42);
	assert_int_equal(p.op, 7);
	assert_int_equal(p.counts, QTEE_COUNTS(2, 1, 1, 1));
	assert_int_equal(p.end, b.end);
	for (i = 0; i < 3; i++) {
		assert_int_equal(p.off[i], b.off[i]);
		assert_int_equal(p.len[i], b.len[i]);
		assert_int_equal(p.off[i] % QTEE_ALIGN, 0);
		assert_true(p.off[i] >= args_end);
	}
	/* Payloads in order, back to back, each aligned. */
	assert_int_equal(p.off[0], (args_end + 7) & ~7u);
	assert_int_equal(p.off[1], p.off[0] + 8);
	assert_int_equal(p.off[2], p.off[1] + 8);
	assert_int_equal(p.end, p.off[2] + 16);
	assert_memory_equal(qtee_msg_payload(&p, 0), "abc", 3);
	assert_memory_equal(qtee_msg_payload(&p, 1), "hello", 5);
	/* Padding and reserved output space go out zeroed. */
	assert_true(all_zero(args_end, p.off[0]));
	assert_true(all_zero(p.off[0] + 3, p.off[1]));
	assert_true(all_zero(p.off[1] + 5, p.off[2]));
	assert_true(all_zero(p.off[2], p.off[2] + 16));
	assert_int_equal(qtee_msg_get_obj(&p, 3), 0x80000001u);
	assert_int_equal(qtee_msg_get_obj(&p, 4), QTEE_OBJ_NULL);
	/* Object args' second word is zero. */
	assert_int_equal(rd(hdr + 3 * 8 + 4), 0);
	assert_int_equal(rd(hdr + 4 * 8 + 4), 0);
}

static void test_round_trip_invoke(void **state)
{
	check_round_trip(QTEE_MSG_INVOKE, QTEE_INVOKE_HDR);
	/* Header layout: cxt, op, counts. */
	assert_int_equal(rd(0), 0x42);
	assert_int_equal(rd(4), 7);
	assert_int_equal(rd(8), QTEE_COUNTS(2, 1, 1, 1));
}

static void test_round_trip_callback(void **state)
{
	struct qtee_msg m;

	check_round_trip(QTEE_MSG_CALLBACK, QTEE_CALLBACK_HDR);
	/* Header layout: result, cxt, op, counts. */
	assert_int_equal(rd(0), 0);
	assert_int_equal(rd(4), 0x42);
	assert_int_equal(qtee_msg_parse(&m, buf, CAP, QTEE_MSG_CALLBACK), 0);
	qtee_msg_set_result(&m, QTEE_ERROR_BADOBJ);
	assert_int_equal(rd(0), (uint32_t)QTEE_ERROR_BADOBJ);
	assert_int_equal(qtee_msg_get_result(&m), QTEE_ERROR_BADOBJ);
}

static void test_no_args(void **state)
{
	struct qtee_msg m;

	assert_int_equal(qtee_msg_init(&m, buf, QTEE_INVOKE_HDR,
				       QTEE_MSG_INVOKE, 1, 5, 0), 0);
	assert_int_equal(qtee_msg_parse(&m, buf, QTEE_INVOKE_HDR,
					QTEE_MSG_INVOKE), 0);
	assert_int_equal(m.end, QTEE_INVOKE_HDR);
}

static void test_counts(void **state)
{
	struct qtee_msg m;

	assert_true(qtee_counts_valid(0xFFFF));
	assert_false(qtee_counts_valid(0x10000));
	assert_false(qtee_counts_valid(0x80000000u));
	assert_int_equal(qtee_num_args(0xFFFF), QTEE_MAX_ARGS);
	assert_int_equal(qtee_idx_oo(QTEE_COUNTS(1, 2, 3, 4)), 6);

	assert_int_equal(qtee_msg_init(&m, buf, CAP, QTEE_MSG_INVOKE, 1, 0,
				       0x10001), -EINVAL);
	build_all_kinds(&m, QTEE_MSG_INVOKE);
	wr(8, QTEE_COUNTS(2, 1, 1, 1) | 0x00100000u);
	assert_int_equal(qtee_msg_parse(&m, buf, CAP, QTEE_MSG_INVOKE), -EINVAL);
}

static void test_args_past_cap(void **state)
{
	struct qtee_msg m;
	uint32_t objs = QTEE_COUNTS(0, 0, 15, 15);
	uint32_t need = QTEE_INVOKE_HDR + 30 * QTEE_ARG_SIZE;

	assert_int_equal(qtee_msg_init(&m, buf, CAP, QTEE_MSG_INVOKE, 1, 0,
				       QTEE_COUNTS(15, 15, 15, 15)), -ENOSPC);
	/* Exactly enough room for the args array is fine, a byte less not. */
	assert_int_equal(qtee_msg_init(&m, buf, need - 1, QTEE_MSG_INVOKE, 1, 0,
				       objs), -ENOSPC);
	assert_int_equal(qtee_msg_init(&m, buf, need, QTEE_MSG_INVOKE, 1, 0,
				       objs), 0);
	assert_int_equal(qtee_msg_parse(&m, buf, need, QTEE_MSG_INVOKE), 0);
	assert_int_equal(qtee_msg_parse(&m, buf, need - 1, QTEE_MSG_INVOKE),
			 -EINVAL);
	/* A header claiming 60 args in a buffer of 256. */
	wr(8, QTEE_COUNTS(15, 15, 15, 15));
	assert_int_equal(qtee_msg_parse(&m, buf, CAP, QTEE_MSG_INVOKE), -EINVAL);
}

static void test_cap_below_header(void **state)
{
	struct qtee_msg m;

	memset(buf, 0, CAP);
	assert_int_equal(qtee_msg_parse(&m, buf, QTEE_INVOKE_HDR - 1,
					QTEE_MSG_INVOKE), -EINVAL);
	assert_int_equal(qtee_msg_parse(&m, buf, QTEE_CALLBACK_HDR - 1,
					QTEE_MSG_CALLBACK), -EINVAL);
	assert_int_equal(qtee_msg_parse(&m, buf, 0, QTEE_MSG_INVOKE), -EINVAL);
	assert_int_equal(qtee_msg_init(&m, buf, QTEE_CALLBACK_HDR - 1,
				       QTEE_MSG_CALLBACK, 1, 0, 0), -ENOSPC);
}

/*
 * One input buffer in an invoke message: args end at 20, so the first
 * payload may start at 24.  Returns the parse verdict for (off, size).
 */
static int parse_one_buf(uint32_t off, uint32_t size, uint32_t cap)
{
	struct qtee_msg m;

	memset(buf, 0, CAP);
	wr(8, QTEE_COUNTS(1, 0, 0, 0));
	wr(QTEE_INVOKE_HDR, off);
	wr(QTEE_INVOKE_HDR + 4, size);
	return qtee_msg_parse(&m, buf, cap, QTEE_MSG_INVOKE);
}

static void test_payload_bounds(void **state)
{
	assert_int_equal(parse_one_buf(24, 8, 64), 0);
	assert_int_equal(parse_one_buf(24, 40, 64), 0);	/* up to cap */
	assert_int_equal(parse_one_buf(64, 0, 64), 0);	/* empty, at cap */
	/* Before the end of the args array (inside the header). */
	assert_int_equal(parse_one_buf(16, 4, 64), -EINVAL);
	assert_int_equal(parse_one_buf(0, 4, 64), -EINVAL);
	/* Misaligned. */
	assert_int_equal(parse_one_buf(28, 4, 64), -EINVAL);
	assert_int_equal(parse_one_buf(25, 4, 64), -EINVAL);
	/* Starting past cap. */
	assert_int_equal(parse_one_buf(72, 0, 64), -EINVAL);
	/* Size past cap. */
	assert_int_equal(parse_one_buf(24, 41, 64), -EINVAL);
	assert_int_equal(parse_one_buf(56, 0xFFFFFFFFu, 64), -EINVAL);
	/* offset + size wraps around 2^32 to a small number. */
	assert_int_equal(parse_one_buf(0xFFFFFFF8u, 16, 64), -EINVAL);
	assert_int_equal(parse_one_buf(0xFFFFFFF8u, 16, CAP), -EINVAL);
}

/* A bad second buffer fails the message even when the first is good. */
static void test_second_payload_checked(void **state)
{
	struct qtee_msg m;

	build_all_kinds(&m, QTEE_MSG_INVOKE);
	wr(QTEE_INVOKE_HDR + 2 * 8, CAP);		/* BO offset */
	wr(QTEE_INVOKE_HDR + 2 * 8 + 4, 8);	/* BO size past cap */
	assert_int_equal(qtee_msg_parse(&m, buf, CAP, QTEE_MSG_INVOKE), -EINVAL);
}

static void test_add_buf_bounds(void **state)
{
	struct qtee_msg m;
	void *p = NULL;

	assert_int_equal(qtee_msg_init(&m, buf, 64, QTEE_MSG_INVOKE, 1, 0,
				       QTEE_COUNTS(1, 1, 1, 0)), 0);
	/* Index 2 is an object, not a buffer. */
	assert_int_equal(qtee_msg_add_buf(&m, 2, 4, &p), -EINVAL);
	/* Args end at 36, payload at 40: 24 bytes left. */
	assert_int_equal(qtee_msg_add_buf(&m, 0, 25, &p), -ENOSPC);
	assert_int_equal(qtee_msg_add_buf(&m, 0, 20, &p), 0);
	assert_ptr_equal(p, buf + 40);
	assert_int_equal(qtee_msg_add_buf(&m, 1, 1, &p), -ENOSPC);
	assert_int_equal(qtee_msg_add_buf(&m, 1, 0, &p), 0);
	assert_int_equal(m.end, 64);
}

static void test_out_size(void **state)
{
	struct qtee_msg b, p;
	uint32_t size = 0;

	build_all_kinds(&b, QTEE_MSG_INVOKE);
	/* The answerer shrinks the output buffer: accepted. */
	assert_int_equal(qtee_msg_parse(&p, buf, CAP, QTEE_MSG_INVOKE), 0);
	qtee_msg_write_out_size(&p, 2, 9);
	assert_int_equal(qtee_msg_read_out_size(&b, 2, &size), 0);
	assert_int_equal(size, 9);
	qtee_msg_write_out_size(&p, 2, 16);
	assert_int_equal(qtee_msg_read_out_size(&b, 2, &size), 0);
	assert_int_equal(size, 16);
	/* Grown: refused, and the sender's record is what counts. */
	size = 1234;
	qtee_msg_write_out_size(&p, 2, 17);
	assert_int_equal(qtee_msg_read_out_size(&b, 2, &size), -EINVAL);
	assert_int_equal(size, 1234);
	qtee_msg_write_out_size(&p, 2, 0xFFFFFFFFu);
	assert_int_equal(qtee_msg_read_out_size(&b, 2, &size), -EINVAL);
}

/* ---- asynchronous messages ---- */

static void put_header(uint32_t at, uint32_t version, uint32_t op,
		       uint32_t count)
{
	wr(at, version);
	wr(at + 4, op);
	wr(at + 8, count);
}

static void test_async_round_trip(void **state)
{
	const uint32_t a[3] = { 0x80000001u, 0x80000002u, 0x80000003u };
	const uint32_t b[2] = { 0x80000010u, 0x80000011u };
	struct qtee_async msg;
	uint32_t pos = 0, rpos = 0;

	memset(buf, 0, CAP);
	assert_int_equal(qtee_async_put_release(buf, CAP, &pos, a, 3), 0);
	assert_int_equal(pos, 24);	/* 8 + 4 + 12, already aligned */
	memset(buf + pos, 0xAA, CAP - pos);
	assert_int_equal(qtee_async_put_release(buf, CAP, &pos, b, 2), 0);
	/* 24 + 20 = 44: padded with zeros to 48. */
	assert_int_equal(pos, 48);
	assert_true(all_zero(44, 48));
	memset(buf + pos, 0, CAP - pos);

	assert_int_equal(qtee_async_next(buf, CAP, &rpos, &msg), 0);
	assert_int_equal(msg.version, QTEE_ASYNC_VERSION);
	assert_int_equal(msg.op, QTEE_ASYNC_OP_RELEASE);
	assert_int_equal(msg.count, 3);
	assert_int_equal(qtee_async_id(&msg, 0), a[0]);
	assert_int_equal(qtee_async_id(&msg, 2), a[2]);
	assert_int_equal(rpos, 24);
	assert_int_equal(qtee_async_next(buf, CAP, &rpos, &msg), 0);
	assert_int_equal(msg.count, 2);
	assert_int_equal(qtee_async_id(&msg, 1), b[1]);
	assert_int_equal(rpos, 48);
	/* The zero header after them ends the list. */
	assert_int_equal(qtee_async_next(buf, CAP, &rpos, &msg), -ENOENT);
}

static void test_async_end(void **state)
{
	struct qtee_async msg;
	uint32_t pos;

	memset(buf, 0, CAP);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -ENOENT);
	/* Too little room for a header, even if the bytes are not zero. */
	wr(CAP - 8, QTEE_ASYNC_VERSION);
	pos = CAP - 8;
	assert_int_equal(qtee_async_next(buf, CAP - 1, &pos, &msg), -ENOENT);
	pos = CAP;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -ENOENT);
	pos = CAP + 8;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -ENOENT);
	/* A misaligned position is not a message start. */
	put_header(4, QTEE_ASYNC_VERSION, 0, 0);
	pos = 4;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -ENOENT);
	/* The last message fills the buffer: the next call is the end. */
	memset(buf, 0, CAP);
	put_header(0, QTEE_ASYNC_VERSION, 0, 1);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, 16, &pos, &msg), 0);
	assert_int_equal(pos, 16);
	assert_int_equal(qtee_async_next(buf, 16, &pos, &msg), -ENOENT);
}

static void test_async_bad(void **state)
{
	struct qtee_async msg;
	uint32_t pos;

	memset(buf, 0, CAP);
	/* Another major version: its layout is unknown. */
	put_header(0, 0x00020002u, 0, 0);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -EINVAL);
	/* Another minor version of 1 is compatible. */
	put_header(0, 0x00010007u, 0, 0);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), 0);
	/* An unknown op. */
	put_header(0, QTEE_ASYNC_VERSION, 1, 0);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -EINVAL);
	/* A header with no room for its count. */
	put_header(0, QTEE_ASYNC_VERSION, 0, 0);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, 8, &pos, &msg), -EINVAL);
	/* Count past the buffer, by one ID and by a wrapping amount. */
	put_header(0, QTEE_ASYNC_VERSION, 0, (CAP - 12) / 4 + 1);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -EINVAL);
	put_header(0, QTEE_ASYNC_VERSION, 0, 0x40000000u);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), -EINVAL);
	/* Exactly filling it is fine. */
	put_header(0, QTEE_ASYNC_VERSION, 0, (CAP - 12) / 4);
	pos = 0;
	assert_int_equal(qtee_async_next(buf, CAP, &pos, &msg), 0);
	assert_int_equal(pos, CAP);
}

static void test_async_put_nospc(void **state)
{
	const uint32_t ids[4] = { 1, 2, 3, 4 };
	uint32_t pos;

	pos = 0;
	assert_int_equal(qtee_async_put_release(buf, 27, &pos, ids, 4), -ENOSPC);
	assert_int_equal(pos, 0);
	pos = 0;
	assert_int_equal(qtee_async_put_release(buf, 28, &pos, ids, 4), 0);
	assert_int_equal(pos, 28);	/* no room to pad: left unaligned */
	assert_int_equal(qtee_async_put_release(buf, 64, &pos, ids, 1), -ENOSPC);
	pos = 4;	/* misaligned */
	assert_int_equal(qtee_async_put_release(buf, CAP, &pos, ids, 1), -ENOSPC);
	pos = CAP + 8;	/* past cap */
	assert_int_equal(qtee_async_put_release(buf, CAP, &pos, ids, 1), -ENOSPC);
	pos = 8;
	assert_int_equal(qtee_async_put_release(buf, CAP, &pos, ids,
						0xFFFFFFFFu), -ENOSPC);
	assert_int_equal(pos, 8);
}

/* Async messages after a callback request start at its aligned end. */
static void test_async_start(void **state)
{
	struct qtee_msg m;
	void *p;

	assert_int_equal(qtee_async_start(NULL), 0);
	assert_int_equal(qtee_msg_init(&m, buf, CAP, QTEE_MSG_CALLBACK, 1, 0,
				       QTEE_COUNTS(1, 0, 0, 0)), 0);
	assert_int_equal(qtee_msg_add_buf(&m, 0, 5, &p), 0);
	assert_int_equal(m.end, 29);
	assert_int_equal(qtee_async_start(&m), 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, setup)
		T(test_round_trip_invoke),
		T(test_round_trip_callback),
		T(test_no_args),
		T(test_counts),
		T(test_args_past_cap),
		T(test_cap_below_header),
		T(test_payload_bounds),
		T(test_second_payload_checked),
		T(test_add_buf_bounds),
		T(test_out_size),
		T(test_async_round_trip),
		T(test_async_end),
		T(test_async_bad),
		T(test_async_put_nospc),
		T(test_async_start),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
