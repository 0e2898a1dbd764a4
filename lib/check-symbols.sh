#!/bin/sh
# SPDX-License-Identifier: MIT
# Fail when the symbols libobject.so exports differ from the committed
# list, so an ABI change is always a reviewed edit of libobject.symbols.
# usage: check-symbols.sh NM LIBRARY EXPECTED
set -eu
nm_bin=$1 lib=$2 expected=$3

actual=$("$nm_bin" -D --defined-only "$lib" | awk '{ print $NF }' | sort)
if [ "$actual" = "$(sort "$expected")" ]; then
	exit 0
fi
echo "exported symbols of $lib changed; diff expected actual:" >&2
printf '%s\n' "$actual" | diff -u "$expected" - >&2 || true
exit 1
