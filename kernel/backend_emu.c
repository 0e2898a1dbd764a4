// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: the emulator backend
 *
 * On machines without a real secure world, /dev/objinvoke-emu lets one
 * privileged process (the TEE emulator) play it.  An "SMC call" becomes a
 * session in an xarray: the invoking thread queues it and sleeps
 * (killable, freezable); an emulator thread takes it with
 * OBJINVOKE_EMU_IOC_WAIT, which copies the inbound and outbound buffers
 * out, and answers with OBJINVOKE_EMU_IOC_COMPLETE, which copies the new
 * contents back and wakes the invoking thread.  The emulator only ever
 * sees copies of the two buffers: it can reach no other kernel memory,
 * which is what the SHM bridge guarantees on real hardware.
 *
 * The emulator reaches memory objects only through the emulated SHM
 * bridge: mmap() of the device at the window the TEE's map-region got.
 * Pages are handed out one by one at fault time from the live mapping
 * (memobj.c), and when the mapping is released its range of the device's
 * address space is unmapped, so the emulator loses the memory exactly
 * when the TEE would.
 *
 * A session moves NEW -> CLAIMING -> CLAIMED -> COMPLETING -> ANSWERED; an
 * SMC call that answers a callback moves RESUME -> CLAIMING -> ... in the same
 * session.  The session ID lives until the invocation is done.  A claimed
 * session belongs to the emulator thread that claimed it: only that
 * thread may complete it, and never while its WAIT is still copying the
 * call out.
 *
 * When the emulator's file is released, in this order: the generation
 * ends and every session is answered DEFUNCT (one critical section, so
 * no call of that generation is queued after it), every reference the
 * TEE held is dropped, the bridge is forgotten, and only then may another
 * emulator attach.  New calls fail with -ENODEV meanwhile.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/freezer.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "qtee.h"
#include "testpoint.h"

enum emu_state {
	EMU_NEW,	/* queued, no emulator thread has it yet */
	EMU_CLAIMING,	/* an emulator thread's WAIT is copying it out */
	EMU_CLAIMED,	/* an emulator thread works on it */
	EMU_COMPLETING,	/* its answer is being copied in */
	EMU_RESUME,	/* a callback response waits for the thread */
	EMU_ANSWERED,	/* the SMC call ended: status is valid */
};

/**
 * struct emu_dev - the emulator backend
 * @lock:     protects every field below and the state, node, session and
 *            claimer of every call in @sessions; TEE generations end
 *            under it.
 * @owner:    the emulator's file, from open until its release is done;
 *            another emulator may attach only when it is NULL.
 * @detached_wq: an emulator opening the device while the last one's
 *            release is still under way waits here for @owner to go.
 * @attached: calls may be submitted: @owner is open and not yet being
 *            released.
 * @queue:    calls in EMU_NEW, oldest first.
 * @sessions: session ID -> call, for every call the TEE has not finished.
 * @events:   bumped whenever a new call is queued or a session ends, so
 *            a waiting emulator thread knows to look again.
 * @wq:       emulator threads wait here for @events to change.
 * @resumes:  bumped whenever a callback response is ready or a session
 *            ends.  Apart from @events so that the threads waiting for new
 *            work (most of the pool) are not woken by every callback.
 * @resume_wq: threads waiting for a callback response wait here.
 * @map_lock: protects @mapping.
 * @mapping:  the attached emulator's device address space, where its
 *            bridge mmaps live; NULL when none is attached.
 */
static struct emu_dev {
	struct mutex lock;	/* see above */
	struct file *owner;
	wait_queue_head_t detached_wq;
	bool attached;
	struct list_head queue;
	struct xarray sessions;
	atomic_t events;
	wait_queue_head_t wq;
	atomic_t resumes;
	wait_queue_head_t resume_wq;
	struct mutex map_lock;	/* protects @mapping */
	struct address_space *mapping;
} emu = {
	.lock = __MUTEX_INITIALIZER(emu.lock),
	.detached_wq = __WAIT_QUEUE_HEAD_INITIALIZER(emu.detached_wq),
	.queue = LIST_HEAD_INIT(emu.queue),
	.sessions = XARRAY_INIT(emu.sessions, XA_FLAGS_ALLOC1),
	.events = ATOMIC_INIT(0),
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(emu.wq),
	.resumes = ATOMIC_INIT(0),
	.resume_wq = __WAIT_QUEUE_HEAD_INITIALIZER(emu.resume_wq),
	.map_lock = __MUTEX_INITIALIZER(emu.map_lock),
};

/* Tell emulator threads waiting for new work that something changed. */
static void emu_event_locked(void)
{
	lockdep_assert_held(&emu.lock);
	atomic_inc(&emu.events);
	wake_up_all(&emu.wq);
}

/* Tell threads waiting for callback responses that something changed. */
static void emu_resume_event_locked(void)
{
	lockdep_assert_held(&emu.lock);
	atomic_inc(&emu.resumes);
	wake_up_all(&emu.resume_wq);
}

/* The session is no emulator thread's any more. */
static void emu_unclaim_locked(struct qtee_call *call)
{
	lockdep_assert_held(&emu.lock);
	put_pid(call->claimer);	/* get: emu_claim_locked() */
	call->claimer = NULL;
}

static void emu_answer_locked(struct qtee_call *call, enum qtee_status status)
{
	lockdep_assert_held(&emu.lock);
	emu_unclaim_locked(call);
	call->status = status;
	if (status != QTEE_CALL_CALLBACK) {
		xa_erase(&emu.sessions, call->session);
		emu_event_locked();
		emu_resume_event_locked();
	}
	/* Pairs with the acquire in emu_wait(): status before state. */
	smp_store_release(&call->state, EMU_ANSWERED);
	wake_up(&call->wq);
}

static int emu_submit(struct qtee_call *call)
{
	int ret = 0;

	mutex_lock(&emu.lock);
	/* Under the lock generations end under: see qtee_generation_end(). */
	if (!emu.attached || call->generation != qtee_generation()) {
		ret = -ENODEV;
	} else if (call->resume) {
		/* Its session lives while its generation does; be sure. */
		if (xa_load(&emu.sessions, call->session) != call) {
			ret = -ENODEV;
		} else {
			call->state = EMU_RESUME;
			emu_resume_event_locked();
		}
	} else {
		ret = xa_alloc(&emu.sessions, &call->session, call,
			       xa_limit_32b, GFP_KERNEL_ACCOUNT);
		if (!ret) {
			call->state = EMU_NEW;
			list_add_tail(&call->node, &emu.queue);
			emu_event_locked();
		}
	}
	mutex_unlock(&emu.lock);
	return ret;
}

static bool emu_answered(struct qtee_call *call)
{
	/* Pairs with emu_answer_locked(): see status once state says so. */
	return smp_load_acquire(&call->state) == EMU_ANSWERED;
}

/* Take back a call no emulator thread has taken yet: whether it was. */
static bool emu_withdraw(struct qtee_call *call)
{
	bool withdrawn;

	mutex_lock(&emu.lock);
	withdrawn = call->state == EMU_NEW && !list_empty(&call->node);
	if (withdrawn) {
		list_del_init(&call->node);
		xa_erase(&emu.sessions, call->session);
	}
	mutex_unlock(&emu.lock);
	return withdrawn;
}

/*
 * The answer is stored and its waiter woken under emu.lock, and a waiter
 * may see the answer before the wake_up() is done: take the lock once, so
 * that the answering thread has let go of the call (its wait queue
 * included) before our caller frees it.
 */
static int emu_answer_seen(void)
{
	mutex_lock(&emu.lock);
	mutex_unlock(&emu.lock);
	return 0;
}

static int emu_wait(struct qtee_call *call, enum qtee_wait mode)
{
	if (mode == QTEE_WAIT_IDLE) {
		/* Abandoned calls and releases: a worker, no signals to see. */
		wait_event_idle(call->wq, emu_answered(call));
		return emu_answer_seen();
	}
	if (mode == QTEE_WAIT_INTERRUPTIBLE &&
	    wait_event_freezable(call->wq, emu_answered(call)) &&
	    emu_withdraw(call))
		return -ERESTARTSYS;
	/* The TEE has it: only a fatal signal stops the wait now. */
	if (___wait_event(call->wq, emu_answered(call),
			  (TASK_KILLABLE | TASK_FREEZABLE), 0, 0, schedule()))
		return -EINTR;
	return emu_answer_seen();
}

/*
 * Who plays the TEE, and where the calls are: "queued" wait for a secure
 * thread, "in-tee" were taken by one and are not finished (some of them
 * parked on a callback to the normal world).
 */
static void emu_show(struct seq_file *m)
{
	unsigned int queued = 0, sessions = 0;
	struct qtee_call *call;
	unsigned long id;
	bool attached;

	mutex_lock(&emu.lock);
	attached = emu.attached;
	list_for_each_entry(call, &emu.queue, node)
		queued++;
	xa_for_each(&emu.sessions, id, call)
		sessions++;
	mutex_unlock(&emu.lock);
	seq_printf(m, "backend: emulator, %s\n",
		   attached ? "attached" : "not attached");
	seq_printf(m, "calls: queued %u in-tee %u\n", queued,
		   sessions - queued);
}

static const struct qtee_backend_ops emu_backend_ops = {
	.show = emu_show,
	.submit = emu_submit,
	.wait = emu_wait,
};

/* The call an emulator thread may take now, or NULL. */
static struct qtee_call *emu_claim_locked(u64 session)
{
	struct qtee_call *call;

	lockdep_assert_held(&emu.lock);
	if (!session) {
		call = list_first_entry_or_null(&emu.queue, struct qtee_call,
						node);
		if (call)
			list_del_init(&call->node);
	} else {
		call = session > U32_MAX ? NULL : xa_load(&emu.sessions, session);
		if (call && call->state != EMU_RESUME)
			call = NULL;
	}
	if (call) {
		/* Not yet completable: see emu_claimed(). */
		call->state = EMU_CLAIMING;
		call->claimer = get_pid(task_pid(current));	/* put: emu_unclaim_locked() */
	}
	return call;
}

/* WAIT copied the call out: its thread may complete it now. */
static void emu_claimed(struct qtee_call *call)
{
	mutex_lock(&emu.lock);
	call->state = EMU_CLAIMED;
	mutex_unlock(&emu.lock);
}

/* Give a claimed call back, as it was, after a failed copy. */
static void emu_unclaim(struct qtee_call *call, u64 session)
{
	mutex_lock(&emu.lock);
	emu_unclaim_locked(call);
	if (session) {
		call->state = EMU_RESUME;
		emu_resume_event_locked();
	} else {
		call->state = EMU_NEW;
		list_add(&call->node, &emu.queue);
		emu_event_locked();
	}
	mutex_unlock(&emu.lock);
}

static bool emu_session_gone(u64 session)
{
	return session > U32_MAX || !xa_load(&emu.sessions, session);
}

static long emu_ioctl_wait(void __user *uarg, unsigned int cmd)
{
	struct objinvoke_emu_call k;
	struct qtee_call *call;
	u64 session;
	int ret;

	ret = oi_copy_struct_in(&k, sizeof(k), sizeof(k), cmd, uarg);
	if (ret)
		return ret;
	if (k.flags)
		return -EINVAL;
	session = k.session;

	for (;;) {
		atomic_t *counter = session ? &emu.resumes : &emu.events;
		/* Sampled before looking, so no change can slip in between. */
		int seen = atomic_read(counter);

		mutex_lock(&emu.lock);
		call = emu_claim_locked(session);
		mutex_unlock(&emu.lock);
		if (call)
			break;
		if (session && emu_session_gone(session))
			return -ENOENT;
		if (wait_event_freezable(*(session ? &emu.resume_wq : &emu.wq),
					 atomic_read(counter) != seen))
			return -EINTR;
	}

	ret = -ENOSPC;
	if (k.out_size < QTEE_OUTBOUND_SIZE ||
	    (!session && k.in_size < call->in_cap))
		goto out_unclaim;
	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(k.outbound), call->outbound,
			 QTEE_OUTBOUND_SIZE))
		goto out_unclaim;
	if (!session && copy_to_user(u64_to_user_ptr(k.inbound),
				     call->inbound, call->in_cap))
		goto out_unclaim;

	k.session = call->session;
	k.kind = session ? OBJINVOKE_EMU_CALL_RESUME : OBJINVOKE_EMU_CALL_INVOKE;
	k.in_size = session ? 0 : call->in_cap;
	k.out_size = QTEE_OUTBOUND_SIZE;
	if (copy_to_user(uarg, &k, min_t(size_t, sizeof(k), _IOC_SIZE(cmd))))
		goto out_unclaim;
	oi_dbg(OI_DBG_EMU, "session %u taken (%s)\n", call->session,
	       session ? "resume" : "invoke");
	emu_claimed(call);
	return 0;

out_unclaim:
	emu_unclaim(call, session);
	return ret;
}

/* Copy the emulator's answer into the call's buffers. */
static int emu_copy_answer(struct qtee_call *call,
			   const struct objinvoke_emu_done *k)
{
	if (k->in_size > call->in_cap || k->out_size > QTEE_OUTBOUND_SIZE)
		return -EINVAL;
	if (k->status == OBJINVOKE_EMU_DONE &&
	    copy_from_user(call->inbound, u64_to_user_ptr(k->inbound),
			   k->in_size))
		return -EFAULT;
	if (copy_from_user(call->outbound, u64_to_user_ptr(k->outbound),
			   k->out_size))
		return -EFAULT;
	/* What the TEE did not write is zero: no stale bytes are reparsed. */
	memset(call->outbound + k->out_size, 0,
	       QTEE_OUTBOUND_SIZE - k->out_size);
	return 0;
}

static long emu_ioctl_complete(void __user *uarg, unsigned int cmd)
{
	struct objinvoke_emu_done k;
	enum qtee_status status;
	struct qtee_call *call;
	int ret;

	ret = oi_copy_struct_in(&k, sizeof(k), sizeof(k), cmd, uarg);
	if (ret)
		return ret;
	if (k.reserved || !k.session || k.session > U32_MAX)
		return -EINVAL;

	mutex_lock(&emu.lock);
	call = xa_load(&emu.sessions, k.session);
	/* Only the thread that holds the session, once WAIT is done. */
	if (call && call->state == EMU_CLAIMED &&
	    call->claimer == task_pid(current))
		call->state = EMU_COMPLETING;
	else
		call = NULL;
	mutex_unlock(&emu.lock);
	if (!call)
		return -ENOENT;

	switch (k.status) {
	case OBJINVOKE_EMU_DONE:
		status = QTEE_CALL_DONE;
		break;
	case OBJINVOKE_EMU_CALLBACK:
		status = QTEE_CALL_CALLBACK;
		break;
	default:
		status = QTEE_CALL_BADMSG;
		ret = -EINVAL;
		break;
	}
	if (!ret)
		ret = emu_copy_answer(call, &k);
	if (ret == -EFAULT) {
		/* The emulator's own mistake: let it try again. */
		mutex_lock(&emu.lock);
		call->state = EMU_CLAIMED;
		mutex_unlock(&emu.lock);
		return ret;
	}
	if (ret)
		status = QTEE_CALL_BADMSG;

	mutex_lock(&emu.lock);
	call->result = (s32)k.result;
	emu_answer_locked(call, status);
	mutex_unlock(&emu.lock);
	oi_dbg(OI_DBG_EMU, "session %llu answered: status %u result %d\n",
	       k.session, k.status, (s32)k.result);
	return ret;
}

static long emu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (oi_ioctl_matches(cmd, OBJINVOKE_EMU_IOC_WAIT))
		return emu_ioctl_wait(uarg, cmd);
	if (oi_ioctl_matches(cmd, OBJINVOKE_EMU_IOC_COMPLETE))
		return emu_ioctl_complete(uarg, cmd);
	return -ENOTTY;
}

/* ---- the emulated SHM bridge ---- */

/* Looked up at every fault: a revoked window faults SIGBUS (memobj.c). */
static const struct vm_operations_struct emu_bridge_vm_ops = {
	.fault = oi_bridge_fault,
};

static int emu_mmap(struct file *file, struct vm_area_struct *vma)
{
	bool write = vma->vm_flags & VM_WRITE;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;	/* the TEE's view is the memory itself */
	ret = oi_bridge_check(vma->vm_pgoff, vma_pages(vma), write);
	if (ret)
		return ret;
	if (!write) {
		/* A read-only region stays read-only under mprotect() too. */
		vma->vm_flags &= ~VM_MAYWRITE;
	}
	/* MIXEDMAP: the fault inserts the pages itself (oi_bridge_fault()). */
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP | VM_MIXEDMAP;
	vma->vm_ops = &emu_bridge_vm_ops;
	return 0;
}

/* A mapping went: the emulator's view of its window goes with it. */
static void emu_bridge_revoke(u64 start, u64 len)
{
	mutex_lock(&emu.map_lock);
	if (emu.mapping)
		unmap_mapping_range(emu.mapping, start, len, 1);
	mutex_unlock(&emu.map_lock);
}

/* Become the attached emulator: 0, -EBUSY, or -EINTR (killed waiting). */
static int emu_attach(struct file *file)
{
	bool detaching;

	for (;;) {
		mutex_lock(&emu.lock);
		if (!emu.owner) {
			emu.owner = file;
			/* The last emulator's release has forgotten its mapping. */
			mutex_lock(&emu.map_lock);
			emu.mapping = file->f_mapping;
			mutex_unlock(&emu.map_lock);
			emu.attached = true;
			mutex_unlock(&emu.lock);
			return 0;
		}
		detaching = !emu.attached;
		mutex_unlock(&emu.lock);
		/* A restart meets the last release still dropping references. */
		if (!detaching)
			return -EBUSY;
		if (wait_event_killable(emu.detached_wq, !READ_ONCE(emu.owner)))
			return -EINTR;
	}
}

static int emu_open(struct inode *inode, struct file *file)
{
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = emu_attach(file);
	if (ret)
		return ret;
	pr_info("TEE emulator attached (pid %d)\n", task_tgid_nr(current));
	return nonseekable_open(inode, file);
}

static int emu_release(struct inode *inode, struct file *file)
{
	struct qtee_call *call;
	unsigned long id;

	mutex_lock(&emu.lock);
	/* One critical section: no call of this generation is queued after. */
	emu.attached = false;
	qtee_generation_end();
	xa_for_each(&emu.sessions, id, call) {
		list_del_init(&call->node);
		emu_answer_locked(call, QTEE_CALL_DEFUNCT);
	}
	mutex_unlock(&emu.lock);
	/* Everything the dead TEE held is dropped; its IDs mean nothing now. */
	qtee_ns_flush();
	/* Released only once no mmap of the device is left: none to revoke. */
	mutex_lock(&emu.map_lock);
	emu.mapping = NULL;
	mutex_unlock(&emu.map_lock);
	/* Only now may the next emulator attach. */
	mutex_lock(&emu.lock);
	emu.owner = NULL;
	mutex_unlock(&emu.lock);
	wake_up_all(&emu.detached_wq);
	pr_info("TEE emulator detached\n");
	return 0;
}

static const struct file_operations emu_fops = {
	.owner = THIS_MODULE,
	.open = emu_open,
	.release = emu_release,
	.unlocked_ioctl = emu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = emu_mmap,
	.llseek = no_llseek,
};

static struct miscdevice emu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "objinvoke-emu",
	.fops = &emu_fops,
	.mode = 0600,
};

int backend_emu_init(void)
{
	qtee_set_backend(&emu_backend_ops);
	oi_bridge_set_revoke(emu_bridge_revoke);
	return misc_register(&emu_misc);
}

void backend_emu_exit(void)
{
	misc_deregister(&emu_misc);
}
