// SPDX-License-Identifier: MIT
/*
 * fuzz-qtee-wire: the codec against arbitrary bytes.
 *
 * LLVMFuzzerTestOneInput() is the libFuzzer target tests/fuzz/fuzz_wire.c
 * (docs/fuzzing.md).  The main() here makes it an ordinary test: a
 * fixed-seed stream of inputs, half random and half well-formed messages
 * with a few bytes flipped, so every run covers the same ground.  Under
 * ASan and UBSan a read past the buffer or an overflowing computation
 * fails the run; the target's checks fail it when the codec accepts
 * something it should not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "qtee_wire.h"

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
