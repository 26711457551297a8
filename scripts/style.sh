#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Usage: scripts/style.sh "KVER..."
#
# The style gate, clean or failing:
#  - checkpatch.pl --strict --codespell on every source file (checkpatch comes
#    from Debian's linux-source tarball, extracted once into build/tools);
#  - for every kernel: a full test build with W=1 and sparse (C=2), where any
#    compiler or sparse diagnostic fails;
#  - kernel-doc on the kernel sources;
#  - dkms.conf carries the version of src/version.h.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
kernels=$1
tools=$root/build/tools
fail=0

src=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
[ -n "$src" ] || { echo "style: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source-6.12)"; exit 1; }
if [ ! -x "$tools/scripts/checkpatch.pl" ] || [ "$src" -nt "$tools/scripts/checkpatch.pl" ]; then
	echo "style: extracting checkpatch from $src"
	rm -rf "$tools" && mkdir -p "$tools"
	tar -C "$tools" --strip-components=1 -xf "$src" --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc'
	touch "$tools/scripts/checkpatch.pl"
fi

kernel_files=$(ls src/*.[ch] include/linux/*.h include/uapi/linux/*.h \
	tests/consumer/*.[ch] pci/*.c compat/probes/*.c)
user_files=$(ls tests/*.[ch] tests/abi/*.c tests/fuzz/*.[ch] demo/*.c bench/*.[ch])

codespell=()
dict=$(python3 -c 'import codespell_lib, os; print(os.path.join(os.path.dirname(codespell_lib.__file__), "data", "dictionary.txt"))' 2>/dev/null || true)
[ -f "$dict" ] && codespell=(--codespell --codespellfile "$dict")

echo "== checkpatch --strict"
# Userspace test code: kernel style too, but C11 keywords and the test
# macros' shape are not kernel idioms
for f in $kernel_files $user_files; do
	ignore=SPDX_LICENSE_TAG
	case $f in
	tests/consumer/*|src/*|include/*|compat/*|pci/*) ;;
	*) ignore=$ignore,PREFER_KERNEL_TYPES,PARENTHESIS_ALIGNMENT,USE_NEGATIVE_ERRNO,CAMELCASE,MACRO_ARG_REUSE,MACRO_ARG_PRECEDENCE,SPLIT_STRING,NEW_TYPEDEFS,PREFER_DEFINED_ATTRIBUTE_MACRO,AVOID_EXTERNS,VOLATILE ;;
	esac
	out=$("$tools/scripts/checkpatch.pl" --no-tree --strict --quiet \
		--show-types --ignore "$ignore" "${codespell[@]}" -f "$f" 2>&1 |
		grep -v '^$' || true)
	if [ -n "$out" ]; then
		echo "$out"
		fail=1
	fi
done
rm -f .checkpatch-camelcase.*

echo "== kernel-doc"
kdoc=$tools/scripts/kernel-doc
out=$(perl "$kdoc" -none -Wall src/*.[ch] pci/*.c include/linux/*.h include/uapi/linux/*.h 2>&1 || true)
if [ -n "$out" ]; then
	echo "$out"
	fail=1
fi

for k in $kernels; do
	echo "== W=1 C=2 (sparse) build for $k"
	log=$root/build/style-$k.log
	rm -rf "$root/build/style-$k"
	if ! scripts/build-module.sh "/lib/modules/$k/build" "$root/build/style-$k" 1 \
		W=1 C=2 >"$log" 2>&1; then
		cat "$log"
		fail=1
		continue
	fi
	if grep -E 'warning:|error:|note:' "$log"; then
		fail=1
	fi
done

echo "== module aliases"
# A dynamic minor cannot be autoloaded: a char-major/devname alias would
# make depmod create a dead static /dev/iommu
for k in $kernels; do
	if modinfo -F alias "$root/build/style-$k/iommufd.ko" 2>/dev/null | grep -q .; then
		echo "iommufd.ko for $k declares module aliases"
		fail=1
	fi
done

echo "== version"
v=$(sed -n 's/^#define IOMMUFD_VERSION "\(.*\)"/\1/p' src/version.h)
if ! grep -qx "PACKAGE_VERSION=\"$v\"" dkms.conf; then
	echo "dkms.conf PACKAGE_VERSION does not match src/version.h ($v)"
	fail=1
fi

if [ $fail -ne 0 ]; then
	echo "style: FAILED"
	exit 1
fi
echo "style: clean"
