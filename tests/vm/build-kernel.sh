#!/bin/bash
# SPDX-License-Identifier: MIT
# Build (once per machine) a kernel for the VM from Debian's
# linux-source-6.1 and the config fragment beside this script.
#
#   build-kernel.sh            the debug test kernel: kernel.config
#   build-kernel.sh --bench    the benchmark kernel: kernel.config with the
#                              lines of kernel-bench.config in place of its
#                              own (the debug options off, -O2)
#
# The result is cached outside the clone, keyed by the source package's
# version and the fragment's hash, so every clone on this machine shares it
# and a change to either builds a new one.  Prints the build directory
# (usable as KDIR for the module) on stdout; step lines go to stderr, the
# build's output to build/logs/kernel-build.log (-bench.log).
set -euo pipefail
. "$(dirname "$0")/common.sh"

here=$top/tests/vm
flavour=debug
case ${1:-} in
'') ;;
--bench) flavour=bench ;;
*) die "unknown option $1 (--bench or nothing)" ;;
esac
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${OBJINVOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/objinvoke}

[ -f "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.1)"

version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
mkdir -p "$cache"
if [ $flavour = debug ]; then
	fragment=$here/kernel.config
	key=$(sha256sum "$fragment" | cut -c1-12)
	dir=$cache/linux-$version-$key
else
	# One fragment, one list of what differs: a symbol that
	# kernel-bench.config sets loses its line in kernel.config.
	overrides=$here/kernel-bench.config
	fragment=$(mktemp "$cache/bench-fragment.XXXXXX")
	trap 'rm -f "$fragment"' EXIT
	# Its lines: CONFIG_X=value, or "# CONFIG_X is not set" for off (an
	# int or string symbol has no "=n").
	syms=$(sed -nE 's/^(# )?(CONFIG_[A-Z0-9_]+)(=| is not set).*/\2/p' "$overrides" | paste -sd'|')
	grep -vE "^($syms)=" "$here/kernel.config" >"$fragment"
	grep -E '^(# )?CONFIG_' "$overrides" >>"$fragment"
	key=$(sha256sum "$fragment" | cut -c1-12)
	dir=$cache/linux-$version-bench-$key
fi

if [ -f "$dir/.built" ]; then
	echo "$dir/src"
	exit 0
fi

name="test kernel"
[ $flavour = debug ] || name="benchmark kernel"
log() { say "$name: $*"; }
klog=$logs/kernel-build.log
[ $flavour = debug ] || klog=$logs/kernel-build-bench.log
# Serialise concurrent builds (two clones set up at once).
exec 9>"$cache/.lock"
flock -n 9 || { log "another build of it is running: waiting for that"; flock 9; }
if [ -f "$dir/.built" ]; then
	echo "$dir/src"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
log "not built yet for this machine: building it once (5 to 10 minutes; log: ${klog#"$top"/})"
quietly "$name: extracting $(basename "$tarball")" "$klog" "" \
	tar -C "$dir" -xf "$tarball"
mv "$dir/linux-source-6.1" "$dir/src"
cd "$dir/src"

configure() {
	make tinyconfig &&
		scripts/kconfig/merge_config.sh -m .config "$fragment" &&
		make olddefconfig
}
quietly "$name: configuring" "$dir/config.log" "" configure

# Kconfig drops what it cannot satisfy without a word: check every line.
bad=0
while IFS= read -r line; do
	case "$line" in
	'# CONFIG_'*' is not set') sym=${line#\# } sym=${sym%% *} want=n ;;
	''|'#'*) continue ;;
	*) sym=${line%%=*} want=${line#*=} ;;
	esac
	if [ "$want" = n ]; then
		grep -q "^$sym=" .config && { log "$sym is set, wanted off"; bad=1; }
	else
		grep -qxF "$line" .config || { log "$sym: wanted $want, got '$(grep "^$sym=" .config || echo unset)'"; bad=1; }
	fi
done <"$fragment"
[ $bad = 0 ] || die "config fragment not honoured (log: $dir/config.log)"

# Out-of-tree modules need Module.symvers; tinyconfig builds no modules of
# its own, so `make modules` is quick and writes it.
started=$(date +%s)
build() { make -j"$(nproc)" bzImage modules_prepare && make -j"$(nproc)" modules; }
quietly "$name: compiling ($(nproc) jobs)" "$klog" kbuild_progress build
cp "$klog" "$dir/build.log"
touch "$dir/.built"
log "built in $(elapsed "$started"), cached in $dir (log: ${klog#"$top"/})"
echo "$dir/src"
