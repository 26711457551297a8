#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boots one Debian kernel in QEMU (TCG, q35, Intel vIOMMU with interrupt
# remapping and snoop control, as real VT-d has; 2 vCPUs) with an initramfs
# from mkinitramfs.sh, and judges the run from its two serial logs.
#
#   run-vm.sh --kver KVER --initramfs FILE [--mem MiB] [--timeout SEC]
#             [--boot-timeout SEC] [--log-dir DIR] [--name LABEL] [--stream]
#             [--iommu QEMU-DEVICE] [--append KERNEL-ARGS] [-- extra qemu args...]
#   run-vm.sh --judge CONSOLE TESTS [--log-dir DIR] [--name LABEL]
#
# --judge boots nothing: it judges the two logs given as if a boot had
# written them (tests/host/judge.sh checks the judging that way).
#
# Logs (LABEL defaults to KVER, DIR to ./vm-logs):
#   DIR/console-LABEL.log  ttyS0: kernel console + init's markers + dmesg dump
#   DIR/tests-LABEL.log    ttyS1: everything /payload/run.sh printed
#   DIR/qemu-LABEL.log     QEMU's own stderr
#   DIR/result-LABEL       passed=P failed=F skipped=S vmfail=0|1 reason="..."
#                          (then elapsed=SEC attempts=N)
#   DIR/console-LABEL.attemptN.log  consoles of boots that never reached init
#
# How a run is judged (every check can fail the run):
# - Boot: the guest's init prints "IOMMUFD-VM: init reached" on ttyS0 first
#   thing. The kernel runs with oops=panic panic=-1 and QEMU with -no-reboot,
#   so an oops or panic before init makes QEMU exit at once. A boot whose
#   console lacks the marker (QEMU exited, or --boot-timeout, default 180 s,
#   passed) is retried, at most 3 attempts in all, quoting its first
#   Oops/panic line:
#   Debian's kernels under TCG with 2 vCPUs sometimes die of "Oops: int3"
#   while patching code. Once init was reached there is never a retry: init
#   sets panic_on_oops=0, so a later oops is logged and the run goes on.
# - Timeout: QEMU still running after --timeout seconds is killed: failure.
# - Completion: init prints "IOMMUFD-VM: done rc=N" after run.sh; a missing
#   line or N != 0 is a failure.
# - Kernel log: the whole console log (live messages, printed at loglevel
#   WARNING and worse after init, and the full dmesg dump between
#   "IOMMUFD-VM: dmesg begin/end") is searched for $BAD_PATTERNS below; any
#   hit is a failure, shown with context. The kernel command line, echoed at
#   boot, is not searched. Neither are regions between the kernel log lines
#   "IOMMUFD-VM: expect-warning begin" and "... end", which a test writes
#   (to /dev/kmsg) around a kernel warning it provokes on purpose; such a
#   region without a "WARNING:" line is a failure itself.
# - TAP (tests log, \r stripped): top-level "ok " lines pass, "not ok " lines
#   fail, either with "# SKIP" is skipped. No result line at all, "Bail out!",
#   or a result count differing from the sum of the top-level "1..N" plans
#   (a test binary that died half way) is a failure.
# Exit status 0 only if the run is clean and no test failed.
set -euo pipefail

BAD_PATTERNS='Oops|BUG:|WARNING:|Kernel panic|general protection fault|KASAN|UBSAN'
BAD_PATTERNS+='|possible circular locking|possible recursive locking|inconsistent lock state'
BAD_PATTERNS+='|soft lockup|hard LOCKUP|hung_task|blocked for more than|Call Trace:'
BAD_PATTERNS+='|refcount_t:|list_add corruption|list_del corruption|kernel BUG at'
BAD_PATTERNS+='|IOMMUFD-VM: expected warning missing'
BAD_PATTERNS+='|ODEBUG:|kmemleak: .*new suspected|sleeping function called from invalid context'
# Lines that describe a boot that died before init (for the retry message).
EARLY_DEATH='Oops|Kernel panic|BUG:|general protection fault|kernel BUG at'

MAX_ATTEMPTS=3

usage() {
	sed -n '8,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

judge=0
kver='' initramfs='' mem=1024 timeout=600 boot_timeout=180 logdir=./vm-logs name='' stream=0
iommu='intel-iommu,intremap=on,snoop-control=on'
append=''
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=${2:?}; shift 2 ;;
	--initramfs) initramfs=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--boot-timeout) boot_timeout=${2:?}; shift 2 ;;
	--log-dir) logdir=${2:?}; shift 2 ;;
	--name) name=${2:?}; shift 2 ;;
	--iommu) iommu=${2:?}; shift 2 ;;
	--append) append=${2:?}; shift 2 ;;
	--stream) stream=1; shift ;;
	--judge) judge=1; jconsole=${2:?}; jtests=${3:?}; shift 3 ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) usage ;;
	*) echo "run-vm: unknown argument: $1" >&2; usage ;;
	esac
done
if [ $judge = 1 ]; then
	kver=${kver:-judged}
elif [ -z "$kver" ] || [ -z "$initramfs" ]; then
	usage
fi
name=${name:-$kver}
# shellcheck source=scripts/kernel-lib.sh
. "$(dirname "$0")/../../scripts/kernel-lib.sh"
if [ $judge = 0 ]; then
	kernel=$(kernel_root "$kver" || true)/boot/vmlinuz-$kver
	[ -r "$kernel" ] || { echo "run-vm: $kernel not found" >&2; exit 2; }
	[ -r "$initramfs" ] || { echo "run-vm: initramfs $initramfs not found" >&2; exit 2; }
	command -v qemu-system-x86_64 >/dev/null || {
		echo "run-vm: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2
		exit 2
	}
fi
case $mem$timeout$boot_timeout in *[!0-9]*) echo "run-vm: --mem/--timeout need numbers" >&2; exit 2 ;; esac
[ "$boot_timeout" -le "$timeout" ] || boot_timeout=$timeout

mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)
case $logdir$name in *,*) echo "run-vm: log dir and label must not contain ','" >&2; exit 2 ;; esac
console=$logdir/console-$name.log
tests=$logdir/tests-$name.log
qemulog=$logdir/qemu-$name.log
result=$logdir/result-$name
rm -f "$console" "$tests" "$qemulog" "$result" "$logdir/console-$name".attempt*.log

say() { echo "[$name] $*"; }

qpid='' tpid=''
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null
		sleep 1
		kill -9 "$qpid" 2>/dev/null
	fi
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Kills QEMU: TERM, then KILL if it lingers.
kill_qemu() {
	kill "$qpid" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.5
	done
	kill -9 "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
}

has_marker() { grep -q 'IOMMUFD-VM: init reached' "$1" 2>/dev/null; }

cmdline="console=ttyS0,115200 intel_iommu=on panic=-1 oops=panic${append:+ $append}"

# Runs one boot. Sets: outcome (exited|timeout|boot-timeout), qrc, elapsed.
boot_once() {
	rm -f "$console" "$tests"
	init_time=
	: >"$console"
	: >"$tests"
	qemu-system-x86_64 \
		-accel tcg -M q35 -smp 2 -m "$mem" \
		-device "$iommu" \
		-nodefaults -nographic -display none -monitor none -no-reboot \
		-nic none \
		-kernel "$kernel" -initrd "$initramfs" -append "$cmdline" \
		-serial "file:$console" -serial "file:$tests" \
		"${extra[@]}" </dev/null 2>"$qemulog" &
	qpid=$!
	if [ "$stream" = 1 ]; then
		(tail -n +1 -F --pid="$qpid" "$tests" 2>/dev/null | tr -d '\r') &
		tpid=$!
	fi
	local start=$SECONDS reached=0
	outcome=exited
	while kill -0 "$qpid" 2>/dev/null; do
		elapsed=$((SECONDS - start))
		if [ $reached = 0 ] && has_marker "$console"; then
			reached=1
			init_time=$elapsed
		fi
		if [ $reached = 0 ] && [ "$elapsed" -ge "$boot_timeout" ]; then
			outcome=boot-timeout
			kill_qemu
			break
		fi
		if [ "$elapsed" -ge "$timeout" ]; then
			outcome=timeout
			kill_qemu
			break
		fi
		sleep 0.5
	done
	qrc=0
	wait "$qpid" 2>/dev/null || qrc=$?
	elapsed=$((SECONDS - start))
	qpid=
	if [ -n "$tpid" ]; then
		# tail --pid noticed QEMU's exit and printed the rest; let it finish.
		wait "$tpid" 2>/dev/null || true
		tpid=
	fi
}

attempt=0 init_time=''
if [ $judge = 1 ]; then
	cp "$jconsole" "$console"
	cp "$jtests" "$tests"
	attempt=1 outcome=exited qrc=0 elapsed=0 why=
fi
while [ $judge = 0 ]; do
	attempt=$((attempt + 1))
	say "attempt $attempt/$MAX_ATTEMPTS: booting $kernel (mem ${mem}M, timeout ${timeout}s)"
	boot_once
	if has_marker "$console"; then
		break
	fi
	if [ "$outcome" = exited ] && [ "$qrc" != 0 ] && ! [ -s "$console" ]; then
		# QEMU itself refused to start: retrying cannot help.
		say "QEMU failed to start (status $qrc):"
		sed 's/^/    /' "$qemulog"
		why="QEMU failed to start (status $qrc)"
		break
	fi
	first=$(tr -d '\r' <"$console" | grep -m1 -E "$EARLY_DEATH" || true)
	case $outcome in
	boot-timeout) why="init not reached within ${boot_timeout}s" ;;
	timeout) why="init not reached within ${timeout}s" ;;
	*) why="QEMU exited before init" ;;
	esac
	[ -n "$first" ] && why="$why: $first"
	cp "$console" "$logdir/console-$name.attempt$attempt.log"
	if [ $attempt -ge $MAX_ATTEMPTS ]; then
		say "boot failed ($why); giving up after $attempt attempts"
		break
	fi
	say "boot failed ($why); retrying (console kept in console-$name.attempt$attempt.log)"
done

# ---- judge the run ----------------------------------------------------------
vmfail=0
reasons=()
fail() { vmfail=1; reasons+=("$1"); }

clean_console=$(tr -d '\r' <"$console")
clean_tests=$(tr -d '\r' <"$tests")

if ! has_marker "$console"; then
	fail "boot never reached init after $attempt attempt(s): $why"
else
	[ -n "$init_time" ] || init_time=$elapsed
	say "init reached after ~${init_time}s; run ended after ${elapsed}s ($outcome)"
	[ "$outcome" = timeout ] && fail "timeout after ${timeout}s"
	[ "$outcome" = exited ] && [ "$qrc" != 0 ] && fail "QEMU exited with status $qrc (see qemu-$name.log)"
	rcline=$(grep -oE -m1 'IOMMUFD-VM: done rc=[0-9]+' <<<"$clean_console" || true)
	if [ -z "$rcline" ]; then
		[ "$outcome" = timeout ] || fail "no 'IOMMUFD-VM: done rc=' line (guest died?)"
	else
		rc=${rcline##*rc=}
		[ "$rc" = 0 ] || fail "run.sh exited with status $rc"
	fi
	if ! grep -q 'IOMMUFD-VM: dmesg end' <<<"$clean_console"; then
		say "note: no complete dmesg dump; only the live console was searched"
	fi
	# The kernel command line (echoed twice at boot) is not searched.
	# shellcheck disable=SC2001 # a regex across lines, not a ${var//} job
	scan=$(sed 's/\(Command line:\).*/\1 <not searched>/' <<<"$clean_console")
	# Warnings provoked on purpose, between a test's markers
	scan=$(awk '
		/IOMMUFD-VM: expect-warning begin/ { inside = 1; seen = 0; next }
		/IOMMUFD-VM: expect-warning end/ {
			if (!seen) print "IOMMUFD-VM: expected warning missing"
			inside = 0
			next
		}
		inside { if (/WARNING:/) seen = 1; next }
		{ print }' <<<"$scan")
	hits=$(grep -c -E "$BAD_PATTERNS" <<<"$scan" || true)
	if [ "$hits" -gt 0 ]; then
		first=$(grep -m1 -E "$BAD_PATTERNS" <<<"$scan" || true)
		fail "kernel log has $hits suspicious line(s), first: $first"
		say "suspicious kernel messages (console-$name.log, with context; first 80 lines):"
		{ grep -n -B2 -A4 -E "$BAD_PATTERNS" <<<"$scan" || true; } | head -n 80 | sed 's/^/    /' || true
	fi
fi

# TAP from the tests log.
passed=0 failed=0 skipped=0 planned=0 plans=0
while IFS= read -r line; do
	case $line in
	"ok "*|"not ok "*)
		shopt -s nocasematch
		if [[ $line =~ \#[[:space:]]*skip ]]; then
			skipped=$((skipped + 1))
		elif [[ $line == "ok "* ]]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
		shopt -u nocasematch
		;;
	1..*)
		n=${line#1..}
		n=${n%%[!0-9]*}
		[ -n "$n" ] && { planned=$((planned + n)); plans=$((plans + 1)); }
		;;
	"Bail out!"*) fail "TAP: $line" ;;
	esac
done <<<"$clean_tests"
total=$((passed + failed + skipped))
if has_marker "$console"; then
	if [ "$total" = 0 ]; then
		fail "no TAP result lines in tests-$name.log"
	elif [ "$plans" -gt 0 ] && [ "$planned" != "$total" ]; then
		fail "TAP plans announce $planned tests, $total results found"
	fi
fi

reason=
if [ $vmfail = 1 ]; then
	reason=$(printf '%s; ' "${reasons[@]}")
	reason=${reason%; }
fi
safe_reason=$(printf '%s' "$reason" | tr -d '"$`\\\n' | cut -c1-300)
printf 'passed=%d failed=%d skipped=%d vmfail=%d reason="%s" elapsed=%d attempts=%d\n' \
	"$passed" "$failed" "$skipped" "$vmfail" "$safe_reason" "$elapsed" "$attempt" >"$result"

summary="$kver: $passed passed, $failed failed, $skipped skipped"
[ $vmfail = 1 ] && summary="$summary (FAILED: $reason)"
echo "$summary"
if [ "$failed" -gt 0 ]; then
	grep -E '^not ok ' <<<"$clean_tests" | grep -viE '#[[:space:]]*skip' | sed 's/^/    /' || true
fi
say "logs: $console, $tests"

[ $vmfail = 0 ] && [ "$failed" = 0 ]
