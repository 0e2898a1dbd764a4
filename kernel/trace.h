/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * objinvoke's tracepoints (docs/tracing.md): the invocations a process
 * makes, the callbacks the TEE makes into normal-world objects, the end of
 * each object, and the memory the TEE maps.  They cost nothing while
 * disabled (a static key per event) and are read with the standard tools:
 * tracefs, trace-cmd, perf.
 *
 * Objects are named by their address, which the trace buffer keeps raw
 * and prints hashed (%p): stable within one boot, so an invoke, its
 * callbacks and the object's release can be matched up, and never a
 * kernel address in the output.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM objinvoke

#if !defined(OBJINVOKE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define OBJINVOKE_TRACE_H

#include <linux/tracepoint.h>

#include "internal.h"

/*
 * Kinds are copied (a module's strings may be gone when the buffer is
 * read), into a fixed array: __string()'s helpers changed in Linux 6.10.
 */
#define OI_TRACE_KIND_LEN	12

/* OBJINVOKE_IOC_INVOKE on an object fd, before the object runs. */
TRACE_EVENT(objinvoke_invoke,
	TP_PROTO(const struct oi_object *obj, u32 op, u32 counts),
	TP_ARGS(obj, op, counts),
	TP_STRUCT__entry(
		__field(const void *, obj)
		__array(char, kind, OI_TRACE_KIND_LEN)
		__field(u32, op)
		__field(u32, counts)
	),
	TP_fast_assign(
		__entry->obj = obj;
		strscpy(__entry->kind, oi_object_kind(obj), OI_TRACE_KIND_LEN);
		__entry->op = op;
		__entry->counts = counts;
	),
	TP_printk("obj=%p kind=%s op=%#x counts=%#x", __entry->obj,
		  __entry->kind, __entry->op, __entry->counts)
);

/*
 * The same invocation's end: @err is the ioctl's errno (0 when the object
 * answered), @result the object's answer (meaningful when @err is 0).
 * Parked stretches (the thread serving a callback) lie in between.
 */
TRACE_EVENT(objinvoke_invoke_done,
	TP_PROTO(const struct oi_object *obj, u32 op, int err, s32 result),
	TP_ARGS(obj, op, err, result),
	TP_STRUCT__entry(
		__field(const void *, obj)
		__field(u32, op)
		__field(int, err)
		__field(s32, result)
	),
	TP_fast_assign(
		__entry->obj = obj;
		__entry->op = op;
		__entry->err = err;
		__entry->result = result;
	),
	TP_printk("obj=%p op=%#x err=%d result=%d", __entry->obj,
		  __entry->op, __entry->err, __entry->result)
);

/*
 * A callback request of the TEE, answered: @id is the NS ID the TEE named,
 * @obj the object it resolved to (NULL: none), @result what the TEE gets.
 */
TRACE_EVENT(objinvoke_callback,
	TP_PROTO(u32 id, const struct oi_object *obj, u32 op, s32 result),
	TP_ARGS(id, obj, op, result),
	TP_STRUCT__entry(
		__field(u32, id)
		__field(const void *, obj)
		__field(u32, op)
		__field(s32, result)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->obj = obj;
		__entry->op = op;
		__entry->result = result;
	),
	TP_printk("id=%#x obj=%p op=%#x result=%d", __entry->id,
		  __entry->obj, __entry->op, __entry->result)
);

/* The last reference of an object went: it is being destroyed. */
TRACE_EVENT(objinvoke_release,
	TP_PROTO(const struct oi_object *obj),
	TP_ARGS(obj),
	TP_STRUCT__entry(
		__field(const void *, obj)
		__array(char, kind, OI_TRACE_KIND_LEN)
	),
	TP_fast_assign(
		__entry->obj = obj;
		strscpy(__entry->kind, oi_object_kind(obj), OI_TRACE_KIND_LEN);
	),
	TP_printk("obj=%p kind=%s", __entry->obj, __entry->kind)
);

/*
 * The TEE mapped memory object @mem (map region): @window is the bridge
 * address it got, @size the dma-buf's size, @perms QTEE_PERM_* bits.
 * The matching objinvoke_unmap names the same @window.
 */
TRACE_EVENT(objinvoke_map,
	TP_PROTO(const struct oi_object *mem, u64 window, u64 size, u32 perms),
	TP_ARGS(mem, window, size, perms),
	TP_STRUCT__entry(
		__field(const void *, mem)
		__field(u64, window)
		__field(u64, size)
		__field(u32, perms)
	),
	TP_fast_assign(
		__entry->mem = mem;
		__entry->window = window;
		__entry->size = size;
		__entry->perms = perms;
	),
	TP_printk("mem=%p window=%#llx size=%llu perms=%#x", __entry->mem,
		  __entry->window, __entry->size, __entry->perms)
);

/* The TEE released a mapping: its window and pages are revoked. */
TRACE_EVENT(objinvoke_unmap,
	TP_PROTO(const struct oi_object *mem, u64 window, u64 size),
	TP_ARGS(mem, window, size),
	TP_STRUCT__entry(
		__field(const void *, mem)
		__field(u64, window)
		__field(u64, size)
	),
	TP_fast_assign(
		__entry->mem = mem;
		__entry->window = window;
		__entry->size = size;
	),
	TP_printk("mem=%p window=%#llx size=%llu", __entry->mem,
		  __entry->window, __entry->size)
);

#endif /* OBJINVOKE_TRACE_H */

/* This header is outside include/trace/events: say where it is. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
