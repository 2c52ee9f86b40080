/*
 * core/ids.h - duplicate detection for the id columns of input files (the
 * scores file of `privaudit bound`, the predictions file).
 */
#ifndef PRIVAUDIT_CORE_IDS_H
#define PRIVAUDIT_CORE_IDS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/*
 * Whether ids[0..n) repeats a string.  If so, *found is true and *first <
 * *again are the first two positions of the smallest repeated id (byte-wise),
 * so a message can name both rows.  0, or ERR_NOMEM.
 */
int ids_find_duplicate(const char *const *ids, size_t n, bool *found, size_t *first,
                       size_t *again, struct error *err);

#endif
