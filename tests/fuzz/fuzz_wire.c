// SPDX-License-Identifier: MIT
/*
 * The QTEE wire codec (common/qtee_wire.c) against arbitrary bytes: the
 * libFuzzer target `wire`, and the body of the deterministic stream test
 * tests/unit/fuzz_qtee_wire.c, which links this file with a main() of its
 * own.
 *
 * Two halves.  The input as a message someone else wrote: parsed as both
 * kinds, whatever the parser accepts must lie inside the buffer (the
 * checks below, and ASan on a private copy of exactly the input's size),
 * an answer read in place never grows, and async messages walked from
 * every start stay inside and end.  And the input as the shape of a
 * message we build: what the builder writes must parse back to the very
 * record it kept, and a release it appends must read back ID for ID.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "qtee_wire.h"

/* Whatever parse accepts lies inside the buffer, args and payloads. */
static void check_parsed(const struct qtee_msg *m, enum qtee_msg_kind kind)
{
	uint32_t hdr = kind == QTEE_MSG_CALLBACK ? QTEE_CALLBACK_HDR :
						   QTEE_INVOKE_HDR;
	uint32_t args_end = hdr + qtee_num_args(m->counts) * QTEE_ARG_SIZE;

	FZ_CHECK(qtee_counts_valid(m->counts));
	FZ_CHECK(args_end <= m->cap);
	FZ_CHECK(m->end <= m->cap);
	for (unsigned int i = 0; i < qtee_num_bufs(m->counts); i++) {
		FZ_CHECK(m->off[i] >= args_end);
		FZ_CHECK(m->off[i] % QTEE_ALIGN == 0);
		FZ_CHECK(m->off[i] <= m->cap && m->len[i] <= m->cap - m->off[i]);
		/* Touch the payload: ASan tells if it is outside. */
		if (m->len[i]) {
			const unsigned char *p = qtee_msg_payload(m, i);
			volatile unsigned char sink = p[0] ^ p[m->len[i] - 1];
			(void)sink;
		}
	}
}

/* Async messages from every aligned start: in bounds, and they end. */
static void walk_async(const uint8_t *buf, uint32_t cap, uint32_t start)
{
	struct qtee_async a;
	uint32_t pos = start, steps = 0;

	while (qtee_async_next(buf, cap, &pos, &a) == 0) {
		FZ_CHECK(pos <= cap);
		for (uint32_t i = 0; i < a.count; i++)
			(void)qtee_async_id(&a, i);
		FZ_CHECK(++steps <= cap / 8 + 1);
	}
}

/* The input as a message from the other side. */
static void parse_input(uint8_t *buf, uint32_t size)
{
	struct qtee_msg m;

	for (int kind = QTEE_MSG_INVOKE; kind <= QTEE_MSG_CALLBACK; kind++) {
		if (qtee_msg_parse(&m, buf, size, kind))
			continue;
		check_parsed(&m, kind);
		/* Answering in place stays in place. */
		for (unsigned int i = QTEE_IDX_BO(m.counts);
		     i < qtee_idx_io(m.counts); i++) {
			uint32_t s;

			if (qtee_msg_read_out_size(&m, i, &s) == 0)
				FZ_CHECK(s <= m.len[i]);
		}
		if (kind == QTEE_MSG_CALLBACK)
			walk_async(buf, size, qtee_async_start(&m));
	}
	walk_async(buf, size, 0);
}

/* A message the builder laid out reads back as the builder recorded it. */
static void check_round_trip(const struct qtee_msg *b, const uint32_t *ids)
{
	unsigned int i, n = qtee_num_args(b->counts);
	struct qtee_msg p;
	uint32_t s;

	FZ_CHECK(qtee_msg_parse(&p, b->buf, b->cap, b->kind) == 0);
	FZ_CHECK(p.cxt == b->cxt && p.op == b->op && p.counts == b->counts);
	FZ_CHECK(p.end == b->end);
	for (i = 0; i < qtee_num_bufs(b->counts); i++)
		FZ_CHECK(p.off[i] == b->off[i] && p.len[i] == b->len[i]);
	for (i = qtee_idx_io(b->counts); i < n; i++)
		FZ_CHECK(qtee_msg_get_obj(&p, i) == ids[i]);
	/* An answer may shrink an output, never grow it. */
	for (i = QTEE_IDX_BO(b->counts); i < qtee_idx_io(b->counts); i++) {
		qtee_msg_write_out_size(&p, i, b->len[i] / 2);
		FZ_CHECK(qtee_msg_read_out_size(b, i, &s) == 0 &&
			 s == b->len[i] / 2);
		qtee_msg_write_out_size(&p, i, b->len[i] + 1);
		FZ_CHECK(qtee_msg_read_out_size(b, i, &s) != 0);
	}
}

/* A release after the message reads back ID for ID, then the list ends. */
static void check_release(struct qtee_msg *b, const uint32_t *ids, uint32_t n)
{
	uint32_t pos = qtee_async_start(b), at = pos, i;
	struct qtee_async a;

	if (qtee_async_put_release(b->buf, b->cap, &pos, ids, n)) {
		/* Refused only when it truly does not fit. */
		FZ_CHECK(at > b->cap || b->cap - at < QTEE_ASYNC_HDR + 4 + 4 * n);
		return;
	}
	FZ_CHECK(pos <= b->cap && pos - at >= QTEE_ASYNC_HDR + 4 + 4 * n);
	pos = at;
	FZ_CHECK(qtee_async_next(b->buf, b->cap, &pos, &a) == 0);
	FZ_CHECK(a.op == QTEE_ASYNC_OP_RELEASE && a.count == n);
	for (i = 0; i < n; i++)
		FZ_CHECK(qtee_async_id(&a, i) == ids[i]);
	/* calloc'd buffer: zeros follow, and zeros end the list. */
	FZ_CHECK(qtee_async_next(b->buf, b->cap, &pos, &a) != 0);
}

/*
 * The first bytes as a shape: kind, counts, capacity, then one byte per
 * buffer size and one per object ID.  The builder must refuse exactly
 * what does not fit.
 */
static void build_from(const uint8_t *d, size_t size)
{
	uint32_t ids[QTEE_MAX_ARGS] = { 0 }, counts, cap, need, i, n;
	enum qtee_msg_kind kind;
	struct qtee_msg b;
	size_t at = 5;
	void *buf, *p;

	if (size < at)
		return;
	kind = d[0] & 1 ? QTEE_MSG_CALLBACK : QTEE_MSG_INVOKE;
	counts = (uint32_t)d[1] | (uint32_t)d[2] << 8;
	cap = ((uint32_t)d[3] | (uint32_t)d[4] << 8) % 2048;
	buf = calloc(1, cap ? cap : 1);
	FZ_CHECK(buf);
	need = (kind == QTEE_MSG_CALLBACK ? QTEE_CALLBACK_HDR : QTEE_INVOKE_HDR) +
	       qtee_num_args(counts) * QTEE_ARG_SIZE;
	if (qtee_msg_init(&b, buf, cap, kind, 0x1234, 0xfffe, counts)) {
		FZ_CHECK(need > cap);
		goto out;
	}
	FZ_CHECK(need <= cap && b.end == need);
	for (i = 0; i < qtee_num_bufs(counts); i++) {
		uint32_t len = at < size ? d[at++] : 0;
		uint32_t off = (b.end + QTEE_ALIGN - 1) & ~(QTEE_ALIGN - 1);

		if (qtee_msg_add_buf(&b, i, len, &p)) {
			FZ_CHECK(off > cap || len > cap - off);
			goto out;	/* a half-built message is no message */
		}
		FZ_CHECK(b.off[i] == off && b.len[i] == len);
		FZ_CHECK((uint8_t *)p == (uint8_t *)buf + off);
		memset(p, 0x5a, len);
	}
	n = qtee_num_args(counts);
	for (i = qtee_idx_io(counts); i < n; i++) {
		ids[i] = at < size ? (uint32_t)d[at++] * 0x01010101U : 0;
		qtee_msg_set_obj(&b, i, ids[i]);
	}
	check_round_trip(&b, ids);
	if (kind == QTEE_MSG_CALLBACK)
		check_release(&b, ids + qtee_idx_io(counts),
			      n - qtee_idx_io(counts));
out:
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly @size bytes: ASan sees its edges. */
	uint8_t *buf;

	if (size > UINT32_MAX)
		return 0;
	buf = malloc(size ? size : 1);
	FZ_CHECK(buf);
	memcpy(buf, data, size);
	parse_input(buf, (uint32_t)size);
	free(buf);
	build_from(data, size);
	return 0;
}
