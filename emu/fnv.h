/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * FNV-1a 64, the memory service's checksum: trivial to compute on the
 * client side too, and it depends on every byte and its order, so a
 * hash over mapped memory shows the TEE saw exactly the client's data.
 */
#ifndef EMU_FNV_H
#define EMU_FNV_H

#include <stddef.h>
#include <stdint.h>

#define EMU_FNV64_BASIS	0xcbf29ce484222325ULL
#define EMU_FNV64_PRIME	0x100000001b3ULL

/* Continue hash @h over @len bytes (start from EMU_FNV64_BASIS). */
static inline uint64_t emu_fnv64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= EMU_FNV64_PRIME;
	}
	return h;
}

#endif /* EMU_FNV_H */
