#!/bin/bash
# SPDX-License-Identifier: MIT
# Run the libFuzzer targets (docs/fuzzing.md) under ASan and UBSan, each
# from a copy of its committed corpus (tests/fuzz/corpus/<target>), for a
# bounded time.  Installs clang and libFuzzer's runtime when missing (as
# root, Debian bookworm), sets up the clang build dir build/fuzz, builds
# only the fuzz targets (output in build/logs/), and prints a line per step,
# one per target and, last, "fuzz: N passed, M failed"; exits non-zero on
# any crash, sanitizer report, leak or timeout.
#
#   tests/fuzz/run-fuzzers.sh [--long SECONDS] [--merge] [--seeds] [TARGET...]
#
#   (default)       every target for 60 s: what CI runs
#   --long SECONDS  every target for SECONDS instead
#   --merge         after the run, add the inputs that reach new code to
#                   the repository's corpus (libFuzzer -merge=1): review
#                   and commit them
#   --seeds         rewrite the generated seeds (tests/fuzz/gen_seeds.c)
#                   into the repository's corpus first
#   TARGET          wire, emu, libobject (default: all three)
#
# Each run's corpus, log and crash inputs are kept in build/fuzz/run/<target>/;
# reproduce a crash with build/fuzz/tests/fuzz/fuzz-<target> <crash file>.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/../vm/common.sh"

fuzz_build=$top/build/fuzz
corpus=$top/tests/fuzz/corpus
seconds=60 merge=0 seeds=0 targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--long)
		if [ $# -lt 2 ] || ! [ "$2" -gt 0 ] 2>/dev/null; then
			die "--long takes a number of seconds"
		fi
		seconds=$2
		shift
		;;
	--merge) merge=1 ;;
	--seeds) seeds=1 ;;
	wire | emu | libobject) targets+=("$1") ;;
	*) die "unknown argument $1 (targets: wire emu libobject)" ;;
	esac
	shift
done
[ ${#targets[@]} -gt 0 ] || targets=(wire emu libobject)

# clang links libFuzzer from compiler-rt, which bookworm ships apart:
# libclang-rt-dev (the default clang's libclang-rt-14-dev) holds
# libclang_rt.fuzzer and the sanitizers' runtimes; llvm gives
# llvm-symbolizer, for reports with file:line.  The rest builds the tree.
packages=(clang libclang-rt-dev llvm meson ninja-build pkg-config libbsd-dev)

missing=()
for p in "${packages[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run as root"
	install_packages() {
		export DEBIAN_FRONTEND=noninteractive
		# A fresh machine has no package lists yet.
		apt-cache show "$@" >/dev/null 2>&1 || apt-get update -q || return
		apt-get install -y -q --no-install-recommends "$@"
	}
	say "fuzz: packages: installing ${missing[*]}"
	quietly "fuzz: packages" "$logs/fuzz-packages.log" "" \
		install_packages "${missing[@]}"
	say "fuzz: packages: installed (log: ${logs#"$top"/}/fuzz-packages.log)"
else
	say "fuzz: packages: all ${#packages[@]} present"
fi
rt=$(clang -print-runtime-dir)/libclang_rt.fuzzer-x86_64.a
[ -f "$rt" ] || rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)
[ -f "$rt" ] || die "clang finds no libFuzzer runtime (libclang_rt.fuzzer)"

# The fuzz targets are under tests/: -Dtests=disabled would drop them (a
# build dir set up with it before gets auto again).
build_fuzzers() {
	if [ ! -f "$fuzz_build/build.ninja" ]; then
		CC=clang meson setup "$fuzz_build" "$top" -Dfuzzers=true \
			-Db_sanitize=address,undefined -Db_lundef=false || return
	elif ! grep -q fuzz-seeds "$fuzz_build/build.ninja"; then
		meson setup --reconfigure "$fuzz_build" "$top" -Dtests=auto || return
	fi
	# Only what the fuzzers need: the rest of the tree is gcc's to build.
	meson compile -C "$fuzz_build" fuzz-seeds "${targets[@]/#/fuzz-}"
}
quietly "fuzz: build" "$logs/fuzz-build.log" ninja_progress build_fuzzers
say "fuzz: built (${fuzz_build#"$top"/}; log: ${logs#"$top"/}/fuzz-build.log)"

if [ $seeds = 1 ]; then
	say "fuzz: seeds into $corpus"
	"$fuzz_build/tests/fuzz/fuzz-seeds" "$corpus"
fi

# Any UBSan report is a failure, not a line in the log.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

files() { find "$1" -type f | wc -l; }

passed=0 failed=0 lines=()
for t in "${targets[@]}"; do
	say "fuzz: $t for $seconds s"
	run=$fuzz_build/run/$t
	rm -rf "$run"
	mkdir -p "$run/corpus" "$run/crashes"
	cp "$corpus/$t"/* "$run/corpus/"
	status=0
	(cd "$run" && "$fuzz_build/tests/fuzz/fuzz-$t" \
		-max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
		-artifact_prefix="$run/crashes/" corpus) >"$run/log" 2>&1 ||
		status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log")
	cov=$(grep -o 'cov: [0-9]*' "$run/log" | tail -1 | cut -d' ' -f2 || true)
	# A report libFuzzer did not count as a crash still fails the run.
	if [ $status = 0 ] && ! grep -qE \
		'runtime error:|ERROR: [A-Za-z]*Sanitizer|^fuzz: ' "$run/log"; then
		passed=$((passed + 1))
		note="${runs:-0} inputs, coverage ${cov:-0}"
		lines+=("fuzz: $t: PASS ($note, $(files "$run/corpus") in corpus)")
	else
		failed=$((failed + 1))
		grep -E -m5 'runtime error:|ERROR: |SUMMARY: |^fuzz: ' \
			"$run/log" >&2 || true
		note="exit $status; log $run/log; inputs in $run/crashes/"
		lines+=("fuzz: $t: FAIL ($note)")
	fi
	if [ $merge = 1 ]; then
		before=$(files "$corpus/$t")
		"$fuzz_build/tests/fuzz/fuzz-$t" -merge=1 \
			-artifact_prefix="$run/crashes/" "$corpus/$t" \
			"$run/corpus" >>"$run/merge.log" 2>&1 ||
			echo "fuzz: $t: merge failed (see $run/merge.log)" >&2
		echo "merged into $corpus/$t:" \
			"$(($(files "$corpus/$t") - before)) new inputs" >&2
	fi
done

echo
printf '%s\n' "${lines[@]}"
echo "fuzz: $passed passed, $failed failed"
[ $failed = 0 ]
