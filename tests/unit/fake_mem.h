/* SPDX-License-Identifier: MIT */
/*
 * Fake dma-bufs for the memory-object tests, on top of fake_sys.h.
 *
 * A fake dma-buf is a real memfd that fstatfs() reports on the dma-buf
 * filesystem, so lseek, fcntl, mmap and SCM_RIGHTS all work on it for
 * real.  The heap and udmabuf devices are real fds (of /dev/null) whose
 * ioctls this fake answers; DMA_BUF_IOCTL_SYNC is recorded.  Every fd
 * made here is tracked: closing it twice, or not at all, fails the test
 * (fake_mem_check_clean()), and so does a mapping of it left behind.
 * Linked with -Wl,--wrap for mmap, munmap, memfd_create and fstatfs on
 * top of fake_sys.c's wraps.
 */
#ifndef FAKE_MEM_H
#define FAKE_MEM_H

#include <sys/types.h>

#include "fake_sys.h"

/* Route fake-sys's ioctl and close through this fake. */
void fake_mem_install(void);

/* A new fake dma-buf of @size bytes, opened @accmode (O_RDWR/O_RDONLY). */
int fake_dmabuf_new(size_t size, int accmode);
/* A tracked fd that is no dma-buf (a plain memfd). */
int fake_plain_fd(void);
/* The fds of the heap and udmabuf devices, for fake_expect_open_path(). */
int fake_heap_device(void);
int fake_udmabuf_device(void);

/* Every tracked fd closed exactly once, every mapping of them gone. */
void fake_mem_check_clean(void);
/*
 * cmocka setup and teardown for a memory test: the fake installed, no
 * OBJINVOKE_MEMORY choice, the library's log captured; then everything
 * checked closed and unmapped.
 */
int fake_mem_setup(void **state);
int fake_mem_teardown(void **state);
/* Whether tracked @fd is still open. */
bool fake_mem_is_open(int fd);

/* Failures to inject (0: none); each applies to the next call only. */
extern int fake_mmap_errno;
extern int fake_memfd_errno;
extern int fake_alloc_errno;	/* DMA_HEAP_IOCTL_ALLOC, UDMABUF_CREATE */
/* Errnos for the next DMA_BUF_IOCTL_SYNCs, in order, 0-terminated. */
extern int fake_sync_errno[4];

/* What the library asked for. */
extern struct fake_mem_seen {
	uint32_t heap_fd_flags;		/* last DMA_HEAP_IOCTL_ALLOC */
	uint64_t heap_len;
	uint32_t udmabuf_flags;		/* last UDMABUF_CREATE */
	uint64_t udmabuf_size;
	unsigned int memfd_flags;	/* last memfd_create */
	int mmap_prot;			/* last mmap of a fake dma-buf */
	uint64_t sync_flags[8];		/* DMA_BUF_IOCTL_SYNCs, in order */
	size_t syncs;
} fake_mem_seen;

/* The wrapped functions (prototypes for -Wmissing-prototypes). */
struct statfs;
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off);
int __wrap_munmap(void *addr, size_t len);
int __real_munmap(void *addr, size_t len);
int __wrap_memfd_create(const char *name, unsigned int flags);
int __real_memfd_create(const char *name, unsigned int flags);
int __wrap_fstatfs(int fd, struct statfs *buf);
int __wrap_fstatfs64(int fd, struct statfs *buf);
int __real_fstatfs64(int fd, struct statfs *buf);

#endif /* FAKE_MEM_H */
