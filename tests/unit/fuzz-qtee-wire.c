// SPDX-License-Identifier: MIT
/*
 * fuzz-qtee-wire: the codec against arbitrary bytes.
 *
 * LLVMFuzzerTestOneInput() is a libFuzzer target (build this file alone
 * with clang -fsanitize=fuzzer,address to fuzz for real).  The main() here
 * makes it an ordinary test: a fixed-seed stream of inputs, half random and
 * half well-formed messages with a few bytes flipped, so every run covers
 * the same ground.  Under ASan and UBSan a read past the buffer or an
 * overflowing computation fails the run; the checks below fail it when
 * the codec accepts something it should not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtee_wire.h"

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

/* Whatever parse accepts lies inside the buffer, args and payloads. */
static void check_parsed(const struct qtee_msg *m, enum qtee_msg_kind kind)
{
	uint32_t hdr = kind == QTEE_MSG_CALLBACK ? QTEE_CALLBACK_HDR :
						   QTEE_INVOKE_HDR;
	uint32_t args_end = hdr + qtee_num_args(m->counts) * QTEE_ARG_SIZE;

	CHECK(qtee_counts_valid(m->counts));
	CHECK(args_end <= m->cap);
	CHECK(m->end <= m->cap);
	for (unsigned int i = 0; i < qtee_num_bufs(m->counts); i++) {
		CHECK(m->off[i] >= args_end);
		CHECK(m->off[i] % QTEE_ALIGN == 0);
		CHECK(m->off[i] <= m->cap && m->len[i] <= m->cap - m->off[i]);
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
		CHECK(pos <= cap);
		for (uint32_t i = 0; i < a.count; i++)
			(void)qtee_async_id(&a, i);
		CHECK(++steps <= cap / 8 + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy of exactly @size bytes: ASan sees its edges. */
	uint8_t *buf = malloc(size ? size : 1);
	struct qtee_msg m;

	if (!buf || size > UINT32_MAX)
		goto out;
	memcpy(buf, data, size);
	for (int kind = QTEE_MSG_INVOKE; kind <= QTEE_MSG_CALLBACK; kind++) {
		if (qtee_msg_parse(&m, buf, (uint32_t)size, kind) == 0) {
			check_parsed(&m, kind);
			/* Answering in place stays in place. */
			for (unsigned int i = QTEE_IDX_BO(m.counts);
			     i < qtee_idx_io(m.counts); i++) {
				uint32_t s;

				if (qtee_msg_read_out_size(&m, i, &s) == 0)
					CHECK(s <= m.len[i]);
			}
			if (kind == QTEE_MSG_CALLBACK)
				walk_async(buf, (uint32_t)size,
					   qtee_async_start(&m));
		}
	}
	walk_async(buf, (uint32_t)size, 0);
out:
	free(buf);
	return 0;
}

/* xorshift64*: the same stream on every machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A well-formed message of random shape, to be damaged a little. */
static size_t well_formed(uint8_t *buf, size_t cap)
{
	uint32_t counts = QTEE_COUNTS(rnd() % 4, rnd() % 4, rnd() % 3, rnd() % 3);
	enum qtee_msg_kind kind = rnd() % 2 ? QTEE_MSG_CALLBACK : QTEE_MSG_INVOKE;
	struct qtee_msg m;
	void *p;

	memset(buf, 0, cap);
	if (qtee_msg_init(&m, buf, (uint32_t)cap, kind, (uint32_t)rnd(), 1,
			  counts))
		return cap;
	for (unsigned int i = 0; i < qtee_num_bufs(counts); i++)
		if (qtee_msg_add_buf(&m, i, (uint32_t)(rnd() % 64), &p))
			break;
	if (kind == QTEE_MSG_CALLBACK && rnd() % 2) {
		uint32_t pos = qtee_async_start(&m), ids[3] = { 1, 2, 3 };

		qtee_async_put_release(buf, (uint32_t)cap, &pos, ids,
				       (uint32_t)(rnd() % 4));
	}
	return m.end + rnd() % 32 < cap ? m.end + rnd() % 32 : cap;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 1000000;
	uint8_t buf[512];

	for (long r = 0; r < rounds; r++) {
		size_t size;

		if (r % 2) {
			size = rnd() % sizeof(buf);
			for (size_t i = 0; i < size; i++)
				buf[i] = (uint8_t)rnd();
		} else {
			size = well_formed(buf, sizeof(buf));
			for (int flips = (int)(rnd() % 4); flips > 0 && size; flips--)
				buf[rnd() % size] ^= (uint8_t)(1u << (rnd() % 8));
		}
		LLVMFuzzerTestOneInput(buf, size);
	}
	printf("fuzz-qtee-wire: %ld inputs, no fault\n", rounds);
	return 0;
}
