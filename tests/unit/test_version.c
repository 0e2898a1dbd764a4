// SPDX-License-Identifier: MIT
/*
 * The runtime version check, against the shared library itself (no fake
 * kernel: nothing here reaches a device).  The header's numbers are the
 * library's, and a program is told whether the library it runs with is
 * recent enough: same major, minor at least the one asked for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "libobject.h"

static char last_log[256];

static void capture(const char *fmt, va_list ap)
{
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
}

static void test_numbers_match_header(void **state)
{
	assert_int_equal(objinvoke_version_major(), OBJINVOKE_VERSION_MAJOR);
	assert_int_equal(objinvoke_version_minor(), OBJINVOKE_VERSION_MINOR);
}

static void test_same_or_older_is_enough(void **state)
{
	assert_int_equal(objinvoke_check_version(OBJINVOKE_VERSION_MAJOR,
						 OBJINVOKE_VERSION_MINOR),
			 Object_OK);
	assert_int_equal(objinvoke_check_version(OBJINVOKE_VERSION_MAJOR, 0),
			 Object_OK);
}

static void test_newer_or_other_major_is_not(void **state)
{
	char want[256];

	objinvoke_set_log_handler(capture);
	assert_int_equal(objinvoke_check_version(OBJINVOKE_VERSION_MAJOR,
						 OBJINVOKE_VERSION_MINOR + 1),
			 Object_ERROR_UNAVAIL);
	snprintf(want, sizeof(want),
		 "libobject %d.%d is running; this program needs %d.%d or a later %d.x",
		 OBJINVOKE_VERSION_MAJOR, OBJINVOKE_VERSION_MINOR,
		 OBJINVOKE_VERSION_MAJOR, OBJINVOKE_VERSION_MINOR + 1,
		 OBJINVOKE_VERSION_MAJOR);
	assert_string_equal(last_log, want);
	assert_int_equal(objinvoke_check_version(OBJINVOKE_VERSION_MAJOR + 1, 0),
			 Object_ERROR_UNAVAIL);
	assert_int_equal(objinvoke_check_version(OBJINVOKE_VERSION_MAJOR - 1,
						 OBJINVOKE_VERSION_MINOR),
			 Object_ERROR_UNAVAIL);
	objinvoke_set_log_handler(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_match_header),
		cmocka_unit_test(test_same_or_older_is_enough),
		cmocka_unit_test(test_newer_or_other_major_is_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
