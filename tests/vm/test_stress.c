// SPDX-License-Identifier: MIT
/*
 * test_stress: 8 threads by 1,000 invocations each, at once, on their own
 * and on a shared service object, every result checked.
 */
#include <pthread.h>
#include <stdio.h>

#include "ITestService.h"
#include "vmharness.h"
#include "vmutil.h"

#define THREADS	8
#define CALLS	1000

struct worker {
	Object svc;
	unsigned int id;
	unsigned int bad;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	uint32_t sum;
	char in[16], out[16];
	size_t n;

	for (unsigned int i = 0; i < CALLS; i++) {
		uint32_t a = w->id * 1000000u + i;

		if (i % 2) {
			if (ITestService_add(w->svc, a, i, &sum) != Object_OK ||
			    sum != a + i)
				w->bad++;
			continue;
		}
		int len = snprintf(in, sizeof(in), "%u/%u", w->id, i);

		if (ITestService_echo(w->svc, in, (size_t)len, out, sizeof(out),
				      &n) != Object_OK ||
		    n != (size_t)len || memcmp(in, out, n))
			w->bad++;
	}
	return NULL;
}

static void run(bool shared)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	Object one = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(one);

	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .id = i };
		w[i].svc = shared ? one : vm_open_service(ITestService_UID);
		VT_ASSERT_EQ(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (unsigned int i = 0; i < THREADS; i++) {
		VT_ASSERT_EQ(pthread_join(t[i], NULL), 0);
		VT_ASSERT_EQ(w[i].bad, 0);
		if (!shared)
			Object_release(w[i].svc);
	}
	vm_expect_live_objects(one, base);
	Object_release(one);
}

static void eight_threads_own_objects(void)
{
	run(false);
}

static void eight_threads_one_object(void)
{
	run(true);
}

static const struct vt_case cases[] = {
	VT_CASE_TIMEOUT(eight_threads_own_objects, 600),
	VT_CASE_TIMEOUT(eight_threads_one_object, 600),
};

VT_MAIN(cases)
