#!/bin/bash
# Boot the test kernel in QEMU (TCG, 2 CPUs) with a busybox initramfs
# holding the module, the emulator and everything the VM build installs.
#
#   tests/vm/run-vm.sh [options] all              every VM test
#   tests/vm/run-vm.sh [options] test NAME...     some VM tests (test_foo or foo)
#   tests/vm/run-vm.sh [options] demo             the example client
#   tests/vm/run-vm.sh [options] exec 'CMD'       any command line in the guest
#   tests/vm/run-vm.sh [options] shell            an interactive shell
#
# Options:
#   --quiet       do not stream the guest's console: print a line per step, a
#                 progress line every 30 s, and for demo and exec the
#                 program's own output (the console is in the log)
#   --no-module   boot without the module and the emulator (harness checks)
#   --no-emu      load the module but start no emulator
#   --no-setup    do not rebuild first (by default: tests/vm/setup.sh --vm-only)
#   --emu-asan    run the emulator of the ASan/UBSan build (build/asan): a
#                 sanitizer report in its log fails the run
#   --timeout S   kill QEMU after S seconds (default 2400, shell: none)
#   --env N=V     set N to V in the guest's environment (tests read some:
#                 docs/testing.md); may be repeated
#   --kernel K    debug (default): the test kernel, KASAN, lockdep, ...;
#                 bench: the benchmark kernel (build-kernel.sh --bench),
#                 with the module built for it without test points
#   --cpus N      the guest's CPUs (default 2)
#
# Fails on a timeout, a failed test, a missing end marker, or any kernel
# report (BUG, WARNING, KASAN, lockdep, hung task, kmemleak, ...) in the
# guest's log.  Ends with "vm: N passed, M failed", counting the cases of
# the test programs' TAP streams (docs/testing.md).  The serial log is kept
# in build/vm-logs/ as it came; what reaches the terminal has the firmware's
# escape sequences taken out (they reset the screen and turn off line
# wrapping).  demo boots with kmemleak off: it is not a test.
# SPDX-License-Identifier: MIT
set -euo pipefail
. "$(dirname "$0")/common.sh"

usage() { sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

module=1 emu=1 setup=1 emu_asan=0 timeout=${OBJINVOKE_VM_TIMEOUT:-2400}
guest_env= quiet=0 kernel=debug cpus=2
while [ $# -gt 0 ]; do
	case $1 in
	--quiet) quiet=1 ;;
	--no-module) module=0 emu=0 ;;
	--no-emu) emu=0 ;;
	--no-setup) setup=0 ;;
	--emu-asan) emu_asan=1 ;;
	--timeout) timeout=$2; shift ;;
	--kernel)
		case ${2:-} in debug|bench) kernel=$2 ;; *) die "--kernel debug or bench" ;; esac
		shift ;;
	--cpus)
		[[ ${2:-} =~ ^[1-4]$ ]] || die "--cpus wants 1 to 4 (the kernel's NR_CPUS)"
		cpus=$2; shift ;;
	--env)
		[[ ${2:-} =~ ^[A-Z_][A-Z0-9_]*=[^\ \']*$ ]] ||
			die "--env wants NAME=VALUE (a value without spaces or quotes)"
		guest_env+=" $2"; shift ;;
	-h|--help) usage ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || usage
mode=$1; shift

if [ $setup = 1 ]; then
	flags=()
	[ $emu_asan = 1 ] || flags+=(--vm-only)
	[ $module = 1 ] || flags+=(--no-module)
	"$top/tests/vm/setup.sh" "${flags[@]}" >&2
fi
module_ko=$top/kernel/objinvoke.ko
if [ $kernel = debug ]; then
	kdir=$(test_kdir)
else
	kdir=$(bench_kdir)
	[ $module = 0 ] || module_ko=$(bench_module "$kdir")
fi
[ -d "$vm_stage/$vm_tests_dir" ] || die "no VM build staged: run tests/vm/setup.sh"

# --- what to run
all_tests() { find "$vm_stage/$vm_tests_dir" -maxdepth 1 -type f -perm -u+x -printf '%f\n' | sort; }
conf_mode=tests tests= cmd= cmd_name= kmemleak=1
case $mode in
all)
	tests=$(all_tests | tr '\n' ' ')
	[ -n "$tests" ] || die "no VM tests installed in $vm_tests_dir" ;;
test)
	[ $# -gt 0 ] || die "which test? installed: $(all_tests | tr '\n' ' ')"
	for t; do
		t=test_${t#test_}
		[ -x "$vm_stage/$vm_tests_dir/$t" ] ||
			die "no VM test $t (installed: $(all_tests | tr '\n' ' '))"
		tests+="$t "
	done ;;
demo)
	[ -x "$vm_build/examples/tee_hello" ] ||
		die "examples/tee_hello is not built (examples/meson.build)"
	conf_mode=exec cmd=tee_hello cmd_name=demo kmemleak=0 ;;
exec)
	[ $# -gt 0 ] || die "exec needs a command line"
	conf_mode=exec cmd="$*" cmd_name=exec ;;
shell)
	conf_mode=shell timeout=0 ;;
*) usage ;;
esac
[ $kernel = debug ] || kmemleak=0	# not in the benchmark kernel

# --- the initramfs
# Per run, so that two runs in one clone do not trip over each other.
work=$(mktemp -d "$top/build/vm-run.XXXXXX")
# QEMU puts a terminal into raw mode, SeaBIOS's escapes in the console turn
# off line wrapping: whatever ends the run (Ctrl-C too), the terminal is
# given back as it was.
tty_state=
if [ -t 0 ]; then tty_state=$(stty -g); fi
restore_terminal() {
	if [ -n "$tty_state" ]; then stty "$tty_state" 2>/dev/null || true; fi
	if [ -t 1 ]; then printf '\033[?7h'; elif [ -t 2 ]; then printf '\033[?7h' >&2; fi
}
trap 'restore_terminal; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
root=$work/root
initrd=$work/initramfs.cpio.gz
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc,lib/modules}

cp -a "$vm_stage"/. "$root"/
if [ $emu_asan = 1 ]; then
	asan_emu=$asan_build/emu/objinvoke-emu
	[ -x "$asan_emu" ] || die "$asan_emu is not built (tests/vm/setup.sh without --vm-only)"
	installed=$(find "$root" -name objinvoke-emu -type f)
	[ -n "$installed" ] || die "no objinvoke-emu staged"
	cp "$asan_emu" "$installed"
fi
if [ $emu = 1 ]; then
	[ -n "$(find "$root" -name objinvoke-emu -type f)" ] ||
		die "objinvoke-emu is not built and installed (emu/meson.build, install: true)"
fi
if [ $module = 1 ]; then
	[ -f "$module_ko" ] || die "${module_ko#"$top"/} missing: run tests/vm/setup.sh"
	cp "$module_ko" "$root/lib/modules/objinvoke.ko"
fi

# Shared libraries of every ELF, found by ldd (libraries the VM build
# installed itself resolve inside the staging dir), and the loader.
libpath=$(find "$vm_stage" -name '*.so*' -printf '/%P\n' | xargs -r -n1 dirname | sort -u | tr '\n' ':')
stage_libpath=$(echo "$libpath" | tr ':' '\n' | sed "/^$/d; s|^|$vm_stage|" | tr '\n' ':')
find "$root" -type f | while read -r f; do
	[ "$(head -c4 "$f" | tail -c3)" = ELF ] || continue
	LD_LIBRARY_PATH=$stage_libpath ldd "$f" 2>/dev/null |
		grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	case $lib in "$vm_stage"/*|"$vm_build"/*) continue ;; esac
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
cp "$top/tests/vm/init.sh" "$root/init"
chmod 755 "$root/init"
# init.sh counts each test program's cases from its TAP stream with this.
install -D -m 644 "$top/tests/vm/tap_summary.awk" \
	"$root/usr/share/objinvoke-vm/tap_summary.awk"
cat >"$root/etc/vmtest.conf" <<CONF
MODE='$conf_mode'
TESTS='$tests'
CMD='${cmd//\'/\'\\\'\'}'
CMD_NAME='$cmd_name'
MODULE=$module
EMU=$emu
CPUS=$cpus
KMEMLEAK=$kmemleak
TEST_TIMEOUT=${OBJINVOKE_VM_TEST_TIMEOUT:-900}
VM_TESTS_DIR='$vm_tests_dir'
LIBPATH='${libpath%:}'
GUEST_ENV='${guest_env# }'
CONF
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$initrd"

# --- boot
mkdir -p "$vm_logs"
log=$vm_logs/$mode-$(date +%Y%m%d-%H%M%S).log
ln -sfn "$(basename "$log")" "$vm_logs/last.log"
append="console=ttyS0 panic=-1 loglevel=7"
# kmemleak=off: its tracking slows the whole boot, and the demo scans nothing.
[ $kmemleak = 1 ] || append+=" kmemleak=off"
# la57=off: with TCG's "max" CPU the guest ran 5-level paging, and about
# one boot in ten the KASAN kernel reported a wild access in
# rcu_is_watching() from an interrupt during identify_boot_cpu(), before
# any of our code ran; 4-level paging is what nearly all hardware runs.
qemu=(qemu-system-x86_64 -accel tcg -cpu max,la57=off -smp "$cpus" -m 1G -nographic -no-reboot
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$initrd" -append "$append")
say "vm: guest packed, booting the $kernel kernel, $cpus CPUs (${cmd_name:-$mode}${tests:+: $(wc -w <<<"$tests") test programs}); console log: ${log#"$top"/}"

if [ "$mode" = shell ]; then
	"${qemu[@]}" 2>&1 | tee "$log"
	exit
fi

# The console for a terminal: CSI sequences (ESC [ ... final byte) and the
# two-byte ones (ESC c, a full reset that clears the screen) taken out.
strip_escapes() { sed -u -e 's#\x1b\[[0-9;?]*[ -/]*[@-~]##g' -e 's#\x1b[^[]##g'; }
# The quiet form's progress: test programs done of those to run.
vm_progress() {
	local done
	done=$(grep -acE '^vmtest: [^ ]+: (PASS|FAIL|SKIP):' "$1" || true)
	if [ "$conf_mode" = tests ]; then
		echo "$done of $(wc -w <<<"$tests") test programs done"
	elif grep -aq '^vm: booted' "$1"; then
		echo "booted, running $cmd_name"
	else
		echo "booting"
	fi
}

# --foreground: timeout would otherwise put QEMU in a process group of its
# own, where a Ctrl-C does not reach it (it ran on, the script gone).
start=$SECONDS
rc=0
if [ $quiet = 1 ]; then
	quietly "vm" "$log" vm_progress \
		timeout --foreground --kill-after=10 "$timeout" "${qemu[@]}" || rc=$?
else
	timeout --foreground --kill-after=10 "$timeout" "${qemu[@]}" </dev/null 2>&1 |
		tee "$log" | strip_escapes || rc=$?
	echo >&2
fi
[ $rc = 0 ] || echo "vm: QEMU exited with $rc" >&2

# --- verdict
# What a demo or exec program printed, framed, without the kernel's lines
# (those carry a [ seconds ] stamp): between init.sh's start line and its
# result line for it.
show_program_output() {
	local rule='    +------------------------------------------------------------'
	say "$cmd_name: what it printed in the VM:"
	echo "$rule" >&2
	tr -d '\r' <"$log" | strip_escapes | awk -v name="$cmd_name" '
		$0 == "---- vmtest: " name ": start" { on = 1; next }
		index($0, "vmtest: " name ": ") == 1 { on = 0 }
		on && !/^\[ *[0-9]+\.[0-9]+\] / { print "    | " $0 }' >&2
	echo "$rule" >&2
}
[ $quiet = 0 ] || [ "$conf_mode" != exec ] || show_program_output

fail=0
if [ $rc = 124 ] || [ $rc = 137 ] || [ $((SECONDS - start)) -ge "$timeout" ]; then
	echo "vm: FAIL: timed out after $timeout s" >&2
	fail=1
fi
if ! grep -q '^==== objinvoke-vm: end ====' "$log"; then
	echo "vm: FAIL: the guest did not reach the end marker" >&2
	fail=1
fi
# Kernel messages carry a [   12.345678] timestamp; userspace output does not.
# (Lockdep's own reports start with WARNING: or BUG:; these say it gave up.)
reports='BUG:|WARNING:|KASAN|possible circular locking|lockdep is turned off|turning off the locking correctness validator|DEBUG_LOCKS_WARN_ON|INFO: task .* blocked|Oops|general protection|Kernel panic|UBSAN|stack-protector'
if grep -E "\[ *[0-9]+\.[0-9]+\] .*($reports)" "$log" >"$log.reports" ||
	grep -E '^kmemleak\| .*unreferenced object' "$log" >>"$log.reports"; then
	echo "vm: FAIL: kernel reports in the guest log:" >&2
	sed 's/^/  /' "$log.reports" | head -40 >&2
	fail=1
fi
# init.sh's line per program: "vmtest: NAME: VERDICT: N passed, M failed,
# K skipped", the cases it counted in that program's TAP stream.
read -r passed failed skipped < <(tr -d '\r' <"$log" | awk '
	/^vmtest: [^ ]+: (PASS|FAIL|SKIP): [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped/ {
		p += $4; f += $6; s += $8
	}
	END { print p + 0, f + 0, s + 0 }')
tr -d '\r' <"$log" | grep -E '^vmtest: [^ ]+: (FAIL|SKIP)' >&2 || true
# A run that failed without a failed test (crash, timeout, kernel report)
# still counts one failure, so the totals never read clean.
if [ $fail = 1 ] && [ "$failed" = 0 ]; then
	failed=1
fi
[ "$failed" = 0 ] || fail=1
[ "$skipped" = 0 ] || echo "vm: $skipped skipped"
echo "vm: $passed passed, $failed failed"
exit $fail
