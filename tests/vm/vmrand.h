/* SPDX-License-Identifier: MIT */
/*
 * vmrand.h - what the VM fuzzers (test_fuzz_ioctl, test_fuzz_services,
 * test_hostile_tee) share: seeded random streams, so that a run's seed
 * replays its choices, and the knobs they read from the environment.
 */
#ifndef OBJINVOKE_VM_RAND_H
#define OBJINVOKE_VM_RAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct rng {
	uint64_t s;
};

/* splitmix64: small, and good enough to pick fuzz choices. */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number below n (0 for n == 0). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* True with a chance of percent in a hundred. */
static inline bool rng_chance(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

static inline void rng_fill(struct rng *r, void *p, size_t len)
{
	unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)rng_next(r);
}

/* Stream n of the run seeded with seed: threads and processes each get
 * one, all different, all given by the one seed. */
static inline struct rng rng_stream(uint64_t seed, uint64_t n)
{
	struct rng r = { seed ^ (n * 0x2545f4914f6cdd1dULL) };

	rng_next(&r);
	return r;
}

/* A number from the environment (decimal, 0x hex), or fallback. */
static inline uint64_t vm_env_u64(const char *name, uint64_t fallback)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : fallback;
}

#endif /* OBJINVOKE_VM_RAND_H */
