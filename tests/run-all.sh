#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up (tests/vm/setup.sh), then run every test: the native unit tests
# under ASan/UBSan, the libFuzzer targets for a bounded time
# (tests/fuzz/run-fuzzers.sh), the module's W=1 build against Debian's
# headers, its DKMS build and install for them, and every VM test twice: with the emulator as built for the VM,
# and with the emulator of the ASan/UBSan build (a sanitizer report fails
# the pass).
# Ends with a "vm...: N passed, M failed" line per pass and, last,
# "total: N passed, M failed, K skipped"; exits non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

passed=0 failed=0 skipped=0 vm_lines=()
finish() {
	echo
	for line in "${vm_lines[@]}"; do
		echo "$line"
	done
	echo "total: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit
}

if ! "$top/tests/vm/setup.sh"; then
	echo "run-all: set-up failed" >&2
	failed=1
	finish
fi

# meson counts a TAP program as one test in its summary (its cases show
# as "N subtests passed" on its line): programs are what is added here.
step "native unit tests (ASan/UBSan)"
log=$asan_build/meson-logs/run-all-test.log
meson test -C "$asan_build" --print-errorlogs 2>&1 | tee "$log" || true
# meson's summary: "Ok: N", "Expected Fail: N", "Fail: N", ...
count() { awk -v k="$1:" '$0 ~ "^"k { n = $NF } END { print n + 0 }' "$log"; }
if grep -q '^Ok:' "$log"; then
	passed=$((passed + $(count Ok) + $(count 'Expected Fail')))
	failed=$((failed + $(count Fail) + $(count 'Unexpected Pass') + $(count Timeout)))
	skipped=$((skipped + $(count Skipped)))
else
	echo "run-all: meson test did not run" >&2
	failed=$((failed + 1))
fi

step "libFuzzer targets, bounded (ASan/UBSan)"
log=$top/build/run-all-fuzz.out
"$top/tests/fuzz/run-fuzzers.sh" 2>&1 | tee "$log" || true
line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1 || true)
if [ -n "$line" ]; then
	set -- $line
	passed=$((passed + $2))
	failed=$((failed + $4))
else
	echo "run-all: the fuzzers did not run" >&2
	failed=$((failed + 1))
fi

step "module: W=1 build against linux-headers-amd64"
if "$top/tests/vm/check-module.sh"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

step "module: dkms build and install for linux-headers-amd64"
if "$top/tests/vm/check-dkms.sh"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

# One VM pass: its "vm: N passed, M failed" line (test cases, counted from
# each program's TAP stream: docs/testing.md), relabelled, into the totals
# (and printed again at the end).
vm_pass() { # name run-vm.sh-options...
	local name=$1 log=$top/build/run-all-$1.out line vm_skipped
	shift
	"$top/tests/vm/run-vm.sh" --no-setup "$@" all 2>&1 | tee "$log" |
		grep --line-buffered -Ev '^vm: [0-9]+ passed, [0-9]+ failed$' || true
	line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1 || true)
	if [ -n "$line" ]; then
		set -- $line
		passed=$((passed + $2))
		failed=$((failed + $4))
		vm_skipped=$(sed -n 's/^vm: \([0-9]*\) skipped$/\1/p' "$log" | tail -1)
		skipped=$((skipped + ${vm_skipped:-0}))
	else
		line="vm: 0 passed, 1 failed"
		failed=$((failed + 1))
	fi
	vm_lines+=("$name: ${line#vm: }")
}

step "VM tests"
vm_pass vm

step "VM tests, the emulator under ASan/UBSan"
# The two VM fuzzers made their CI counts in the pass above (200,000
# ioctls, 100,000 hostile messages); here, where the point is the
# emulator, a fifth of each keeps the pass short.
vm_pass vm-emu-asan --emu-asan --env OBJINVOKE_FUZZ_CALLS=40000 \
	--env OBJINVOKE_HOSTILE_MESSAGES=20000

finish
