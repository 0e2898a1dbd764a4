// SPDX-License-Identifier: MIT
/*
 * CPU access brackets of memory objects: DMA_BUF_IOCTL_SYNC.
 *
 * An exporter may keep a dma-buf in memory the CPU does not see coherently
 * (caches, bounce buffers); its CPU users announce each access so that it
 * can flush or invalidate.  The system heap and udmabuf need it for
 * devices that mapped the buffer non-coherently, and it costs one ioctl,
 * so every CPU access of a memory object should be bracketed.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include <linux/dma-buf.h>

#include "libobject_private.h"

/* The public flags are the kernel's, so they pass through unchanged. */
_Static_assert(OBJINVOKE_CPU_READ == DMA_BUF_SYNC_READ, "CPU_READ");
_Static_assert(OBJINVOKE_CPU_WRITE == DMA_BUF_SYNC_WRITE, "CPU_WRITE");

static int32_t memory_sync(Object mem, unsigned int flags, uint64_t edge)
{
	struct objinvoke_memory *m = objinvoke_memory_get(mem);
	struct dma_buf_sync sync = { .flags = edge | flags };
	int ret;

	if (!m) {
		objinvoke_log("CPU access bracket: not a memory object");
		return Object_ERROR_INVALID;
	}
	if (!flags || flags & ~(unsigned int)DMA_BUF_SYNC_RW) {
		objinvoke_log("CPU access flags 0x%x: want READ and/or WRITE",
			      flags);
		return Object_ERROR_INVALID;
	}
	if (flags & OBJINVOKE_CPU_WRITE && !m->writable) {
		objinvoke_log("CPU write access to read-only memory object");
		return Object_ERROR_INVALID;
	}
	/* The kernel asks us to restart a sync a signal or a fence broke. */
	do
		ret = ioctl(m->fd, DMA_BUF_IOCTL_SYNC, &sync);
	while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0) {
		objinvoke_log("DMA_BUF_IOCTL_SYNC 0x%llx on fd %d: errno %d",
			      (unsigned long long)sync.flags, m->fd, errno);
		return objinvoke_result_from_errno(errno);
	}
	return Object_OK;
}

OBJINVOKE_EXPORT int32_t objinvoke_memory_begin_cpu(Object mem,
						    unsigned int flags)
{
	return memory_sync(mem, flags, DMA_BUF_SYNC_START);
}

OBJINVOKE_EXPORT int32_t objinvoke_memory_end_cpu(Object mem,
						  unsigned int flags)
{
	return memory_sync(mem, flags, DMA_BUF_SYNC_END);
}
