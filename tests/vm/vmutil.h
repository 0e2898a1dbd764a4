/* SPDX-License-Identifier: MIT */
/*
 * vmutil.h - what the VM test programs share beyond the harness: raw ioctl
 * access to objinvoke (for ABI tests that must bypass libobject) and quick
 * ways to reach the emulator's services through libobject.
 */
#ifndef OBJINVOKE_VM_UTIL_H
#define OBJINVOKE_VM_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/objinvoke_emu.h>

#include "object.h"

/* ---- raw ioctls */

/* The fd a /dev/objinvoke ioctl (GET_ROOT, GET_CREDENTIALS, SERVER_NEW)
 * makes; fails the case on error. */
int vm_dev_object(unsigned long ioc);
/* A new fd of the TEE's root object; fails the case on error. */
int vm_root_fd(void);
/* OBJINVOKE_IOC_INVOKE on fd: the ioctl's return value, result in *result. */
int vm_invoke_raw(int fd, uint32_t op, uint32_t counts,
		  struct objinvoke_arg *args, int32_t *result);
/* An argument array entry. */
struct objinvoke_arg vm_buf(const void *p, uint64_t size);
struct objinvoke_arg vm_obj(int fd);
/* The fd of service uid, opened through a fresh client environment with
 * raw ioctls only.  Fails the case on error. */
int vm_service_fd_raw(uint32_t uid);
/* The same, but any failure is the result (Object_ERROR for a failed
 * ioctl) and *fd is -1: for callers that expect the TEE to be gone. */
int32_t vm_try_service_fd_raw(uint32_t uid, int *fd);

/* Whether the test service svc echoes msg back intact (raw ioctls).  It
 * judges nothing, so a forked child may use it too. */
bool vm_echo_works(int svc, const char *msg);

/* A pointer from a __u64 field. */
static inline void *vm_ptr(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

/* One fd over a UNIX socket (SCM_RIGHTS): 0 / the fd, or -1. */
int vm_send_fd(int sock, int fd);
int vm_recv_fd(int sock);

/* ---- client processes a test forks */

/* Whether the parent closed its end of the pipe whose read end is fd. */
bool vm_stop_requested(int fd);
/* Where each thread of process pid sleeps in the kernel, into the log
 * (for a process that hung). */
void vm_log_kernel_stacks(pid_t pid);
/* Wait up to 60 s for child pid: its exit status (128 if a signal killed
 * it), or -1 if it hung (it is then killed). */
int vm_reap(pid_t pid);

/* ---- memory */

/* A dma-buf of size bytes from the system heap, opened with mode (O_RDWR
 * or O_RDONLY); skips the case when the kernel has no heap. */
int vm_heap_alloc(uint64_t size, unsigned int mode);
/* A dma-buf of size bytes from udmabuf (over a sealed memfd); skips the
 * case without /dev/udmabuf. */
int vm_udmabuf_alloc(uint64_t size);
/* The same without the test's judgement: the fd, or -1 with errno. */
int vm_try_heap_alloc(uint64_t size, unsigned int mode);
int vm_try_udmabuf_alloc(uint64_t size);

/* ---- through libobject */

/* Service uid through a fresh root and client environment. */
Object vm_open_service(uint32_t uid);
/* The emulator's count of live objects, read through svc (a test service). */
uint32_t vm_live_objects(Object svc);
/* The count once it has stopped changing: releases of objects just
 * closed travel on a workqueue and land a moment later. */
uint32_t vm_settled_live_objects(Object svc);
/* The settled count as a fresh client sees it (its own service included). */
uint32_t vm_fresh_live_objects(void);
/* Wait up to 5 s for the emulator's live count to reach want.  Releases
 * travel on a workqueue, so they land a moment after close(). */
void vm_expect_live_objects(Object svc, uint32_t want);

#endif /* OBJINVOKE_VM_UTIL_H */
