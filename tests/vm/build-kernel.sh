#!/bin/bash
# SPDX-License-Identifier: MIT
# Build (once per machine) the debug test kernel from Debian's
# linux-source-6.1 and the config fragment beside this script.
#
# The result is cached outside the clone, keyed by the source package's
# version and the fragment's hash, so every clone on this machine shares it
# and a change to either builds a new one.  Prints the build directory
# (usable as KDIR for the module) on stdout; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/kernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${OBJINVOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/objinvoke}

[ -f "$tarball" ] || { echo "build-kernel: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }

version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$(sha256sum "$fragment" | cut -c1-12)
dir=$cache/linux-$version-$key

if [ -f "$dir/.built" ]; then
	echo "$dir/src"
	exit 0
fi

log() { echo "build-kernel: $*" >&2; }

mkdir -p "$cache"
# Serialise concurrent builds (two clones set up at once).
exec 9>"$cache/.lock"
flock 9
if [ -f "$dir/.built" ]; then
	echo "$dir/src"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
log "extracting $tarball ($version)"
tar -C "$dir" -xf "$tarball"
mv "$dir/linux-source-6.1" "$dir/src"
cd "$dir/src"

log "configuring: tinyconfig + $(basename "$fragment")"
make -s tinyconfig >"$dir/config.log" 2>&1
scripts/kconfig/merge_config.sh -m .config "$fragment" >>"$dir/config.log" 2>&1
make -s olddefconfig >>"$dir/config.log" 2>&1

# Kconfig drops what it cannot satisfy without a word: check every line.
bad=0
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	sym=${line%%=*}
	want=${line#*=}
	if [ "$want" = n ]; then
		grep -qx "$sym=[ym]" .config && { log "$sym is set, wanted off"; bad=1; }
	else
		grep -qxF "$line" .config || { log "$sym: wanted $want, got '$(grep "^$sym=" .config || echo unset)'"; bad=1; }
	fi
done <"$fragment"
[ $bad = 0 ] || { log "config fragment not honoured"; exit 1; }

log "building bzImage and module support with $(nproc) jobs (about 5 minutes)"
make -s -j"$(nproc)" bzImage modules_prepare >&2 2>"$dir/build.log" || {
	tail -40 "$dir/build.log" >&2
	exit 1
}
# Out-of-tree modules need Module.symvers; tinyconfig builds no modules of
# its own, so `make modules` is quick and writes it.
make -s -j"$(nproc)" modules >>"$dir/build.log" 2>&1
touch "$dir/.built"
log "done: $dir/src"
echo "$dir/src"
