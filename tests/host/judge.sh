#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: tests/host/judge.sh
#
# Host-side test (TAP) of how tests/vm/run-vm.sh judges a VM run: a clean
# run passes, and each kind of kernel report the debug kernel can print
# (lockdep, KASAN, sleeping in atomic context, list corruption, kmemleak,
# WARN, hung task...), a failed or missing test result, or a bad exit of
# the guest's test plan fails it. The logs are made up here, with the
# kernel's own wording, and judged with run-vm.sh --judge.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
n=0
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# judged CONSOLE-LINES TESTS-LINES: run-vm.sh's exit status for them
judged() {
	printf '%s\n' "$1" >"$tmp/console"
	printf '%s\n' "$2" >"$tmp/tests"
	"$root/tests/vm/run-vm.sh" --judge "$tmp/console" "$tmp/tests" \
		--log-dir "$tmp/logs" --name judged >"$tmp/out" 2>&1
}

# expect pass|fail WHAT CONSOLE-LINES [TESTS-LINES]
expect() {
	local want=$1 what=$2 console=$3 tests=${4:-$good_tests} got=pass

	judged "$console" "$tests" || got=fail
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $what: the run is judged $want"
	else
		echo "not ok $n - $what: the run is judged $got, not $want"
		sed 's/^/#   /' "$tmp/out"
		fails=$((fails + 1))
	fi
}

boot='[    1.000000] Linux version 6.12.0 (debug)
IOMMUFD-VM: init reached'
dmesg_end='IOMMUFD-VM: dmesg end
IOMMUFD-VM: done rc=0'
good_tests='TAP version 13
ok 1 - insmod
ok 2 - a test
1..2'

# with LINES: a clean console with LINES in its dmesg dump
with() {
	printf '%s\nIOMMUFD-VM: dmesg begin\n[    2.000000] iommufd: loaded\n%s\n%s' \
		"$boot" "$1" "$dmesg_end"
}

expect pass "a clean run" "$(with '[    3.000000] iommufd: unloaded')"

while IFS='|' read -r what line; do
	expect fail "$what" "$(with "$line")"
done <<'EOF_REPORTS'
lockdep, lock order|[   12.345678] WARNING: possible circular locking dependency detected
lockdep, recursion|[   12.345678] WARNING: possible recursive locking detected
lockdep, irq state|[   12.345678] WARNING: inconsistent lock state
KASAN|[    5.100000] BUG: KASAN: slab-use-after-free in iopt_area_fill_domains+0x1c/0x200 [iommufd]
sleeping in atomic context|[    3.200000] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580
list corruption (add)|[    1.500000] list_add corruption. next->prev should be prev (ffff888100000000), but was 0000000000000000.
list corruption (del)|[    1.500000] list_del corruption, ffff888100000000->next is LIST_POISON1 (dead000000000100)
kmemleak|[  100.000000] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
debug objects|[    9.000000] ODEBUG: free active (active state 0) object: ffff888100000000 object type: timer_list
a WARN|[    2.000000] WARNING: CPU: 1 PID: 234 at src/pages.c:123 iopt_area_unfill_domain+0x10/0x20 [iommufd]
a hung task|[  240.000000] INFO: task run.sh:123 blocked for more than 120 seconds.
a soft lockup|[   30.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [run.sh:123]
UBSAN|[    4.000000] UBSAN: shift-out-of-bounds in src/pages.c:10:5
refcount|[    4.000000] refcount_t: underflow; use-after-free.
an oops|[    4.000000] Oops: general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP KASAN
EOF_REPORTS

expect pass "a warning a test provokes between its markers" \
	"$(with '[    6.000000] IOMMUFD-VM: expect-warning begin
[    6.000001] WARNING: CPU: 0 PID: 1 at src/main.c:10 iommufd_fops_release+0x1/0x2 [iommufd]
[    6.000002] IOMMUFD-VM: expect-warning end')"
expect fail "markers around no warning" \
	"$(with '[    6.000000] IOMMUFD-VM: expect-warning begin
[    6.000002] IOMMUFD-VM: expect-warning end')"
expect fail "a failed test" "$(with '')" 'ok 1 - insmod
not ok 2 - a test
1..2'
expect fail "a test program that died half way (plan 3, 2 results)" \
	"$(with '')" 'ok 1 - insmod
ok 2 - a test
1..3'
expect fail "no test result at all" "$(with '')" 'TAP version 13'
expect fail "the test plan exiting non-zero" \
	"$(printf '%s\nIOMMUFD-VM: dmesg begin\nIOMMUFD-VM: dmesg end\nIOMMUFD-VM: done rc=1' "$boot")"
expect fail "a guest that never finished" "$boot"
expect fail "a boot that never reached init" '[    1.000000] Linux version 6.12.0'

echo "1..$n"
[ $fails -eq 0 ]
