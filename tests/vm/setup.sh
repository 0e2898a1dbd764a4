#!/bin/bash
# SPDX-License-Identifier: MIT
# Set up a fresh Debian bookworm machine (as root) to build and test
# objinvoke, then build everything.  Idempotent: a second run only rebuilds
# what changed and takes seconds.  Prints a line per step; each tool's
# full output goes to build/logs/ (the test kernel's: kernel-build.log).
#
#   tests/vm/setup.sh [--vm-only] [--no-module]
#
#   --vm-only    skip the ASan build of the native tests
#   --no-module  do not build kernel/objinvoke.ko (to check the VM harness
#                on its own)
set -euo pipefail
. "$(dirname "$0")/common.sh"

vm_only=0 module=1
for arg; do
	case $arg in
	--vm-only) vm_only=1 ;;
	--no-module) module=0 ;;
	*) die "unknown option $arg" ;;
	esac
done

# Exactly what the build and the VM need.  Not listed, though often assumed:
# libssl-dev (the test kernel signs no modules), dwarves (no BTF: the test
# kernel has no debug info and Debian's headers ship no vmlinux), kmod (the
# guest uses busybox's insmod).  libc6-dev is only a Recommends of gcc.
# perl (not only perl-base): W=1 runs scripts/kernel-doc, which needs
# Pod::Usage; a fresh debootstrap showed it missing.  dkms: run-all.sh's
# check-dkms.sh (it brings kmod's modinfo).
packages=(
	meson ninja-build pkg-config gcc libc6-dev make libcmocka-dev libbsd-dev
	linux-source-6.1 linux-headers-amd64 bc bison flex libelf-dev xz-utils
	perl qemu-system-x86 busybox-static cpio dkms scdoc
)

apt_progress() { echo "$(grep -c '^Unpacking ' "$1" || true) packages unpacked"; }
install_packages() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q &&
		apt-get install -y -q --no-install-recommends "$@"
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run as root"
	log=$logs/packages.log
	say "packages: installing ${#missing[@]} of ${#packages[@]}: ${missing[*]}"
	quietly "packages" "$log" apt_progress install_packages "${missing[@]}"
	say "packages: installed (log: ${log#"$top"/})"
else
	say "packages: all ${#packages[@]} present"
fi

kdir=$(test_kdir)
say "test kernel: ready ($kdir)"

# Configure a build dir once; later runs only apply the options again (a
# dir made before an option existed gets it) and let ninja reconfigure.
# CI builds warn-free: -Dwerror=true (distribution builds default to off).
meson_build() { # dir options...
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$top" -Dwerror=true "$@"
	else
		# --reconfigure, not configure: options added since the dir was made
		meson setup --reconfigure "$dir" "$top" -Dwerror=true "$@"
	fi && meson compile -C "$dir"
}
# The guest is staged from an install: the examples, benchmarks and VM
# tests must be installed too (under /usr/libexec/objinvoke).
build_guest() {
	meson_build "$vm_build" --prefix=/usr -Dinstall_tests=true &&
		rm -rf "$vm_stage" &&
		meson install -C "$vm_build" --destdir "$vm_stage" --no-rebuild
}

log=$logs/build-vm.log
quietly "userspace for the guest" "$log" ninja_progress build_guest
say "userspace for the guest: built (${vm_build#"$top"/}; log: ${log#"$top"/})"

# A VM test that is not in tests/vm/meson.build would silently never run.
for src in "$top"/tests/vm/test_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	[ -x "$vm_stage/$vm_tests_dir/$name" ] ||
		die "$name is not installed: add it to vm_tests in tests/vm/meson.build"
done

if [ $vm_only = 0 ]; then
	log=$logs/build-asan.log
	quietly "native tests under ASan/UBSan" "$log" ninja_progress \
		meson_build "$asan_build" -Db_sanitize=address,undefined -Db_lundef=false
	say "native tests under ASan/UBSan: built (${asan_build#"$top"/}; log: ${log#"$top"/})"
fi

if [ $module = 1 ]; then
	[ -f "$top/kernel/Makefile" ] ||
		die "kernel/Makefile missing: the module's kbuild files are not written yet"
	# With the test points (kernel/testpoint.h): this module is for the
	# test kernel only; check-module.sh builds the release form.
	log=$logs/build-module.log
	quietly "kernel module" "$log" kbuild_progress \
		make -C "$top/kernel" KDIR="$kdir" CONFIG_OBJINVOKE_TEST_POINTS=y
	[ -f "$top/kernel/objinvoke.ko" ] ||
		die "make -C kernel did not produce kernel/objinvoke.ko (log: $log)"
	say "kernel module: built for the test kernel (kernel/objinvoke.ko; log: ${log#"$top"/})"
fi
