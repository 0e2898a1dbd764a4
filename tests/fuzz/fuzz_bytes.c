// SPDX-License-Identifier: MIT
/* Little-endian byte streams (fuzz_bytes.h). */
#include "fuzz_bytes.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

const uint8_t *fz_take(struct fz_in *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->left ? n : in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

/* @n bytes little-endian; what the input lacks reads as zero. */
static uint32_t get_le(struct fz_in *in, size_t n)
{
	size_t got, i;
	const uint8_t *p = fz_take(in, n, &got);
	uint32_t v = 0;

	for (i = 0; i < got; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

uint8_t fz_u8(struct fz_in *in)
{
	return (uint8_t)get_le(in, 1);
}

uint16_t fz_u16(struct fz_in *in)
{
	return (uint16_t)get_le(in, 2);
}

uint32_t fz_u32(struct fz_in *in)
{
	return get_le(in, 4);
}

void fz_put(struct fz_out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 256;

		while (cap < o->len + n)
			cap *= 2;
		o->buf = realloc(o->buf, cap);
		FZ_CHECK(o->buf);
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_le(struct fz_out *o, uint32_t v, size_t n)
{
	uint8_t b[4];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	fz_put(o, b, n);
}

void fz_put_u8(struct fz_out *o, uint8_t v)
{
	put_le(o, v, 1);
}

void fz_put_u16(struct fz_out *o, uint16_t v)
{
	put_le(o, v, 2);
}

void fz_put_u32(struct fz_out *o, uint32_t v)
{
	put_le(o, v, 4);
}

void fz_out_free(struct fz_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}
