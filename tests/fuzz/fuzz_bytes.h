/* SPDX-License-Identifier: MIT */
/*
 * Little-endian byte streams: a fuzz input read as a program, and the
 * seed generator (and the emulator target's fixed set-up) writing one.
 *
 * Reading past the end yields zeros, never a failure: a truncated input
 * is still a program, and the zero answers are chosen to be harmless
 * defaults, so libFuzzer's shortest inputs stay meaningful.
 */
#ifndef FUZZ_BYTES_H
#define FUZZ_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fz_in {
	const uint8_t *p;
	size_t left;
};

static inline bool fz_done(const struct fz_in *in)
{
	return in->left == 0;
}

uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
/* Up to @n bytes in place; *@got says how many there were. */
const uint8_t *fz_take(struct fz_in *in, size_t n, size_t *got);

/* A growing buffer; a failed allocation aborts (a generator's bug). */
struct fz_out {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

void fz_put(struct fz_out *o, const void *p, size_t n);
void fz_put_u8(struct fz_out *o, uint8_t v);
void fz_put_u16(struct fz_out *o, uint16_t v);
void fz_put_u32(struct fz_out *o, uint32_t v);
void fz_out_free(struct fz_out *o);

#endif /* FUZZ_BYTES_H */
