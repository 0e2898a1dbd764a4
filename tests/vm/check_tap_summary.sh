#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks tap_summary.awk, the guest's counter of a VM test's cases, on
# streams of known counts: the harness self-test's cases built to fail
# (VT_SELFTEST_FAILING=1), a stream cut short by the guest's timeout, and a
# program that prints no TAP.  Run by meson (suite vm-harness) with the
# self-test program as $1; uses busybox's awk, as the guest does, when
# there is one.
set -u
selftest=$1
awk_script=$(dirname "$0")/tap_summary.awk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if command -v busybox >/dev/null; then awk='busybox awk'; else awk='awk'; fi

fails=0
# count WANT need_tap producer...: the producer's stdout through the counter.
count() {
	want=$1 need_tap=$2
	shift 2
	rm -f "$work/rc" "$work/out"
	{ "$@" 2>/dev/null; echo $? >"$work/rc"; } |
		$awk -v rcfile="$work/rc" -v out="$work/out" -v need_tap="$need_tap" \
			-v limit=900 -f "$awk_script" >/dev/null
	got=$(cat "$work/out")
	if [ "$got" = "$want" ]; then
		echo "ok: $want"
	else
		echo "FAIL: $*: got \"$got\", want \"$want\""
		fails=$((fails + 1))
	fi
}
failing_run() { VT_SELFTEST_FAILING=1 "$selftest"; }
cut_short() { printf 'TAP version 13\n1..3\nok 1 a\n'; return 137; }
not_tap() { echo hello; return "$1"; }

count "3 5 1 not ok: leaks_an_fd hangs fails_an_assertion fails_an_errno_check crashes; exit status 1" 1 failing_run
count "4 0 0 " 1 "$selftest"
count "1 2 0 2 of 3 cases without a result; killed after 900 s" 1 cut_short
count "0 2 0 no TAP version line; no plan" 1 not_tap 0
count "1 0 0" 0 not_tap 0
count "0 0 1" 0 not_tap 77
count "0 1 0 exit status 3" 0 not_tap 3
[ $fails = 0 ]
