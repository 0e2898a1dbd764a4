#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# One version everywhere.  VERSION is the source: meson reads it (the
# project, libobject.pc, every --version) and so does kernel/Kbuild
# (MODULE_VERSION).  dkms.conf must name it as a literal, and
# lib/libobject.map's newest node must be its major.minor (meson refuses
# to configure otherwise; this says so as a test too).
#
#   check_versions.sh SOURCE_ROOT
set -eu
src=$1
fail() { echo "check_versions: $*" >&2; exit 1; }

version=$(cat "$src/VERSION")
echo "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' ||
	fail "VERSION '$version' is not MAJOR.MINOR.PATCH"

dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/dkms.conf")
[ "$dkms" = "$version" ] ||
	fail "dkms.conf PACKAGE_VERSION is '$dkms', VERSION is $version"

node=$(sed -n 's/^LIBOBJECT_\([0-9.]*\) {.*/\1/p' "$src/lib/libobject.map" | tail -1)
[ "$node" = "${version%.*}" ] ||
	fail "lib/libobject.map's newest node is LIBOBJECT_$node, VERSION is $version"

grep -q 'MODULE_VERSION(OBJINVOKE_VERSION)' "$src/kernel/module.c" ||
	fail "kernel/module.c has no MODULE_VERSION(OBJINVOKE_VERSION)"
echo "check_versions: $version in VERSION, dkms.conf, libobject.map (LIBOBJECT_$node), the module"
