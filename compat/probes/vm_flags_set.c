// SPDX-License-Identifier: GPL-2.0-only
/* vm_flags_set(): VMA flags are no longer written directly (6.3+) */
#include <linux/mm.h>

static void __maybe_unused probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO);
}
