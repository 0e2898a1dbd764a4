// SPDX-License-Identifier: MIT
/*
 * bench_memory: the cost of handing the TEE data as a memory object
 * against copying it in as an input buffer, at 4 KiB, 1 MiB and 64 MiB.
 *
 * Both paths ask the emulator's memory service for the same work, the
 * FNV-1a hash of the first 4 KiB, so what differs is only how the data
 * reaches the TEE: mapped in place (IMemService_OP_hash on a memory
 * object) or copied (IMemService_OP_hashBuffer on an input buffer, in
 * calls of at most the 4 MiB an invocation carries).  Rows are measured
 * interleaved in one run; the ratios are to the 4 KiB memory object.  A
 * memory object's row should stay flat as the size grows; the copy's
 * should not.  Figures, not a test: it never fails on a number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "IClientEnv.h"
#include "IMemService.h"
#include "MinkCom.h"
#include "bench_stats.h"
#include "../../examples/help_version.h"

#define KiB		((size_t)1024)
#define MiB		(1024 * KiB)
#define CHUNK		(4 * MiB - 64)	/* what one invocation can carry */
#define WORK		(4 * KiB)	/* the hash every row asks for */

static const size_t sizes[] = { 4 * KiB, 1 * MiB, 64 * MiB };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

static int die(const char *what, int32_t err)
{
	fprintf(stderr, "bench_memory: %s failed (%d)\n", what, err);
	return 1;
}

/* The copy path: the data in CHUNK-sized input buffers. */
static int32_t by_buffer(Object svc, const unsigned char *data, size_t size)
{
	uint64_t hash;
	int32_t r = Object_OK;

	for (size_t off = 0; off < size && !r; off += CHUNK) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;

		r = IMemService_hashBuffer(svc, data + off, n, 0,
					   n < WORK ? n : WORK, &hash);
	}
	return r;
}

static const char help[] =
	"usage: bench_memory [N]   (default 50, at least 10)\n"
	"\n"
	"The cost of handing the TEE data as a memory object against copying it\n"
	"in as input buffers, at 4 KiB, 1 MiB and 64 MiB: the emulator's memory\n"
	"service hashes the first 4 KiB each way, N times, interleaved.  Prints\n"
	"p50 and p99 of each and their ratios to the 4 KiB memory object.\n"
	"Figures, not a test.\n"
	"\n"
	HELP_NEEDS_TEE HELP_NEEDS_MEMORY
	"Run it inside the test VM with\n"
	"tests/vm/run-vm.sh exec 'bench_memory' (docs/testing.md).\n";

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 50;
	Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;
	Object mem[NSIZES];
	unsigned char *data;
	struct bench_row rows[2 * NSIZES];
	char names[2 * NSIZES][48];
	int32_t r;

	answer_help_and_version(argc, argv, "bench_memory", help, 1);

	if (n < 10)
		n = 10;
	if ((r = MinkCom_getRootEnvObject(&root)) ||
	    (r = MinkCom_getClientEnvObject(root, &env)) ||
	    (r = IClientEnv_open(env, IMemService_UID, &svc)))
		return die("open the memory service", r);
	data = calloc(1, sizes[NSIZES - 1]);
	if (!data)
		return die("calloc", 0);
	for (size_t s = 0; s < NSIZES; s++) {
		void *p;
		size_t got;

		if ((r = MinkCom_getMemoryObject(root, sizes[s], &mem[s])) ||
		    (r = MinkCom_getMemoryObjectInfo(mem[s], &p, &got)))
			return die("allocate memory", r);
		memset(p, 0x5a, got);
		snprintf(names[2 * s], sizeof(names[0]), "mem %zuK",
			 sizes[s] / KiB);
		snprintf(names[2 * s + 1], sizeof(names[0]), "buf %zuK%s",
			 sizes[s] / KiB, sizes[s] > CHUNK ? " (chunked)" : "");
		for (int k = 0; k < 2; k++) {
			rows[2 * s + k].name = names[2 * s + k];
			rows[2 * s + k].why = NULL;
			rows[2 * s + k].t = calloc(n, sizeof(uint64_t));
			if (!rows[2 * s + k].t)
				return die("calloc", 0);
		}
	}

	for (size_t i = 0; i < n; i++) {
		for (size_t s = 0; s < NSIZES; s++) {
			uint64_t hash, t0 = bench_now_ns(), t1, t2;

			r = IMemService_hash(svc, mem[s], 0, WORK, &hash);
			t1 = bench_now_ns();
			r = r ?: by_buffer(svc, data, sizes[s]);
			t2 = bench_now_ns();
			if (r)
				return die("hash", r);
			rows[2 * s].t[i] = t1 - t0;
			rows[2 * s + 1].t[i] = t2 - t1;
		}
	}

	printf("bench_memory: %zu rounds, interleaved; each row hashes the "
	       "first %zu bytes in the TEE\n", n, WORK);
	bench_report(rows, 2 * NSIZES, n, 0);

	for (size_t s = 0; s < NSIZES; s++) {
		free(rows[2 * s].t);
		free(rows[2 * s + 1].t);
		Object_release(mem[s]);
	}
	free(data);
	Object_release(svc);
	Object_release(env);
	Object_release(root);
	return 0;
}
