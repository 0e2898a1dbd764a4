#!/bin/sh
# SPDX-License-Identifier: MIT
# check-page.sh SCDOC SOURCE PAGE: the man page builds from its scdoc
# source, and (where man(1) is installed) renders without a warning, which
# catches the troff that scdoc passes through unchecked.
set -eu
scdoc=$1 source=$2 page=$3

"$scdoc" < "$source" > /dev/null
[ -s "$page" ] || { echo "$page: empty" >&2; exit 1; }
command -v man > /dev/null || exit 0
warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null)
if [ -n "$warnings" ]; then
	printf '%s: %s\n' "$page" "$warnings" >&2
	exit 1
fi
