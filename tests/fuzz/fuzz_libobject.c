// SPDX-License-Identifier: MIT
/*
 * libobject's marshaling and request serving against an arbitrary kernel:
 * the libFuzzer target `libobject` (docs/fuzzing.md).
 *
 * An input is a program (lib_prog.h) of calls of a remote object, with
 * every kind of argument (local objects among the inputs, so the process
 * exports them), and of serving what waits; the kernel's answer to each
 * syscall the library makes comes from the program too (lib_kernel.c):
 * INVOKE results, output sizes and fds, requests for the invoking thread
 * or from the server's queue with their argument arrays and buffers,
 * SERVER_ADD and SERVER_GET answers, errnos.  The local objects the
 * requests reach answer as the program says.
 *
 * What must hold, besides ASan and UBSan (and what lib_kernel.c checks of
 * each syscall):
 * - a call the library must refuse reaches no ioctl and fails;
 * - a successful call hands the caller exactly what the kernel wrote;
 *   a failed one leaves the caller's array as it was, and fails only
 *   when the kernel failed it or answered something malformed;
 * - a local object sees the request's arguments exactly (input bytes in
 *   place, zeroed output space, its input objects' fds);
 * - at the end, once the program let go of everything and every
 *   registration was released, each local object is back to the one
 *   reference the program holds, and every fd was closed exactly once.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counting_obj.h"
#include "fuzz_check.h"
#include "lib_kernel.h"
#include "lib_prog.h"
#include "libobject_private.h"

#define LF_MAX_HELD	32U
#define LF_HUGE		(5U << 20)

static struct counting_obj locals[LP_NLOCALS];
static Object local_obj[LP_NLOCALS];
static int retains_seen[LP_NLOCALS];
static Object target;
/* Objects the program holds a reference to: outputs, kept inputs. */
static Object held[LF_MAX_HELD];
static unsigned int n_held;

static void hold(Object o)
{
	if (Object_isNull(o))
		return;
	if (n_held < LF_MAX_HELD)
		held[n_held++] = o;
	else
		Object_release(o);
}

/*
 * Every SERVER_ADD follows the library's Object_retain() of the object it
 * registers, and nothing else retains a local object behind our back.
 */
int lf_local_being_exported(void)
{
	int i, found = -1, now;

	for (i = 0; i < LP_NLOCALS; i++) {
		now = atomic_load(&locals[i].retains);
		if (now == retains_seen[i])
			continue;
		FZ_CHECK(found < 0 && now == retains_seen[i] + 1);
		retains_seen[i] = now;
		found = i;
	}
	return found;
}

static Object retain_local(int i)
{
	Object_retain(local_obj[i]);
	retains_seen[i] = atomic_load(&locals[i].retains);
	return local_obj[i];
}

/* A memory object over a new memory fd, as the kernel hands one out. */
static Object new_memory(void)
{
	Object o;

	FZ_CHECK(objinvoke_object_from_kernel((int)lk_install(LK_FD_MEMFD),
					      OBJINVOKE_ARG_MEMORY, &o) == 0);
	return o;
}

/*
 * An input object of a call, borrowed; *@made: a memory object made for
 * it, to release after the call.
 */
static Object in_object(uint8_t sel, Object *made)
{
	*made = Object_NULL;
	if (sel == LP_OBJ_TARGET)
		return target;
	if (sel >= LP_OBJ_LOCAL && sel < LP_OBJ_LOCAL + LP_NLOCALS)
		return local_obj[sel - LP_OBJ_LOCAL];
	if (sel == LP_OBJ_MEMORY)
		return *made = new_memory();
	if (sel >= LP_OBJ_HELD && n_held)
		return held[(sel - LP_OBJ_HELD) % n_held];
	return Object_NULL;
}

/* An output object of a local object, with the reference it hands over. */
static Object out_object(uint8_t sel, uint32_t *fd)
{
	Object o = Object_NULL;
	int own;

	*fd = OBJINVOKE_FD_NONE;
	if (sel == LP_OBJ_TARGET) {
		/* In an output: a new remote object. */
		*fd = lk_install(LK_FD_OBJECT);
		FZ_CHECK(objinvoke_object_from_fd((int)*fd, &o) == 0);
		return o;
	}
	if (sel >= LP_OBJ_LOCAL && sel < LP_OBJ_LOCAL + LP_NLOCALS) {
		*fd = LK_OO_EXPORT;
		return retain_local(sel - LP_OBJ_LOCAL);
	}
	if (sel == LP_OBJ_MEMORY)
		o = new_memory();
	else if (sel >= LP_OBJ_HELD && n_held)
		o = held[(sel - LP_OBJ_HELD) % n_held];
	else
		return o;
	if (sel != LP_OBJ_MEMORY)
		Object_retain(o);
	own = objinvoke_object_fd(o);
	*fd = own >= 0 ? (uint32_t)own : LK_OO_EXPORT;
	return o;
}

static void do_call(struct fz_in *prog);

/* What a local object is handed is exactly what the request said. */
static void check_args(const struct lk_req *r, const ObjectArg *a,
		       ObjectCounts k)
{
	size_t i, j, bo = ObjectCounts_indexBO(k), oi = ObjectCounts_indexOI(k);
	size_t oo = ObjectCounts_indexOO(k);
	const uint8_t *p;

	for (i = 0; i < ObjectCounts_numBI(k); i++) {
		FZ_CHECK(a[i].bi.size == r->bi_len[i]);
		if (!a[i].bi.size)
			continue;
		p = a[i].bi.ptr;
		FZ_CHECK(p == r->buf + r->bi_off[i]);
		for (j = 0; j < a[i].bi.size; j++)
			FZ_CHECK(p[j] == (uint8_t)((r->bi_off[i] + j) * 7 + 1));
	}
	for (i = 0; i < ObjectCounts_numBO(k); i++) {
		FZ_CHECK(a[bo + i].b.size == r->bo_cap[i]);
		p = a[bo + i].b.ptr;
		for (j = 0; j < a[bo + i].b.size; j++)
			FZ_CHECK(p[j] == 0);
	}
	for (i = 0; i < ObjectCounts_numOI(k); i++) {
		if (r->io_fd[i] == OBJINVOKE_FD_NONE)
			FZ_CHECK(Object_isNull(a[oi + i].o));
		else
			FZ_CHECK(objinvoke_object_fd(a[oi + i].o) ==
				 (int)r->io_fd[i]);
	}
	for (i = 0; i < ObjectCounts_numOO(k); i++)
		FZ_CHECK(Object_isNull(a[oo + i].o));
}

/* A local object called with the request the kernel just delivered. */
static int32_t local_handler(struct counting_obj *co, ObjectOp op,
			     ObjectArg *a, ObjectCounts k)
{
	struct lk_req *r = lk.last;
	struct fz_in *prog = lk.prog;
	size_t i, j, bo = ObjectCounts_indexBO(k), oo = ObjectCounts_indexOO(k);
	uint8_t flags;
	uint64_t n;

	/* The object the request's cookie names, and only once. */
	FZ_CHECK(r && !r->called && r->local == co - locals);
	FZ_CHECK(op == r->op && k == (r->counts & 0xFFFF));
	r->called = true;
	check_args(r, a, k);

	flags = fz_u8(prog);
	r->ans.result = flags & LP_LOCAL_FAIL ? (int32_t)fz_u32(prog) :
						Object_OK;
	if (flags & LP_LOCAL_KEEP && ObjectCounts_numOI(k) &&
	    !Object_isNull(a[ObjectCounts_indexOI(k)].o)) {
		Object_retain(a[ObjectCounts_indexOI(k)].o);
		hold(a[ObjectCounts_indexOI(k)].o);
	}
	if (flags & LP_LOCAL_NESTED)
		do_call(prog);
	for (i = 0; i < ObjectCounts_numBO(k); i++) {
		n = fz_u16(prog);
		for (j = 0; j < n && j < a[bo + i].b.size; j++)
			((uint8_t *)a[bo + i].b.ptr)[j] = (uint8_t)(j * 7 + 1);
		r->ans.bo_over |= n > a[bo + i].b.size;
		a[bo + i].b.size = r->ans.bo_size[i] = n;
	}
	/* A failed call returns no objects (Mink): it keeps nothing to give. */
	for (i = 0; i < ObjectCounts_numOO(k) && r->ans.result == Object_OK; i++)
		a[oo + i].o = out_object(fz_u8(prog), &r->ans.oo_fd[i]);
	return r->ans.result;
}

/* The library had to refuse what the kernel answered call @c. */
static bool malformed_answer(const struct lk_call *c, const ObjectArg *before)
{
	size_t i, bo = ObjectCounts_indexBO(c->k);
	uint32_t fd;

	for (i = 0; i < ObjectCounts_numBO(c->k); i++)
		if (c->bo_size[i] > before[bo + i].b.size)
			return true;
	for (i = 0; i < ObjectCounts_numOO(c->k); i++) {
		fd = c->oo_fd[i];
		if (c->oo_flags[i] & ~OBJINVOKE_ARG_MEMORY)
			return true;
		if (fd == OBJINVOKE_FD_NONE)
			continue;
		if (fd > INT_MAX || (c->oo_flags[i] & OBJINVOKE_ARG_MEMORY &&
				     !lk_fd_is(fd, LK_FD_MEMFD)))
			return true;
	}
	return false;
}

/* What the caller got back from call @c, which returned @r. */
static void check_answer(const struct lk_call *c, int32_t r, ObjectArg *args,
			 const ObjectArg *before, bool refused)
{
	size_t i, bo = ObjectCounts_indexBO(c->k), oo = ObjectCounts_indexOO(c->k);
	size_t n = ObjectCounts_total(c->k);
	Object o;

	if (refused || !c->invoked) {
		FZ_CHECK(!c->invoked && r != Object_OK);
		return;
	}
	if (r != Object_OK) {
		/* Nothing half written, nothing refused without a reason. */
		FZ_CHECK(!memcmp(args, before, n * sizeof(*args)));
		if (c->done)
			FZ_CHECK(c->result != Object_OK ? r == c->result :
				 malformed_answer(c, before));
		return;
	}
	FZ_CHECK(c->done && c->result == Object_OK &&
		 !malformed_answer(c, before));
	for (i = 0; i < ObjectCounts_numBO(c->k); i++)
		FZ_CHECK(args[bo + i].b.size == c->bo_size[i]);
	for (i = 0; i < ObjectCounts_numOO(c->k); i++) {
		o = args[oo + i].o;
		if (c->oo_fd[i] == OBJINVOKE_FD_NONE) {
			FZ_CHECK(Object_isNull(o));
			continue;
		}
		FZ_CHECK(objinvoke_object_fd(o) == (int)c->oo_fd[i]);
		FZ_CHECK(!objinvoke_memory_get(o) ==
			 !(c->oo_flags[i] & OBJINVOKE_ARG_MEMORY));
		hold(o);
	}
}

/* One call of the target, as the program describes it. */
static void do_call(struct fz_in *prog)
{
	static const uint8_t bi_data[256] = { 1, 2, 3 };
	ObjectArg args[LK_MAX_ARGS], before[LK_MAX_ARGS];
	Object made[LK_MAX_KIND] = { { NULL, NULL } };
	uint8_t bo_space[LK_MAX_KIND][256];
	struct lk_call c = { .outer = lk.call };
	bool refused, noargs;
	size_t i, bo, oi, oo;
	uint64_t size;
	uint8_t flags;
	int32_t r;

	c.op = fz_u32(prog);
	/* Retain and release would drop the program's own reference. */
	if (ObjectOp_methodID(c.op) >= Object_OP_retain)
		c.op ^= 2;
	c.k = fz_u16(prog);
	flags = fz_u8(prog);
	bo = ObjectCounts_indexBO(c.k);
	oi = ObjectCounts_indexOI(c.k);
	oo = ObjectCounts_indexOO(c.k);
	refused = ObjectOp_isLocal(c.op);
	memset(args, 0, sizeof(args));
	for (i = 0; i < ObjectCounts_numBI(c.k); i++) {
		size = fz_u8(prog);
		refused |= size == LP_BI_NULL;
		args[i].bi = size == LP_BI_NULL ? (ObjectBufIn){ NULL, 1 } :
			     (ObjectBufIn){ bi_data, size };
	}
	for (i = 0; i < ObjectCounts_numBO(c.k); i++) {
		size = fz_u8(prog);
		refused |= size == LP_BO_HUGE;
		/* Never touched at that size: the kernel refuses first. */
		args[bo + i].b = (ObjectBuf){ bo_space[i],
					      size == LP_BO_HUGE ? LF_HUGE : size };
	}
	for (i = 0; i < ObjectCounts_numOI(c.k); i++)
		args[oi + i].o = in_object(fz_u8(prog), &made[i]);
	/* A value the library must not write unless the call succeeds. */
	for (i = 0; i < ObjectCounts_numOO(c.k); i++)
		args[oo + i].o = (Object){ NULL, &c };
	if (flags & LP_CALL_UPPER) {
		c.k |= 1U << 16;
		refused = true;
	}
	noargs = flags & LP_CALL_NOARGS && ObjectCounts_total(c.k);
	refused |= noargs;
	memcpy(before, args, sizeof(args));
	c.args = args;

	lk.call = &c;
	r = Object_invoke(target, c.op, noargs ? NULL : args, c.k);
	lk.call = c.outer;
	lk_call_done(&c);
	check_answer(&c, r, args, before, refused);
	for (i = 0; i < LK_MAX_KIND; i++)
		Object_RELEASE_IF(made[i]);
}

static void run_step(struct fz_in *prog)
{
	unsigned int i;

	switch (fz_u8(prog) % LP_NSTEPS) {
	case LP_CALL:
		do_call(prog);
		break;
	case LP_PENDING:
		(void)objinvoke_server_dispatch_pending();
		break;
	default:
		i = fz_u8(prog);
		if (!n_held)
			break;
		i %= n_held;
		Object_release(held[i]);
		held[i] = held[--n_held];
	}
}

/* The program lets go of everything, the kernel of every registration. */
static void settle(void)
{
	int i;

	while (n_held)
		Object_release(held[--n_held]);
	lk.settling = true;
	(void)objinvoke_server_dispatch_pending();
	lk.settling = false;
	Object_release(target);
	for (i = 0; i < LP_NLOCALS; i++)
		FZ_CHECK(atomic_load(&locals[i].refs) == 1);
}

/* FUZZ_LIB_LOG set: the library's diagnostics on stderr, to follow an input. */
static bool log_shown;

/* The library's diagnostics, formatted (their arguments are checked too). */
static void log_sink(const char *fmt, va_list ap)
{
	char line[256];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_shown)
		fprintf(stderr, "libobject: %s\n", line);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fz_in none = { NULL, 0 };
	int i, sfd;

	(void)argc;
	(void)argv;
	log_shown = getenv("FUZZ_LIB_LOG");
	objinvoke_set_log_handler(log_sink);
	for (i = 0; i < LP_NLOCALS; i++) {
		local_obj[i] = counting_obj_init(&locals[i]);
		locals[i].handler = local_handler;
	}
	/* The server from the start: a lazy one would differ per input. */
	lk_begin(&none);
	FZ_CHECK(objinvoke_server_fd(&sfd) == Object_OK && sfd == LK_SERVER_FD);
	lk_end();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in prog = { data, size };

	lk_begin(&prog);
	FZ_CHECK(objinvoke_object_from_fd((int)lk_install(LK_FD_OBJECT),
					  &target) == Object_OK);
	while (!fz_done(&prog))
		run_step(&prog);
	settle();
	lk_end();
	return 0;
}
