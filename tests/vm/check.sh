#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs the VM tests once per kernel: for each kernel, fills a payload
# directory with CMD, packs it with mkinitramfs.sh and boots it with
# run-vm.sh, then prints a summary table and, as the very last line,
# "N passed, N failed" (totals; a kernel whose VM run failed adds 1 to
# "failed", so a broken run never reads "0 failed").
#
#   check.sh --payload-for-kver 'CMD' [--log-dir DIR] [--kernels "K1 K2"]
#            [--jobs N] [--mem MiB] [--timeout SEC] [--stream]
#            [--append KERNEL-ARGS]
#            [-- extra qemu args...]
#
# CMD is a shell command run as `CMD KVER PAYLOADDIR`; it must leave run.sh
# (and whatever it needs) in PAYLOADDIR. Kernels default to $KERNELS, else to
# every kernel that has both /boot/vmlinuz-K and headers (/lib/modules/K/build
# or /usr/src/linux-headers-K). A kernel that was asked for but is missing
# fails the check. Exit status is 0 only if every kernel ran clean with no
# failed test.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

usage() {
	sed -n '10,13p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

logdir=./vm-logs payload_cmd='' kernels=${KERNELS:-} jobs=1 mem='' timeout='' stream='' append=''
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--log-dir) logdir=${2:?}; shift 2 ;;
	--payload-for-kver) payload_cmd=${2:?}; shift 2 ;;
	--kernels) kernels=${2:?}; shift 2 ;;
	--jobs) jobs=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--stream) stream=--stream; shift ;;
	--append) append=${2:?}; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) usage ;;
	*) echo "check: unknown argument: $1" >&2; usage ;;
	esac
done
[ -n "$payload_cmd" ] || usage
case $jobs in '' | *[!0-9]* | 0) echo "check: --jobs needs a number > 0" >&2; exit 2 ;; esac
mkdir -p "$logdir"
logdir=$(cd "$logdir" && pwd)

# shellcheck source=scripts/kernel-lib.sh
. "$here/../../scripts/kernel-lib.sh"
has_kernel() { kernel_root "$1" >/dev/null; }
has_headers() {
	local r
	r=$(kernel_root "$1") && { [ -e "$r/lib/modules/$1/build" ] || [ -e "$r/usr/src/linux-headers-$1" ]; }
}

missing=()
klist=()
if [ -z "$kernels" ]; then
	while read -r v; do
		[ -e "$v" ] || continue
		k=${v#/boot/vmlinuz-}
		if has_headers "$k"; then
			klist+=("$k")
		else
			echo "check: note: skipping $k (no headers)"
		fi
	done < <(printf '%s\n' /boot/vmlinuz-* | sort -V)
	if [ ${#klist[@]} -eq 0 ]; then
		echo "check: no kernel with both /boot/vmlinuz-K and headers found" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
else
	read -r -a wanted <<<"$kernels"
	for k in "${wanted[@]}"; do
		if ! has_kernel "$k"; then
			echo "check: expected kernel $k is missing: no /boot/vmlinuz-$k" >&2
			missing+=("$k")
		elif ! has_headers "$k"; then
			echo "check: expected kernel $k is missing its headers (linux-headers-$k)" >&2
			missing+=("$k")
		else
			klist+=("$k")
		fi
	done
fi

if [ ${#klist[@]} -eq 0 ] && [ ${#missing[@]} -eq 0 ]; then
	echo "check: no kernel to test" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

vm_args=(--log-dir "$logdir")
[ -n "$mem" ] && vm_args+=(--mem "$mem")
[ -n "$timeout" ] && vm_args+=(--timeout "$timeout")
[ -n "$stream" ] && vm_args+=("$stream")
[ -n "$append" ] && vm_args+=(--append "$append")

# run_kernel K: payload, initramfs and VM run for K; writes
# "P F S VMFAIL STATUS" to $logdir/row-K (VMFAIL=1 when the failure is not
# (only) failed tests, which then counts as one more failure)
run_kernel() {
	local k=$1 pdir=$logdir/payload-$1 img=$logdir/initramfs-$1.cpio.gz
	local p=0 f=0 s=0 status=ok vmfail=1 res line
	local re='^passed=([0-9]+) failed=([0-9]+) skipped=([0-9]+) vmfail=([01]) reason="([^"]*)"'

	rm -rf "$pdir" "$logdir/result-$k"
	mkdir -p "$pdir"
	if ! bash -c "$payload_cmd"' "$@"' check-payload "$k" "$pdir"; then
		status="FAILED: payload command failed"
	elif ! "$here/mkinitramfs.sh" --kver "$k" --out "$img" --payload "$pdir"; then
		status="FAILED: mkinitramfs failed"
	else
		"$here/run-vm.sh" --kver "$k" --initramfs "$img" --name "$k" "${vm_args[@]}" \
			-- "${extra[@]}" || true
		res=$logdir/result-$k
		if [ ! -f "$res" ]; then
			status="FAILED: run-vm.sh wrote no result"
		else
			line=$(head -n1 "$res")
			if ! [[ $line =~ $re ]]; then
				status="FAILED: unreadable result-$k"
			else
				p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
				vmfail=${BASH_REMATCH[4]}
				if [ "$vmfail" = 1 ]; then
					status="FAILED: ${BASH_REMATCH[5]}"
				elif [ "$f" != 0 ]; then
					status="FAILED: $f test(s) failed"
				fi
			fi
		fi
	fi
	echo "$p $f $s $vmfail $status" >"$logdir/row-$k"
}

# Up to $jobs kernels at a time, in the order given (put the slowest
# first); each one's output is shown whole when it ends
running=0
for k in "${klist[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	rm -f "$logdir/row-$k"
	if [ "$jobs" = 1 ]; then
		echo "=== $k"
		run_kernel "$k"
	else
		echo "=== $k: started ($(date +%T))"
		{ run_kernel "$k" >"$logdir/check-$k.out" 2>&1
		  echo "=== $k: ended ($(date +%T))"
		  cat "$logdir/check-$k.out"; } &
		running=$((running + 1))
	fi
done
wait

rows=()
tot_pass=0 tot_fail=0 bad=0
for k in "${klist[@]}"; do
	p=0 f=0 s=0 vmfail=1 status="FAILED: no result row"
	[ -f "$logdir/row-$k" ] && read -r p f s vmfail status <"$logdir/row-$k"
	tot_pass=$((tot_pass + p))
	tot_fail=$((tot_fail + f))
	if [ "$status" != ok ]; then
		bad=1
		[ "$vmfail" = 1 ] && tot_fail=$((tot_fail + 1))
	fi
	rows+=("$(printf '%-28s %6s %6s %7s  %s' "$k" "$p" "$f" "$s" "$status")")
done
for k in "${missing[@]}"; do
	bad=1
	tot_fail=$((tot_fail + 1))
	rows+=("$(printf '%-28s %6s %6s %7s  %s' "$k" - - - "FAILED: kernel or headers missing")")
done

echo
echo "=== VM test summary (logs: $logdir)"
printf '%-28s %6s %6s %7s  %s\n' kernel passed failed skipped status
printf '%s\n' "${rows[@]}" | cut -c1-200
echo "$tot_pass passed, $tot_fail failed"
[ $bad = 0 ]
