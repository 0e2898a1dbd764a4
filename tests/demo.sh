#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up (tests/vm/setup.sh), then boot the test VM, load the module, start
# the TEE emulator and run the example client examples/tee_hello against
# the emulator's test service, showing what it prints.
set -euo pipefail
. "$(dirname "$0")/vm/common.sh"

"$top/tests/vm/setup.sh"
step "demo: examples/tee_hello in the VM"
exec "$top/tests/vm/run-vm.sh" --no-setup demo
