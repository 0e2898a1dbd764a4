/* SPDX-License-Identifier: MIT */
/*
 * hostile.h - what the files of test_hostile_tee share: the state of one secure thread (which hostile_wire.c builds
 * messages from), the emulator device and the tally of what the secure
 * world did (hostile_device.c), the bridge's windows (hostile_bridge.c),
 * and the entry
 * points of its two sides, the hostile secure world (hostile_tee.c) and
 * the client processes (hostile_client.c).  Not for other tests.
 */
#ifndef OBJINVOKE_VM_HOSTILE_H
#define OBJINVOKE_VM_HOSTILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include <linux/objinvoke_emu.h>

#include "qtee_wire.h"
#include "vmrand.h"

static inline bool errno_in(int err, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == err)
			return true;
	return false;
}

/* ---- one secure thread */

/* What the kernel may send: 4 MiB of buffers plus header and arguments. */
#define QTEE_INBOUND_MAX_TEST	(4U << 20)
#define INBOUND_CAP		(QTEE_INBOUND_MAX_TEST + 65536)
#define OUTBOUND_SIZE		4096U
#define MAX_ABANDONED		16

/* The session a thread holds, and what it knows of its invocation. */
struct held {
	uint64_t session;
	unsigned int generation;
	bool has_invoke;	/* a RESUME taken from another thread has not */
	struct qtee_msg invoke;	/* the direct invocation, as parsed */
	uint32_t in_size;	/* bytes WAIT reported */
	uint32_t ns_ids[QTEE_MAX_PER_KIND];	/* its input NS objects */
	unsigned int n_ns;
	unsigned int n_mapped;	/* of those, asked to map in turn */
	uint32_t owed[32];	/* NS IDs to release in the next message */
	unsigned int n_owed;
};

struct secure_thread {
	pthread_t thread;
	struct rng rng;
	unsigned char *in;	/* INBOUND_CAP bytes */
	unsigned char out[OUTBOUND_SIZE];
	struct held h;
	struct qtee_msg req;	/* the callback request last sent */
	bool req_mutated;
	/* Sessions left unanswered in this generation: still ours to answer. */
	uint64_t abandoned[MAX_ABANDONED];
	unsigned int n_abandoned;
	unsigned int abandoned_generation;
};

/* ---- messages, hostile_wire.c */

void remember_session(struct rng *r, uint64_t session);
void remember_ns_id(struct rng *r, uint32_t id);
uint64_t some_session(struct rng *r);
uint32_t some_object_id(struct secure_thread *t);
int32_t some_result(struct rng *r);
void mutate(struct rng *r, unsigned char *buf, uint32_t len);
void put_releases(struct secure_thread *t, void *buf, uint32_t *pos,
		  bool done);
void owe(struct held *h, uint32_t id);
void write_reply(struct secure_thread *t);
void pick_callback_target(struct secure_thread *t, uint32_t *cxt,
			  uint32_t *op);
int build_map_region(struct secure_thread *t, struct qtee_msg *req);
int build_any_callback(struct secure_thread *t, struct qtee_msg *req,
		       uint32_t cxt, uint32_t op);

/* ---- the bridge's windows, hostile_bridge.c */

/* Catch SIGBUS in bridge_touch(); one anywhere else aborts the test. */
void bridge_catch_sigbus(void);
/* Read (and write) every page; true when one was revoked (SIGBUS). */
bool bridge_touch(volatile unsigned char *p, size_t len, bool write);
/* mmap() of the bridge fd at addr: the mapping, or NULL for a refusal
 * docs/uapi.md lists (any other fails the test). */
void *bridge_map(int fd, uint64_t addr, size_t len, int prot, int flags);

enum bridge_use { BRIDGE_REFUSED, BRIDGE_TOUCHED, BRIDGE_SIGBUS };

/* Map a window as granted or not (other lengths, offsets, protections,
 * MAP_PRIVATE, windows of nobody), touch it and unmap it. */
enum bridge_use bridge_try_window(struct rng *r, int fd, uint64_t addr,
				  uint64_t len, uint32_t perms);
/* A little-endian field of a map region's answer. */
uint64_t get_le64(const unsigned char *p);

/* ---- what the secure world did, hostile_device.c */

enum tally {
	T_MESSAGES,		/* every emulator ioctl */
	T_INVOKES,		/* invocations taken */
	T_DONE,			/* well-formed DONE replies */
	T_DONE_MUTATED,
	T_CALLBACKS,		/* well-formed callback requests */
	T_CALLBACKS_MUTATED,
	T_RESUMES,		/* callback responses read */
	T_MAP_ASKED,		/* map regions asked for and answered */
	T_MAP_REGIONS,		/* ... that the kernel granted */
	T_BRIDGE_MAPS,		/* mmap()s of the bridge that worked */
	T_BRIDGE_REFUSED,	/* ... that the kernel refused */
	T_SIGBUS,		/* revoked pages touched */
	T_REVOKED_UNDER_MAP,	/* mappings released while mmap()ed */
	T_BAD_STATUS,
	T_BAD_SIZE,
	T_ABANDONED,		/* sessions left to the next reopen */
	T_STRAY_COMPLETES,	/* COMPLETEs of sessions not ours: ENOENT */
	T_STRAY_WAITS,		/* WAITs of random sessions */
	T_STOLEN,		/* another thread's callback response taken */
	T_BAD_FIELDS,		/* reserved, flags, sizes, pointers */
	T_REOPENS,
	T_COUNT
};

void count(enum tally t);
unsigned long tally(enum tally t);
void log_tallies(void);

/* ---- the emulator device, hostile_device.c */

void dev_attach(void);
void dev_detach(void);
/* Close the device under everybody's feet and open it again. */
void dev_reopen(struct rng *r);
/* Hold the device for ioctls and mmaps: its generation (reopens). */
unsigned int dev_hold(void);
void dev_let_go(void);
/* The held device's fd. */
int dev_fd(void);
/* An emulator ioctl with a struct of size bytes: 0 or a documented errno. */
int emu_ioctl_sized(unsigned long nr, unsigned int dir, void *arg,
		    size_t size);
int emu_wait(struct objinvoke_emu_call *c);
int emu_complete(struct objinvoke_emu_done *d);

/* ---- the two sides, started and stopped by test_hostile_tee.c */

/* Stop the real emulator first: the secure world opens its device. */
void hostile_tee_start(uint64_t seed, uint64_t messages);
/* Close the device under the secure threads until they sent their
 * messages, then stop them and close it for good. */
void hostile_tee_run_and_stop(void);

#define CLIENTS			3

/* Fork the client processes; closing *stop_write asks them to end. */
void start_clients(uint64_t seed, pid_t *pids, int *stop_write);

#endif /* OBJINVOKE_VM_HOSTILE_H */
