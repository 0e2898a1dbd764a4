// SPDX-License-Identifier: MIT
/*
 * bench_stats: the clock and the percentile table of the benchmarks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_stats.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t bench_pct(const uint64_t *sorted, size_t n, unsigned int p)
{
	return sorted[(n - 1) * p / 100];
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

void bench_report(struct bench_row *rows, size_t nrows, size_t n,
		  size_t base)
{
	const uint64_t *b = rows[base].t;
	char p50h[32], p99h[32];
	int w = 4;

	for (size_t r = 0; r < nrows; r++) {
		if ((int)strlen(rows[r].name) > w)
			w = (int)strlen(rows[r].name);
		if (rows[r].t)
			qsort(rows[r].t, n, sizeof(*rows[r].t), cmp_u64);
	}
	snprintf(p50h, sizeof(p50h), "p50/%s", rows[base].name);
	snprintf(p99h, sizeof(p99h), "p99/%s", rows[base].name);
	printf("%-*s %10s %10s %14s %14s\n", w, "kind", "p50 (us)",
	       "p99 (us)", p50h, p99h);
	for (size_t r = 0; r < nrows; r++) {
		const uint64_t *t = rows[r].t;

		if (!t) {
			printf("%-*s %s\n", w, rows[r].name, rows[r].why);
			continue;
		}
		printf("%-*s %10.1f %10.1f", w, rows[r].name,
		       bench_pct(t, n, 50) / 1e3, bench_pct(t, n, 99) / 1e3);
		if (b)
			printf(" %14.1f %14.1f\n",
			       ratio(bench_pct(t, n, 50), bench_pct(b, n, 50)),
			       ratio(bench_pct(t, n, 99), bench_pct(b, n, 99)));
		else
			printf(" %14s %14s\n", "-", "-");
	}
}
