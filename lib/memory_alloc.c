// SPDX-License-Identifier: MIT
/*
 * Allocating memory objects: a new dma-buf, mapped and wrapped.
 *
 * Two ways to get a dma-buf without a device driver of our own:
 *  - a dma-buf heap (/dev/dma_heap/system): the kernel's interface for
 *    exactly this; one ioctl, and it can hand out a read-only fd;
 *  - udmabuf (/dev/udmabuf): turns the pages of a sealed memfd into a
 *    dma-buf, for kernels built without heaps.  Its fds are always
 *    read-write.
 * The heap comes first; udmabuf is used only where the heap device does
 * not exist (a heap that refuses us is an answer, not a reason to go round
 * it).  OBJINVOKE_MEMORY=heap or =udmabuf forces one path, so both can be
 * tested on one machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "MinkCom.h"
#include "libobject_private.h"

#define MEMORY_ENV	"OBJINVOKE_MEMORY"

enum memory_path { PATH_ANY, PATH_HEAP, PATH_UDMABUF };

static int32_t open_device(const char *path, int flags, int *dev,
			   bool *absent)
{
	int err;

	*dev = open(path, flags | O_CLOEXEC);
	if (*dev >= 0)
		return Object_OK;
	err = errno;
	*absent = objinvoke_device_absent(err);
	objinvoke_log_open_failure(path, err);
	return *absent ? Object_ERROR_UNAVAIL : objinvoke_result_from_errno(err);
}

/* A dma-buf fd number from the kernel, or -1 for one no process can have. */
static int checked_fd(uint64_t fd, const char *what)
{
	if (fd <= INT_MAX)
		return (int)fd;
	objinvoke_log("%s returned bad fd %llu", what, (unsigned long long)fd);
	return -1;
}

/* From the system heap; fd_flags O_RDONLY gives a read-only dma-buf. */
static int32_t heap_alloc(size_t size, uint32_t flags, int *fd, bool *absent)
{
	struct dma_heap_allocation_data d;
	int dev, ret, err;
	int32_t r;

	r = open_device(OBJINVOKE_HEAP_DEVICE, O_RDONLY, &dev, absent);
	if (r)
		return r;
	memset(&d, 0, sizeof(d));
	d.len = size;
	d.fd_flags = O_CLOEXEC |
		     (flags & OBJINVOKE_MEMORY_READONLY ? O_RDONLY : O_RDWR);
	ret = ioctl(dev, DMA_HEAP_IOCTL_ALLOC, &d);
	err = errno;
	close(dev);
	if (ret < 0) {
		objinvoke_log("DMA_HEAP_IOCTL_ALLOC of %zu bytes: errno %d",
			      size, err);
		return objinvoke_result_from_errno(err);
	}
	*fd = checked_fd(d.fd, "DMA_HEAP_IOCTL_ALLOC");
	if (*fd < 0)
		return Object_ERROR_REMOTE;	/* never close a bogus number */
	return Object_OK;
}

/*
 * A memfd of @size bytes that udmabuf accepts: it must be sealed against
 * shrinking (pages it pinned must stay), and must not be sealed against
 * writes.
 */
static int32_t udmabuf_memfd(size_t size, int *memfd)
{
	int err;

	*memfd = memfd_create("objinvoke-memory", MFD_CLOEXEC |
			      MFD_ALLOW_SEALING);
	if (*memfd < 0) {
		err = errno;
		objinvoke_log("memfd_create: errno %d", err);
		return objinvoke_result_from_errno(err);
	}
	if (ftruncate(*memfd, (off_t)size) < 0 ||
	    fcntl(*memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		err = errno;
		objinvoke_log("memfd of %zu bytes for udmabuf: errno %d", size,
			      err);
		close(*memfd);
		return objinvoke_result_from_errno(err);
	}
	return Object_OK;
}

/* From a memfd through udmabuf, which shares (and pins) its pages. */
static int32_t udmabuf_alloc(size_t size, uint32_t flags, int *fd,
			     bool *absent)
{
	struct udmabuf_create c;
	int dev, memfd, ret, err;
	int32_t r;

	r = open_device(OBJINVOKE_UDMABUF_DEVICE, O_RDWR, &dev, absent);
	if (r)
		return r;
	if (flags & OBJINVOKE_MEMORY_READONLY) {
		objinvoke_log("read-only memory needs %s: udmabuf exports read-write dma-bufs only",
			      OBJINVOKE_HEAP_DEVICE);
		r = Object_ERROR_UNAVAIL;
		goto close_dev;
	}
	r = udmabuf_memfd(size, &memfd);
	if (r)
		goto close_dev;
	memset(&c, 0, sizeof(c));
	c.memfd = (uint32_t)memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = size;
	ret = ioctl(dev, UDMABUF_CREATE, &c);
	err = errno;
	/* The dma-buf holds the pages; the memfd itself is not needed. */
	close(memfd);
	if (ret < 0) {
		objinvoke_log("UDMABUF_CREATE of %zu bytes: errno %d", size,
			      err);
		r = objinvoke_result_from_errno(err);
		goto close_dev;
	}
	*fd = checked_fd((uint64_t)ret, "UDMABUF_CREATE");
	r = *fd < 0 ? Object_ERROR_REMOTE : Object_OK;
close_dev:
	close(dev);
	return r;
}

static int32_t chosen_path(enum memory_path *path)
{
	const char *v = secure_getenv(MEMORY_ENV);

	if (!v || !*v)
		*path = PATH_ANY;
	else if (!strcmp(v, "heap"))
		*path = PATH_HEAP;
	else if (!strcmp(v, "udmabuf"))
		*path = PATH_UDMABUF;
	else {
		objinvoke_log("%s=%s: want heap or udmabuf", MEMORY_ENV, v);
		return Object_ERROR_INVALID;
	}
	return Object_OK;
}

/* A new dma-buf fd of @size bytes from the path the environment allows. */
static int32_t alloc_fd(size_t size, uint32_t flags, int *fd)
{
	bool heap_absent = false, udmabuf_absent = false;
	enum memory_path path;
	int32_t r;

	r = chosen_path(&path);
	if (r)
		return r;
	if (path != PATH_UDMABUF) {
		r = heap_alloc(size, flags, fd, &heap_absent);
		if (path == PATH_HEAP || !heap_absent)
			return r;
	}
	r = udmabuf_alloc(size, flags, fd, &udmabuf_absent);
	if (path == PATH_ANY && udmabuf_absent)
		objinvoke_log_no_allocator();
	return r;
}

OBJINVOKE_EXPORT int32_t objinvoke_memory_alloc(size_t size, uint32_t flags,
						Object *mem)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int32_t r;
	int fd = -1;

	if (!mem)
		return Object_ERROR_INVALID;
	*mem = Object_NULL;
	if (flags & ~OBJINVOKE_MEMORY_READONLY) {
		objinvoke_log("memory_alloc: unknown flags 0x%x",
			      (unsigned int)flags);
		return Object_ERROR_INVALID;
	}
	/* Both paths allocate whole pages; ask for them, overflow-safe. */
	if (size == 0 || size > (size_t)INT64_MAX - page + 1) {
		objinvoke_log("memory_alloc: %zu bytes cannot be allocated",
			      size);
		return Object_ERROR_INVALID;
	}
	size = (size + page - 1) & ~(page - 1);
	r = alloc_fd(size, flags, &fd);
	if (r)
		return r;
	return objinvoke_memory_wrap(fd, mem);
}

/* The Mink name: read-write memory; the root object is not needed. */
OBJINVOKE_EXPORT int MinkCom_getMemoryObject(Object root, size_t size,
					     Object *memObj)
{
	return objinvoke_memory_alloc(size, 0, memObj);
}
