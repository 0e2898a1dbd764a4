// SPDX-License-Identifier: MIT
/* Writing the emulator target's programs (emu_prog.h). */
#include "emu_prog.h"

#include <string.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "IFeatureVersion.h"
#include "IMemService.h"
#include "ITestService.h"
#include "fuzz_check.h"
#include "qtee_wire.h"

/* Far more than any seed needs; the length field is a u16. */
#define EP_MSG_CAP	4096U

void ep_put_call(struct fz_out *o, const struct ep_call *c)
{
	static uint8_t buf[EP_MSG_CAP];
	unsigned int i, io;
	struct qtee_msg m;
	void *p;

	FZ_CHECK(qtee_msg_init(&m, buf, sizeof(buf), QTEE_MSG_INVOKE, c->cxt,
			       c->op, QTEE_COUNTS(c->nbi, c->nbo, c->nio,
						  c->noo)) == 0);
	for (i = 0; i < c->nbi; i++) {
		FZ_CHECK(qtee_msg_add_buf(&m, i, c->bi[i].len, &p) == 0);
		memcpy(p, c->bi[i].ptr, c->bi[i].len);
	}
	for (i = 0; i < c->nbo; i++)
		FZ_CHECK(qtee_msg_add_buf(&m, c->nbi + i, c->bo[i], &p) == 0);
	io = qtee_idx_io(m.counts);
	for (i = 0; i < c->nio; i++)
		qtee_msg_set_obj(&m, io + i, c->io[i]);
	/* The kernel sizes the inbound buffer to the message. */
	fz_put_u16(o, (uint16_t)m.end);
	fz_put(o, buf, m.end);
}

void ep_put_call_u32(struct fz_out *o, uint32_t cxt, uint32_t op,
		     uint32_t v, unsigned int noo)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			  (uint8_t)(v >> 24) };
	struct ep_call c = { .cxt = cxt, .op = op, .nbi = 1, .noo = noo };

	c.bi[0].ptr = le;
	c.bi[0].len = sizeof(le);
	ep_put_call(o, &c);
}

void ep_put_map(struct fz_out *o, uint16_t len, uint8_t perms)
{
	fz_put_u8(o, EP_MODEL);
	fz_put_u16(o, len);
	fz_put_u8(o, perms);
}

void ep_put_setup(struct fz_out *o)
{
	static const uint32_t uids[] = { ITestService_UID, ICallbackService_UID,
					 IMemService_UID, IFeatureVersion_UID };
	struct ep_call reg = {
		.cxt = QTEE_OBJ_ROOT,
		.op = IRootObject_OP_registerWithCredentials,
		.nio = 1, .io = { EP_CREDS_ID }, .noo = 1,
	};
	unsigned int i;

	/* The environment; the model answers both credentials callbacks. */
	ep_put_call(o, &reg);
	fz_put_u8(o, EP_MODEL);
	fz_put_u8(o, EP_MODEL);
	/* Then one service of each kind, in the order of the IDs. */
	for (i = 0; i < sizeof(uids) / sizeof(uids[0]); i++)
		ep_put_call_u32(o, EP_ENV_ID, IClientEnv_OP_open, uids[i], 1);
}
