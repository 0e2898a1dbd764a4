#!/bin/bash
# SPDX-License-Identifier: MIT
# The DKMS path a distribution's user takes, against Debian's
# linux-headers-amd64 (not the running kernel: -k names it): the source
# tree from `make -C kernel dkms-source` in /usr/src/objinvoke-<version>,
# dkms add, build and install, the module's modinfo version against
# VERSION, and `make -C kernel install` staged into a temporary root.
# Needs root and dkms; leaves no trace (dkms remove --all, the tree
# deleted) even when a step fails.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ "$(id -u)" = 0 ] || die "needs root (dkms writes /usr/src, /var/lib/dkms, /lib/modules)"
command -v dkms >/dev/null || die "dkms missing (apt-get install dkms)"
version=$(cat "$top/VERSION")
kdir=$(debian_kdir)
# The release modules are built for (vermagic, /lib/modules/<release>):
# Debian's headers say it here, not in include/config/kernel.release.
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
[ -d "/lib/modules/$krel/build" ] || die "/lib/modules/$krel/build missing (linux-headers-$krel)"
src=/usr/src/objinvoke-$version
stage=$top/build/dkms-modinst
log=$logs/check-dkms.log

cleanup() {
	dkms remove "objinvoke/$version" --all >/dev/null 2>&1 || true
	rm -rf "$src" "$stage"
	# Headers without the kernel image (no kernel/ of modules) have no
	# module index of their own: the one dkms's depmod wrote goes too.
	[ -d "/lib/modules/$krel/kernel" ] || rm -f "/lib/modules/$krel"/modules.*
}
cleanup	# what an interrupted earlier run left
trap cleanup EXIT

# Run by quietly, its output into $log: every step checked (no set -e there).
check() {
	local step ko got
	echo "dkms: objinvoke/$version for $krel"
	make -s -C "$top/kernel" dkms-source || die "make dkms-source failed"
	for step in add build install; do
		dkms "$step" "objinvoke/$version" -k "$krel" || die "dkms $step failed"
	done
	ko=$(find "/lib/modules/$krel" -path '*/updates/*' -name 'objinvoke.ko*' | head -1)
	[ -n "$ko" ] || die "dkms install put no objinvoke.ko under /lib/modules/$krel/updates"
	got=$(modinfo -F version "$ko")
	[ "$got" = "$version" ] || die "$ko: modinfo version '$got', VERSION says $version"
	echo "dkms: $ko has version $got"

	# `make -C kernel install` from a second copy of the source tree (dkms
	# cleans its build area), staged into a temporary root.
	make -s -C "$top/kernel" dkms-source DESTDIR="$stage/src" ||
		die "make dkms-source DESTDIR=... failed"
	make -C "$stage/src$src/kernel" install KDIR="$kdir" \
		INSTALL_MOD_PATH="$stage/root" || die "make -C kernel install failed"
	[ -f "$stage/root/lib/modules/$krel/updates/objinvoke.ko" ] ||
		die "make -C kernel install put no objinvoke.ko in $stage/root/lib/modules/$krel/updates"
}
label="module: dkms add, build, install for $krel"
quietly "$label" "$log" "" check || die "failed (log: $log)"
say "$label: OK, modinfo version $version; make install staged it in updates/; removed again (log: ${log#"$top"/})"
