// SPDX-License-Identifier: MIT
/* The model normal world of the emulator target (emu_nw.h). */
#include "emu_nw.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/objinvoke.h>

#include "emu_prog.h"
#include "fault.h"
#include "fuzz_check.h"
#include "shm.h"

/* The model's sleep keeps no time; the limit is what is checked. */
static void nw_sleep(uint32_t ms)
{
	FZ_CHECK(ms <= EMU_DELAY_MAX_MS);
}

/* An NW ID that carries a reference (the primordial object does not). */
static bool counted(uint32_t id)
{
	return (id & QTEE_OBJ_NS_BIT) && id != QTEE_OBJ_PRIMORDIAL;
}

uint32_t nw_hand(struct nw *nw, uint32_t id)
{
	if (id == EMU_FAULT_CB_ID || id == EMU_FAULT_RELEASE_ID ||
	    id == EMU_FAULT_OUT_ID)
		return QTEE_OBJ_NULL;
	if (counted(id))
		fz_idmap_get(&nw->ns, id)->a++;
	return id;
}

bool nw_live(const struct nw *nw, uint32_t id)
{
	const struct fz_ident *e = fz_idmap_find(&nw->ns, id);

	return id == QTEE_OBJ_PRIMORDIAL || (e && e->a > e->b);
}

void nw_tee_get(struct nw *nw, uint32_t id)
{
	fz_idmap_get(&nw->tee, id)->a++;
}

/*
 * The last reference to a mapping object is gone: its window closes, and
 * its pages are taken back even from mappings still in place (the
 * TOUCH_DURING_RELEASE probe releases under one on purpose).  A touch
 * after that faults, as SIGBUS would in the real TEE.
 */
static void revoke(struct nw *nw, uint32_t mapping)
{
	struct nw_active *a;
	unsigned int w, i;

	for (w = 0; w < nw->n_win; w++) {
		if (nw->win[w].mapping != mapping || nw->win[w].revoked)
			continue;
		for (i = 0; i < nw->n_act; i++) {
			a = &nw->act[i];
			if (a->window != w)
				continue;
			FZ_CHECK(!madvise(a->base, a->len, MADV_DONTNEED));
			FZ_CHECK(!mprotect(a->base, a->len, PROT_NONE));
		}
		nw->win[w].revoked = true;
	}
}

static void release(struct nw *nw, uint32_t id, bool faulted)
{
	struct fz_ident *e = fz_idmap_find(&nw->ns, id);

	/* Only NW IDs carry references back; never the primordial one. */
	FZ_CHECK(counted(id));
	if (!e || e->a == e->b) {
		/* One reference too many: only the fault may say so. */
		FZ_CHECK(faulted && id == EMU_FAULT_RELEASE_ID);
		return;
	}
	if (++e->b == e->a)
		revoke(nw, id);
}

void nw_take_releases(struct nw *nw, const void *buf, uint32_t cap,
		      uint32_t pos, bool faulted)
{
	struct qtee_async a;
	uint32_t i;
	int ret;

	while ((ret = qtee_async_next(buf, cap, &pos, &a)) == 0)
		for (i = 0; i < a.count; i++)
			release(nw, qtee_async_id(&a, i), faulted);
	/* Garbage ends the list; the emulator writes it only when told to. */
	FZ_CHECK(ret == -ENOENT || faulted);
}

/* The SHM bridge: windows of live mapping objects, strict as the UAPI. */
static void *bridge_map(const struct emu_bridge *b, uint64_t offset,
			size_t len, int prot, int *err)
{
	struct nw *nw = b->priv;
	struct nw_window *w = NULL;
	unsigned int i;
	uint8_t *base;

	for (i = 0; i < nw->n_win; i++)
		if (nw->win[i].address == offset && !nw->win[i].revoked)
			w = &nw->win[i];
	if (!w || !len || len > emu_shm_map_len(b, w->length)) {
		*err = ENXIO;
		return NULL;
	}
	if ((prot & PROT_WRITE) && !(w->perms & QTEE_PERM_WRITE)) {
		*err = EACCES;
		return NULL;
	}
	if (nw->n_act == NW_MAX_ACTIVE) {
		*err = ENOMEM;
		return NULL;
	}
	/* A guard page after it: a touch past the window faults. */
	base = mmap(NULL, len + b->page_size, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FZ_CHECK(base != MAP_FAILED);
	FZ_CHECK(mprotect(base, len, prot) == 0);
	nw->act[nw->n_act++] = (struct nw_active){ base, len,
						   (unsigned int)(w - nw->win) };
	return base;
}

static void bridge_unmap(const struct emu_bridge *b, void *addr, size_t len)
{
	struct nw *nw = b->priv;
	unsigned int i;

	for (i = 0; i < nw->n_act; i++)
		if (nw->act[i].base == addr && nw->act[i].len == len)
			break;
	/* Exactly what was mapped, once. */
	FZ_CHECK(i < nw->n_act);
	FZ_CHECK(munmap(addr, len + b->page_size) == 0);
	nw->act[i] = nw->act[--nw->n_act];
}

void nw_init(struct nw *nw)
{
	memset(nw, 0, sizeof(*nw));
	emu_init(&nw->emu);
	nw->emu.sleep_ms = nw_sleep;
	nw->emu.bridge.map = bridge_map;
	nw->emu.bridge.unmap = bridge_unmap;
	nw->emu.bridge.priv = nw;
}

void nw_fini(struct nw *nw)
{
	/* Objects still alive unmap what they keep through the bridge. */
	emu_fini(&nw->emu);
	while (nw->n_act)
		bridge_unmap(&nw->emu.bridge, nw->act[0].base, nw->act[0].len);
	fz_idmap_free(&nw->ns);
	fz_idmap_free(&nw->tee);
}

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A new window of a model memory object, its mapping object as the OO. */
static int32_t map_region(struct nw *nw, struct qtee_msg *req,
			  struct fz_in *prog)
{
	uint32_t mem = qtee_msg_get_obj(req, qtee_idx_io(req->counts));
	uint16_t len = fz_u16(prog);
	uint8_t perms = fz_u8(prog);
	struct nw_window *w;
	uint8_t *p;

	if (req->counts != QTEE_COUNTS(0U, 1U, 1U, 1U))
		return QTEE_ERROR_INVALID;
	if (mem - EP_MEM_ID >= EP_MEM_COUNT || !nw_live(nw, mem))
		return QTEE_ERROR_BADOBJ;	/* not memory */
	if (req->len[0] < QTEE_MAP_REGION_SIZE)
		return QTEE_ERROR_SIZE_OUT;
	if (nw->n_win == NW_MAX_WINDOWS)
		return QTEE_ERROR_KMEM;
	w = &nw->win[nw->n_win];
	*w = (struct nw_window){
		.address = (uint64_t)(nw->n_win + 1) << 32,
		.length = len,
		.perms = perms ? perms : QTEE_PERM_READ | QTEE_PERM_WRITE,
		.mapping = EP_MAP_ID + nw->n_win,
	};
	nw->n_win++;
	p = qtee_msg_payload(req, 0);
	put_le(p, w->address, 8);
	put_le(p + 8, w->length, 8);
	put_le(p + 16, w->perms, 4);
	qtee_msg_write_out_size(req, 0, QTEE_MAP_REGION_SIZE);
	qtee_msg_set_obj(req, qtee_idx_oo(req->counts), w->mapping);
	return QTEE_OK;
}

static int32_t primordial(struct nw *nw, struct qtee_msg *req,
			  struct fz_in *prog)
{
	switch (req->op) {
	case QTEE_PRIMORDIAL_MAP_REGION:
		return map_region(nw, req, prog);
	case QTEE_PRIMORDIAL_YIELD:
		return req->counts ? QTEE_ERROR_INVALID : QTEE_OK;
	case QTEE_PRIMORDIAL_SLEEP:
		return req->counts == QTEE_COUNTS(1U, 0U, 0U, 0U) &&
		       req->len[0] == 4 ? QTEE_OK : QTEE_ERROR_INVALID;
	}
	return QTEE_ERROR_INVALID;
}

/* A credentials object: who the caller is, and its executable. */
static int32_t creds(struct qtee_msg *req)
{
	static const char exe[] = "/usr/bin/fuzz";
	uint8_t info[sizeof(struct objinvoke_creds_info)] = { 0 };
	const void *data = info;
	uint32_t len = sizeof(info);

	if (req->counts != QTEE_COUNTS(0U, 1U, 0U, 0U))
		return QTEE_ERROR_INVALID;
	if (req->op == OBJINVOKE_CREDS_OP_GET_EXE) {
		data = exe;
		len = sizeof(exe) - 1;
	} else if (req->op == OBJINVOKE_CREDS_OP_GET_INFO) {
		put_le(info, 1000, 4);
		put_le(info + 4, 100, 4);
		put_le(info + 8, 4242, 4);
	} else {
		return QTEE_ERROR_INVALID;
	}
	if (len > req->len[0])
		return QTEE_ERROR_SIZE_OUT;
	memcpy(qtee_msg_payload(req, 0), data, len);
	qtee_msg_write_out_size(req, 0, len);
	return QTEE_OK;
}

/*
 * Any other object, a process's: input buffer i comes back in output
 * buffer i (cut to fit), input object i as output object i; with no
 * input objects at all, a memory object (for hashFromCallback).
 */
static int32_t echo(struct qtee_msg *req)
{
	unsigned int c = req->counts, nbi = QTEE_NUM_BI(c), i;
	unsigned int nio = QTEE_NUM_IO(c);
	uint32_t len, id;

	for (i = 0; i < QTEE_NUM_BO(c); i++) {
		len = 0;
		if (i < nbi)
			len = req->len[i] < req->len[nbi + i] ? req->len[i] :
								 req->len[nbi + i];
		memmove(qtee_msg_payload(req, nbi + i),
			qtee_msg_payload(req, i), len);
		qtee_msg_write_out_size(req, nbi + i, len);
	}
	for (i = 0; i < QTEE_NUM_OO(c); i++) {
		id = i < nio ? qtee_msg_get_obj(req, qtee_idx_io(c) + i) :
		     nio ? QTEE_OBJ_NULL : EP_MEM_ID;
		qtee_msg_set_obj(req, qtee_idx_oo(c) + i, id);
	}
	return QTEE_OK;
}

void nw_answer_model(struct nw *nw, struct qtee_msg *req, struct fz_in *prog)
{
	int32_t r;

	if (req->cxt == QTEE_OBJ_PRIMORDIAL)
		r = primordial(nw, req, prog);
	else if (req->cxt == EP_CREDS_ID)
		r = creds(req);
	else
		r = echo(req);
	qtee_msg_set_result(req, r);
}
