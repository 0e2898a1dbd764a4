/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * objinvoke: the module's internal interfaces.
 *
 * Lock order (outermost first):
 *   emu_dev.lock          the emulator backend's session state
 *   oi_server.lock        one server's queue, requests and objects
 *   qtee.ns_ids (xa_lock) normal-world objects the TEE holds
 * No lock is held across a call into an object's invoke function, across a
 * wait for the TEE or a host, or across an oi_object_put() (a destroy may
 * take a server's lock).  emu_dev.lock and oi_server.lock are mutexes,
 * held across user copies but never while waiting.
 */
#ifndef OBJINVOKE_H
#define OBJINVOKE_H

#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include <linux/printk.h>

#include <linux/objinvoke_emu.h>

#include "qtee_wire.h"

/* Debug output, chosen with the debug_mask module parameter (debug.c). */
#define OI_DBG_INVOKE	BIT(0)	/* every invocation from userspace */
#define OI_DBG_TEE	BIT(1)	/* SMC calls, callbacks, async messages */
#define OI_DBG_OBJECT	BIT(2)	/* object lifetimes */
#define OI_DBG_EMU	BIT(3)	/* the emulator device */
#define OI_DBG_SERVER	BIT(4)	/* servers and their requests */
extern unsigned int oi_debug_mask;

#define oi_dbg(mask, fmt, ...)						\
	do {								\
		if (oi_debug_mask & (mask))				\
			pr_info(fmt, ##__VA_ARGS__);			\
	} while (0)

struct seq_file;
struct vm_fault;
struct oi_object;
struct oi_invocation;
struct oi_request;
struct oi_server;
struct oi_user_call;

/*
 * Returned by an invoke or resume function instead of 0 when the
 * invocation waits for the invoking thread itself to serve a request
 * (inv->parked): the thread goes back to userspace with it and the
 * invocation resumes when the thread replies.
 */
#define OI_PARKED	1

/* The kinds of objects, for what the module shows of them (debugfs). */
enum oi_kind {
	OI_KIND_TEE,		/* hosted by the TEE (qtee_object.c) */
	OI_KIND_USER,		/* hosted by a process (server_request.c) */
	OI_KIND_MEMORY,		/* a dma-buf (memobj.c) */
	OI_KIND_MAPPING,	/* the TEE's mapping of one (memobj.c) */
	OI_KIND_CREDENTIALS,	/* svc_credentials.c */
	OI_KIND_PRIMORDIAL,	/* svc_primordial.c */
	OI_KIND_COUNT
};

/**
 * struct oi_object_ops - what a kind of object does
 * @kind:    which kind it is (oi_object_kind() names it).
 * @invoke:  carry out @inv on the object; return 0 with inv->result set
 *           to the object's answer, or a -errno when the invocation could
 *           not be carried out at all.  On success with Object_OK the
 *           callee has set the sizes of output buffers and stored one
 *           reference in each output object slot (NULL for none).
 * @resume:  carry on an invocation that returned OI_PARKED, now that its
 *           parked request was answered; returns as @invoke does.
 * @abandon: drop an invocation that returned OI_PARKED and will never be
 *           resumed (the thread's server went away).
 * @destroy: free the object; called once, when the last reference goes.
 * @show_fdinfo: optional: "key:\tvalue" lines for /proc/PID/fdinfo/FD
 *           saying which object this is (after the kind, which every
 *           object fd shows).  Reads only what cannot change, or reads
 *           it once; takes no lock that an invocation holds.
 *
 * Only objects whose invocations can park need @resume and @abandon.
 */
struct oi_object_ops {
	enum oi_kind kind;
	int (*invoke)(struct oi_object *obj, struct oi_invocation *inv);
	int (*resume)(struct oi_object *obj, struct oi_invocation *inv);
	void (*abandon)(struct oi_object *obj, struct oi_invocation *inv);
	void (*destroy)(struct oi_object *obj);
	void (*show_fdinfo)(struct oi_object *obj, struct seq_file *m);
};

/**
 * struct oi_object - anything a process can hold as an fd
 * @ref: references: one per object fd (struct file) and one per holder
 *       inside the kernel (the TEE's NS table, an invocation in flight).
 * @ops: invariant after init.
 */
struct oi_object {
	struct kref ref;
	const struct oi_object_ops *ops;
};

void oi_object_init(struct oi_object *obj, const struct oi_object_ops *ops);
/* Take a reference; each get names its put. */
static inline struct oi_object *oi_object_get(struct oi_object *obj)
{
	kref_get(&obj->ref);
	return obj;
}

void oi_object_put(struct oi_object *obj);
const char *oi_kind_name(enum oi_kind kind);
const char *oi_object_kind(const struct oi_object *obj);
long oi_objects_live(enum oi_kind kind);

/* Object fds (object_fd.c). */
struct oi_object *oi_object_from_fd(int fd);
struct file *oi_object_file(struct oi_object *obj);
struct file *oi_object_out_file(struct oi_object *obj, u32 *flags);

/* What every ioctl of the module shares (ioctl_abi.c). */
bool oi_ioctl_matches(unsigned int cmd, unsigned int ref);
int oi_copy_struct_in(void *k, size_t ksize, size_t min, unsigned int cmd,
		      void __user *uarg);
int oi_install_for_user(struct file *file, void *k, size_t ksize, u32 *fd,
			void __user *uarg);

/* One argument of an invocation, in the kernel's own form. */
struct oi_arg {
	union {
		struct {
			void *kptr;		/* when !inv->user_bufs */
			void __user *uptr;	/* when inv->user_bufs */
			size_t size;
		} b;
		struct oi_object *o;		/* NULL is the NULL object */
	};
};

/**
 * struct oi_invocation - one call of an object
 * @op:        operation.
 * @counts:    ObjectCounts; validated before any invoke function sees it.
 * @user_bufs: buffers are __user pointers of the invoking process (the
 *             Mink REMOTE_BUFS idea): read and write them only through
 *             oi_arg_read() and oi_arg_write().
 * @from_user: the invocation came through the invoke ioctl (policy checks
 *             for the TEE's root object apply).
 * @result:    out: the object's answer (Object_OK, an error code).
 * @serve:     requests for objects of this server that this invocation
 *             causes come back to the invoking thread (NULL: none do).
 * @parked:    when the invocation returned OI_PARKED: the request the
 *             invoking thread is to serve.
 * @park_ctx:  the parked callee's own state, for its resume function.
 * @args:      ordered BI, BO, IO, OO.  Input objects are borrowed for the
 *             call; output objects are references handed to the caller.
 */
struct oi_invocation {
	u32 op;
	u32 counts;
	bool user_bufs;
	bool from_user;
	int result;
	struct oi_server *serve;
	struct oi_request *parked;
	void *park_ctx;
	struct oi_arg args[QTEE_MAX_ARGS];
};

/* Reading and finishing an invocation (invocation.c). */
int oi_arg_read(struct oi_invocation *inv, unsigned int i, void *dst,
		size_t len);
int oi_arg_write(struct oi_invocation *inv, unsigned int i, const void *src,
		 size_t len);
void oi_invocation_put_in_objects(struct oi_invocation *inv);
void oi_invocation_put_out_objects(struct oi_invocation *inv);
int oi_errno_to_result(int err);

/* Servers and the objects processes host (server_fd.c, server_request.c). */
struct file *oi_server_new_file(void);
struct oi_server *oi_server_from_fd(int fd);
void oi_server_put(struct oi_server *srv);
int oi_server_depth(struct oi_server *srv);
void oi_servers_show(struct seq_file *m);
int oi_server_park(struct oi_server *srv, struct oi_request *req,
		   struct oi_user_call *uc, void __user *ureq,
		   u32 __user *ustate);

/* The invoke ioctl, and carrying on parked invocations (invoke_ioctl.c). */
long oi_invoke_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long oi_invoke_continue(struct oi_user_call *uc);
void oi_invoke_abandon(struct oi_user_call *uc);

/* The QTEE transport (qtee_ns.c, qtee_object.c). */
struct oi_object *qtee_root_object(void);
bool qtee_object_is_tee(struct oi_object *obj);
int qtee_init(void);
void qtee_exit(void);

/* Memory objects and the TEE's mappings of them (memobj.c). */
struct oi_object *oi_memobj_from_fd(int fd);
struct file *oi_memobj_file(struct oi_object *obj);
bool oi_object_is_memory(struct oi_object *obj);
int oi_map_region(struct oi_invocation *inv);
vm_fault_t oi_bridge_fault(struct vm_fault *vmf);
int oi_bridge_check(pgoff_t pgoff, unsigned long npages, bool write);
void oi_bridge_set_revoke(void (*revoke)(u64 start, u64 len));
int oi_memory_init(void);
void oi_memory_exit(void);

/* Kernel services. */
extern struct oi_object oi_primordial;
struct oi_object *oi_credentials_create(void);
bool oi_object_is_credentials(struct oi_object *obj);

/* The emulator backend. */
int backend_emu_init(void);
/* /sys/kernel/debug/objinvoke (debugfs.c), with the test points. */
int oi_debugfs_init(void);
void oi_debugfs_exit(void);
void backend_emu_exit(void);

#endif /* OBJINVOKE_H */
