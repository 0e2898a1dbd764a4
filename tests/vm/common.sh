# SPDX-License-Identifier: MIT
# Shared by the test scripts: paths and small helpers.  Sourced, not run.
# shellcheck shell=bash

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vm_build=$top/build/vm       # binaries for the guest, no sanitizers
asan_build=$top/build/asan   # native unit tests under ASan/UBSan
vm_stage=$top/build/vm-stage # `meson install --destdir` of the VM build
vm_logs=$top/build/vm-logs   # serial logs of VM runs
logs=$top/build/logs         # each step's full output (builds, tests)
# Where tests/vm/meson.build installs the VM test programs (below prefix /usr).
vm_tests_dir=usr/libexec/objinvoke/vm-tests

# The clock of the step lines: time since the outermost command started.
# Exported, so that setup.sh under demo.sh goes on counting from demo's start.
: "${OBJINVOKE_T0:=$(date +%s)}"
export OBJINVOKE_T0

elapsed() { # [since]: M:SS since OBJINVOKE_T0 (or since the epoch second given)
	local s=$(($(date +%s) - ${1:-$OBJINVOKE_T0}))
	printf '%d:%02d' $((s / 60)) $((s % 60))
}
# One line of the account the commands print: "[ 1:23] what happened".
say() { printf '[%5s] %s\n' "$(elapsed)" "$*" >&2; }
step() { say "$*"; }
die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# quietly LABEL LOG PROGRESS CMD...: runs CMD in a subshell (a die in a
# function ends only that) with all its output in LOG (the terminal gets
# none of it).  Every 30 s (OBJINVOKE_TICK) while it
# runs: "LABEL: running, M:SS[, what PROGRESS LOG says]", so a long step is
# not silence; PROGRESS may be "".  When CMD fails: the end of LOG and its
# path.  Returns CMD's status.
quietly() {
	local label=$1 log=$2 progress=$3 rc=0 ticker start
	shift 3
	mkdir -p "$(dirname "$log")"
	start=$(date +%s)
	(
		while sleep "${OBJINVOKE_TICK:-30}" </dev/null >/dev/null 2>&1 &&
			kill -0 "$$" 2>/dev/null; do
			say "  $label: running, $(elapsed "$start")${progress:+, $("$progress" "$log")}"
		done
	) &
	ticker=$!
	("$@") >"$log" 2>&1 </dev/null || rc=$?
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	if [ $rc != 0 ]; then
		say "$label: FAILED (exit status $rc); the end of its log:"
		tail -n 30 "$log" | sed 's/^/    /' >&2
		say "$label: full log: $log"
	fi
	return $rc
}

# Progress counters for quietly, read from a step's log.
ninja_progress() { # ninja's last "[N/M]": steps done of steps to do
	local last
	last=$(grep -o '^\[[0-9]*/[0-9]*\]' "$1" | tail -n 1 || true)
	echo "${last:-[0/?]} build steps"
}
kbuild_progress() { # kbuild's "  CC  file.o" lines
	echo "$(grep -c '^  CC ' "$1" || true) files compiled"
}

# The test kernel's build tree (builds it the first time, ~5-10 minutes).
test_kdir() { "$top/tests/vm/build-kernel.sh"; }
# The benchmark kernel's (the same, without the debug options).
bench_kdir() { "$top/tests/vm/build-kernel.sh" --bench; }

# bench_module KDIR: the module built for the benchmark kernel at KDIR,
# as a distribution builds it (the DKMS source tree, no test points), in
# build/module-bench/; prints the .ko's path.
bench_module() {
	local kdir=$1 dest=$top/build/module-bench src log=$logs/build-module-bench.log
	build() {
		make -C "$top/kernel" dkms-source DESTDIR="$dest" &&
			make -C "$dest/usr/src/objinvoke-$(cat "$top/VERSION")/kernel" KDIR="$kdir"
	}
	quietly "kernel module for the benchmark kernel" "$log" kbuild_progress build ||
		die "the module did not build for the benchmark kernel (log: $log)"
	src=$dest/usr/src/objinvoke-$(cat "$top/VERSION")
	echo "$src/kernel/objinvoke.ko"
}

# Debian's headers for linux-headers-amd64's current ABI (the DKMS path).
debian_kdir() {
	local pkg
	pkg=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | sed 's/[ ,(].*//')
	[ -d "/usr/src/$pkg" ] || die "/usr/src/$pkg missing (apt-get install linux-headers-amd64)"
	echo "/usr/src/$pkg"
}
