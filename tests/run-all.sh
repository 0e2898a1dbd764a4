#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up (tests/vm/setup.sh), then run every test: the native unit tests
# under ASan/UBSan, the libFuzzer targets for a bounded time
# (tests/fuzz/run-fuzzers.sh), the module's W=1 build against Debian's
# headers, its DKMS build and install for them, and every VM test twice:
# with the emulator as built for the VM, and with the emulator of the
# ASan/UBSan build (a sanitizer report fails the pass).
#
# Prints a line per step with the time since the start (and a progress
# line every 30 s in the long ones); each step's full output goes to
# build/logs/, the VM consoles to build/vm-logs/.  Ends with a verdict
# line, where the logs are, a "vm...: N passed, M failed" line per VM pass
# and, last, "total: N passed, M failed, K skipped" (CI reads these);
# exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

passed=0 failed=0 skipped=0 vm_lines=()
finish() {
	local verdict="all tests: $passed passed, $failed failed, $skipped skipped in $(elapsed)"
	[ "$failed" = 0 ] || verdict="FAILED: $verdict"
	say "$verdict"
	echo "logs: ${logs#"$top"/}/ (each step), ${vm_logs#"$top"/}/ (the VM consoles)"
	for line in "${vm_lines[@]}"; do
		echo "$line"
	done
	echo "total: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit
}
# add PASSED FAILED [SKIPPED]: into the totals.
add() { passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + ${3:-0})); }

if ! "$top/tests/vm/setup.sh"; then
	say "set-up failed"
	add 0 1
	finish
fi

# meson counts a TAP program as one test in its summary (its cases show
# as "N subtests passed" on its line): programs are what is added here.
log=$logs/unit-tests.log
# meson's line per test: " 3/31 suite / name   OK   0.52s".
meson_test_progress() {
	local last
	last=$(grep -oE '^ *[0-9]+/[0-9]+ ' "$1" | tail -n 1 | tr -d ' ' || true)
	echo "${last:-0/?} tests done"
}
quietly "native unit tests (ASan/UBSan)" "$log" meson_test_progress \
	meson test -C "$asan_build" --print-errorlogs || true
# meson's summary: "Ok: N", "Expected Fail: N", "Fail: N", ...
count() { awk -v k="$1:" '$0 ~ "^"k { n = $NF } END { print n + 0 }' "$log"; }
if grep -q '^Ok:' "$log"; then
	p=$(($(count Ok) + $(count 'Expected Fail')))
	f=$(($(count Fail) + $(count 'Unexpected Pass') + $(count Timeout)))
	s=$(count Skipped)
	add "$p" "$f" "$s"
	say "native unit tests (ASan/UBSan): $p passed, $f failed, $s skipped (log: ${log#"$top"/})"
	grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|UNEXPECTEDPASS) ' "$log" | sed 's/^/    /' >&2 || true
else
	say "native unit tests: meson test did not run (log: ${log#"$top"/})"
	add 0 1
fi

log=$logs/fuzz.log
fuzz_progress() { # the target being run, from run-fuzzers.sh's "fuzz: T for N s"
	local now
	now=$(sed -n 's/.*fuzz: \([a-z]*\) for [0-9]* s$/\1/p' "$1" | tail -n 1)
	echo "${now:+fuzzing }${now:-building}"
}
quietly "libFuzzer targets, a minute each (ASan/UBSan)" "$log" fuzz_progress \
	"$top/tests/fuzz/run-fuzzers.sh" || true
line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1 || true)
if [ -n "$line" ]; then
	set -- $line
	add "$2" "$4"
	grep -E '^fuzz: [a-z]+: (PASS|FAIL)' "$log" | while read -r target; do
		say "$target"
	done
else
	say "libFuzzer targets: did not run (log: ${log#"$top"/})"
	add 0 1
fi

if "$top/tests/vm/check-module.sh"; then add 1 0; else add 0 1; fi
if "$top/tests/vm/check-dkms.sh"; then add 1 0; else add 0 1; fi

# One VM pass: its "vm: N passed, M failed" line (test cases, counted from
# each program's TAP stream: docs/testing.md), relabelled, into the totals
# (and printed again at the end).  run-vm.sh --quiet prints its step lines
# on stderr, its counts on stdout (into the log here).
vm_pass() { # name run-vm.sh-options...
	local name=$1 log=$logs/$1.log line vm_skipped started
	shift
	started=$(date +%s)
	say "$name: every VM test${*:+ ($*)}"
	"$top/tests/vm/run-vm.sh" --quiet --no-setup "$@" all >"$log" || true
	line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1 || true)
	if [ -n "$line" ]; then
		set -- $line
		vm_skipped=$(sed -n 's/^vm: \([0-9]*\) skipped$/\1/p' "$log" | tail -1)
		add "$2" "$4" "${vm_skipped:-0}"
	else
		line="vm: 0 passed, 1 failed"
		add 0 1
	fi
	vm_lines+=("$name: ${line#vm: }")
	say "$name: ${line#vm: }${vm_skipped:+, $vm_skipped skipped} in $(elapsed "$started")"
}

vm_pass vm

# The two VM fuzzers made their CI counts in the pass above (200,000
# ioctls, 100,000 hostile messages); here, where the point is the
# emulator, a fifth of each keeps the pass short.
vm_pass vm-emu-asan --emu-asan --env OBJINVOKE_FUZZ_CALLS=40000 \
	--env OBJINVOKE_HOSTILE_MESSAGES=20000

finish
