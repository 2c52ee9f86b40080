/*
 * targets/predfile.c - the predictions file reader and writer (see
 * predfile.h for the format).
 *
 * The reader is a small dedicated RFC 4180 tokenizer (core/dataset.c's is
 * private and forces a label/feature structure): it splits the whole file,
 * read into memory, into records of NUL-terminated fields, remembering the
 * physical line each record starts on.  The header is mapped to column roles
 * once; each row is then parsed cell by cell by role.
 */
#include "targets/predfile.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/ids.h"
#include "core/sha256.h"

#define SHOW_BYTES 60
#define MAX_CLASSES 1000000u
#define MAX_REFS 100000u

/* ---- small helpers --------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A value for a message: at most SHOW_BYTES bytes, control bytes as '?'. */
static const char *show(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s), lim = n > SHOW_BYTES ? SHOW_BYTES : n, j = 0;
    for (size_t i = 0; i < lim && j + 4 < cap; i++)
        out[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (lim < n && j + 4 < cap) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = '\0';
    return out;
}

/* Strip blanks around a field in place; returns the start. */
static char *trim(char *s)
{
    while (is_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Strict decimal number, the whole (trimmed) text, finite.  Returns 1 and
 * *out, or 0.  The syntax is checked first so strtod sees no hex/inf/nan. */
static int parse_number(char *text, double *out)
{
    const char *s = trim(text);
    size_t i = 0, nd = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    while (is_digit(s[i])) {
        i++;
        nd++;
    }
    if (s[i] == '.') {
        i++;
        while (is_digit(s[i])) {
            i++;
            nd++;
        }
    }
    if (nd == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        size_t e0 = i;
        while (is_digit(s[i]))
            i++;
        if (i == e0)
            return 0;
    }
    if (s[i] != '\0')
        return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* A non-negative decimal index without leading zeros ("0", "12"), at most
 * `max`.  Returns 1 and *out, or 0. */
static int parse_index(const char *s, size_t len, size_t max, size_t *out)
{
    if (len == 0 || (s[0] == '0' && len > 1))
        return 0;
    size_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return 0;
        v = v * 10 + (size_t)(s[i] - '0');
        if (v > max)
            return 0;
    }
    *out = v;
    return 1;
}

/* ---- the tokenizer --------------------------------------------------- */

struct reader {
    const char *path;
    const char *p, *end;
    size_t line;       /* physical line at p */
};

struct record {
    char *buf;         /* fields, each NUL-terminated */
    size_t len, cap;
    size_t *off;       /* field start offsets into buf */
    size_t nf, fcap;
    size_t line;       /* the line the record starts on */
};

static int rec_putc(struct record *r, char c, struct error *err)
{
    if (r->len == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 256;
        char *nb = realloc(r->buf, nc);
        if (!nb)
            return error_set(err, ERR_NOMEM, "out of memory");
        r->buf = nb;
        r->cap = nc;
    }
    r->buf[r->len++] = c;
    return 0;
}

static int rec_field(struct record *r, struct error *err)
{
    if (r->nf == r->fcap) {
        size_t nc = r->fcap ? 2 * r->fcap : 32;
        size_t *no = realloc(r->off, nc * sizeof *no);
        if (!no)
            return error_set(err, ERR_NOMEM, "out of memory");
        r->off = no;
        r->fcap = nc;
    }
    r->off[r->nf++] = r->len;
    return 0;
}

static char *rec_get(const struct record *r, size_t i)
{
    return r->buf + r->off[i];
}

static void rec_free(struct record *r)
{
    free(r->buf);
    free(r->off);
    memset(r, 0, sizeof *r);
}

/* Is the rest of the input only line ends? */
static int only_line_ends(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\n' && *p != '\r')
            return 0;
    return 1;
}

/*
 * The next record into rec; *got = 0 at the end of the input.  A blank line
 * followed only by blank lines ends the input; any other blank line is an
 * error.
 */
static int read_record(struct reader *rd, struct record *rec, int *got,
                       struct error *err)
{
    int rc;
    *got = 0;
    rec->len = 0;
    rec->nf = 0;
    rec->line = rd->line;
    if (rd->p >= rd->end)
        return 0;
    if (*rd->p == '\n' || *rd->p == '\r') {
        if (only_line_ends(rd->p, rd->end)) {
            rd->p = rd->end;
            return 0;
        }
        return error_set(err, ERR_INPUT, "%s:%zu:1: blank line before the last record",
                         rd->path, rd->line);
    }
    for (;;) {
        if ((rc = rec_field(rec, err)))
            return rc;
        size_t col = rec->nf;
        const char *p = rd->p;
        if (p < rd->end && *p == '"') {
            p++;
            for (;;) {
                if (p >= rd->end)
                    return error_set(err, ERR_INPUT,
                                     "%s:%zu:%zu: unterminated quoted field", rd->path,
                                     rec->line, col);
                char c = *p;
                if (c == '"') {
                    if (p + 1 < rd->end && p[1] == '"') {
                        if ((rc = rec_putc(rec, '"', err)))
                            return rc;
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (c == '\n' || (c == '\r' && !(p + 1 < rd->end && p[1] == '\n')))
                    rd->line++;
                if ((rc = rec_putc(rec, c, err)))
                    return rc;
                p++;
            }
            if (p < rd->end && *p != ',' && *p != '\n' && *p != '\r')
                return error_set(err, ERR_INPUT,
                                 "%s:%zu:%zu: text after the closing quote of a field",
                                 rd->path, rd->line, col);
        } else {
            while (p < rd->end && *p != ',' && *p != '\n' && *p != '\r') {
                if (*p == '"')
                    return error_set(err, ERR_INPUT,
                                     "%s:%zu:%zu: a '\"' inside an unquoted field",
                                     rd->path, rd->line, col);
                if ((rc = rec_putc(rec, *p, err)))
                    return rc;
                p++;
            }
        }
        if ((rc = rec_putc(rec, '\0', err)))
            return rc;
        if (p < rd->end && *p == ',') {
            rd->p = p + 1;
            continue;
        }
        if (p < rd->end && *p == '\r')
            p++;
        if (p < rd->end && *p == '\n')
            p++;
        rd->line++;
        rd->p = p;
        *got = 1;
        return 0;
    }
}

/* ---- the header ------------------------------------------------------ */

enum role {
    R_ID = 0,
    R_LABEL,
    R_MEMBER,
    R_CANARY,
    R_COIN,
    R_P,
    R_LOGIT,
    R_LOSS,
    R_REF_MEMBER
};

struct colspec {
    enum role role;
    size_t group;      /* 0 = the target, j + 1 = reference j */
    size_t cls;        /* R_P, R_LOGIT */
};

struct group {
    size_t first_p, first_logit, loss_col, member_col; /* 0 = absent, else col+1 */
    size_t max_p, max_logit;     /* largest class index + 1 seen (0: none) */
    size_t *cls_col;             /* k entries: column + 1 of class c */
    size_t k;
    enum predfile_kind kind;
    double *probs, *loss;        /* the output arrays being filled */
    int8_t *member;
};

/* Parse one header name into *cs; 0 when it is not a known column. */
static int classify(const char *name, struct colspec *cs)
{
    size_t g = 0;
    const char *s = name;
    if (strncmp(s, "ref", 3) == 0 && is_digit(s[3])) {
        const char *u = strchr(s + 3, '_');
        size_t j;
        if (!u || !parse_index(s + 3, (size_t)(u - s - 3), MAX_REFS - 1, &j))
            return 0;
        g = j + 1;
        s = u + 1;
        if (strcmp(s, "member") == 0) {
            cs->role = R_REF_MEMBER;
            cs->group = g;
            return 1;
        }
    } else {
        static const struct {
            const char *name;
            enum role role;
        } fixed[] = {{"id", R_ID},
                     {"label", R_LABEL},
                     {"member", R_MEMBER},
                     {"canary", R_CANARY},
                     {"coin", R_COIN}};
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
            if (strcmp(s, fixed[i].name) == 0) {
                cs->role = fixed[i].role;
                cs->group = 0;
                return 1;
            }
    }
    cs->group = g;
    if (strcmp(s, "loss") == 0) {
        cs->role = R_LOSS;
        return 1;
    }
    size_t c;
    if (strncmp(s, "p_", 2) == 0 && parse_index(s + 2, strlen(s + 2), MAX_CLASSES - 1, &c)) {
        cs->role = R_P;
        cs->cls = c;
        return 1;
    }
    if (strncmp(s, "logit_", 6) == 0 &&
        parse_index(s + 6, strlen(s + 6), MAX_CLASSES - 1, &c)) {
        cs->role = R_LOGIT;
        cs->cls = c;
        return 1;
    }
    return 0;
}

/* "the target" / "reference 3" for messages. */
static const char *group_name(size_t g, char *buf, size_t cap)
{
    if (g == 0)
        snprintf(buf, cap, "the target");
    else
        snprintf(buf, cap, "reference ref%zu", g - 1);
    return buf;
}

static const char *group_prefix(size_t g, char *buf, size_t cap)
{
    if (g == 0)
        buf[0] = '\0';
    else
        snprintf(buf, cap, "ref%zu_", g - 1);
    return buf;
}

struct header {
    size_t nf;
    struct colspec *cols;
    size_t id_col, label_col, member_col, canary_col, coin_col; /* col + 1 */
    size_t n_groups;
    struct group *groups;
    size_t k;
};

static void header_free(struct header *h)
{
    if (h->groups)
        for (size_t g = 0; g < h->n_groups; g++)
            free(h->groups[g].cls_col);
    free(h->groups);
    free(h->cols);
    memset(h, 0, sizeof *h);
}

static int parse_header(const char *path, const struct record *rec, struct header *h,
                        struct error *err)
{
    char sh[SHOW_BYTES * 2], gb[64], pb[32];
    memset(h, 0, sizeof *h);
    h->nf = rec->nf;
    h->cols = calloc(rec->nf, sizeof *h->cols);
    if (!h->cols)
        return error_set(err, ERR_NOMEM, "out of memory");
    size_t max_group = 0;
    for (size_t i = 0; i < rec->nf; i++) {
        const char *name = rec_get(rec, i);
        if (!classify(name, &h->cols[i]))
            return error_set(err, ERR_INPUT,
                             "%s:%zu:%zu: unknown column '%s' (expected id, label, member, "
                             "canary, coin, p_<c>, logit_<c>, loss, or ref<j>_ versions of "
                             "the last three and ref<j>_member)",
                             path, rec->line, i + 1, show(sh, sizeof sh, name));
        if (h->cols[i].group > max_group)
            max_group = h->cols[i].group;
    }
    h->n_groups = max_group + 1;
    h->groups = calloc(h->n_groups, sizeof *h->groups);
    if (!h->groups)
        return error_set(err, ERR_NOMEM, "out of memory");
    /* first pass: fixed columns, kinds, class counts */
    for (size_t i = 0; i < rec->nf; i++) {
        const struct colspec *cs = &h->cols[i];
        struct group *g = &h->groups[cs->group];
        size_t *slot = NULL;
        switch (cs->role) {
        case R_ID: slot = &h->id_col; break;
        case R_LABEL: slot = &h->label_col; break;
        case R_MEMBER: slot = &h->member_col; break;
        case R_CANARY: slot = &h->canary_col; break;
        case R_COIN: slot = &h->coin_col; break;
        case R_LOSS: slot = &g->loss_col; break;
        case R_REF_MEMBER: slot = &g->member_col; break;
        case R_P:
            if (!g->first_p)
                g->first_p = i + 1;
            if (cs->cls + 1 > g->max_p)
                g->max_p = cs->cls + 1;
            break;
        case R_LOGIT:
            if (!g->first_logit)
                g->first_logit = i + 1;
            if (cs->cls + 1 > g->max_logit)
                g->max_logit = cs->cls + 1;
            break;
        }
        if (slot) {
            if (*slot)
                return error_set(err, ERR_INPUT,
                                 "%s:%zu:%zu: duplicate column '%s' (also column %zu)", path,
                                 rec->line, i + 1, show(sh, sizeof sh, rec_get(rec, i)),
                                 *slot);
            *slot = i + 1;
        }
    }
    static const char *const required[3] = {"id", "label", "member"};
    size_t have[3] = {h->id_col, h->label_col, h->member_col};
    for (int r = 0; r < 3; r++)
        if (!have[r])
            return error_set(err, ERR_INPUT, "%s:%zu:1: missing the required column '%s'",
                             path, rec->line, required[r]);
    for (size_t gi = 0; gi < h->n_groups; gi++) {
        struct group *g = &h->groups[gi];
        group_name(gi, gb, sizeof gb);
        group_prefix(gi, pb, sizeof pb);
        int kinds = (g->first_p != 0) + (g->first_logit != 0) + (g->loss_col != 0);
        if (gi > 0 && kinds == 0 && !g->member_col)
            return error_set(err, ERR_INPUT,
                             "%s:%zu:1: no columns for reference ref%zu (references are "
                             "numbered from ref0 without a gap; the header has ref%zu)",
                             path, rec->line, gi - 1, h->n_groups - 2);
        if (kinds == 0)
            return error_set(err, ERR_INPUT,
                             "%s:%zu:1: no outputs for %s: expected %sp_0..%sp_<K-1>, "
                             "%slogit_0..%slogit_<K-1> or %sloss",
                             path, rec->line, gb, pb, pb, pb, pb, pb);
        if (kinds > 1) {
            /* name the first column of the kind that comes second */
            size_t pos[3] = {g->first_p, g->first_logit, g->loss_col}, lo = 0, at = 0;
            for (int q = 0; q < 3; q++)
                if (pos[q] && (!lo || pos[q] < lo))
                    lo = pos[q];
            for (int q = 0; q < 3; q++)
                if (pos[q] && pos[q] != lo && (!at || pos[q] < at))
                    at = pos[q];
            return error_set(err, ERR_INPUT,
                             "%s:%zu:%zu: column '%s' mixes output kinds for %s: give "
                             "either %sp_ or %slogit_ columns or %sloss",
                             path, rec->line, at, show(sh, sizeof sh, rec_get(rec, at - 1)),
                             gb, pb, pb, pb);
        }
        if (gi > 0 && !g->member_col)
            return error_set(err, ERR_INPUT,
                             "%s:%zu:1: missing the column '%smember' for %s", path,
                             rec->line, pb, gb);
        g->kind = g->first_p ? PREDFILE_PROBS : g->first_logit ? PREDFILE_LOGITS
                                                                : PREDFILE_LOSS;
        g->k = g->first_p ? g->max_p : g->first_logit ? g->max_logit : 0;
        if (g->k) {
            size_t first = g->first_p ? g->first_p : g->first_logit;
            if (g->k < 2)
                return error_set(err, ERR_INPUT,
                                 "%s:%zu:%zu: %s has one class column; need at least 2 "
                                 "classes",
                                 path, rec->line, first, gb);
            if (h->k && g->k != h->k)
                return error_set(err, ERR_INPUT,
                                 "%s:%zu:%zu: %s has %zu classes, an earlier group has %zu",
                                 path, rec->line, first, gb, g->k, h->k);
            h->k = g->k;
            g->cls_col = calloc(g->k, sizeof *g->cls_col);
            if (!g->cls_col)
                return error_set(err, ERR_NOMEM, "out of memory");
        }
    }
    /* second pass: class columns, duplicates and gaps */
    for (size_t i = 0; i < rec->nf; i++) {
        const struct colspec *cs = &h->cols[i];
        if (cs->role != R_P && cs->role != R_LOGIT)
            continue;
        struct group *g = &h->groups[cs->group];
        if (g->cls_col[cs->cls])
            return error_set(err, ERR_INPUT,
                             "%s:%zu:%zu: duplicate column '%s' (also column %zu)", path,
                             rec->line, i + 1, show(sh, sizeof sh, rec_get(rec, i)),
                             g->cls_col[cs->cls]);
        g->cls_col[cs->cls] = i + 1;
    }
    for (size_t gi = 0; gi < h->n_groups; gi++) {
        struct group *g = &h->groups[gi];
        for (size_t c = 0; c < g->k; c++)
            if (!g->cls_col[c]) {
                const char *kn = g->kind == PREDFILE_PROBS ? "p_" : "logit_";
                group_prefix(gi, pb, sizeof pb);
                return error_set(err, ERR_INPUT,
                                 "%s:%zu:1: missing the column '%s%s%zu' (class columns run "
                                 "from %s%s0 to %s%s%zu without a gap)",
                                 path, rec->line, pb, kn, c, pb, kn, pb, kn, g->k - 1);
            }
    }
    return 0;
}

/* ---- rows ------------------------------------------------------------ */

/* Softmax of z[0..k) into p (subtracting the maximum, so exp never
 * overflows and the largest term is exactly 1), and log-sum-exp into *lse. */
static void softmax(const double *z, size_t k, double *p, double *lse)
{
    double mx = z[0];
    for (size_t c = 1; c < k; c++)
        if (z[c] > mx)
            mx = z[c];
    double s = 0;
    for (size_t c = 0; c < k; c++)
        s += (p[c] = exp(z[c] - mx));
    for (size_t c = 0; c < k; c++)
        p[c] /= s;
    *lse = mx + log(s);
}

static double loss_of(double p)
{
    return -log(p > PREDFILE_PMIN ? p : PREDFILE_PMIN);
}

static int parse_01(char *text, int allow_empty, int *out)
{
    const char *s = trim(text);
    if (allow_empty && *s == '\0') {
        *out = PREDFILE_MEMBER_UNKNOWN;
        return 1;
    }
    if ((s[0] == '0' || s[0] == '1') && s[1] == '\0') {
        *out = s[0] - '0';
        return 1;
    }
    return 0;
}

void predfile_release(struct predfile *pf)
{
    if (!pf)
        return;
    if (pf->ids)
        for (size_t i = 0; i < pf->n; i++)
            free(pf->ids[i]);
    free(pf->ids);
    free(pf->labels);
    free(pf->member);
    free(pf->probs);
    free(pf->loss);
    free(pf->canary);
    free(pf->coin);
    if (pf->refs)
        for (size_t j = 0; j < pf->n_refs; j++) {
            free(pf->refs[j].probs);
            free(pf->refs[j].loss);
            free(pf->refs[j].member);
        }
    free(pf->refs);
    free(pf->path);
    memset(pf, 0, sizeof *pf);
}

/* Allocate pf's arrays for `cap` rows from the parsed header. */
static int alloc_from_header(struct predfile *pf, const struct header *h, size_t cap,
                             struct error *err)
{
    pf->k = h->k;
    pf->kind = h->groups[0].kind;
    pf->ids = calloc(cap, sizeof *pf->ids);
    pf->labels = malloc(cap * sizeof *pf->labels);
    pf->member = malloc(cap * sizeof *pf->member);
    pf->loss = malloc(cap * sizeof *pf->loss);
    if (!pf->ids || !pf->labels || !pf->member || !pf->loss)
        return error_set(err, ERR_NOMEM, "out of memory");
    if (h->groups[0].k && !(pf->probs = malloc(cap * h->k * sizeof *pf->probs)))
        return error_set(err, ERR_NOMEM, "out of memory");
    if (h->canary_col && !(pf->canary = malloc(cap)))
        return error_set(err, ERR_NOMEM, "out of memory");
    if (h->coin_col && !(pf->coin = malloc(cap)))
        return error_set(err, ERR_NOMEM, "out of memory");
    pf->n_refs = h->n_groups - 1;
    if (pf->n_refs) {
        pf->refs = calloc(pf->n_refs, sizeof *pf->refs);
        if (!pf->refs)
            return error_set(err, ERR_NOMEM, "out of memory");
        for (size_t j = 0; j < pf->n_refs; j++) {
            struct predfile_ref *r = &pf->refs[j];
            r->kind = h->groups[j + 1].kind;
            r->loss = malloc(cap * sizeof *r->loss);
            r->member = malloc(cap * sizeof *r->member);
            if (!r->loss || !r->member)
                return error_set(err, ERR_NOMEM, "out of memory");
            if (h->groups[j + 1].k && !(r->probs = malloc(cap * h->k * sizeof *r->probs)))
                return error_set(err, ERR_NOMEM, "out of memory");
        }
    }
    return 0;
}

int predfile_load(struct predfile *pf, const char *path, struct error *err)
{
    memset(pf, 0, sizeof *pf);
    char *buf = NULL;
    size_t len = 0, *lines = NULL, cap = 1;
    struct record rec, hdr;
    struct header h;
    double *tmp = NULL;
    char sh[SHOW_BYTES * 2];
    memset(&rec, 0, sizeof rec);
    memset(&hdr, 0, sizeof hdr);
    memset(&h, 0, sizeof h);
    int rc = afile_read_all(path, &buf, &len, err), got = 0;
    if (rc)
        return rc;
    sha256_hex(buf, len, pf->sha256);
    if (!(pf->path = dup_str(path))) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        size_t ln = 1;
        for (const char *q = buf; q < nul; q++)
            ln += *q == '\n';
        rc = error_set(err, ERR_INPUT, "%s:%zu: a NUL byte: not a text file", path, ln);
        goto cleanup;
    }
    struct reader rd = {path, buf, buf + len, 1};
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        rd.p += 3;
    if ((rc = read_record(&rd, &hdr, &got, err)))
        goto cleanup;
    if (!got) {
        rc = error_set(err, ERR_INPUT, "%s:1:1: empty file; expected a header row", path);
        goto cleanup;
    }
    if ((rc = parse_header(path, &hdr, &h, err)))
        goto cleanup;
    for (size_t i = 0; i < len; i++)
        cap += buf[i] == '\n' || (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));
    lines = malloc(cap * sizeof *lines);
    tmp = malloc((h.k ? h.k : 1) * sizeof *tmp);
    if (!lines || !tmp) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = alloc_from_header(pf, &h, cap, err)))
        goto cleanup;
    for (size_t g = 0; g < h.n_groups; g++) {
        h.groups[g].probs = g ? pf->refs[g - 1].probs : pf->probs;
        h.groups[g].loss = g ? pf->refs[g - 1].loss : pf->loss;
        h.groups[g].member = g ? pf->refs[g - 1].member : NULL;
    }
    const size_t k = h.k;
    for (;;) {
        if ((rc = read_record(&rd, &rec, &got, err)))
            goto cleanup;
        if (!got)
            break;
        size_t i = pf->n, ln = rec.line;
        assert(i < cap);
        if (rec.nf != h.nf) {
            rc = error_set(err, ERR_INPUT,
                           "%s:%zu:%zu: expected %zu fields as in the header, got %zu", path,
                           ln, (rec.nf < h.nf ? rec.nf : h.nf + 1), h.nf, rec.nf);
            goto cleanup;
        }
        lines[i] = ln;
        for (size_t c = 0; c < h.nf; c++) {
            const struct colspec *cs = &h.cols[c];
            struct group *g = &h.groups[cs->group];
            char *f = rec_get(&rec, c);
            const char *name = rec_get(&hdr, c);
            double v;
            int b;
            switch (cs->role) {
            case R_ID:
                if (*f == '\0') {
                    rc = error_set(err, ERR_INPUT, "%s:%zu:%zu: empty id", path, ln, c + 1);
                    goto cleanup;
                }
                if (!(pf->ids[i] = dup_str(f))) {
                    rc = error_set(err, ERR_NOMEM, "out of memory");
                    goto cleanup;
                }
                break;
            case R_LABEL: {
                const char *s = trim(f);
                size_t lab;
                if (!parse_index(s, strlen(s), INT32_MAX, &lab) || (k && lab >= k)) {
                    if (k)
                        rc = error_set(err, ERR_INPUT,
                                       "%s:%zu:%zu: expected a class index 0..%zu in column "
                                       "'label', got '%s'",
                                       path, ln, c + 1, k - 1, show(sh, sizeof sh, f));
                    else
                        rc = error_set(err, ERR_INPUT,
                                       "%s:%zu:%zu: expected a class index >= 0 in column "
                                       "'label', got '%s'",
                                       path, ln, c + 1, show(sh, sizeof sh, f));
                    goto cleanup;
                }
                pf->labels[i] = (int32_t)lab;
                break;
            }
            case R_MEMBER:
            case R_REF_MEMBER:
                if (!parse_01(f, cs->role == R_MEMBER, &b)) {
                    rc = error_set(err, ERR_INPUT, "%s:%zu:%zu: expected %s in column '%s', "
                                   "got '%s'", path, ln, c + 1,
                                   cs->role == R_MEMBER ? "0, 1 or empty (unknown)" : "0 or 1",
                                   name, show(sh, sizeof sh, f));
                    goto cleanup;
                }
                if (cs->role == R_MEMBER)
                    pf->member[i] = (int8_t)b;
                else
                    g->member[i] = (int8_t)b;
                break;
            case R_CANARY:
            case R_COIN:
                if (!parse_01(f, 0, &b)) {
                    rc = error_set(err, ERR_INPUT,
                                   "%s:%zu:%zu: expected 0 or 1 in column '%s', got '%s'", path,
                                   ln, c + 1, name, show(sh, sizeof sh, f));
                    goto cleanup;
                }
                (cs->role == R_CANARY ? pf->canary : pf->coin)[i] = (uint8_t)b;
                break;
            case R_P:
            case R_LOGIT:
            case R_LOSS: {
                char fb[SHOW_BYTES * 2];
                show(fb, sizeof fb, f);
                if (!parse_number(f, &v)) {
                    rc = error_set(err, ERR_INPUT,
                                   "%s:%zu:%zu: expected a finite number in column '%s', "
                                   "got '%s'",
                                   path, ln, c + 1, name, fb);
                    goto cleanup;
                }
                if ((cs->role == R_P || cs->role == R_LOSS) && v < 0) {
                    rc = error_set(err, ERR_INPUT,
                                   "%s:%zu:%zu: expected a %s >= 0 in column '%s', got '%s'",
                                   path, ln, c + 1, cs->role == R_P ? "probability" : "loss",
                                   name, fb);
                    goto cleanup;
                }
                if (cs->role == R_LOSS)
                    g->loss[i] = v;
                else
                    g->probs[i * k + cs->cls] = v;
                break;
            }
            }
        }
        /* per-group checks and derived values, now that the label is known */
        for (size_t gi = 0; gi < h.n_groups; gi++) {
            struct group *g = &h.groups[gi];
            size_t y = (size_t)pf->labels[i];
            if (g->kind == PREDFILE_PROBS) {
                double *p = g->probs + i * k, s = 0;
                for (size_t c = 0; c < k; c++)
                    s += p[c];
                if (!(fabs(s - 1.0) <= PREDFILE_SUM_TOL)) {
                    char pb[32];
                    group_prefix(gi, pb, sizeof pb);
                    rc = error_set(err, ERR_INPUT,
                                   "%s:%zu:%zu: probabilities %sp_0..%sp_%zu sum to %.10g, "
                                   "expected 1 within %g",
                                   path, ln, g->first_p, pb, pb, k - 1, s, PREDFILE_SUM_TOL);
                    goto cleanup;
                }
                for (size_t c = 0; c < k; c++)
                    p[c] /= s;
                g->loss[i] = loss_of(p[y]);
            } else if (g->kind == PREDFILE_LOGITS) {
                double *p = g->probs + i * k, lse;
                memcpy(tmp, p, k * sizeof *tmp);
                softmax(tmp, k, p, &lse);
                /* -log softmax_y = lse - z_y directly (no log of an
                 * underflowed p_y), capped like the probability route. */
                double l = lse - tmp[y], cap_l = loss_of(0.0);
                g->loss[i] = l < 0 ? 0 : l > cap_l ? cap_l : l;
            }
        }
        pf->n++;
    }
    if (pf->n == 0) {
        rc = error_set(err, ERR_INPUT, "%s:2:1: no data rows after the header", path);
        goto cleanup;
    }
    bool dup = false;
    size_t first = 0, again = 0;
    if ((rc = ids_find_duplicate((const char *const *)pf->ids, pf->n, &dup, &first, &again,
                                 err)))
        goto cleanup;
    if (dup)
        rc = error_set(err, ERR_INPUT, "%s:%zu:%zu: duplicate id '%s' (first on line %zu)",
                       path, lines[again], h.id_col, show(sh, sizeof sh, pf->ids[again]),
                       lines[first]);
cleanup:
    if (rc && pf->ids) { /* the id of the row that failed */
        free(pf->ids[pf->n]);
        pf->ids[pf->n] = NULL;
    }
    if (rc)
        predfile_release(pf);
    free(tmp);
    free(lines);
    header_free(&h);
    rec_free(&rec);
    rec_free(&hdr);
    free(buf);
    return rc;
}

/* ---- building and writing -------------------------------------------- */

int predfile_alloc(struct predfile *pf, size_t n, size_t k, bool with_probs,
                   bool with_canaries, size_t n_refs, struct error *err)
{
    memset(pf, 0, sizeof *pf);
    assert(!with_probs || k >= 2);
    size_t cap = n ? n : 1;
    pf->k = k;
    pf->kind = with_probs ? PREDFILE_PROBS : PREDFILE_LOSS;
    pf->ids = calloc(cap, sizeof *pf->ids);
    pf->labels = calloc(cap, sizeof *pf->labels);
    pf->member = malloc(cap * sizeof *pf->member);
    pf->loss = calloc(cap, sizeof *pf->loss);
    if (!pf->ids || !pf->labels || !pf->member || !pf->loss)
        goto nomem;
    pf->n = n;
    for (size_t i = 0; i < cap; i++)
        pf->member[i] = PREDFILE_MEMBER_UNKNOWN;
    if (with_probs && !(pf->probs = calloc(cap * k, sizeof *pf->probs)))
        goto nomem;
    if (with_canaries && (!(pf->canary = calloc(cap, 1)) || !(pf->coin = calloc(cap, 1))))
        goto nomem;
    if (n_refs) {
        if (!(pf->refs = calloc(n_refs, sizeof *pf->refs)))
            goto nomem;
        pf->n_refs = n_refs;
        for (size_t j = 0; j < n_refs; j++) {
            struct predfile_ref *r = &pf->refs[j];
            r->kind = pf->kind;
            if (!(r->loss = calloc(cap, sizeof *r->loss)) ||
                !(r->member = calloc(cap, sizeof *r->member)) ||
                (with_probs && !(r->probs = calloc(cap * k, sizeof *r->probs))))
                goto nomem;
        }
    }
    return 0;
nomem:
    predfile_release(pf);
    return error_set(err, ERR_NOMEM, "out of memory");
}

void predfile_compute_loss(struct predfile *pf)
{
    for (size_t i = 0; i < pf->n; i++) {
        size_t y = (size_t)pf->labels[i];
        assert(pf->labels[i] >= 0 && (!pf->probs || y < pf->k));
        if (pf->probs)
            pf->loss[i] = loss_of(pf->probs[i * pf->k + y]);
        for (size_t j = 0; j < pf->n_refs; j++)
            if (pf->refs[j].probs)
                pf->refs[j].loss[i] = loss_of(pf->refs[j].probs[i * pf->k + y]);
    }
}

size_t predfile_count_members(const struct predfile *pf, int value)
{
    size_t c = 0;
    for (size_t i = 0; i < pf->n; i++)
        c += pf->member[i] == value;
    return c;
}

static int needs_quotes(const char *s)
{
    size_t n = strlen(s);
    if (n && (is_blank(s[0]) || is_blank(s[n - 1])))
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

static void put_id(FILE *fp, const char *s)
{
    if (!needs_quotes(s)) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

/* The columns of one output group: p_* when probs, else loss. */
static void put_group_header(FILE *fp, const char *prefix, const double *probs, size_t k)
{
    if (probs)
        for (size_t c = 0; c < k; c++)
            fprintf(fp, ",%sp_%zu", prefix, c);
    else
        fprintf(fp, ",%sloss", prefix);
}

static void put_group_row(FILE *fp, const double *probs, const double *loss, size_t k,
                          size_t i)
{
    if (probs)
        for (size_t c = 0; c < k; c++)
            fprintf(fp, ",%.17g", probs[i * k + c]);
    else
        fprintf(fp, ",%.17g", loss[i]);
}

int predfile_write_stream(FILE *fp, const char *what, const struct predfile *pf,
                          struct error *err)
{
    for (size_t i = 0; i < pf->n; i++)
        if (!pf->ids[i] || !pf->ids[i][0])
            return error_set(err, ERR_INPUT, "writing '%s': row %zu has an empty id", what,
                             i + 1);
    fputs("id,label,member", fp);
    if (pf->canary)
        fputs(",canary", fp);
    if (pf->coin)
        fputs(",coin", fp);
    put_group_header(fp, "", pf->probs, pf->k);
    for (size_t j = 0; j < pf->n_refs; j++) {
        char pb[32];
        group_prefix(j + 1, pb, sizeof pb);
        put_group_header(fp, pb, pf->refs[j].probs, pf->k);
        fprintf(fp, ",%smember", pb);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < pf->n; i++) {
        put_id(fp, pf->ids[i]);
        fprintf(fp, ",%d,", (int)pf->labels[i]);
        if (pf->member[i] != PREDFILE_MEMBER_UNKNOWN)
            fprintf(fp, "%d", pf->member[i] ? 1 : 0);
        if (pf->canary)
            fprintf(fp, ",%d", pf->canary[i] ? 1 : 0);
        if (pf->coin)
            fprintf(fp, ",%d", pf->coin[i] ? 1 : 0);
        put_group_row(fp, pf->probs, pf->loss, pf->k, i);
        for (size_t j = 0; j < pf->n_refs; j++) {
            put_group_row(fp, pf->refs[j].probs, pf->refs[j].loss, pf->k, i);
            fprintf(fp, ",%d", pf->refs[j].member[i] ? 1 : 0);
        }
        fputc('\n', fp);
    }
    if (fflush(fp) != 0 || ferror(fp))
        return error_errno(err, errno ? errno : EIO, "cannot write", what);
    return 0;
}

int predfile_write(const char *path, const struct predfile *pf, struct error *err)
{
    struct afile af;
    int rc = afile_open(&af, path, err);
    if (rc)
        return rc;
    if ((rc = predfile_write_stream(af.fp, path, pf, err))) {
        afile_abort(&af);
        return rc;
    }
    return afile_commit(&af, err);
}
