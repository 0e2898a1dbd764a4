// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The emulator's log lines (emu/log.h): stamped with time, name, pid and
 * level on a terminal or in a file, the syslog priority prefix alone when
 * stderr is the journal stream $JOURNAL_STREAM names, and levels above
 * the chosen verbosity dropped.  stderr is pointed at a temporary file for
 * each case and read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "log.h"

static int saved_stderr = -1;
static FILE *captured;

static int capture_stderr(void **state)
{
	captured = tmpfile();
	assert_non_null(captured);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(captured), STDERR_FILENO) >= 0);
	emu_log_level = EMU_LOG_INFO;
	return 0;
}

static int restore_stderr(void **state)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fclose(captured);
	unsetenv("JOURNAL_STREAM");
	emu_log_init();
	return 0;
}

/* Everything written to stderr since capture_stderr(). */
static const char *captured_text(void)
{
	static char buf[1024];
	size_t n;

	fflush(stderr);
	rewind(captured);
	n = fread(buf, 1, sizeof(buf) - 1, captured);
	buf[n] = '\0';
	return buf;
}

/* Point $JOURNAL_STREAM at stderr itself, or at another file. */
static void set_journal_stream(bool at_stderr)
{
	struct stat st;
	char v[64];

	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + (at_stderr ? 0 : 1));
	setenv("JOURNAL_STREAM", v, 1);
	emu_log_init();
}

static void test_journal_prefixes(void **state)
{
	static const struct { int level; const char *prefix; } want[] = {
		{ EMU_LOG_ERR, "<3>" }, { EMU_LOG_WARN, "<4>" },
		{ EMU_LOG_INFO, "<6>" }, { EMU_LOG_DEBUG, "<7>" },
		{ EMU_LOG_TRACE, "<7>" },
	};
	char buf[96];

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		emu_log_prefix(buf, sizeof(buf), want[i].level, true);
		assert_string_equal(buf, want[i].prefix);
	}
}

/* 2026-12-02T16:45:01.123Z objinvoke-emu[812]: warning: */
static void test_stamped_prefix(void **state)
{
	char buf[96], tail[64];
	int y, mo, d, h, mi, s, ms, n = 0;

	emu_log_prefix(buf, sizeof(buf), EMU_LOG_WARN, false);
	assert_int_equal(sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ %n", &y, &mo,
				&d, &h, &mi, &s, &ms, &n), 7);
	assert_int_equal(n, 25);
	assert_true(y >= 2024 && mo >= 1 && mo <= 12 && ms < 1000);
	snprintf(tail, sizeof(tail), "objinvoke-emu[%ld]: warning: ",
		 (long)getpid());
	assert_string_equal(buf + n, tail);
}

static void test_to_journal(void **state)
{
	set_journal_stream(true);
	emu_info("attached to %s", "/dev/objinvoke-emu");
	emu_err("lost");
	assert_string_equal(captured_text(),
			    "<6>attached to /dev/objinvoke-emu\n<3>lost\n");
}

/* A child whose stderr went elsewhere inherits the variable only. */
static void test_journal_stream_elsewhere(void **state)
{
	const char *text;

	set_journal_stream(false);
	emu_info("attached");
	text = captured_text();
	assert_true(text[0] != '<');
	assert_non_null(strstr(text, "]: info: attached\n"));
}

static void test_verbosity(void **state)
{
	set_journal_stream(true);
	emu_dbg("one invocation");
	emu_trace("one release");
	emu_warn("worked round");
	emu_log_level = EMU_LOG_TRACE;	/* -vv */
	emu_trace("one release");
	emu_log_level = -1;		/* the tests' silence */
	emu_err("not shown");
	assert_string_equal(captured_text(), "<4>worked round\n<7>one release\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_prefixes),
		cmocka_unit_test(test_stamped_prefix),
		cmocka_unit_test_setup_teardown(test_to_journal,
						capture_stderr, restore_stderr),
		cmocka_unit_test_setup_teardown(test_journal_stream_elsewhere,
						capture_stderr, restore_stderr),
		cmocka_unit_test_setup_teardown(test_verbosity,
						capture_stderr, restore_stderr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
