/* SPDX-License-Identifier: MIT */
/*
 * The libobject target's input: a program of client steps, with the
 * kernel's answers and the local objects' behaviour read from it at the
 * moment the library makes a syscall or calls an object
 * (docs/fuzzing.md has examples):
 *
 *   program = step*
 *   step    = u8 (modulo LP_NSTEPS)
 *     LP_CALL     call                  Object_invoke() of the target
 *     LP_PENDING                        objinvoke_server_dispatch_pending()
 *     LP_DROP     u8 i                  release held object i (mod count)
 *   call    = u32 op, u16 counts, u8 LP_CALL_* flags, per BI u8 size
 *             (LP_BI_NULL: NULL), per BO u8 size (LP_BO_HUGE: 5 MiB), per
 *             OI u8 object (LP_OBJ_*)
 *
 * The kernel's answers, one per syscall, each a u8 (modulo the count):
 *
 *   INVOKE        LP_DONE u32 result, per BO u32 size, per OO fd
 *                 | LP_REQUEST request | LP_ERRNO u8 | LP_STATE u32
 *   SERVER_REPLY  LP_REPLY_OK | LP_REPLY_ERRNO u8 | LP_REPLY_ERRNO_ON u8;
 *                 for a request of the invoking thread, OK and ERRNO_ON
 *                 carry the invocation on: an INVOKE answer follows
 *   SERVER_RECV   LP_RECV_NONE (EAGAIN) | LP_RECV_REQUEST request
 *                 | LP_RECV_ENOSPC u32 | LP_RECV_ERRNO u8
 *   SERVER_ADD    LP_ADD_OK | LP_ADD_ERRNO u8 | LP_ADD_BAD u8 (odd: a
 *                 bad fd, u32 follows; even: a good fd but handle 0)
 *   SERVER_GET    LP_GET_OK | LP_GET_ENOENT | LP_GET_ERRNO u8 | LP_GET_BAD
 *
 *   fd      = u8 LP_FD_* (LP_FD_RAW: u32, with bit 31 set), u8 flags
 *   request = u8 kind, u8 target (a registered local object, counted
 *             from 0 in this input; one past them: a wrong handle; two
 *             past: an unknown cookie), u32 op, u16 counts, u8 LP_REQ_*
 *             flags, per BI u16 size and u8 LP_WHERE_*, per BO u16 size,
 *             per OI fd
 *
 * A local object called with a request: u8 LP_LOCAL_* flags, then its
 * u32 result (LP_LOCAL_FAIL), a call it makes (LP_LOCAL_NESTED), per BO
 * u16 bytes written (more than reserved is allowed), per OO u8 object
 * (LP_OBJ_TARGET there: a new remote object), unless it failed.
 *
 * An input that runs out reads as zeros: calls answered done and OK,
 * nothing waiting, exports granted, local objects answering OK.
 */
#ifndef LIB_PROG_H
#define LIB_PROG_H

enum lp_step { LP_CALL, LP_PENDING, LP_DROP, LP_NSTEPS };

#define LP_CALL_UPPER	1	/* a bit above the counts' 16 */
#define LP_CALL_NOARGS	2	/* no argument array at all */
#define LP_BI_NULL	0xff	/* a NULL input buffer of size 1 */
#define LP_BO_HUGE	0xff	/* an output buffer of 5 MiB */

/* Objects a call or a local object passes. */
enum lp_obj {
	LP_OBJ_NULL,
	LP_OBJ_TARGET,		/* the remote object the program calls */
	LP_OBJ_LOCAL,		/* local objects LP_OBJ_LOCAL + 0..3 */
	LP_OBJ_MEMORY = LP_OBJ_LOCAL + 4,	/* a new memory object */
	LP_OBJ_HELD,		/* held object (byte - LP_OBJ_HELD) mod count */
};
#define LP_NLOCALS	4

/* The answer to one syscall. */
enum lp_invoke { LP_DONE, LP_REQUEST, LP_ERRNO, LP_STATE, LP_NINVOKE };
enum lp_reply { LP_REPLY_OK, LP_REPLY_ERRNO, LP_REPLY_ERRNO_ON, LP_NREPLY };
enum lp_recv {
	LP_RECV_NONE, LP_RECV_REQUEST, LP_RECV_ENOSPC, LP_RECV_ERRNO,
	LP_NRECV
};
enum lp_add { LP_ADD_OK, LP_ADD_ERRNO, LP_ADD_BAD, LP_NADD };
enum lp_get { LP_GET_OK, LP_GET_ENOENT, LP_GET_ERRNO, LP_GET_BAD, LP_NGET };

/* An fd the kernel writes. */
enum lp_fd {
	LP_FD_NONE,		/* OBJINVOKE_FD_NONE */
	LP_FD_OBJECT,		/* a new object fd */
	LP_FD_MEMFD,		/* a new memory fd (a real memfd) */
	LP_FD_RAW,		/* a value no fd has: u32 | 1 << 31 */
	LP_NFD
};

/* A request's flags. */
#define LP_REQ_UPPER	1	/* a bit above the counts' 16 */
#define LP_REQ_OVER	2	/* buf_size says more than the buffer holds */
#define LP_REQ_HUGE	4	/* an output buffer of 5 MiB */
#define LP_REQ_ID	8	/* an unknown kind still has an id */

/* Where a request's input buffer points. */
enum lp_where { LP_WHERE_BUF, LP_WHERE_PAST, LP_WHERE_ZERO, LP_NWHERE };

/* A local object's behaviour. */
#define LP_LOCAL_FAIL	1	/* returns the u32 that follows */
#define LP_LOCAL_NESTED	2	/* makes a call first */
#define LP_LOCAL_KEEP	4	/* retains its first input object */

#endif /* LIB_PROG_H */
