// SPDX-License-Identifier: GPL-2.0-only
/*
 * GUP decides whether a read-only pin must unshare a page without knowing
 * its VMA (5.19 to 6.1), so it unshares anonymous pages only (6.2+ also
 * breaks COW of page cache and zero pages in private mappings)
 */
#include <linux/mm.h>

bool probe(struct page *page);
bool probe(struct page *page)
{
	return gup_must_unshare(FOLL_PIN | FOLL_LONGTERM, page);
}
