#!/bin/bash
# SPDX-License-Identifier: MIT
# Build the module from scratch against Debian's linux-headers-amd64 with
# W=1 and fail on any warning: the path a user takes with DKMS, whose
# kernel has no DMABUF_HEAPS.  Builds a copy under build/, so the in-tree
# kernel/objinvoke.ko (for the test kernel) is left alone, and every file
# is compiled each time (an incremental build would hide old warnings).
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -f "$top/kernel/Makefile" ] ||
	die "kernel/Makefile missing: the module's kbuild files are not written yet"
kdir=$(debian_kdir)
copy=$top/build/kmod-debian
log=$logs/check-module.log

rm -rf "$copy"
mkdir -p "$copy"
# The module may include from these by relative path; Kbuild reads VERSION.
for d in kernel common uapi include VERSION; do
	[ -e "$top/$d" ] && cp -a "$top/$d" "$copy/"
done
make -C "$copy/kernel" clean KDIR="$kdir" >/dev/null 2>&1 || true

label="module: W=1 build against $(basename "$kdir")"
quietly "$label" "$log" kbuild_progress make -C "$copy/kernel" KDIR="$kdir" W=1 ||
	die "module build against $kdir failed (log: $log)"
if grep -i 'warning:' "$log" | sed 's/^/    /' >&2; then
	die "module build against $kdir has warnings (log: $log)"
fi
[ -f "$copy/kernel/objinvoke.ko" ] || die "no objinvoke.ko built (log: $log)"
say "$label: clean (log: ${log#"$top"/})"
