#!/bin/sh
# SPDX-License-Identifier: MIT
# PID 1 of the test VM (busybox sh), packed as /init by run-vm.sh.
#
# Reads /etc/vmtest.conf (written by run-vm.sh): MODE (tests, exec, shell),
# TESTS, CMD, MODULE, EMU, CPUS, KMEMLEAK (0: the kernel was booted with
# kmemleak=off, as for the demo), TEST_TIMEOUT, LIBPATH, GUEST_ENV.  Runs
# each test program with its TAP stream through tap_summary.awk, which
# counts its cases; prints one line per program, "vmtest: <name>:
# PASS|FAIL|SKIP: N passed, M failed, K skipped[ (why)]", then a summary
# and the end marker, and powers off with `reboot -f` (QEMU runs with
# -no-reboot).

# /usr/libexec/objinvoke: the examples and benchmarks (-Dinstall_tests).
export PATH=/usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin:/usr/libexec/objinvoke
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
exec </dev/console >/dev/console 2>&1

. /etc/vmtest.conf
export LD_LIBRARY_PATH=$LIBPATH
# For an emulator built with sanitizers (run-vm.sh --emu-asan).
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
export OBJINVOKE_EMU_PIDFILE=/run/objinvoke-emu.pid
export OBJINVOKE_EMU_LOG=/tmp/objinvoke-emu.log
export HOME=/root
# run-vm.sh --env NAME=VALUE ...
for assignment in $GUEST_ENV; do
	export "$assignment"
done

passed=0 failed=0 skipped=0 emu_pid=

# Where run-vm.sh puts the TAP counter.
tap_summary=/usr/share/objinvoke-vm/tap_summary.awk

result() { # name passed failed skipped [why]
	verdict=PASS
	if [ "$3" -gt 0 ]; then
		verdict=FAIL
	elif [ "$2" = 0 ] && [ "$4" -gt 0 ]; then
		verdict=SKIP
	fi
	echo "vmtest: $1: $verdict: $2 passed, $3 failed, $4 skipped${5:+ ($5)}"
	passed=$((passed + $2)) failed=$((failed + $3)) skipped=$((skipped + $4))
}

# A check of the VM itself that fails the run.
broken() {
	echo "vm: error: $*"
	result "vm-setup" 0 1 0 "$*"
}

start_emu() {
	rm -f "$OBJINVOKE_EMU_PIDFILE"
	objinvoke-emu --pidfile "$OBJINVOKE_EMU_PIDFILE" 2>>"$OBJINVOKE_EMU_LOG" &
	emu_pid=$!
	# It writes the pid file once attached and serving: wait for that (an
	# ASan build on a loaded host takes a while), not for a guessed time.
	waited=0
	while [ "$(cat "$OBJINVOKE_EMU_PIDFILE" 2>/dev/null)" != "$emu_pid" ]; do
		kill -0 "$emu_pid" 2>/dev/null || return 1
		waited=$((waited + 1))
		[ $waited -le 600 ] || { echo "vm: emulator not attached in 60 s"; return 1; }
		usleep 100000
	done
}

# Tests that kill the emulator start another; one that failed half-way
# may not have.  Its failure is its own: the tests after it get a TEE.
ensure_emu() { # the test that ran
	pid=$(cat "$OBJINVOKE_EMU_PIDFILE" 2>/dev/null) &&
		kill -0 "$pid" 2>/dev/null && return 0
	echo "vm: $1 left no emulator running; starting one"
	start_emu || broken "objinvoke-emu did not start again after $1"
}

stop_emu() {
	pid=$(cat "$OBJINVOKE_EMU_PIDFILE" 2>/dev/null) || return 0
	kill -0 "$pid" 2>/dev/null || { echo "vm: emulator (pid $pid) had already exited"; return 1; }
	kill -TERM "$pid"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 1
	done
	echo "vm: emulator did not stop on SIGTERM"
	kill -KILL "$pid"
	return 1
}

show_emu_log() {
	[ -s "$OBJINVOKE_EMU_LOG" ] || return 0
	echo "---- emulator log"
	sed 's/^/emu| /' "$OBJINVOKE_EMU_LOG"
	echo "---- end of emulator log"
}

# Run a program and count its cases from its stdout, which must be TAP
# when need_tap is 1 (a VM test); otherwise a program that prints no TAP
# is one case, judged by its exit status.  Its stderr goes to the console.
run_one() { # name need_tap command...
	name=$1 need_tap=$2
	shift 2
	echo "---- vmtest: $name: start"
	rm -f /tmp/vmtest.rc /tmp/vmtest.counts
	{ timeout -s KILL "$TEST_TIMEOUT" "$@"; echo $? >/tmp/vmtest.rc; } |
		awk -v rcfile=/tmp/vmtest.rc -v out=/tmp/vmtest.counts \
			-v need_tap="$need_tap" -v limit="$TEST_TIMEOUT" \
			-f "$tap_summary"
	if read -r p f s why </tmp/vmtest.counts; then
		result "$name" "$p" "$f" "$s" "$why"
	else
		result "$name" 0 1 0 "its TAP stream was not counted"
	fi
}

echo "vm: booted, $(uname -r)"
ncpu=$(grep -c '^processor' /proc/cpuinfo)
[ "$ncpu" = "$CPUS" ] || broken "guest sees $ncpu CPUs, want $CPUS"

ready=1
if [ "$MODULE" = 1 ]; then
	if insmod /lib/modules/objinvoke.ko; then
		echo "vm: module loaded"
	else
		broken "insmod objinvoke.ko failed"; ready=0
	fi
fi
if [ "$EMU" = 1 ] && [ $ready = 1 ]; then
	if start_emu; then
		echo "vm: emulator running (pid $emu_pid)"
	else
		broken "objinvoke-emu exited at start"; ready=0
	fi
fi

if [ $ready = 1 ]; then
	case $MODE in
	tests)
		for t in $TESTS; do
			run_one "$t" 1 "/$VM_TESTS_DIR/$t"
			[ "$EMU" = 1 ] && ensure_emu "$t"
		done ;;
	exec)
		run_one "$CMD_NAME" 0 sh -c "$CMD" ;;
	shell)
		echo "vm: shell; 'exit' (or Ctrl-D) ends the VM after the leak check"
		setsid cttyhack sh -l ;;
	esac
fi

if [ "$EMU" = 1 ] && [ -n "$emu_pid" ]; then
	stop_emu || broken "emulator did not stop cleanly"
fi
# An emulator built with ASan/UBSan (run-vm.sh --emu-asan) reports in its
# log and may go on: any report fails the run.
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$OBJINVOKE_EMU_LOG" 2>/dev/null; then
	broken "sanitizer report in the emulator's log"
fi
if [ "$MODULE" = 1 ] && grep -q '^objinvoke ' /proc/modules; then
	rmmod objinvoke || broken "rmmod objinvoke failed (references left?)"
fi
[ $failed = 0 ] || show_emu_log

uptime_s() { cut -d. -f1 /proc/uptime; }

# kmemleak reports an object only when it is older than 5 s and was
# unreferenced, with unchanged contents, in two scans in a row: a scan
# checksums each unreferenced object and reports it only if the checksum
# is the one the previous scan took (mm/kmemleak.c, update_checksum()),
# and an object starts with none.  So an object the unload above left
# unreferenced, or one a test lost since no scan had seen it, shows only
# at a second scan: one scan would miss the leaks of every test.  Each
# scan takes about 8 s under TCG; the test kernel has no automatic scans
# (DEBUG_KMEMLEAK_AUTO_SCAN off), so these two are the only ones.
if [ "$KMEMLEAK" = 0 ]; then
	echo "vm: kmemleak: off for this run"
elif [ -w /sys/kernel/debug/kmemleak ]; then
	echo "vm: kmemleak scan"
	scan_start=$(uptime_s)
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	echo "vm: kmemleak: two scans in $(($(uptime_s) - scan_start)) s"
	# Objects the boot CPU's idle task allocated in process context are
	# early boot's (ACPI's caches are known false positives): shown, but
	# marked so the host does not count them.
	awk '
	function flush() {
		for (i = 0; i < n; i++) print (boot ? "kmemleak-boot| " : "kmemleak| ") buf[i]
		if (n) { if (boot) nboot++; else nleak++ }
		n = 0; boot = 0
	}
	/^unreferenced object/ { flush() }
	/comm "swapper\/0", pid 0,/ { boot = 1 }
	{ buf[n++] = $0 }
	END { flush(); printf "vm: kmemleak: %d leaks, %d early-boot reports ignored\n", nleak, nboot }' /sys/kernel/debug/kmemleak
else
	broken "kmemleak not available"
fi

echo "vm-summary: $passed passed, $failed failed, $skipped skipped"
echo "==== objinvoke-vm: end ===="
reboot -f
