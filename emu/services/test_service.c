// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The test service (ITestService_UID): one method per argument kind and
 * error path, so the kernel's whole invoke path can be driven from tests.
 * include/ITestService.h gives each method's contract; here are the
 * details: a wrong number of input buffers or a wrong input size is
 * SIZE_IN, any other wrong count INVALID, an output too small SIZE_OUT.
 */
#include <endian.h>
#include <string.h>

#include "ITestService.h"
#include "call.h"
#include "emu.h"
#include "log.h"
#include "services.h"

static int32_t ts_echo(struct emu_call *c)
{
	const void *in;
	uint32_t len;
	int32_t r;

	r = emu_call_expect(c, 1, 1, 0, 0);
	if (r)
		return r;
	in = emu_call_bi(c, 0, &len);
	return emu_call_bo_put(c, 0, in, len);
}

/* Read BI 0 as n little-endian u32 words, for methods with array inputs. */
static int32_t bi_words(struct emu_call *c, uint32_t *w, unsigned int n)
{
	const unsigned char *p;
	unsigned int i;
	uint32_t len;

	p = emu_call_bi(c, 0, &len);
	if (len != n * sizeof(*w))
		return QTEE_ERROR_SIZE_IN;
	for (i = 0; i < n; i++) {
		memcpy(&w[i], p + i * sizeof(*w), sizeof(*w));
		w[i] = le32toh(w[i]);
	}
	return QTEE_OK;
}

static int32_t ts_add(struct emu_call *c)
{
	uint32_t ab[2];
	int32_t r;

	r = emu_call_expect(c, 1, 1, 0, 0);
	if (!r)
		r = bi_words(c, ab, 2);
	return r ? r : emu_call_bo_put_u32(c, 0, ab[0] + ab[1]);
}

/* The methods that take one u32 and nothing else. */
static int32_t one_u32(struct emu_call *c, uint32_t *v)
{
	int32_t r = emu_call_expect(c, 1, 0, 0, 0);

	return r ? r : emu_call_bi_u32(c, 0, v);
}

static int32_t ts_fail(struct emu_call *c)
{
	uint32_t code;
	int32_t r = one_u32(c, &code);

	return r ? r : (int32_t)code;
}

static int32_t ts_new_counter(struct emu_call *c)
{
	struct emu_obj *k;
	uint32_t value;
	int32_t r;

	r = emu_call_expect(c, 1, 0, 0, 1);
	if (!r)
		r = emu_call_bi_u32(c, 0, &value);
	if (!r)
		r = emu_counter_new(c->emu, value, &k);
	if (!r)
		emu_call_set_oo_obj(c, 0, k);
	return r;
}

static int32_t ts_read_counter(struct emu_call *c)
{
	struct emu_obj *k;
	uint32_t id, value;
	bool ok;
	int32_t r;

	r = emu_call_expect(c, 0, 1, 1, 0);
	if (r)
		return r;
	/* An NW object is never a counter; its reference is still owed. */
	id = emu_call_io(c, 0);
	if (id & QTEE_OBJ_NS_BIT)
		return QTEE_ERROR_BADOBJ;
	k = emu_obj_get(&c->emu->table, id);
	if (!k)
		return QTEE_ERROR_BADOBJ;
	ok = emu_counter_value(k, &value);
	emu_obj_put(k);
	return ok ? emu_call_bo_put_u32(c, 0, value) : QTEE_ERROR_BADOBJ;
}

static int32_t ts_live_objects(struct emu_call *c)
{
	int32_t r = emu_call_expect(c, 0, 1, 0, 0);

	return r ? r : emu_call_bo_put_u32(c, 0,
					   emu_objtable_count(&c->emu->table));
}

static int32_t ts_whoami(struct emu_obj *self, struct emu_call *c)
{
	const struct emu_creds *cr = &((struct emu_bound_obj *)self)->creds;
	struct ITestService_whoami who = {
		.uid = htole32(cr->uid),
		.gid = htole32(cr->gid),
		.pid = htole32(cr->pid),
	};
	int32_t r;

	r = emu_call_expect(c, 0, 2, 0, 0);
	if (!r)
		r = emu_call_bo_put(c, 0, &who, sizeof(who));
	return r ? r : emu_call_bo_put(c, 1, cr->exe, cr->exe_len);
}

static int32_t ts_inject_fault(struct emu_obj *self, struct emu_call *c)
{
	uint32_t fault;
	int32_t r = one_u32(c, &fault);

	if (r)
		return r;
	if (fault > ITestService_FAULT_MAX)
		return QTEE_ERROR_INVALID;
	/* FAULT_NONE disarms; a second arm replaces the first. */
	__atomic_store_n(&((struct emu_bound_obj *)self)->fault, fault,
			 __ATOMIC_SEQ_CST);
	emu_info("service %#x: fault %u armed", self->id, fault);
	return QTEE_OK;
}

/* The primordial object's sleep method, the one that takes an argument. */
#define PRIMORDIAL_OP_SLEEP	2U

static int32_t ts_primordial(struct emu_call *c)
{
	struct emu_cb cb = { .id = QTEE_OBJ_PRIMORDIAL };
	uint32_t in[2];
	int32_t r;

	r = emu_call_expect(c, 1, 0, 0, 0);
	if (!r)
		r = bi_words(c, in, 2);
	if (r)
		return r;
	cb.op = in[0];
	if (cb.op == PRIMORDIAL_OP_SLEEP) {
		in[1] = htole32(in[1]);
		cb.nbi = 1;
		cb.bi[0].ptr = &in[1];
		cb.bi[0].len = sizeof(in[1]);
	}
	return emu_call_callback(c, &cb);
}

static int32_t ts_delay(struct emu_call *c)
{
	uint32_t ms;
	int32_t r = one_u32(c, &ms);

	if (r)
		return r;
	if (ms > EMU_DELAY_MAX_MS)
		ms = EMU_DELAY_MAX_MS;
	c->emu->sleep_ms(ms);
	return QTEE_OK;
}

/* Output object i returns input object i: same ID, new reference. */
static int32_t mirror_obj(struct emu_call *c, unsigned int i)
{
	uint32_t id = emu_call_io(c, i);
	struct emu_obj *o;

	/* NULL, the root and NW objects are returned as bare IDs. */
	if (id <= QTEE_OBJ_ROOT || (id & QTEE_OBJ_NS_BIT)) {
		emu_call_set_oo_id(c, i, id);
		return QTEE_OK;
	}
	o = emu_obj_get(&c->emu->table, id);
	if (!o)
		return QTEE_ERROR_BADOBJ;
	emu_call_set_oo_obj(c, i, o);	/* given to the NW on success */
	return QTEE_OK;
}

static int32_t ts_mirror(struct emu_call *c)
{
	unsigned int i, nb, no;
	const void *in;
	uint32_t len;
	int32_t r;

	nb = emu_call_nbi(c) < emu_call_nbo(c) ? emu_call_nbi(c) :
						   emu_call_nbo(c);
	no = emu_call_nio(c) < emu_call_noo(c) ? emu_call_nio(c) :
						   emu_call_noo(c);
	for (i = 0; i < nb; i++) {
		in = emu_call_bi(c, i, &len);
		r = emu_call_bo_put(c, i, in, len);
		if (r)
			return r;
	}
	for (i = 0; i < no; i++) {
		r = mirror_obj(c, i);
		if (r)
			return r;
	}
	return QTEE_OK;
}

static int32_t testsvc_invoke(struct emu_obj *self, struct emu_call *c)
{
	switch (emu_call_method(c)) {
	case ITestService_OP_echo:
		return ts_echo(c);
	case ITestService_OP_add:
		return ts_add(c);
	case ITestService_OP_fail:
		return ts_fail(c);
	case ITestService_OP_newCounter:
		return ts_new_counter(c);
	case ITestService_OP_readCounter:
		return ts_read_counter(c);
	case ITestService_OP_liveObjects:
		return ts_live_objects(c);
	case ITestService_OP_whoami:
		return ts_whoami(self, c);
	case ITestService_OP_injectFault:
		return ts_inject_fault(self, c);
	case ITestService_OP_primordial:
		return ts_primordial(c);
	case ITestService_OP_delay:
		return ts_delay(c);
	case ITestService_OP_mirror:
		return ts_mirror(c);
	default:
		return QTEE_ERROR_INVALID;
	}
}

static const struct emu_obj_ops testsvc_ops = {
	.type = EMU_OBJ_TEST_SERVICE,
	.name = "test service",
	.invoke = testsvc_invoke,
	.destroy = emu_obj_free,
};

int32_t emu_testsvc_new(struct emu *e, const struct emu_creds *cr,
			struct emu_obj **out)
{
	return emu_bound_new(e, &testsvc_ops, cr, out);
}

uint32_t emu_testsvc_take_fault(struct emu_obj *o)
{
	if (o->ops != &testsvc_ops)
		return ITestService_FAULT_NONE;
	return __atomic_exchange_n(&((struct emu_bound_obj *)o)->fault,
				   ITestService_FAULT_NONE, __ATOMIC_SEQ_CST);
}
