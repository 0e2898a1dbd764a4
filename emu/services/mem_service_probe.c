// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The memory service's probes (IMemService_OP_probe): each tries one thing
 * the emulated SHM bridge must refuse, so a test can show the TEE reaches
 * exactly the memory the kernel mapped for it and nothing else.
 *
 * OK when the bridge refused, IMemService_ERROR_ALLOWED when it did not
 * (the mapping it gave is undone at once), QTEE_ERROR when it refused for
 * another reason than the UAPI names (uapi/linux/objinvoke.h: EACCES for
 * PROT_WRITE on a read-only region, ENXIO outside a live region).  A probe
 * that does not apply to the memory object (WRITE_READONLY on a writable
 * one, any probe of an empty region) answers INVALID.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "call.h"
#include "emu.h"
#include "log.h"
#include "shm.h"
#include "mem_service.h"

/* Try an mmap of @len bytes of @m's window: the bridge's errno, or 0. */
static int try_map(const struct emu_bridge *b, const struct emu_shm *m,
		   size_t len, int prot)
{
	int err = 0;
	void *p = b->map(b, m->address, len, prot, &err);

	if (!p)
		return err ? err : EIO;
	/* Allowed: a hole in the bridge.  Undo it; the answer says so. */
	b->unmap(b, p, len);
	return 0;
}

static int32_t verdict(const char *probe, uint32_t mem, int err, int want)
{
	if (!err) {
		emu_err("probe %s of %#x: the bridge allowed it", probe, mem);
		return IMemService_ERROR_ALLOWED;
	}
	if (want && err != want) {
		emu_err("probe %s of %#x: refused with %s, not %s", probe, mem,
			strerror(err), strerror(want));
		return QTEE_ERROR;
	}
	return QTEE_OK;
}

static int32_t write_readonly(struct emu_call *c, const struct emu_shm *m)
{
	const struct emu_bridge *b = &c->emu->bridge;

	if (emu_shm_writable(m))
		return QTEE_ERROR_INVALID;	/* nothing to refuse */
	return verdict("WRITE_READONLY", m->mem,
		       try_map(b, m, emu_shm_map_len(b, m->length),
			       PROT_READ | PROT_WRITE), EACCES);
}

/* Any refusal will do: the UAPI only says "at most the region's". */
static int32_t past_end(struct emu_call *c, const struct emu_shm *m)
{
	const struct emu_bridge *b = &c->emu->bridge;
	size_t len = emu_shm_map_len(b, m->length);

	if (len > SIZE_MAX - b->page_size)
		return QTEE_ERROR_INVALID;
	return verdict("PAST_END", m->mem,
		       try_map(b, m, len + b->page_size, PROT_READ), 0);
}

/*
 * Release @m's mapping object now, in the middle of the invocation.  The
 * kernel processes async messages only when it reads the TEE's next
 * message: so the release rides in the tail of a primordial yield, whose
 * answer means it was processed.  It leaves this answer's releases, so it
 * is given back exactly once.
 */
static int32_t release_now(struct emu_call *c, const struct emu_shm *m)
{
	struct emu_cb yield = {
		.id = QTEE_OBJ_PRIMORDIAL,
		.op = QTEE_PRIMORDIAL_YIELD,
		.nrel = 1,
		.rel[0] = m->mapping,
	};

	emu_shm_keep_ref(c, m);
	return emu_call_callback(c, &yield);
}

/* Map, unmap, release the mapping object (release_now()), map again. */
static int32_t after_unmap(struct emu_call *c, struct emu_shm *m)
{
	const struct emu_bridge *b = &c->emu->bridge;
	size_t len;
	int32_t r;

	if (emu_shm_mmap(b, m, false)) {
		emu_err("probe AFTER_UNMAP of %#x: the live window refused",
			m->mem);
		return QTEE_ERROR;
	}
	len = m->map_len;
	emu_shm_munmap(b, m);
	r = release_now(c, m);
	if (r)
		return r;
	return verdict("AFTER_UNMAP", m->mem, try_map(b, m, len, PROT_READ),
		       ENXIO);
}

/* Whether the page at @addr is mapped now (/proc/self/pagemap, bit 63). */
static int page_present(const void *addr, size_t page_size, bool *present)
{
	off_t at = (off_t)((uintptr_t)addr / page_size * sizeof(uint64_t));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t entry;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, &entry, sizeof(entry), at);
	close(fd);
	if (n != (ssize_t)sizeof(entry))
		return -1;
	*present = entry >> 63;
	return 0;
}

struct toucher {
	pthread_t thread;
	const void *addr;
	int pipe[2];
};

/*
 * Read the first byte through write(2): the kernel's copy faults the page
 * in as a load would, but a revoked window answers EFAULT, not SIGBUS.
 */
static void *touch(void *arg)
{
	struct toucher *t = arg;
	ssize_t n = write(t->pipe[1], t->addr, 1);

	(void)n;
	return NULL;
}

/*
 * Touch the window on another thread while the mapping object is
 * released: the release must take the page back even from a fault that
 * is half done (tests/vm/test_races.c holds it there with a test point of
 * the kernel's).  Allowed when the page is still mapped afterwards.
 */
static int32_t touch_during_release(struct emu_call *c, struct emu_shm *m)
{
	const struct emu_bridge *b = &c->emu->bridge;
	struct toucher t = { 0 };
	bool present = true;
	int32_t r;

	if (pipe2(t.pipe, O_CLOEXEC))
		return QTEE_ERROR;
	if (emu_shm_mmap(b, m, false)) {
		emu_err("probe TOUCH_DURING_RELEASE of %#x: the live window refused",
			m->mem);
		r = QTEE_ERROR;
		goto out_pipe;
	}
	t.addr = m->ptr;
	if (pthread_create(&t.thread, NULL, touch, &t)) {
		r = QTEE_ERROR;
		goto out_unmap;
	}
	usleep(200 * 1000);	/* the touch is in its fault by now */
	r = release_now(c, m);
	pthread_join(t.thread, NULL);
	if (!r && page_present(m->ptr, b->page_size, &present))
		r = QTEE_ERROR;
	if (!r)
		r = verdict("TOUCH_DURING_RELEASE", m->mem, present ? 0 : ENXIO,
			    0);
out_unmap:
	emu_shm_munmap(b, m);
out_pipe:
	close(t.pipe[0]);
	close(t.pipe[1]);
	return r;
}

int32_t emu_mem_probe(struct emu_call *c)
{
	struct emu_shm m;
	uint32_t probe;
	int32_t r;

	r = emu_call_expect(c, 1, 0, 1, 0);
	if (!r)
		r = emu_call_bi_u32(c, 0, &probe);
	if (r)
		return r;
	if (probe < IMemService_PROBE_WRITE_READONLY ||
	    probe > IMemService_PROBE_TOUCH_DURING_RELEASE)
		return QTEE_ERROR_INVALID;
	r = emu_shm_region(c, emu_call_io(c, 0), &m);
	if (r)
		return r;
	if (!m.length || !emu_shm_map_len(&c->emu->bridge, m.length))
		return QTEE_ERROR_INVALID;
	switch (probe) {
	case IMemService_PROBE_WRITE_READONLY:
		return write_readonly(c, &m);
	case IMemService_PROBE_PAST_END:
		return past_end(c, &m);
	case IMemService_PROBE_TOUCH_DURING_RELEASE:
		return touch_during_release(c, &m);
	default:
		return after_unmap(c, &m);
	}
}
