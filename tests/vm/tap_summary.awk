# SPDX-License-Identifier: MIT
# tap_summary.awk - counts the cases of one VM test program from its TAP
# stream (docs/testing.md), for tests/vm/init.sh in the guest (busybox awk)
# and tests/vm/check_tap_summary.sh on the host.
#
#   { prog; echo $? >RCFILE; } | awk -v rcfile=RCFILE -v out=OUT \
#       [-v need_tap=1] [-v limit=SECONDS] -f tap_summary.awk
#
# Echoes the stream as it comes (the console shows it live) and, at its
# end, writes "PASSED FAILED SKIPPED [why]" to OUT.  Read from a pipe, not
# from the serial log: the kernel's messages cannot cut into its lines.
#
# A case counts once: "ok N name" passed, "ok N name # SKIP ..." skipped,
# "not ok N name" failed.  The program's failures beyond its cases count
# one each: a stream that is not TAP (with need_tap), no plan, fewer
# results than planned (each missing one is a failure: the program died
# in the middle), results out of order, and a non-zero exit status with
# no failed case.  Without need_tap, a program that prints no TAP counts
# as one case by its exit status (0 passed, 77 skipped, else failed).
# Indented lines (a subtest's) and "# " diagnostics are only echoed.

function problem(what) { why = why "; " what; bad++ }

{ print; fflush() }

NR == 1 && /^(TAP version 1[34]|KTAP version 1)$/ { tap = 1; next }

/^1\.\.[0-9]+/ {
	if (plan != "") { problem("a second plan"); next }
	plan = substr($1, 4) + 0
	next
}

/^(not )?ok [0-9]+/ {
	results++
	number = $1 == "ok" ? $2 : $3
	if (number + 0 != results && !disorder) {
		problem("result " number " where " results " was due")
		disorder = 1
	}
	if ($1 == "not") {
		failed++
		names = names " " $4
	} else if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) {
		skipped++
	} else {
		passed++
	}
}

END {
	rc = -1
	if ((getline line < rcfile) > 0)
		rc = line + 0
	if (!tap && !need_tap) {
		if (rc == 0) print 1, 0, 0 > out
		else if (rc == 77) print 0, 0, 1 > out
		else print 0, 1, 0, "exit status " rc > out
		exit
	}
	if (!tap)
		problem("no TAP version line")
	if (plan == "") {
		problem("no plan")
	} else if (results < plan) {
		failed += plan - results
		why = why "; " plan - results " of " plan " cases without a result"
	} else if (results > plan) {
		problem(results " results for a plan of " plan)
	} else if (plan == 0) {
		skipped++ # "1..0 # SKIP why": the whole program skipped
	}
	failed += bad
	if (rc == 137 && limit)
		why = why "; killed after " limit " s"
	else if (rc == -1)
		why = why "; no exit status"
	else if (rc != 0)
		why = why "; exit status " rc
	if (rc != 0 && failed == 0) {
		failed++
		why = why " with no failed case"
	}
	if (names != "")
		why = "not ok:" names why
	else
		sub(/^; /, "", why)
	print passed + 0, failed + 0, skipped + 0, why > out
}
