/*
 * core/dataset.c - CSV and LibSVM readers, schemas, row subsets (see
 * dataset.h for the contract).
 *
 * The whole file is read into memory once (afile_read_all), hashed, and then
 * tokenised in place: quoted CSV fields are unescaped inside the buffer (the
 * write position never overtakes the read position) and every field is
 * NUL-terminated where its delimiter was, so values, category keys and label
 * texts are pointers into that one buffer until the schema is built.  Cells
 * are typed and converted in the same pass, row by row; only the class order
 * needs every label, so rows keep a first-appearance label index that is
 * remapped at the end.
 */
#include "core/dataset.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/sha256.h"

/* Largest LibSVM feature index accepted (the matrix is dense). */
#define LIBSVM_MAX_INDEX (1u << 24)
/* Categories are stored as float codes, exact up to 2^24. */
#define MAX_CATEGORIES (1u << 24)
/* How much of an offending value an error message shows. */
#define SHOW_BYTES 60

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

static char *memdup0(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t m = *n;
    while (m > 0 && is_blank(p[0])) {
        p++;
        m--;
    }
    while (m > 0 && is_blank(p[m - 1]))
        m--;
    *s = p;
    *n = m;
}

/* s[0..n) equals the lowercase literal `lit`, ignoring ASCII case. */
static int ieq(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i]; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return 0;
    }
    return i == n && lit[i] == '\0';
}

/* Missing: empty, NA, ?, NaN (case-insensitive), surrounding blanks ignored. */
static int is_missing(const char *s, size_t n)
{
    if (n > 0 && s[0] != ' ' && s[0] != '\t' && s[0] != 'n' && s[0] != 'N' &&
        s[0] != '?')
        return 0; /* the common case, a number or a word */
    trim(&s, &n);
    return n == 0 || (n == 1 && s[0] == '?') || ieq(s, n, "na") ||
           ieq(s, n, "nan");
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static const double pow10_exact[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,
                                       1e6, 1e7, 1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15};

/*
 * Strict decimal number: [blanks][+-]digits[.digits][(e|E)[+-]digits][blanks]
 * with at least one mantissa digit, the whole field, finite.  No hex, inf or
 * nan (strtod would take them).  Returns 1 and *out, or 0.
 *
 * Fast path (Clinger 1990, "How to read floating point numbers accurately"):
 * without an exponent and with at most 15 digits, the digits form an integer
 * m < 2^53 and the value is m / 10^k with both operands exact doubles, so the
 * one IEEE division is correctly rounded and equals strtod's result.  Other
 * forms go to strtod (after the syntax check, so it consumes the whole text).
 */
static int parse_number(const char *s, size_t n, double *out)
{
    trim(&s, &n);
    if (n == 0)
        return 0;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i++;
    }
    uint64_t m = 0;
    int nd = 0, nfrac = 0, has_exp = 0;
    while (i < n && is_digit(s[i])) {
        if (nd < 19)
            m = m * 10 + (uint64_t)(s[i] - '0');
        nd++;
        i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i])) {
            if (nd < 19)
                m = m * 10 + (uint64_t)(s[i] - '0');
            nd++;
            nfrac++;
            i++;
        }
    }
    if (nd == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        has_exp = 1;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == e0)
            return 0;
    }
    if (i != n)
        return 0;
    double v;
    if (!has_exp && nd <= 15) {
        v = (double)m / pow10_exact[nfrac];
        if (neg)
            v = -v;
    } else {
        char *end = NULL;
        errno = 0;
        v = strtod(s, &end);
        if (end != s + n)
            return 0;
    }
    if (!isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/*
 * A value for an error message: at most SHOW_BYTES bytes (cut at a UTF-8
 * boundary, then "..."), control bytes shown as '?', other bytes as they are.
 */
static const char *show(char *out, size_t cap, const char *s, size_t n)
{
    size_t lim = n;
    int cut = 0;
    if (lim > SHOW_BYTES) {
        lim = SHOW_BYTES;
        while (lim > 0 && ((unsigned char)s[lim] & 0xC0) == 0x80)
            lim--;
        cut = 1;
    }
    if (lim + 4 > cap)
        lim = cap > 4 ? cap - 4 : 0;
    size_t j = 0;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        out[j++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (cut && j + 3 < cap) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = '\0';
    return out;
}

#define SHOWBUF (SHOW_BYTES + 8)

/* ------------------------------------------------------------------------ */
/* String -> index map (open addressing, FNV-1a), insertion order kept.     */

struct strmap {
    size_t n, cap;        /* cap: slots, a power of two (0 = unallocated) */
    int32_t *slots;       /* -1 empty, else key index */
    const char **keys;    /* n keys, in insertion order (not owned) */
    size_t *lens;
    uint64_t *hashes;
    size_t keys_cap;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void strmap_free(struct strmap *m)
{
    free(m->slots);
    free(m->keys);
    free(m->lens);
    free(m->hashes);
    memset(m, 0, sizeof *m);
}

static int strmap_rehash(struct strmap *m, size_t cap)
{
    int32_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return ERR_NOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i] = -1;
    for (size_t k = 0; k < m->n; k++) {
        size_t at = (size_t)m->hashes[k] & (cap - 1);
        while (slots[at] >= 0)
            at = (at + 1) & (cap - 1);
        slots[at] = (int32_t)k;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

/*
 * Look s[0..n) up.  Found: *idx and 1.  Not found and !add: 0.  Not found and
 * add: inserted as index m->n, *idx, 0.  ERR_NOMEM on allocation failure.
 */
static int strmap_get(struct strmap *m, const char *s, size_t n, int add,
                      int32_t *idx)
{
    uint64_t h = fnv1a(s, n);
    if (m->cap > 0) {
        size_t at = (size_t)h & (m->cap - 1);
        while (m->slots[at] >= 0) {
            int32_t k = m->slots[at];
            if (m->hashes[k] == h && m->lens[k] == n &&
                memcmp(m->keys[k], s, n) == 0) {
                *idx = k;
                return 1;
            }
            at = (at + 1) & (m->cap - 1);
        }
    }
    if (!add)
        return 0;
    if (m->n >= INT32_MAX - 1)
        return ERR_NOMEM;
    if ((m->n + 1) * 2 > m->cap) {
        int rc = strmap_rehash(m, m->cap ? m->cap * 2 : 16);
        if (rc)
            return rc;
    }
    if (m->n == m->keys_cap) {
        size_t nc = m->keys_cap ? m->keys_cap * 2 : 8;
        const char **k2 = realloc(m->keys, nc * sizeof *k2);
        if (!k2)
            return ERR_NOMEM;
        m->keys = k2;
        size_t *l2 = realloc(m->lens, nc * sizeof *l2);
        if (!l2)
            return ERR_NOMEM;
        m->lens = l2;
        uint64_t *h2 = realloc(m->hashes, nc * sizeof *h2);
        if (!h2)
            return ERR_NOMEM;
        m->hashes = h2;
        m->keys_cap = nc;
    }
    size_t k = m->n++;
    m->keys[k] = s;
    m->lens[k] = n;
    m->hashes[k] = h;
    size_t at = (size_t)h & (m->cap - 1);
    while (m->slots[at] >= 0)
        at = (at + 1) & (m->cap - 1);
    m->slots[at] = (int32_t)k;
    *idx = (int32_t)k;
    return 0;
}

/* "{a, b, c}" of up to ~400 bytes of names, "..." when cut. */
static void format_set(char *out, size_t cap, char *const *names, size_t n)
{
    size_t j = 0;
    out[j++] = '{';
    for (size_t k = 0; k < n; k++) {
        char sb[SHOWBUF];
        show(sb, sizeof sb, names[k], strlen(names[k]));
        size_t l = strlen(sb);
        if (j + l + 8 > cap || j > 400) {
            memcpy(out + j, "...", 3);
            j += 3;
            break;
        }
        if (k > 0) {
            out[j++] = ',';
            out[j++] = ' ';
        }
        memcpy(out + j, sb, l);
        j += l;
    }
    out[j++] = '}';
    out[j] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Schema and dataset lifecycle                                              */

void schema_release(struct schema *s)
{
    if (!s)
        return;
    free(s->label_name);
    if (s->class_names)
        for (size_t k = 0; k < s->n_classes; k++)
            free(s->class_names[k]);
    free(s->class_names);
    if (s->features) {
        for (size_t j = 0; j < s->n_features; j++) {
            struct column *c = &s->features[j];
            free(c->name);
            if (c->categories)
                for (size_t k = 0; k < c->n_categories; k++)
                    free(c->categories[k]);
            free(c->categories);
        }
    }
    free(s->features);
    memset(s, 0, sizeof *s);
}

static char *dup_or_null(const char *s, int *fail)
{
    if (!s)
        return NULL;
    char *d = memdup0(s, strlen(s));
    if (!d)
        *fail = 1;
    return d;
}

int schema_copy(struct schema *dst, const struct schema *src,
                struct error *err)
{
    int fail = 0;
    memset(dst, 0, sizeof *dst);
    dst->named = src->named;
    dst->label_name = dup_or_null(src->label_name, &fail);
    if (src->n_classes > 0) {
        dst->class_names = calloc(src->n_classes, sizeof *dst->class_names);
        if (!dst->class_names)
            goto nomem;
        dst->n_classes = src->n_classes;
        for (size_t k = 0; k < src->n_classes; k++)
            dst->class_names[k] = dup_or_null(src->class_names[k], &fail);
    }
    if (src->n_features > 0) {
        dst->features = calloc(src->n_features, sizeof *dst->features);
        if (!dst->features)
            goto nomem;
        dst->n_features = src->n_features;
        for (size_t j = 0; j < src->n_features; j++) {
            const struct column *a = &src->features[j];
            struct column *b = &dst->features[j];
            b->name = dup_or_null(a->name, &fail);
            b->type = a->type;
            if (a->n_categories > 0) {
                b->categories = calloc(a->n_categories, sizeof *b->categories);
                if (!b->categories)
                    goto nomem;
                b->n_categories = a->n_categories;
                for (size_t k = 0; k < a->n_categories; k++)
                    b->categories[k] = dup_or_null(a->categories[k], &fail);
            }
        }
    }
    if (fail)
        goto nomem;
    return 0;
nomem:
    schema_release(dst);
    return error_set(err, ERR_NOMEM, "out of memory copying a schema");
}

void dataset_release(struct dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->y);
    free(ds->path);
    schema_release(&ds->schema);
    memset(ds, 0, sizeof *ds);
}

void dataset_class_counts(const struct dataset *ds, size_t *counts)
{
    for (size_t k = 0; k < ds->schema.n_classes; k++)
        counts[k] = 0;
    for (size_t i = 0; i < ds->n_rows; i++) {
        int32_t y = ds->y[i];
        if (y >= 0 && (size_t)y < ds->schema.n_classes)
            counts[y]++;
    }
}

int dataset_subset(struct dataset *dst, const struct dataset *src,
                   const size_t *idx, size_t n, struct error *err)
{
    int rc = 0;
    size_t d = src->n_features;
    memset(dst, 0, sizeof *dst);
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= src->n_rows) {
            rc = error_set(err, ERR_INTERNAL,
                           "dataset_subset: row %zu out of range (%zu rows)",
                           idx[i], src->n_rows);
            goto cleanup;
        }
    if (d > 0 && n > SIZE_MAX / sizeof(float) / d) {
        rc = error_set(err, ERR_NOMEM, "out of memory taking a subset");
        goto cleanup;
    }
    dst->x = malloc(n * d * sizeof *dst->x + 1);
    dst->y = malloc(n * sizeof *dst->y + 1);
    if (!dst->x || !dst->y) {
        rc = error_set(err, ERR_NOMEM, "out of memory taking a subset");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        if (d > 0)
            memcpy(dst->x + i * d, src->x + idx[i] * d, d * sizeof *dst->x);
        dst->y[i] = src->y[idx[i]];
    }
    dst->n_rows = n;
    dst->n_features = d;
    rc = schema_copy(&dst->schema, &src->schema, err);
    if (rc)
        goto cleanup;
    if (src->path) {
        dst->path = memdup0(src->path, strlen(src->path));
        if (!dst->path) {
            rc = error_set(err, ERR_NOMEM, "out of memory taking a subset");
            goto cleanup;
        }
    }
    memcpy(dst->sha256, src->sha256, sizeof dst->sha256);
cleanup:
    if (rc)
        dataset_release(dst);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Shared loader state                                                       */

struct loader {
    const char *path;
    const struct dataset_opts *opts;
    struct error *err;
    char *buf;
    size_t len;

    size_t n_rows, cap_rows, nf; /* rows so far, row capacity, width of x */
    float *x;
    int32_t *ylab;               /* per row: label's first-appearance index */

    struct strmap labels;        /* distinct label texts, first appearance */
    size_t *lab_line, *lab_col;  /* where each distinct label first appears */
    size_t lab_cap;
};

static void loader_free(struct loader *L)
{
    free(L->buf);
    free(L->x);
    free(L->ylab);
    strmap_free(&L->labels);
    free(L->lab_line);
    free(L->lab_col);
}

static int nomem(struct loader *L)
{
    return error_set(L->err, ERR_NOMEM, "out of memory loading '%s'",
                     L->path);
}

/* Make room for one more row of x / ylab (x only when with_x). */
static int grow_rows(struct loader *L, int with_x)
{
    if (L->n_rows < L->cap_rows)
        return 0;
    size_t nc = L->cap_rows ? L->cap_rows * 2 : 1024;
    if (nc > SIZE_MAX / sizeof(float) / (L->nf + 1))
        return nomem(L);
    if (with_x) {
        float *x2 = realloc(L->x, nc * (L->nf ? L->nf : 1) * sizeof *x2);
        if (!x2)
            return nomem(L);
        L->x = x2;
    }
    int32_t *y2 = realloc(L->ylab, nc * sizeof *y2);
    if (!y2)
        return nomem(L);
    L->ylab = y2;
    L->cap_rows = nc;
    return 0;
}

/* Record row L->n_rows's label s[0..n) found at line:col. */
static int add_label(struct loader *L, char *s, size_t n, size_t line,
                     size_t col, const char *colname)
{
    if (is_missing(s, n)) {
        char sb[SHOWBUF], cb[SHOWBUF];
        return error_set(L->err, ERR_INPUT,
                         "%s:%zu:%zu: missing label '%s' in column '%s'",
                         L->path, line, col, show(sb, sizeof sb, s, n),
                         show(cb, sizeof cb, colname, strlen(colname)));
    }
    int32_t k;
    int rc = strmap_get(&L->labels, s, n, 1, &k);
    if (rc < 0)
        return nomem(L);
    if (rc == 0) {
        if ((size_t)k >= L->lab_cap) {
            size_t nc = L->lab_cap ? L->lab_cap * 2 : 8;
            size_t *l2 = realloc(L->lab_line, nc * sizeof *l2);
            if (!l2)
                return nomem(L);
            L->lab_line = l2;
            size_t *c2 = realloc(L->lab_col, nc * sizeof *c2);
            if (!c2)
                return nomem(L);
            L->lab_col = c2;
            L->lab_cap = nc;
        }
        L->lab_line[k] = line;
        L->lab_col[k] = col;
    }
    L->ylab[L->n_rows] = k;
    return 0;
}

struct lab_sort {
    const char *s;
    size_t n;
    double v;
    int32_t first;
};

static int cmp_text(const struct lab_sort *a, const struct lab_sort *b)
{
    size_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->s, b->s, m);
    if (c)
        return c;
    return (a->n > b->n) - (a->n < b->n);
}

static int cmp_lab_text(const void *pa, const void *pb)
{
    return cmp_text(pa, pb);
}

static int cmp_lab_num(const void *pa, const void *pb)
{
    const struct lab_sort *a = pa, *b = pb;
    if (a->v < b->v)
        return -1;
    if (a->v > b->v)
        return 1;
    return cmp_text(a, b);
}

/*
 * Move x into ds, turn first-appearance label indices into class indices and
 * fill ds->schema.class_names (or check them against opts->schema).
 */
static int finish(struct loader *L, struct dataset *ds)
{
    int rc = 0;
    size_t nl = L->labels.n;
    int32_t *rank = NULL;
    struct lab_sort *ls = NULL;
    struct strmap known = {0};
    const struct schema *sch = L->opts->schema;

    if (L->n_rows == 0) {
        rc = error_set(L->err, ERR_INPUT, "%s: no data rows", L->path);
        goto cleanup;
    }
    rank = malloc((nl + 1) * sizeof *rank);
    if (!rank) {
        rc = nomem(L);
        goto cleanup;
    }
    if (sch) {
        for (size_t k = 0; k < sch->n_classes; k++) {
            int32_t idx;
            const char *cn = sch->class_names[k];
            int r = strmap_get(&known, cn, strlen(cn), 1, &idx);
            if (r < 0) {
                rc = nomem(L);
                goto cleanup;
            }
            if (r == 1) { /* indices would no longer match the classes */
                rc = error_set(L->err, ERR_INPUT,
                               "%s: the schema lists class '%s' twice",
                               L->path, cn);
                goto cleanup;
            }
        }
        for (size_t k = 0; k < nl; k++) {
            int32_t idx;
            int r = strmap_get(&known, L->labels.keys[k], L->labels.lens[k],
                               0, &idx);
            if (r <= 0) {
                char sb[SHOWBUF], set[512];
                format_set(set, sizeof set, sch->class_names, sch->n_classes);
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu:%zu: label '%s' outside the class set %s",
                               L->path, L->lab_line[k], L->lab_col[k],
                               show(sb, sizeof sb, L->labels.keys[k],
                                    L->labels.lens[k]),
                               set);
                goto cleanup;
            }
            rank[k] = idx;
        }
    } else {
        ls = malloc((nl + 1) * sizeof *ls);
        ds->schema.class_names = calloc(nl + 1, sizeof(char *));
        if (!ls || !ds->schema.class_names) {
            rc = nomem(L);
            goto cleanup;
        }
        int all_num = 1;
        for (size_t k = 0; k < nl; k++) {
            ls[k].s = L->labels.keys[k];
            ls[k].n = L->labels.lens[k];
            ls[k].first = (int32_t)k;
            ls[k].v = 0;
            if (all_num && !parse_number(ls[k].s, ls[k].n, &ls[k].v))
                all_num = 0;
        }
        qsort(ls, nl, sizeof *ls, all_num ? cmp_lab_num : cmp_lab_text);
        for (size_t k = 0; k < nl; k++) {
            rank[ls[k].first] = (int32_t)k;
            ds->schema.class_names[k] = memdup0(ls[k].s, ls[k].n);
            if (!ds->schema.class_names[k]) {
                rc = nomem(L);
                goto cleanup;
            }
            ds->schema.n_classes = k + 1;
        }
    }
    for (size_t i = 0; i < L->n_rows; i++)
        L->ylab[i] = rank[L->ylab[i]];
    ds->y = L->ylab;
    L->ylab = NULL;
    ds->x = L->x;
    L->x = NULL;
    ds->n_rows = L->n_rows;
    ds->n_features = L->nf;
cleanup:
    free(rank);
    free(ls);
    strmap_free(&known);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                       */

struct csv {
    char *b;
    size_t len, pos;
    size_t line;   /* physical line of b[pos], 1-based */
    size_t field;  /* 1-based index of the next field in its record */
    const char *path;
};

/*
 * Read the next field of the current record, unescaped and NUL-terminated in
 * place: *f, *n.  *eor = 1 when the field ends its record (line end or EOF).
 */
static int csv_field(struct csv *c, char **f, size_t *n, int *eor,
                     struct error *err)
{
    char *b = c->b;
    size_t i = c->pos, len = c->len, col = c->field;
    size_t start = i, term;
    if (i < len && b[i] == '"') {
        size_t qline = c->line, w = i;
        i++;
        for (;;) {
            if (i >= len)
                return error_set(err, ERR_INPUT,
                                 "%s:%zu:%zu: unterminated quoted field "
                                 "(the quote opened here is never closed)",
                                 c->path, qline, col);
            char ch = b[i];
            if (ch == '"') {
                if (i + 1 < len && b[i + 1] == '"') {
                    b[w++] = '"';
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            if (ch == '\n' || (ch == '\r' && !(i + 1 < len && b[i + 1] == '\n')))
                c->line++;
            b[w++] = ch;
            i++;
        }
        if (i < len && b[i] != ',' && b[i] != '\n' && b[i] != '\r')
            return error_set(err, ERR_INPUT,
                             "%s:%zu:%zu: unexpected character after a closing "
                             "quote (write a quote inside a quoted field as \"\")",
                             c->path, c->line, col);
        term = w;
    } else {
        i += strcspn(b + i, ",\r\n\"");
        if (i < len && b[i] == '"')
            return error_set(err, ERR_INPUT,
                             "%s:%zu:%zu: '\"' inside an unquoted field (quote "
                             "the whole field and write the quote as \"\")",
                             c->path, c->line, col);
        term = i;
    }
    if (i >= len) {
        *eor = 1;
        c->pos = len;
    } else if (b[i] == ',') {
        *eor = 0;
        c->pos = i + 1;
    } else {
        if (b[i] == '\r' && i + 1 < len && b[i + 1] == '\n')
            i++;
        c->pos = i + 1;
        c->line++;
        *eor = 1;
    }
    c->field = *eor ? 1 : c->field + 1;
    b[term] = '\0';
    *f = b + start;
    *n = term - start;
    return 0;
}

/* Only line ends from pos to the end of the buffer. */
static int rest_is_blank(const struct csv *c)
{
    for (size_t i = c->pos; i < c->len; i++)
        if (c->b[i] != '\n' && c->b[i] != '\r')
            return 0;
    return 1;
}

struct cell {
    char *s;
    size_t n;
};

/* Read one record into *cells (grown as needed); *nf = its field count. */
static int csv_record(struct csv *c, struct cell **cells, size_t *cap,
                      size_t *nf, struct error *err)
{
    size_t k = 0;
    for (;;) {
        char *f = NULL;
        size_t n = 0;
        int eor = 1, rc = csv_field(c, &f, &n, &eor, err);
        if (rc)
            return rc;
        if (k == *cap) {
            size_t nc = *cap ? *cap * 2 : 16;
            struct cell *c2 = realloc(*cells, nc * sizeof *c2);
            if (!c2)
                return error_set(err, ERR_NOMEM, "out of memory loading '%s'",
                                 c->path);
            *cells = c2;
            *cap = nc;
        }
        (*cells)[k].s = f;
        (*cells)[k].n = n;
        k++;
        if (eor)
            break;
    }
    *nf = k;
    return 0;
}

enum kind { KIND_NONE = 0, KIND_NUM, KIND_TEXT };

struct colstate {
    const char *name;
    size_t feat;           /* feature index; SIZE_MAX for the label */
    int categorical;       /* forced (options) or by schema */
    int from_schema;       /* type fixed by opts->schema */
    enum kind kind;        /* what the non-missing values were so far */
    size_t first_line;     /* first non-missing value */
    const char *first_text;
    size_t first_text_len;
    struct strmap cats;
};

static int csv_header(struct loader *L, struct cell *cells,
                      size_t ncols, size_t hline, struct colstate *cs,
                      size_t *label_col)
{
    const struct dataset_opts *o = L->opts;
    const struct schema *sch = o->schema;
    struct strmap names = {0};
    int rc = 0;
    char sb[SHOWBUF], sb2[SHOWBUF];

    for (size_t j = 0; j < ncols; j++) {
        const char *nm = cells[j].s;
        size_t n = cells[j].n;
        const char *t = nm;
        size_t tn = n;
        trim(&t, &tn);
        if (tn == 0) {
            rc = error_set(L->err, ERR_INPUT,
                           "%s:%zu:%zu: column %zu has an empty name", L->path,
                           hline, j + 1, j + 1);
            goto cleanup;
        }
        int32_t k;
        int r = strmap_get(&names, nm, n, 1, &k);
        if (r < 0) {
            rc = nomem(L);
            goto cleanup;
        }
        if (r == 1) {
            rc = error_set(L->err, ERR_INPUT,
                           "%s:%zu:%zu: duplicate column name '%s' (columns "
                           "%d and %zu)",
                           L->path, hline, j + 1, show(sb, sizeof sb, nm, n),
                           (int)k + 1, j + 1);
            goto cleanup;
        }
        cs[j].name = nm;
    }

    /* The label column. */
    const char *want = sch ? sch->label_name : o->label;
    if (sch && o->label && sch->label_name && strcmp(o->label, sch->label_name)) {
        rc = error_set(L->err, ERR_INPUT,
                       "%s: label column '%s' differs from the schema's '%s'",
                       L->path, show(sb, sizeof sb, o->label, strlen(o->label)),
                       show(sb2, sizeof sb2, sch->label_name,
                            strlen(sch->label_name)));
        goto cleanup;
    }
    int32_t li = -1;
    if (want) {
        if (strmap_get(&names, want, strlen(want), 0, &li) != 1) {
            rc = error_set(L->err, ERR_INPUT,
                           "%s:%zu: label column '%s' is not in the header",
                           L->path, hline,
                           show(sb, sizeof sb, want, strlen(want)));
            goto cleanup;
        }
    } else if (strmap_get(&names, "label", 5, 0, &li) != 1) {
        li = 0;
    }
    *label_col = (size_t)li;

    size_t f = 0;
    for (size_t j = 0; j < ncols; j++)
        cs[j].feat = j == *label_col ? SIZE_MAX : f++;

    if (sch) {
        if (ncols - 1 != sch->n_features) {
            rc = error_set(L->err, ERR_INPUT,
                           "%s:%zu: header has %zu feature columns, the "
                           "schema has %zu",
                           L->path, hline, ncols - 1, sch->n_features);
            goto cleanup;
        }
        for (size_t j = 0; j < ncols; j++) {
            if (cs[j].feat == SIZE_MAX)
                continue;
            const struct column *sc = &sch->features[cs[j].feat];
            if (strcmp(sc->name, cs[j].name) != 0) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu:%zu: header does not match the schema: "
                               "column '%s' where the schema has '%s'",
                               L->path, hline, j + 1,
                               show(sb, sizeof sb, cs[j].name,
                                    strlen(cs[j].name)),
                               show(sb2, sizeof sb2, sc->name,
                                    strlen(sc->name)));
                goto cleanup;
            }
            cs[j].from_schema = 1;
            if (sc->type == COLUMN_CATEGORICAL) {
                cs[j].categorical = 1;
                for (size_t k = 0; k < sc->n_categories; k++) {
                    int32_t idx;
                    const char *cat = sc->categories[k];
                    int r = strmap_get(&cs[j].cats, cat, strlen(cat), 1, &idx);
                    if (r < 0) {
                        rc = nomem(L);
                        goto cleanup;
                    }
                    if (r == 1) {
                        rc = error_set(L->err, ERR_INPUT,
                                       "%s: the schema lists category '%s' "
                                       "of column '%s' twice",
                                       L->path, cat, sc->name);
                        goto cleanup;
                    }
                }
            }
        }
    } else {
        for (size_t k = 0; k < o->n_categorical; k++) {
            const char *nm = o->categorical[k];
            int32_t idx;
            if (!nm ||
                strmap_get(&names, nm, strlen(nm), 0, &idx) != 1) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu: categorical column '%s' is not in the "
                               "header",
                               L->path, hline,
                               nm ? show(sb, sizeof sb, nm, strlen(nm)) : "");
                goto cleanup;
            }
            cs[idx].categorical = 1; /* a no-op for the label column */
        }
    }
cleanup:
    strmap_free(&names);
    return rc;
}

/* Convert cell `s` of column cs (record at `line`, field `col`) into *out. */
static int csv_cell(struct loader *L, struct colstate *cs, char *s, size_t n,
                    size_t line, size_t col, float *out)
{
    char sb[SHOWBUF], cb[SHOWBUF], fb[SHOWBUF];
    if (is_missing(s, n)) {
        *out = NAN;
        return 0;
    }
    int32_t idx;
    double v;
    if (cs->categorical) {
        int r = strmap_get(&cs->cats, s, n, !cs->from_schema, &idx);
        if (r < 0)
            return nomem(L);
        if (r == 0 && cs->from_schema) {
            const struct column *sc = &L->opts->schema->features[cs->feat];
            char set[512];
            format_set(set, sizeof set, sc->categories, sc->n_categories);
            return error_set(L->err, ERR_INPUT,
                             "%s:%zu:%zu: unseen category '%s' in column '%s' "
                             "(the schema has %s)",
                             L->path, line, col, show(sb, sizeof sb, s, n),
                             show(cb, sizeof cb, cs->name, strlen(cs->name)),
                             set);
        }
        goto category;
    }
    if (parse_number(s, n, &v)) {
        if (cs->kind == KIND_TEXT)
            return error_set(L->err, ERR_INPUT,
                             "%s:%zu:%zu: column '%s' mixes text (from line "
                             "%zu, '%s') and numbers: got '%s'; declare it "
                             "categorical to read numbers as categories",
                             L->path, line, col,
                             show(cb, sizeof cb, cs->name, strlen(cs->name)),
                             cs->first_line,
                             show(fb, sizeof fb, cs->first_text,
                                  cs->first_text_len),
                             show(sb, sizeof sb, s, n));
        if (cs->kind == KIND_NONE) {
            cs->kind = KIND_NUM;
            cs->first_line = line;
        }
        float fv = (float)v;
        if (isinf(fv))
            return error_set(L->err, ERR_INPUT,
                             "%s:%zu:%zu: value '%s' in column '%s' is outside "
                             "the float32 range",
                             L->path, line, col, show(sb, sizeof sb, s, n),
                             show(cb, sizeof cb, cs->name, strlen(cs->name)));
        *out = fv;
        return 0;
    }
    if (cs->from_schema)
        return error_set(L->err, ERR_INPUT,
                         "%s:%zu:%zu: expected a number in column '%s', got "
                         "'%s'",
                         L->path, line, col,
                         show(cb, sizeof cb, cs->name, strlen(cs->name)),
                         show(sb, sizeof sb, s, n));
    if (cs->kind == KIND_NUM)
        return error_set(L->err, ERR_INPUT,
                         "%s:%zu:%zu: expected a number in column '%s' "
                         "(numeric from line %zu), got '%s'",
                         L->path, line, col,
                         show(cb, sizeof cb, cs->name, strlen(cs->name)),
                         cs->first_line, show(sb, sizeof sb, s, n));
    if (cs->kind == KIND_NONE) {
        cs->kind = KIND_TEXT;
        cs->first_line = line;
        cs->first_text = s;
        cs->first_text_len = n;
    }
    {
        int r = strmap_get(&cs->cats, s, n, 1, &idx);
        if (r < 0)
            return nomem(L);
    }
category:
    if ((size_t)idx >= MAX_CATEGORIES)
        return error_set(L->err, ERR_INPUT,
                         "%s:%zu:%zu: column '%s' has more than %u categories",
                         L->path, line, col,
                         show(cb, sizeof cb, cs->name, strlen(cs->name)),
                         MAX_CATEGORIES);
    *out = (float)idx;
    return 0;
}

/* Fill ds->schema (features, label name) from the column states. */
static int csv_schema(struct loader *L, struct dataset *ds,
                      struct colstate *cs, size_t ncols, size_t label_col)
{
    struct schema *s = &ds->schema;
    s->named = true;
    s->label_name = memdup0(cs[label_col].name, strlen(cs[label_col].name));
    if (!s->label_name)
        return nomem(L);
    if (L->nf == 0)
        return 0;
    s->features = calloc(L->nf, sizeof *s->features);
    if (!s->features)
        return nomem(L);
    s->n_features = L->nf;
    for (size_t j = 0; j < ncols; j++) {
        if (cs[j].feat == SIZE_MAX)
            continue;
        struct column *col = &s->features[cs[j].feat];
        col->name = memdup0(cs[j].name, strlen(cs[j].name));
        if (!col->name)
            return nomem(L);
        if (!cs[j].categorical && cs[j].kind != KIND_TEXT) {
            col->type = COLUMN_NUMERIC;
            continue;
        }
        col->type = COLUMN_CATEGORICAL;
        size_t nc = cs[j].cats.n;
        if (nc == 0)
            continue;
        col->categories = calloc(nc, sizeof *col->categories);
        if (!col->categories)
            return nomem(L);
        col->n_categories = nc;
        for (size_t k = 0; k < nc; k++) {
            col->categories[k] = memdup0(cs[j].cats.keys[k], cs[j].cats.lens[k]);
            if (!col->categories[k])
                return nomem(L);
        }
    }
    return 0;
}

static int load_csv(struct loader *L, struct dataset *ds)
{
    struct csv c = {L->buf, L->len, 0, 1, 1, L->path};
    struct cell *cells = NULL;
    size_t cap = 0, ncols = 0, nfields = 0, label_col = 0;
    struct colstate *cs = NULL;
    int rc = 0;

    if (c.len >= 3 && (unsigned char)c.b[0] == 0xEF &&
        (unsigned char)c.b[1] == 0xBB && (unsigned char)c.b[2] == 0xBF)
        c.pos = 3;
    if (rest_is_blank(&c)) {
        rc = error_set(L->err, ERR_INPUT, "%s: empty file (no header row)",
                       L->path);
        goto cleanup;
    }
    size_t hline = c.line;
    rc = csv_record(&c, &cells, &cap, &ncols, L->err);
    if (rc)
        goto cleanup;
    cs = calloc(ncols, sizeof *cs);
    if (!cs) {
        rc = nomem(L);
        goto cleanup;
    }
    rc = csv_header(L, cells, ncols, hline, cs, &label_col);
    if (rc)
        goto cleanup;
    L->nf = ncols - 1;

    for (;;) {
        if (c.pos >= c.len)
            break;
        size_t line = c.line;
        if (c.b[c.pos] == '\n' || c.b[c.pos] == '\r') {
            if (rest_is_blank(&c))
                break;
            if (ncols > 1) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu: blank line has 1 field, the header "
                               "has %zu",
                               L->path, line, ncols);
                goto cleanup;
            }
        }
        rc = csv_record(&c, &cells, &cap, &nfields, L->err);
        if (rc)
            goto cleanup;
        if (nfields != ncols) {
            rc = error_set(L->err, ERR_INPUT,
                           "%s:%zu: row has %zu field%s, the header has %zu",
                           L->path, line, nfields, nfields == 1 ? "" : "s",
                           ncols);
            goto cleanup;
        }
        rc = grow_rows(L, 1);
        if (rc)
            goto cleanup;
        float *row = L->x + L->n_rows * L->nf;
        for (size_t j = 0; j < ncols; j++) {
            if (cs[j].feat == SIZE_MAX)
                rc = add_label(L, cells[j].s, cells[j].n, line, j + 1,
                               cs[j].name);
            else
                rc = csv_cell(L, &cs[j], cells[j].s, cells[j].n, line, j + 1,
                              &row[cs[j].feat]);
            if (rc)
                goto cleanup;
        }
        L->n_rows++;
    }
    if (L->n_rows == 0) {
        rc = error_set(L->err, ERR_INPUT,
                       "%s: no data rows (only a header)", L->path);
        goto cleanup;
    }
    if (L->opts->schema)
        rc = schema_copy(&ds->schema, L->opts->schema, L->err);
    else
        rc = csv_schema(L, ds, cs, ncols, label_col);
    if (rc)
        goto cleanup;
    rc = finish(L, ds);
cleanup:
    if (cs)
        for (size_t j = 0; j < ncols; j++)
            strmap_free(&cs[j].cats);
    free(cs);
    free(cells);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* LibSVM / svmlight                                                         */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int load_libsvm(struct loader *L, struct dataset *ds)
{
    const struct schema *sch = L->opts->schema;
    char *b = L->buf;
    size_t len = L->len, pos = 0, line = 0;
    size_t n_ent = 0, cap_ent = 0;
    uint32_t *ent_idx = NULL;
    float *ent_val = NULL;
    size_t *row_start = NULL; /* n_rows + 1 entries once done */
    size_t cap_start = 0;
    uint64_t min_idx = UINT64_MAX, max_idx = 0;
    size_t base = 1, width = 0, limit = LIBSVM_MAX_INDEX;
    int rc = 0;
    char sb[SHOWBUF];

    if (sch) {
        for (size_t j = 0; j < sch->n_features; j++)
            if (sch->features[j].type != COLUMN_NUMERIC) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s: the schema's column '%s' is categorical; "
                               "a LibSVM file has only numeric features",
                               L->path, sch->features[j].name);
                goto cleanup;
            }
        base = (sch->n_features > 0 && strcmp(sch->features[0].name, "f0") == 0)
                   ? 0 : 1;
        width = sch->n_features;
        limit = width + base - 1; /* largest index allowed */
        if (width == 0)
            limit = 0;
    }
    if (len >= 3 && (unsigned char)b[0] == 0xEF && (unsigned char)b[1] == 0xBB &&
        (unsigned char)b[2] == 0xBF)
        pos = 3;

    while (pos < len) {
        line++;
        char *nl = memchr(b + pos, '\n', len - pos);
        size_t eol = nl ? (size_t)(nl - b) : len;
        size_t next = nl ? eol + 1 : len;
        b[eol] = '\0';
        char *hash = memchr(b + pos, '#', eol - pos);
        if (hash) {
            eol = (size_t)(hash - b);
            b[eol] = '\0';
        }
        size_t i = pos, tok = 0;
        uint64_t prev = 0;
        while (i < eol) {
            while (i < eol && is_ws(b[i]))
                i++;
            if (i >= eol)
                break;
            size_t t0 = i;
            while (i < eol && !is_ws(b[i]))
                i++;
            b[i] = '\0';
            if (i < eol)
                i++;
            char *t = b + t0;
            size_t tl = strlen(t);
            tok++;
            if (tok == 1) {
                if (memchr(t, ':', tl)) {
                    rc = error_set(L->err, ERR_INPUT,
                                   "%s:%zu:1: expected a label before the "
                                   "features, got '%s'",
                                   L->path, line, show(sb, sizeof sb, t, tl));
                    goto cleanup;
                }
                rc = grow_rows(L, 0);
                if (!rc && L->n_rows + 1 >= cap_start) {
                    size_t nc = cap_start ? cap_start * 2 : 1024;
                    size_t *s2 = realloc(row_start, nc * sizeof *s2);
                    if (!s2)
                        rc = nomem(L);
                    else {
                        row_start = s2;
                        cap_start = nc;
                    }
                }
                if (!rc)
                    rc = add_label(L, t, tl, line, 1, "label");
                if (rc)
                    goto cleanup;
                row_start[L->n_rows] = n_ent;
                continue;
            }
            char *colon = memchr(t, ':', tl);
            size_t il = colon ? (size_t)(colon - t) : 0;
            uint64_t idx = 0;
            int ok = colon && il > 0 && il <= 10;
            for (size_t k = 0; ok && k < il; k++) {
                if (!is_digit(t[k]))
                    ok = 0;
                else
                    idx = idx * 10 + (uint64_t)(t[k] - '0');
            }
            if (!ok) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu:%zu: expected index:value, got '%s'",
                               L->path, line, tok, show(sb, sizeof sb, t, tl));
                goto cleanup;
            }
            double v;
            if (!parse_number(colon + 1, tl - il - 1, &v)) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu:%zu: expected a number after '%.*s:', "
                               "got '%s'",
                               L->path, line, tok, (int)il, t,
                               show(sb, sizeof sb, colon + 1, tl - il - 1));
                goto cleanup;
            }
            if (tok > 2 && idx <= prev) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu:%zu: feature index %llu after %llu; "
                               "indices must be strictly increasing",
                               L->path, line, tok, (unsigned long long)idx,
                               (unsigned long long)prev);
                goto cleanup;
            }
            if (idx > limit || (sch && idx < base)) {
                if (sch)
                    rc = error_set(L->err, ERR_INPUT,
                                   "%s:%zu:%zu: feature index %llu outside the "
                                   "schema's %zu features (%zu-based)",
                                   L->path, line, tok, (unsigned long long)idx,
                                   width, base);
                else
                    rc = error_set(L->err, ERR_INPUT,
                                   "%s:%zu:%zu: feature index %llu is too large "
                                   "(at most %u)",
                                   L->path, line, tok, (unsigned long long)idx,
                                   LIBSVM_MAX_INDEX);
                goto cleanup;
            }
            float fv = (float)v;
            if (isinf(fv)) {
                rc = error_set(L->err, ERR_INPUT,
                               "%s:%zu:%zu: value '%s' is outside the float32 "
                               "range",
                               L->path, line, tok,
                               show(sb, sizeof sb, colon + 1, tl - il - 1));
                goto cleanup;
            }
            prev = idx;
            if (idx < min_idx)
                min_idx = idx;
            if (idx > max_idx)
                max_idx = idx;
            if (n_ent == cap_ent) {
                size_t nc = cap_ent ? cap_ent * 2 : 4096;
                uint32_t *i2 = realloc(ent_idx, nc * sizeof *i2);
                if (!i2) {
                    rc = nomem(L);
                    goto cleanup;
                }
                ent_idx = i2;
                float *v2 = realloc(ent_val, nc * sizeof *v2);
                if (!v2) {
                    rc = nomem(L);
                    goto cleanup;
                }
                ent_val = v2;
                cap_ent = nc;
            }
            ent_idx[n_ent] = (uint32_t)idx;
            ent_val[n_ent] = fv;
            n_ent++;
        }
        if (tok > 0)
            L->n_rows++;
        pos = next;
    }
    if (L->n_rows == 0) {
        rc = error_set(L->err, ERR_INPUT, "%s: no data rows", L->path);
        goto cleanup;
    }
    row_start[L->n_rows] = n_ent;

    if (!sch) {
        base = min_idx == 0 ? 0 : 1;
        width = n_ent == 0 ? 0 : (size_t)max_idx + 1 - base;
        if (width < L->opts->n_features_hint)
            width = L->opts->n_features_hint;
    }
    L->nf = width;
    if (width > 0 && L->n_rows > SIZE_MAX / sizeof(float) / width) {
        rc = nomem(L);
        goto cleanup;
    }
    free(L->x);
    L->x = calloc(width ? L->n_rows * width : 1, sizeof *L->x);
    if (!L->x) {
        rc = nomem(L);
        goto cleanup;
    }
    for (size_t r = 0; r < L->n_rows; r++)
        for (size_t e = row_start[r]; e < row_start[r + 1]; e++)
            L->x[r * width + (ent_idx[e] - base)] = ent_val[e];

    if (sch) {
        rc = schema_copy(&ds->schema, sch, L->err);
    } else {
        struct schema *s = &ds->schema;
        s->label_name = memdup0("label", 5);
        if (!s->label_name) {
            rc = nomem(L);
            goto cleanup;
        }
        if (width > 0) {
            s->features = calloc(width, sizeof *s->features);
            if (!s->features) {
                rc = nomem(L);
                goto cleanup;
            }
            s->n_features = width;
            for (size_t j = 0; j < width; j++) {
                char nm[32];
                snprintf(nm, sizeof nm, "f%zu", j + base);
                s->features[j].name = memdup0(nm, strlen(nm));
                s->features[j].type = COLUMN_NUMERIC;
                if (!s->features[j].name) {
                    rc = nomem(L);
                    goto cleanup;
                }
            }
        }
    }
    if (rc)
        goto cleanup;
    rc = finish(L, ds);
cleanup:
    free(ent_idx);
    free(ent_val);
    free(row_start);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                               */

static enum dataset_format format_from_ext(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return DATASET_AUTO;
    const char *e = dot + 1;
    size_t n = strlen(e);
    if (ieq(e, n, "csv"))
        return DATASET_CSV;
    if (ieq(e, n, "svm") || ieq(e, n, "libsvm") || ieq(e, n, "svmlight") ||
        ieq(e, n, "txt"))
        return DATASET_LIBSVM;
    return DATASET_AUTO;
}

int dataset_load(struct dataset *ds, const char *path,
                 const struct dataset_opts *opts, struct error *err)
{
    static const struct dataset_opts no_opts = {0};
    struct loader L = {0};
    int rc = 0;

    memset(ds, 0, sizeof *ds);
    L.path = path;
    L.opts = opts ? opts : &no_opts;
    L.err = err;

    enum dataset_format fmt = L.opts->format;
    if (fmt == DATASET_AUTO)
        fmt = format_from_ext(path);
    if (fmt != DATASET_CSV && fmt != DATASET_LIBSVM) {
        char sb[SHOWBUF];
        rc = error_set(err, ERR_INPUT,
                       "cannot tell the format of '%s' from its extension "
                       "(.csv, or .svm/.libsvm/.svmlight/.txt for LibSVM); "
                       "give the format explicitly",
                       show(sb, sizeof sb, path, strlen(path)));
        goto cleanup;
    }
    rc = afile_read_all(path, &L.buf, &L.len, err);
    if (rc)
        goto cleanup;
    sha256_hex(L.buf, L.len, ds->sha256);
    ds->path = memdup0(path, strlen(path));
    if (!ds->path) {
        rc = nomem(&L);
        goto cleanup;
    }
    const char *nul = memchr(L.buf, '\0', L.len);
    if (nul) {
        size_t line = 1, col = 1;
        for (const char *p = L.buf; p < nul; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        rc = error_set(err, ERR_INPUT,
                       "%s:%zu: NUL byte at byte %zu of the line (a binary "
                       "file?)",
                       path, line, col);
        goto cleanup;
    }
    rc = fmt == DATASET_CSV ? load_csv(&L, ds) : load_libsvm(&L, ds);
cleanup:
    loader_free(&L);
    if (rc)
        dataset_release(ds);
    return rc;
}
