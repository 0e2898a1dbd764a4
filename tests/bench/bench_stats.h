/* SPDX-License-Identifier: MIT */
/*
 * bench_stats: what the benchmark programs share: a monotonic clock in
 * nanoseconds and a table of percentiles with ratios to a baseline row.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct bench_row - one measured kind of round trip
 * @name: short name, printed in the first column.
 * @t:    @n durations in nanoseconds (sorted in place by bench_report());
 *        NULL when the row was not measured.
 * @why:  when @t is NULL, why not ("not available (ENOTTY)"); printed
 *        instead of figures.
 */
struct bench_row {
	const char *name;
	uint64_t *t;
	const char *why;
};

/* CLOCK_MONOTONIC, in nanoseconds. */
uint64_t bench_now_ns(void);

/* The @p-th percentile (0..100) of @n sorted durations. */
uint64_t bench_pct(const uint64_t *sorted, size_t n, unsigned int p);

/**
 * bench_report() - print p50 and p99 of each row and their ratios to a base
 * @rows:  the rows; each measured row's @t holds @n durations.
 * @nrows: how many.
 * @n:     samples per measured row.
 * @base:  index of the row the ratios divide by ("-" if it was not
 *         measured).
 *
 * One line per row: name, p50 and p99 in microseconds, p50/p50(base) and
 * p99/p99(base).  Rows that were not measured print their @why.
 */
void bench_report(struct bench_row *rows, size_t nrows, size_t n,
		  size_t base);

#endif /* BENCH_STATS_H */
