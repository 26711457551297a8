# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Sourced by the build and test scripts: where each Debian kernel we build and
# test for lives, and how to run its toolchain.
#
# Debian 12's kernels (6.1 and 6.12) are the host's: /boot/vmlinuz-K,
# /lib/modules/K. Debian 13's kernel lives in the Debian 13 root that
# scripts/debian13-root.sh makes (same paths under it), and its headers need
# that root's gcc-14, so its modules are built inside the root: chrooted, in a
# private mount namespace where the checkout is bind-mounted at its own path
# (nothing stays mounted afterwards).

KLIB_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KLIB_TOP=$(cd "$KLIB_SCRIPTS/.." && pwd)

# The Debian 13 root, or nothing if it has not been made
debian13_root() {
	"$KLIB_SCRIPTS/debian13-root.sh" --print
}

# kernel_root KVER: prints "" for a host kernel, or the root that holds KVER;
# fails if neither has /boot/vmlinuz-KVER
kernel_root() {
	local r
	if [ -e "/boot/vmlinuz-$1" ]; then
		echo ""
		return 0
	fi
	r=$(debian13_root)
	if [ -n "$r" ] && [ -e "$r/boot/vmlinuz-$1" ]; then
		echo "$r"
		return 0
	fi
	return 1
}

# path_root PATH: "" if PATH exists on the host, else the root where it exists
path_root() {
	local r
	if [ -e "$1" ]; then
		echo ""
		return 0
	fi
	r=$(debian13_root)
	if [ -n "$r" ] && [ -e "$r$1" ]; then
		echo "$r"
		return 0
	fi
	return 1
}

# run_in_root ROOT CMD...: runs CMD chrooted into ROOT (or directly if ROOT is
# empty), with the checkout and $KLIB_BIND (space-separated directories)
# visible at their own paths
run_in_root() {
	local root=$1
	shift
	if [ -z "$root" ]; then
		"$@"
		return
	fi
	[ "$(id -u)" = 0 ] || {
		echo "kernel-lib: building for the Debian 13 kernel needs root (chroot)" >&2
		return 1
	}
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private bash -c '
		set -e
		root=$1
		shift
		for d in /proc /sys /dev '"$KLIB_TOP ${KLIB_BIND:-}"'; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 "$@"' run-in-root "$root" "$@"
}

# kernel_run KVER CMD...: runs CMD with KVER's toolchain
kernel_run() {
	local root
	root=$(kernel_root "$1") || {
		echo "kernel-lib: kernel $1 is neither the host's nor in the Debian 13 root" >&2
		return 1
	}
	shift
	run_in_root "$root" "$@"
}
