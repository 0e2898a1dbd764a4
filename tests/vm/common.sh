# SPDX-License-Identifier: MIT
# Shared by the test scripts: paths and small helpers.  Sourced, not run.
# shellcheck shell=bash

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vm_build=$top/build/vm       # binaries for the guest, no sanitizers
asan_build=$top/build/asan   # native unit tests under ASan/UBSan
vm_stage=$top/build/vm-stage # `meson install --destdir` of the VM build
vm_logs=$top/build/vm-logs   # serial logs of VM runs
# Where tests/vm/meson.build installs the VM test programs (below prefix /usr).
vm_tests_dir=usr/libexec/objinvoke/vm-tests

step() { printf '\n=== %s\n' "$*" >&2; }
die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# The test kernel's build tree (builds it the first time, ~5 minutes).
test_kdir() { "$top/tests/vm/build-kernel.sh"; }

# Debian's headers for linux-headers-amd64's current ABI (the DKMS path).
debian_kdir() {
	local pkg
	pkg=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | sed 's/[ ,(].*//')
	[ -d "/usr/src/$pkg" ] || die "/usr/src/$pkg missing (apt-get install linux-headers-amd64)"
	echo "/usr/src/$pkg"
}
