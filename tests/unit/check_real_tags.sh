#!/bin/sh
# SPDX-License-Identifier: MIT
# Each behaviour of the kernel that a native fake reproduces carries a tag
# naming the VM test case that checks the real one (docs/testing.md):
#
#	/* ... real: test_server.c:release_request_exactly_once */
#
# This checks that every tag names a tests/vm/test_*.c file that
# registers that case (VT_CASE or VT_CASE_TIMEOUT), so a fake cannot keep
# pointing at a case that was renamed or removed.  Run by meson with the
# source root as $1.
set -eu
top=$1
fakes="tests/unit/fake_sys.c tests/unit/fake_server.c tests/unit/fake_mem.c
	tests/fuzz/lib_kernel.c tests/emu/emu_harness.c tests/emu/memkernel.c"

cd "$top"
hits=$(mktemp)
trap 'rm -f "$hits"' EXIT
bad=0 tags=0
for f in $fakes; do
	[ -f "$f" ] || { echo "$f: missing (update tests/unit/check_real_tags.sh)"; bad=1; continue; }
	# Every "real:" in a fake is a tag; one that does not parse is an error.
	# One tag a line.
	grep -n 'real:' "$f" >"$hits" || true
	while IFS= read -r hit; do
		line=${hit%%:*}
		tag=$(printf '%s\n' "$hit" |
			sed -n 's/.*real: \(test_[a-z0-9_]*\.c\):\([a-z0-9_]*\).*/\1 \2/p')
		if [ -z "$tag" ]; then
			echo "$f:$line: a tag is \"real: test_FILE.c:case\": $hit"
			bad=1
			continue
		fi
		file=${tag% *} vm_case=${tag#* }
		tags=$((tags + 1))
		if [ ! -f "tests/vm/$file" ]; then
			echo "$f:$line: no tests/vm/$file"
			bad=1
		elif ! grep -Eq "VT_CASE(_TIMEOUT)?\(${vm_case}[,)]" "tests/vm/$file"; then
			echo "$f:$line: tests/vm/$file has no case $vm_case"
			bad=1
		fi
	done <"$hits"
done
echo "$tags tags checked"
[ $tags -gt 0 ] || { echo "no tags found"; bad=1; }
exit $bad
