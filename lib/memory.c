// SPDX-License-Identifier: MIT
/*
 * Memory objects: an Object standing for a dma-buf fd and its mapping in
 * this process.
 *
 * The fd is what crosses boundaries: passed as an input or output object
 * it lends the dma-buf to the kernel, which turns it into a memory object
 * the TEE maps in place.  The mapping is ours, made once when the object is
 * created, so MinkCom_getMemoryObjectInfo() is a plain read.  Retain and
 * release are counted here; the last release unmaps and closes, once.
 * A memory object has no methods: every other op is Object_ERROR_INVALID.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include "MinkCom.h"
#include "libobject_private.h"

static int32_t memory_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
			     ObjectCounts counts)
{
	struct objinvoke_memory *m = h;

	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		objinvoke_ref_get(&m->refs);
		return Object_OK;
	case Object_OP_release:
		if (objinvoke_ref_put(&m->refs)) {
			munmap(m->addr, m->size);
			close(m->fd);
			free(m);
		}
		return Object_OK;
	}
	/* Memory is data, not a service: nothing to call, locally or not. */
	return Object_ERROR_INVALID;
}

struct objinvoke_memory *objinvoke_memory_get(Object obj)
{
	return obj.invoke == memory_invoke ? obj.context : NULL;
}

/* The dma-buf's size: its file size, as dma-buf's llseek reports it. */
static int32_t memory_size(int fd, size_t *size)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0) {
		objinvoke_log("dma-buf fd %d: lseek: errno %d", fd, errno);
		return Object_ERROR_INVALID;
	}
	/* mmap cannot map nothing, and a size_t must hold the length. */
	if (end == 0 || (uint64_t)end > SIZE_MAX) {
		objinvoke_log("dma-buf fd %d: size %lld cannot be mapped", fd,
			      (long long)end);
		return Object_ERROR_INVALID;
	}
	*size = (size_t)end;
	return Object_OK;
}

/*
 * Map read-write, or read-only for an O_RDONLY fd: the kernel refuses a
 * writable shared mapping of a read-only file (EACCES), and a read-only
 * fd is how a read-only memory object is expressed at all.
 */
static int32_t memory_access(int fd, bool *writable)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0) {
		objinvoke_log("dma-buf fd %d: F_GETFL: errno %d", fd, errno);
		return objinvoke_result_from_errno(errno);
	}
	switch (fl & O_ACCMODE) {
	case O_RDWR:
		*writable = true;
		return Object_OK;
	case O_RDONLY:
		*writable = false;
		return Object_OK;
	}
	/* A shared mapping needs read access. */
	objinvoke_log("dma-buf fd %d is write-only: cannot be mapped", fd);
	return Object_ERROR_INVALID;
}

int32_t objinvoke_memory_wrap(int fd, Object *mem)
{
	struct objinvoke_memory *m;
	bool writable = false;
	size_t size = 0;
	void *addr;
	int32_t r;

	*mem = Object_NULL;
	r = memory_size(fd, &size);
	if (r == Object_OK)
		r = memory_access(fd, &writable);
	if (r)
		goto close_fd;

	m = malloc(sizeof(*m));
	if (!m) {
		objinvoke_log("no memory to wrap dma-buf fd %d", fd);
		r = Object_ERROR_KMEM;
		goto close_fd;
	}
	addr = mmap(NULL, size, PROT_READ | (writable ? PROT_WRITE : 0),
		    MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED) {
		objinvoke_log("dma-buf fd %d: mmap of %zu bytes: errno %d", fd,
			      size, errno);
		r = objinvoke_result_from_errno(errno);
		goto free_m;
	}
	m->fd = fd;
	m->addr = addr;
	m->size = size;
	m->writable = writable;
	atomic_init(&m->refs, 1);
	*mem = (Object){ memory_invoke, m };
	return Object_OK;

free_m:
	free(m);
close_fd:
	close(fd);
	return r;
}

/*
 * Only a dma-buf's file lives on the dma-buf pseudo filesystem.  (An
 * ioctl probe, DMA_BUF_IOCTL_SYNC, would act on a real dma-buf; a stat
 * only looks.)
 */
bool objinvoke_is_dma_buf(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == DMA_BUF_MAGIC;
}

OBJINVOKE_EXPORT int32_t objinvoke_memory_from_fd(int fd, Object *mem)
{
	if (!mem) {
		if (fd >= 0)
			close(fd);
		return Object_ERROR_INVALID;
	}
	*mem = Object_NULL;
	if (fd < 0)
		return Object_ERROR_BADOBJ;
	if (!objinvoke_is_dma_buf(fd)) {
		objinvoke_log("fd %d is not a dma-buf", fd);
		close(fd);
		return Object_ERROR_BADOBJ;
	}
	return objinvoke_memory_wrap(fd, mem);
}

OBJINVOKE_EXPORT int MinkCom_getMemoryObjectInfo(Object memObj,
						 void **address, size_t *size)
{
	struct objinvoke_memory *m = objinvoke_memory_get(memObj);

	if (address)
		*address = m ? m->addr : NULL;
	if (size)
		*size = m ? m->size : 0;
	if (!m) {
		objinvoke_log("getMemoryObjectInfo: not a memory object");
		return Object_ERROR_INVALID;
	}
	return Object_OK;
}
