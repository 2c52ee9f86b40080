/*
 * core/ids.c - duplicate ids (see ids.h).
 */
#include "core/ids.h"

#include <stdlib.h>
#include <string.h>

struct id_ref {
    const char *id;
    size_t pos;
};

static int cmp_id_ref(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

int ids_find_duplicate(const char *const *ids, size_t n, bool *found, size_t *first,
                       size_t *again, struct error *err)
{
    *found = false;
    if (n < 2)
        return 0;
    struct id_ref *r = malloc(n * sizeof *r);
    if (!r)
        return error_set(err, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        r[i] = (struct id_ref){ids[i], i};
    qsort(r, n, sizeof *r, cmp_id_ref);
    for (size_t i = 1; i < n; i++)
        if (strcmp(r[i].id, r[i - 1].id) == 0) {
            *found = true;
            *first = r[i - 1].pos;
            *again = r[i].pos;
            break;
        }
    free(r);
    return 0;
}
