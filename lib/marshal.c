// SPDX-License-Identifier: MIT
/*
 * Marshaling one invocation of a remote object into the argument array
 * of OBJINVOKE_IOC_INVOKE, and the kernel's answer back into the caller's
 * ObjectArg array (remote_invoke.c makes the call in between).
 *
 * The caller's array is only written when the whole answer was accepted:
 * on any failure output sizes and objects are left as they were and every
 * fd the kernel installed for us is closed, so a failed call leaks nothing.
 */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <linux/objinvoke.h>

#include "libobject_private.h"

static int32_t marshal_bufs(const ObjectArg *args, ObjectCounts k,
			    struct objinvoke_arg *ka)
{
	uint64_t bytes = 0;
	size_t i;

	for (i = 0; i < ObjectCounts_numBuffers(k); i++) {
		/* bi and b share one layout; bi reads both kinds. */
		const void *ptr = args[i].bi.ptr;
		size_t size = args[i].bi.size;

		if (!ptr && size) {
			objinvoke_log("buffer argument %zu: NULL with size %zu",
				      i, size);
			return Object_ERROR_INVALID;
		}
		/* The kernel checks this too; failing here saves a syscall. */
		if (size > OBJINVOKE_MAX_BUF_BYTES - bytes) {
			objinvoke_log("buffers exceed %u bytes",
				      OBJINVOKE_MAX_BUF_BYTES);
			return Object_ERROR_MAXDATA;
		}
		bytes += size;
		ka[i].addr = (uintptr_t)ptr;
		ka[i].size = size;
	}
	return Object_OK;
}

void objinvoke_marshal_close_exported(ObjectCounts k,
				      const struct objinvoke_arg *ka,
				      const bool *exported)
{
	size_t i, first = ObjectCounts_indexOI(k);

	for (i = 0; i < ObjectCounts_numOI(k); i++)
		if (exported[i])
			close((int)ka[first + i].fd);
}

/*
 * Remote input objects lend their fd, memory objects their dma-buf fd
 * (the kernel makes a memory object of it).  A local one is exported
 * through the process's server: the fd opened for it is this call's,
 * closed after the call; the kernel object lives on while anyone else
 * holds it.
 */
static int32_t marshal_in_objs(const ObjectArg *args, ObjectCounts k,
			       struct objinvoke_arg *ka, bool *exported)
{
	size_t i, first = ObjectCounts_indexOI(k);
	int32_t r;
	int fd;

	for (i = 0; i < ObjectCounts_numOI(k); i++) {
		Object o = args[first + i].o;

		if (Object_isNull(o))
			continue;	/* stays OBJINVOKE_FD_NONE */
		fd = objinvoke_object_fd(o);
		if (fd >= 0) {
			ka[first + i].fd = (uint32_t)fd;
			continue;
		}
		r = objinvoke_server_export(o, &fd);
		if (r) {
			objinvoke_log("input object %zu: export failed: %d",
				      i, (int)r);
			objinvoke_marshal_close_exported(k, ka, exported);
			return r;
		}
		ka[first + i].fd = (uint32_t)fd;
		exported[i] = true;
	}
	return Object_OK;
}

int32_t objinvoke_marshal_in(const ObjectArg *args, ObjectCounts k,
			     struct objinvoke_arg *ka, bool *exported)
{
	size_t i, n = ObjectCounts_total(k);
	int32_t r;

	if (k >> 16) {
		objinvoke_log("counts 0x%x: upper 16 bits set", (unsigned int)k);
		return Object_ERROR_INVALID;
	}
	if (n && !args) {
		objinvoke_log("%zu arguments but no argument array", n);
		return Object_ERROR_INVALID;
	}
	memset(ka, 0, n * sizeof(*ka));
	for (i = 0; i < n; i++)
		ka[i].fd = OBJINVOKE_FD_NONE;	/* output objects included */

	r = marshal_bufs(args, k, ka);
	if (r)
		return r;
	return marshal_in_objs(args, k, ka, exported);
}

static bool fd_is_installed(uint32_t fd)
{
	return fd != OBJINVOKE_FD_NONE && fd <= INT_MAX;
}

/*
 * Check what the kernel wrote before using any of it: an output size above
 * what was reserved, or an fd no process can have, is a broken kernel.
 */
static int32_t check_out(const ObjectArg *args, ObjectCounts k,
			 const struct objinvoke_arg *ka)
{
	size_t i, bo = ObjectCounts_indexBO(k), oo = ObjectCounts_indexOO(k);

	for (i = bo; i < bo + ObjectCounts_numBO(k); i++) {
		if (ka[i].size > args[i].b.size) {
			objinvoke_log("output buffer %zu grew from %zu to %llu",
				      i - bo, args[i].b.size,
				      (unsigned long long)ka[i].size);
			return Object_ERROR_REMOTE;
		}
	}
	for (i = oo; i < oo + ObjectCounts_numOO(k); i++) {
		if (ka[i].fd != OBJINVOKE_FD_NONE && !fd_is_installed(ka[i].fd)) {
			objinvoke_log("output object %zu: bad fd %u", i - oo,
				      (unsigned int)ka[i].fd);
			return Object_ERROR_REMOTE;
		}
		/* An fd of a kind we do not know cannot be wrapped right. */
		if (ka[i].flags & ~OBJINVOKE_ARG_MEMORY) {
			objinvoke_log("output object %zu: unknown flags 0x%x",
				      i - oo, (unsigned int)ka[i].flags);
			return Object_ERROR_REMOTE;
		}
	}
	return Object_OK;
}

/*
 * Wrap every output fd (a dma-buf flagged OBJINVOKE_ARG_MEMORY becomes a
 * mapped memory object), or (on any failure) close and release them all.
 */
static int32_t wrap_out_objs(ObjectCounts k, const struct objinvoke_arg *ka,
			     int32_t r, Object *out)
{
	size_t i, oo = ObjectCounts_indexOO(k), n = ObjectCounts_numOO(k);

	for (i = 0; i < n; i++) {
		uint32_t fd = ka[oo + i].fd;

		out[i] = Object_NULL;
		if (!fd_is_installed(fd))
			continue;
		if (r == Object_OK)
			r = objinvoke_object_from_kernel((int)fd,
							 ka[oo + i].flags,
							 &out[i]);
		else
			close((int)fd);
	}
	if (r == Object_OK)
		return r;
	for (i = 0; i < n; i++)
		Object_RELEASE_IF(out[i]);
	return r;
}

int32_t objinvoke_unmarshal_out(ObjectArg *args, ObjectCounts k,
				const struct objinvoke_arg *ka)
{
	Object out[OBJINVOKE_MAX_ARGS_PER_KIND];
	size_t i, bo = ObjectCounts_indexBO(k), oo = ObjectCounts_indexOO(k);
	int32_t r;

	r = wrap_out_objs(k, ka, check_out(args, k, ka), out);
	if (r)
		return r;
	for (i = 0; i < ObjectCounts_numBO(k); i++)
		args[bo + i].b.size = ka[bo + i].size;
	for (i = 0; i < ObjectCounts_numOO(k); i++)
		args[oo + i].o = out[i];
	return Object_OK;
}
