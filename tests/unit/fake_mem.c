// SPDX-License-Identifier: MIT
/*
 * Fake dma-bufs and the devices that make them (fake_mem.h).
 *
 * Kinds are kept by inode, not by fd number: a dma-buf sent over a
 * socket arrives as another fd of the same file and is still a dma-buf.
 * Close tracking is by fd number; an fd of a known dma-buf the library
 * received is adopted the first time it is looked at.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/magic.h>
#include <linux/udmabuf.h>

#include "fake_mem.h"

enum kind { FREE, DMABUF, PLAIN, HEAP_DEV, UDMABUF_DEV };

#define MAX_FDS		64
#define MAX_MAPS	32

static struct tracked {
	enum kind kind;
	int fd;
	ino_t ino;
	dev_t dev;
} fds[MAX_FDS];

static struct mapping {
	void *addr;
	size_t len;
} maps[MAX_MAPS];

int fake_mmap_errno, fake_memfd_errno, fake_alloc_errno;
int fake_sync_errno[4];
struct fake_mem_seen fake_mem_seen;

static struct tracked *track_here(int fd, enum kind kind)
{
	struct stat st;
	size_t i;

	assert_int_equal(fstat(fd, &st), 0);
	for (i = 0; i < MAX_FDS; i++) {
		if (fds[i].kind == FREE) {
			fds[i] = (struct tracked){ kind, fd, st.st_ino,
						   st.st_dev };
			return &fds[i];
		}
	}
	fail_msg("too many fake fds");
	return NULL;
}

/* Real fds made here start above the fake numbers the tests use. */
#define FIRST_FD	200

/* Track a new fd (@fd is ours to renumber). */
static struct tracked *track(int fd, enum kind kind)
{
	assert_true(fd >= 0);
	if (fd < FIRST_FD) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, FIRST_FD);

		assert_true(high >= FIRST_FD);
		assert_int_equal(__real_close(fd), 0);
		fd = high;
	}
	return track_here(fd, kind);
}

static struct tracked *find(int fd)
{
	size_t i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].kind != FREE && fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

/* Whether @fd is a file some fake dma-buf fd was made of. */
static bool same_file_as_dmabuf(int fd)
{
	struct stat st;
	size_t i;

	if (fstat(fd, &st) < 0)
		return false;
	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].kind == DMABUF && fds[i].ino == st.st_ino &&
		    fds[i].dev == st.st_dev)
			return true;
	return false;
}

static int real_memfd(size_t size)
{
	int fd = __real_memfd_create("fake-dmabuf", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

/* A read-only fd of the same file: memfds, unlike dma-bufs, reopen. */
static int reopen_readonly(int fd)
{
	char path[64];
	int ro;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = __real_open64(path, O_RDONLY | O_CLOEXEC);
	assert_true(ro >= 0);
	assert_int_equal(__real_close(fd), 0);
	return ro;
}

int fake_dmabuf_new(size_t size, int accmode)
{
	int fd = real_memfd(size);

	if (accmode == O_RDONLY)
		fd = reopen_readonly(fd);
	return track(fd, DMABUF)->fd;
}

int fake_plain_fd(void)
{
	return track(real_memfd(4096), PLAIN)->fd;
}

static int device(enum kind kind)
{
	int fd = __real_open64("/dev/null", O_RDWR | O_CLOEXEC);

	return track(fd, kind)->fd;
}

int fake_heap_device(void)
{
	return device(HEAP_DEV);
}

int fake_udmabuf_device(void)
{
	return device(UDMABUF_DEV);
}

bool fake_mem_is_open(int fd)
{
	return find(fd) != NULL;
}

int fake_mem_setup(void **state)
{
	fake_mem_install();
	unsetenv("OBJINVOKE_MEMORY");
	fake_log_start();
	return 0;
}

int fake_mem_teardown(void **state)
{
	fake_log_stop();
	unsetenv("OBJINVOKE_MEMORY");
	fake_mem_check_clean();
	return 0;
}

void fake_mem_check_clean(void)
{
	size_t i;

	for (i = 0; i < MAX_FDS; i++)
		if (fds[i].kind != FREE)
			fail_msg("fd %d (kind %d) left open", fds[i].fd,
				 fds[i].kind);
	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr)
			fail_msg("mapping of %zu bytes left", maps[i].len);
	memset(&fake_mem_seen, 0, sizeof(fake_mem_seen));
}

/* A dma-buf of the heap, opened with the access mode asked for.
 * real: test_libmemory.c:heap_memory
 * real: test_libmemory.c:read_only_memory */
static int heap_alloc(struct dma_heap_allocation_data *d)
{
	fake_mem_seen.heap_fd_flags = d->fd_flags;
	fake_mem_seen.heap_len = d->len;
	assert_int_equal(d->fd, 0);
	assert_int_equal(d->heap_flags, 0);
	if (fake_alloc_errno) {
		errno = fake_alloc_errno;
		fake_alloc_errno = 0;
		return -1;
	}
	d->fd = (uint32_t)fake_dmabuf_new(d->len, d->fd_flags & O_ACCMODE);
	return 0;
}

/* As the kernel: a shrink-sealed memfd of the size; a dma-buf of its
 * pages, which the memfd's own fd need not outlive.
 * real: test_libmemory.c:udmabuf_memory */
static int udmabuf_create(const struct udmabuf_create *c)
{
	struct stat st;
	int fd;

	fake_mem_seen.udmabuf_flags = c->flags;
	fake_mem_seen.udmabuf_size = c->size;
	assert_int_equal(fcntl((int)c->memfd, F_GET_SEALS), F_SEAL_SHRINK);
	assert_int_equal(fstat((int)c->memfd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, c->size);
	assert_int_equal(c->offset, 0);
	if (fake_alloc_errno) {
		errno = fake_alloc_errno;
		fake_alloc_errno = 0;
		return -1;
	}
	/* Another fd of the memfd's file: the same pages, as udmabuf's. */
	fd = fcntl((int)c->memfd, F_DUPFD_CLOEXEC, 0);
	assert_true(fd >= 0);
	return track(fd, DMABUF)->fd;
}

/* Begin and end of CPU access.  real: test_libmemory.c:heap_memory */
static int sync_dmabuf(const struct dma_buf_sync *s)
{
	int err = fake_sync_errno[0];

	assert_true(fake_mem_seen.syncs < 8);
	fake_mem_seen.sync_flags[fake_mem_seen.syncs++] = s->flags;
	memmove(fake_sync_errno, fake_sync_errno + 1,
		sizeof(fake_sync_errno) - sizeof(int));
	fake_sync_errno[3] = 0;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static bool mem_ioctl(int fd, unsigned long request, void *arg, int *ret)
{
	struct tracked *t = find(fd);

	if (!t)
		return false;
	if (t->kind == HEAP_DEV && request == DMA_HEAP_IOCTL_ALLOC)
		*ret = heap_alloc(arg);
	else if (t->kind == UDMABUF_DEV && request == UDMABUF_CREATE)
		*ret = udmabuf_create(arg);
	else if (t->kind == DMABUF && request == DMA_BUF_IOCTL_SYNC)
		*ret = sync_dmabuf(arg);
	else
		fail_msg("ioctl 0x%lx on fake fd %d", request, fd);
	return true;
}

static bool mem_close(int fd)
{
	struct tracked *t = find(fd);

	if (!t)
		return false;
	assert_int_equal(__real_close(fd), 0);
	t->kind = FREE;
	return true;
}

void fake_mem_install(void)
{
	fake_ioctl_extra = mem_ioctl;
	fake_close_extra = mem_close;
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	struct tracked *t = fd >= 0 ? find(fd) : NULL;
	void *p;
	size_t i;

	if (!t)
		return __real_mmap64(addr, len, prot, flags, fd, off);
	/* A dma-buf maps shared from offset 0.
	 * real: test_libmemory.c:heap_memory */
	assert_int_equal(t->kind, DMABUF);
	assert_int_equal(flags, MAP_SHARED);
	assert_int_equal(off, 0);
	fake_mem_seen.mmap_prot = prot;
	if (fake_mmap_errno) {
		errno = fake_mmap_errno;
		fake_mmap_errno = 0;
		return MAP_FAILED;
	}
	p = __real_mmap64(addr, len, prot, flags, fd, off);
	assert_true(p != MAP_FAILED);
	for (i = 0; i < MAX_MAPS; i++) {
		if (!maps[i].addr) {
			maps[i] = (struct mapping){ p, len };
			return p;
		}
	}
	fail_msg("too many fake mappings");
	return MAP_FAILED;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	return __wrap_mmap64(addr, len, prot, flags, fd, off);
}

int __wrap_munmap(void *addr, size_t len)
{
	size_t i;

	for (i = 0; i < MAX_MAPS; i++) {
		if (maps[i].addr == addr) {
			assert_int_equal(maps[i].len, len);
			maps[i].addr = NULL;
			break;
		}
	}
	return __real_munmap(addr, len);
}

int __wrap_memfd_create(const char *name, unsigned int flags)
{
	int fd;

	fake_mem_seen.memfd_flags = flags;
	if (fake_memfd_errno) {
		errno = fake_memfd_errno;
		fake_memfd_errno = 0;
		return -1;
	}
	fd = __real_memfd_create(name, flags);
	assert_true(fd >= 0);
	return track(fd, PLAIN)->fd;
}

int __wrap_fstatfs64(int fd, struct statfs *buf)
{
	if (!same_file_as_dmabuf(fd))
		return __real_fstatfs64(fd, buf);
	/* A dma-buf the library received under a new number: track it
	 * (where it is: the library holds this number).  A dma-buf's file
	 * system says DMA_BUF_MAGIC, another fd's does not.
	 * real: test_libmemory.c:wrapped_dma_buf */
	if (!find(fd))
		track_here(fd, DMABUF);
	memset(buf, 0, sizeof(*buf));
	buf->f_type = DMA_BUF_MAGIC;
	return 0;
}

int __wrap_fstatfs(int fd, struct statfs *buf)
{
	return __wrap_fstatfs64(fd, buf);
}
