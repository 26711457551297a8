#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/build-module.sh KDIR OUTDIR TEST [make args...]
#
# Builds the modules for the kernel at KDIR in OUTDIR, which gets symlinks to
# the sources, the Kbuild file and a compat_probed.h from compat/probe.sh.
# TEST=1 adds the test-only parts. Extra arguments go to kbuild (W=1, C=2).
# Without extra arguments, OUTDIR/vfio/ gets the kernel's VFIO rebuilt with
# iommufd support against this build (scripts/vfio-build.sh).
# Headers that are not the host's but the Debian 13 root's are built there,
# with its toolchain (scripts/kernel-lib.sh).
set -euo pipefail

kdir=$1
out=$2
test=$3
shift 3
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/kernel-lib.sh
. "$root/scripts/kernel-lib.sh"

kroot=$(path_root "$kdir/Makefile") || {
	echo "build-module: no kernel headers at $kdir" >&2
	exit 1
}
if [ -n "$kroot" ]; then
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	run_in_root "$kroot" "$root/scripts/build-module.sh" "$kdir" "$out" "$test" "$@"
	exit
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
srcs=("$root"/src/*.c "$root"/src/*.h "$root"/pci/*.c "$root/Kbuild")
if [ "$test" = 1 ]; then
	srcs+=("$root"/tests/consumer/*.c "$root"/tests/consumer/*.h)
fi
# Drop links to files that no longer exist, then link the current set
find "$out" -maxdepth 1 -type l ! -exec test -e {} \; -delete
for f in "${srcs[@]}"; do
	ln -sfn "$f" "$out/$(basename "$f")"
done

"$root/compat/probe.sh" "$kdir" "$out/compat_probed.h"
make -C "$kdir" M="$out" IOMMUFD_ROOT="$root" IOMMUFD_TEST="$test" "$@" modules

# The kernel's VFIO, rebuilt against this build (their symbol versions
# differ: the test build's structures have more fields)
if [ $# -eq 0 ]; then
	"$root/scripts/vfio-build.sh" "$kdir" "$out/vfio" "$out/Module.symvers"
fi
