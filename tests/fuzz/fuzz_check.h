/* SPDX-License-Identifier: MIT */
/*
 * The fuzz targets' assertion.  A target that only survives its input
 * proves little; each one checks what must hold of the code's answer, and
 * FZ_CHECK turns a broken invariant into a crash libFuzzer keeps (abort()
 * whatever NDEBUG says, with the condition on stderr).
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FZ_CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

/* What every target defines; libFuzzer (or a test's main()) calls it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FUZZ_CHECK_H */
