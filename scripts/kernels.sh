#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prints the releases of the kernels we build and test for: the ones Debian's
# metapackages currently point at (security updates move them), unless
# KERNELS is set. Fails, saying what is missing, if a kernel or its headers
# are not installed.
set -euo pipefail

METAPACKAGES=${METAPACKAGES:-"linux-image-amd64 linux-image-6.12-amd64"}

if [ -n "${KERNELS:-}" ]; then
	kernels=$KERNELS
else
	kernels=
	for meta in $METAPACKAGES; do
		dep=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null) || {
			echo "kernels.sh: $meta is not installed" >&2
			exit 1
		}
		# "linux-image-6.1.0-56-amd64 (= 6.1.192-2)" -> 6.1.0-56-amd64
		rel=$(echo "$dep" | tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n1)
		[ -n "$rel" ] || { echo "kernels.sh: cannot parse $meta: $dep" >&2; exit 1; }
		kernels="$kernels $rel"
	done
fi

for k in $kernels; do
	[ -f "/boot/vmlinuz-$k" ] || { echo "kernels.sh: /boot/vmlinuz-$k is missing" >&2; exit 1; }
	[ -f "/lib/modules/$k/build/Makefile" ] || {
		echo "kernels.sh: headers for $k are missing (linux-headers-$k)" >&2
		exit 1
	}
	echo "$k"
done
