/* SPDX-License-Identifier: MIT */
/* The feature-version service (UID 2033), as upstream QTEE names it. */
#ifndef IFEATUREVERSION_H
#define IFEATUREVERSION_H

#include "object.h"

#define IFeatureVersion_UID		2033
#define IFeatureVersion_OP_get		0	/* in u32 feature, out u32 version */
#define IFeatureVersion_OP_qteeVersion	10	/* out u32 */

/* The QTEE version word: major << 22 | minor << 12 | patch. */
#define IFeatureVersion_MAJOR(v)	((v) >> 22)
#define IFeatureVersion_MINOR(v)	(((v) >> 12) & 0x3ff)
#define IFeatureVersion_PATCH(v)	((v) & 0xfff)

static inline int32_t IFeatureVersion_get(Object self, uint32_t feature,
					  uint32_t *version)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &feature, sizeof(feature) };
	a[1].b = (ObjectBuf){ version, sizeof(*version) };
	return Object_invoke(self, IFeatureVersion_OP_get, a,
			     ObjectCounts_pack(1, 1, 0, 0));
}

static inline int32_t IFeatureVersion_qteeVersion(Object self,
						  uint32_t *version)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].b = (ObjectBuf){ version, sizeof(*version) };
	return Object_invoke(self, IFeatureVersion_OP_qteeVersion, a,
			     ObjectCounts_pack(0, 1, 0, 0));
}

#endif /* IFEATUREVERSION_H */
