#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Installs the Debian packages the build, the tests and the demo need, the
# first time: says what it installs, does nothing when all are present. Then
# makes the Debian 13 root (Debian 13's kernel, its toolchain and QEMU 10;
# scripts/debian13-root.sh) if it is not there yet.
set -euo pipefail

PKGS=(
	build-essential libc6-dev kmod cpio xz-utils
	qemu-system-x86 busybox-static
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	sparse codespell linux-source-6.12 dkms debootstrap
	flex bison libelf-dev bc
	clang-14 libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
root13() {
	"$(dirname "$0")/debian13-root.sh" >/dev/null
}
[ ${#missing[@]} -eq 0 ] && { root13; exit 0; }

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]} (first run only; this takes a few minutes)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/iommufd-deps.log 2>&1 || {
	tail -n 30 /tmp/iommufd-deps.log >&2
	echo "deps: apt-get install failed (log: /tmp/iommufd-deps.log)" >&2
	exit 1
}
echo "deps: done"
root13
