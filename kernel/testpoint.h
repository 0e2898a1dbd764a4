/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test points: places in the module where a VM test can make a thread
 * stop for a while, so that a race the test provokes is hit every run and
 * not by luck (docs/security.md, "Race tests").  Compiled only into the
 * test kernel's module (make CONFIG_OBJINVOKE_TEST_POINTS=y); in any other
 * build oi_test_point() is an empty inline and the points cost nothing.
 *
 * A point is armed through debugfs, objinvoke/test_points/<name>: writing
 * "MS [COUNT]" makes the next COUNT threads that reach it (default 1)
 * sleep MS milliseconds there; reading gives "HITS" (how many threads have
 * stopped there since the module loaded), so a test can wait until its
 * thread is inside the window before it acts.
 *
 * A fault point (oi_test_fault()) is armed the same way; the next COUNT
 * threads that reach it take the failure path there instead of sleeping.
 */
#ifndef OBJINVOKE_TESTPOINT_H
#define OBJINVOKE_TESTPOINT_H

struct dentry;

enum oi_test_point {
	/* server_request.c: RECV took a request off the queue, not yet delivered */
	OI_TP_RECV_TAKEN,
	/* server_request.c: a parked request was published to the thread's server */
	OI_TP_PARK_PUBLISHED,
	/* qtee_ns.c: the NS flush found an entry, not yet erased */
	OI_TP_NS_FLUSH_ENTRY,
	/* qtee_call.c: a call the TEE never saw takes its NS IDs back */
	OI_TP_UNSEND,
	/* qtee_call.c: a RELEASE of a TEE object is about to be submitted */
	OI_TP_RELEASE_SUBMIT,
	/* memobj.c: the TEE's page fault found its page, PTE not set */
	OI_TP_BRIDGE_FAULT,
	/* memobj.c (fault): the exporter behaves as if it had no vmap */
	OI_TP_MEM_NO_VMAP,
	OI_TP_COUNT
};

#ifdef CONFIG_OBJINVOKE_TEST_POINTS
void oi_test_point(enum oi_test_point tp);
bool oi_test_fault(enum oi_test_point tp);
int oi_test_points_init(struct dentry *dir);
#else
static inline void oi_test_point(enum oi_test_point tp) { }
static inline bool oi_test_fault(enum oi_test_point tp) { return false; }
static inline int oi_test_points_init(struct dentry *dir) { return 0; }
#endif

#endif /* OBJINVOKE_TESTPOINT_H */
