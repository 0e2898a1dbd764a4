// SPDX-License-Identifier: GPL-2.0-only
/* The tracepoints' definitions, made once for the module (see trace.h). */
#define CREATE_TRACE_POINTS
#include "trace.h"
