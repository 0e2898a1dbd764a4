// SPDX-License-Identifier: MIT
/*
 * test_faults: the emulator answers with malformed messages on request
 * (docs/emulator.md, "Fault injection") and the kernel must reject each
 * cleanly: the right error, nothing leaked, the next call fine.
 */
#include <unistd.h>

#include "ITestService.h"
#include "vmharness.h"
#include "vmutil.h"

static int32_t arm(int svc, uint32_t fault)
{
	struct objinvoke_arg a[1] = { vm_buf(&fault, sizeof(fault)) };
	int32_t result;

	VT_ASSERT_OK(vm_invoke_raw(svc, ITestService_OP_injectFault,
				   ObjectCounts_pack(1, 0, 0, 0), a, &result));
	return result;
}

/* add(2, 3) on a raw service fd: the ioctl's return, *result, *sum. */
static int raw_add(int svc, int32_t *result, uint32_t *sum)
{
	uint32_t in[2] = { 2, 3 };
	struct objinvoke_arg a[2] = { vm_buf(in, sizeof(in)),
				      vm_buf(sum, sizeof(*sum)) };

	*sum = 0;
	return vm_invoke_raw(svc, ITestService_OP_add,
			     ObjectCounts_pack(1, 1, 0, 0), a, result);
}

/* Arm fault, call add, and check what came back; then check recovery. */
static void expect_add(uint32_t fault, int want_errno, int32_t want_result)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	int32_t result = 0;
	uint32_t sum;

	VT_ASSERT_EQ(arm(svc, fault), Object_OK);
	if (want_errno) {
		VT_ASSERT_ERRNO(raw_add(svc, &result, &sum), want_errno);
	} else {
		VT_ASSERT_OK(raw_add(svc, &result, &sum));
		VT_ASSERT_EQ(result, want_result);
		if (want_result == Object_OK)
			VT_ASSERT_EQ(sum, 5);
	}
	/* The fault is spent: the same object works again. */
	VT_ASSERT_OK(raw_add(svc, &result, &sum));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(sum, 5);
	close(svc);
}

static void grown_output_size_is_eproto(void)
{
	expect_add(ITestService_FAULT_OUT_SIZE_GROWN, EPROTO, 0);
}

static void bad_smc_status_is_eproto(void)
{
	expect_add(ITestService_FAULT_BAD_STATUS, EPROTO, 0);
}

static void callback_with_bad_counts_is_invalid(void)
{
	expect_add(ITestService_FAULT_CB_BAD_COUNTS, 0, Object_ERROR_INVALID);
}

static void callback_offset_past_buffer_is_invalid(void)
{
	expect_add(ITestService_FAULT_CB_OFFSET, 0, Object_ERROR_INVALID);
}

static void callback_to_unknown_object_is_badobj(void)
{
	expect_add(ITestService_FAULT_CB_UNKNOWN_OBJ, 0, Object_ERROR_BADOBJ);
}

static void garbage_async_message_is_skipped(void)
{
	expect_add(ITestService_FAULT_ASYNC_GARBAGE, 0, Object_OK);
}

static void release_of_unknown_id_is_skipped(void)
{
	expect_add(ITestService_FAULT_ASYNC_UNKNOWN_ID, 0, Object_OK);
}

static void unknown_output_object_is_eproto(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	Object osvc = vm_open_service(ITestService_UID);
	uint32_t value = 9, base = vm_settled_live_objects(osvc);
	struct objinvoke_arg a[2];
	int32_t result;

	VT_ASSERT_EQ(arm(svc, ITestService_FAULT_OUT_UNKNOWN_NS_OBJ), Object_OK);
	a[0] = vm_buf(&value, sizeof(value));
	a[1] = vm_obj(-1);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_newCounter,
				      ObjectCounts_pack(1, 0, 0, 1), a, &result),
			EPROTO);
	/* No fd came out, and the TEE's table is as before. */
	VT_ASSERT_EQ(a[1].fd, OBJINVOKE_FD_NONE);
	vm_expect_live_objects(osvc, base);
	Object_release(osvc);
	close(svc);
}

static void unknown_fault_is_refused(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);

	VT_ASSERT_NE(arm(svc, ITestService_FAULT_MAX + 1), Object_OK);
	close(svc);
}

static const struct vt_case cases[] = {
	VT_CASE(grown_output_size_is_eproto),
	VT_CASE(bad_smc_status_is_eproto),
	VT_CASE(callback_with_bad_counts_is_invalid),
	VT_CASE(callback_offset_past_buffer_is_invalid),
	VT_CASE(callback_to_unknown_object_is_badobj),
	VT_CASE(garbage_async_message_is_skipped),
	VT_CASE(release_of_unknown_id_is_skipped),
	VT_CASE(unknown_output_object_is_eproto),
	VT_CASE(unknown_fault_is_refused),
};

VT_MAIN(cases)
