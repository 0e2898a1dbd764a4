/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * objinvoke's emulator backend: the ABI of /dev/objinvoke-emu, through
 * which a userspace program plays the secure world.
 *
 * Only the TEE emulator (objinvoke-emu) and tests that stand in for it
 * include this header; clients need linux/objinvoke.h alone.  The same
 * conventions hold as there (fixed-width fields, explicit padding,
 * reserved fields zero), and the ioctls share its magic.
 */
#ifndef _UAPI_LINUX_OBJINVOKE_EMU_H
#define _UAPI_LINUX_OBJINVOKE_EMU_H

#include <linux/objinvoke.h>

#define OBJINVOKE_EMU_DEVICE	"/dev/objinvoke-emu"

/*
 * One process with CAP_SYS_ADMIN opens it (a second open fails with
 * EBUSY) and plays the secure world.  Each of its threads is a "secure
 * thread": it takes one SMC call at a time with OBJINVOKE_EMU_IOC_WAIT
 * and answers it with OBJINVOKE_EMU_IOC_COMPLETE.  An SMC call carries
 * copies of the inbound and outbound buffers (the emulator has no other
 * access to kernel memory).  docs/emulator.md describes the device.
 */

/* struct objinvoke_emu_call.kind */
#define OBJINVOKE_EMU_CALL_INVOKE	1 /* a new direct invocation */
#define OBJINVOKE_EMU_CALL_RESUME	2 /* the response to a callback */

/* struct objinvoke_emu_done.status */
#define OBJINVOKE_EMU_DONE		0 /* finished: inbound holds results */
#define OBJINVOKE_EMU_CALLBACK		3 /* outbound holds a callback request */

/**
 * struct objinvoke_emu_call - OBJINVOKE_EMU_IOC_WAIT argument
 * @session:  in: 0 to take the next new invocation; or the session of a
 *            call this thread answered with OBJINVOKE_EMU_CALLBACK, to
 *            wait for the normal world's response.
 *            out: the session (nonzero) this call belongs to.
 * @kind:     out: OBJINVOKE_EMU_CALL_*.
 * @flags:    in: reserved, must be 0.
 * @inbound:  in: user address the inbound buffer is copied to.
 * @outbound: in: user address the outbound buffer is copied to.
 * @in_size:  in: bytes at @inbound; out: the inbound buffer's size.
 * @out_size: in: bytes at @outbound; out: the outbound buffer's size.
 *
 * Blocks until a call is available.  A signal interrupts it (EINTR).
 * Fails with ENOSPC, leaving the call queued, when a buffer is too small.
 */
struct objinvoke_emu_call {
	__u64 session;
	__u32 kind;
	__u32 flags;
	__u64 inbound;
	__u64 outbound;
	__u32 in_size;
	__u32 out_size;
};

/**
 * struct objinvoke_emu_done - OBJINVOKE_EMU_IOC_COMPLETE argument
 * @session:  in: the session from OBJINVOKE_EMU_IOC_WAIT.
 * @status:   in: OBJINVOKE_EMU_DONE or OBJINVOKE_EMU_CALLBACK.
 * @result:   in: with OBJINVOKE_EMU_DONE, the invocation's result (int32).
 * @inbound:  in: user address of the new inbound buffer contents.
 * @outbound: in: user address of the new outbound buffer contents.
 * @in_size:  in: bytes at @inbound, at most the size WAIT reported.
 * @out_size: in: bytes at @outbound, likewise.
 * @reserved: in: must be 0.
 */
struct objinvoke_emu_done {
	__u64 session;
	__u32 status;
	__u32 result;
	__u64 inbound;
	__u64 outbound;
	__u32 in_size;
	__u32 out_size;
	__u64 reserved;
};

/*
 * The emulated SHM bridge.  When the TEE maps a memory object (the
 * primordial object's map-region method), the address it gets back is a
 * window of the emulator device: mmap() of /dev/objinvoke-emu at that
 * offset (MAP_SHARED, length at most the region's) reaches exactly that
 * memory and nothing else.  PROT_WRITE on a read-only region fails with
 * EACCES; offsets outside a live region fail with ENXIO; once the TEE
 * releases the mapping object the pages are revoked, and touching them
 * raises SIGBUS.  Windows are OBJINVOKE_EMU_WINDOW bytes apart.
 */
#define OBJINVOKE_EMU_WINDOW	(1ULL << 36)

#define OBJINVOKE_EMU_IOC_WAIT \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x40, struct objinvoke_emu_call)
#define OBJINVOKE_EMU_IOC_COMPLETE \
	_IOW(OBJINVOKE_IOC_MAGIC, 0x41, struct objinvoke_emu_done)

#endif /* _UAPI_LINUX_OBJINVOKE_EMU_H */
