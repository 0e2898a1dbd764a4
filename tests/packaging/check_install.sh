#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# What a distribution ships, as a user's program meets it: install the
# build into a scratch DESTDIR, then compile a program that includes every
# public header of include/ and both UAPI headers from there, with the
# flags of the installed libobject.pc, link it, and run it.  A header not
# installed, a .pc that names the wrong paths or version, or a library
# that does not link fails here.  Also: nothing goes to bindir, the test
# programs are in libexecdir exactly when -Dinstall_tests asks, and the
# udev rule, sysusers.d file and unit are where the system reads them.
#
#   check_install.sh MESON BUILD_ROOT SOURCE_ROOT CC SANITIZE INSTALL_TESTS
#                    PREFIX BINDIR LIBEXECDIR INCLUDEDIR SYSTEM_FILE...
set -eu
meson=$1 build=$2 src=$3 cc=$4 sanitize=$5 install_tests=$6
prefix=$7 bindir=$8 libexecdir=$9
shift 9
includedir=$1
shift

fail() { echo "check_install: $*" >&2; exit 1; }
# meson passes dirs relative to the prefix unless they are outside it.
under_prefix() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }

dest=$(mktemp -d "$build/check-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
"$meson" install -C "$build" --destdir "$dest" --no-rebuild --quiet ||
	fail "meson install --destdir failed"

pc=$(find "$dest" -name libobject.pc | head -1)
[ -n "$pc" ] || fail "no libobject.pc installed"
# Only the installed .pc, its paths taken as inside the DESTDIR.
PKG_CONFIG_LIBDIR=$(dirname "$pc")
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

want=$(cat "$src/VERSION")
got=$(pkg-config --modversion libobject)
[ "$got" = "$want" ] || fail "libobject.pc says version $got, VERSION says $want"

# Every header a program may include, spelled as it would spell it.
prog=$dest/consumer.c
{
	for h in "$src"/include/*.h; do
		echo "#include <$(basename "$h")>"
	done
	for h in "$src"/uapi/linux/*.h; do
		echo "#include <linux/$(basename "$h")>"
	done
	echo 'int main(void) { objinvoke_set_log_handler(NULL); return 0; }'
} >"$prog"

# <linux/...> sits in includedir itself, on the compiler's default path
# on a real system; here that is the DESTDIR's includedir.
flags=$(pkg-config --cflags --libs libobject)
san=
[ "$sanitize" = none ] || san=-fsanitize=$sanitize
# shellcheck disable=SC2086 # the flags are words
"$cc" -std=gnu11 -Wall -Wextra -Werror $san \
	-I"$dest$(under_prefix "$includedir")" \
	"$prog" -o "$dest/consumer" $flags ||
	fail "a program using the installed headers and libobject.pc did not build"
libdir=$(dirname "$(find "$dest" -name 'libobject.so*' | head -1)")
LD_LIBRARY_PATH=$libdir "$dest/consumer" ||
	fail "the program linked against the installed libobject did not run"

# Daemons go to sbindir; nothing of ours to bindir.
bin=$dest$(under_prefix "$bindir")
if [ -d "$bin" ] && [ -n "$(ls -A "$bin")" ]; then
	fail "installed into bindir: $(find "$bin" -mindepth 1 -printf '%f ')"
fi
tests_dir=$dest$(under_prefix "$libexecdir")/objinvoke
if [ "$install_tests" = true ]; then
	if [ ! -x "$tests_dir/tee_hello" ] || [ ! -d "$tests_dir/vm-tests" ]; then
		fail "-Dinstall_tests=true but no examples or VM tests in $tests_dir"
	fi
elif [ -e "$tests_dir" ]; then
	fail "-Dinstall_tests=false but $tests_dir was installed"
fi

for f; do
	[ -f "$dest$f" ] || fail "$f not installed"
done
unit=$(for f; do echo "$f"; done | grep '\.service$' || true)
if [ -n "$unit" ] && command -v systemd-analyze >/dev/null; then
	# Checks keys and values, and that ExecStart names the installed
	# program: run on the DESTDIR's copy.  A bad value is only a warning
	# ("ignoring") with exit status 0, so any output fails.
	sed "s|^ExecStart=|ExecStart=$dest|" "$dest$unit" >"$dest/objinvoke-emu.service"
	if ! out=$(systemd-analyze verify --man=no "$dest/objinvoke-emu.service" 2>&1) ||
		[ -n "$out" ]; then
		echo "$out" >&2
		fail "systemd-analyze verify: $unit"
	fi
fi
echo "check_install: consumer built against the installed tree; libobject $got"
