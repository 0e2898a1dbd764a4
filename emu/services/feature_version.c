// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The feature-version service (UID 2033).  Upstream it reports which
 * optional TEE features exist and in which version; the emulator knows a
 * few features of its own (docs/emulator.md) and answers 0 for the rest.
 */
#include "IFeatureVersion.h"
#include "call.h"
#include "emu.h"
#include "services.h"

/* The emulator's features and their versions. */
static const struct {
	uint32_t feature;
	uint32_t version;
} features[] = {
	{ 1, 0x00010002 },	/* async messages, version 1.2 */
	{ 2, 1 },		/* the test service (ITestService_UID) */
};

static uint32_t feature_version(uint32_t feature)
{
	size_t i;

	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (features[i].feature == feature)
			return features[i].version;
	return 0;
}

static int32_t featver_get(struct emu_call *c)
{
	uint32_t feature, version;
	int32_t r;

	r = emu_call_expect(c, 1, 1, 0, 0);
	if (!r)
		r = emu_call_bi_u32(c, 0, &feature);
	if (r)
		return r;
	version = feature_version(feature);
	return emu_call_bo_put_u32(c, 0, version);
}

static int32_t featver_qtee_version(struct emu_call *c)
{
	uint32_t v = EMU_QTEE_MAJOR << 22 | EMU_QTEE_MINOR << 12 |
		     EMU_QTEE_PATCH;
	int32_t r;

	r = emu_call_expect(c, 0, 1, 0, 0);
	return r ? r : emu_call_bo_put_u32(c, 0, v);
}

static int32_t featver_invoke(struct emu_obj *self, struct emu_call *c)
{
	switch (emu_call_method(c)) {
	case IFeatureVersion_OP_get:
		return featver_get(c);
	case IFeatureVersion_OP_qteeVersion:
		return featver_qtee_version(c);
	default:
		return QTEE_ERROR_INVALID;
	}
}

static const struct emu_obj_ops featver_ops = {
	.type = EMU_OBJ_FEATURE_VERSION,
	.name = "feature version",
	.invoke = featver_invoke,
	.destroy = emu_obj_free,
};

int32_t emu_featver_new(struct emu *e, const struct emu_creds *cr,
			struct emu_obj **out)
{
	return emu_bound_new(e, &featver_ops, cr, out);
}
