#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/build-module.sh KDIR OUTDIR TEST [make args...]
#
# Builds the modules for the kernel at KDIR in OUTDIR, which gets symlinks to
# the sources, the Kbuild file and a compat_probed.h from compat/probe.sh.
# TEST=1 adds the test-only parts. Extra arguments go to kbuild (W=1, C=2).
set -euo pipefail

kdir=$1
out=$2
test=$3
shift 3
root=$(cd "$(dirname "$0")/.." && pwd)

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
