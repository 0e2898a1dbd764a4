#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up what the demo needs (tests/vm/setup.sh --vm-only: packages, the
# test kernel, the guest's userspace, the module; not the sanitizer build),
# then boot the test VM, load the module, start the TEE emulator and run
# the example client examples/tee_hello against the emulator's test
# service, showing what it prints.  A line per step; each tool's output in
# build/logs/, the VM's console in build/vm-logs/.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

logs_line() {
	local line console
	line="logs: ${logs#"$top"/}/ (set-up)"
	console=$(readlink -f "$vm_logs/last.log" 2>/dev/null || true)
	[ -z "$console" ] || line+=", ${console#"$top"/} (the VM console)"
	echo "$line" >&2
}

if ! "$top/tests/vm/setup.sh" --vm-only; then
	say "demo: FAILED in the set-up, after $(elapsed)"
	logs_line
	exit 1
fi
if "$top/tests/vm/run-vm.sh" --quiet --no-setup demo >/dev/null; then
	say "demo: OK in $(elapsed)"
	logs_line
else
	say "demo: FAILED after $(elapsed)"
	logs_line
	exit 1
fi
