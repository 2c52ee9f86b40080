/*
 * audit/cmd_bound.c - `privaudit bound`: epsilon lower bounds from the
 * counts of a membership test, or from a scores file (one-run canary
 * audits and multi-run threshold audits).  docs/bounds.md describes the
 * bounds; the scores file format is in the usage text below.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit/bounds.h"
#include "audit/cli.h"
#include "audit/fdp.h"
#include "audit/gdp.h"
#include "audit/onerun.h"
#include "core/ids.h"
#include "core/rng.h"

/* ---- bound ----------------------------------------------------------- */

static const char BOUND_USAGE[] =
    "usage: privaudit bound --tp N --fn N --fp N --tn N [--method clopper-pearson|gdp]\n"
    "                       [--delta D] [--confidence C] [--claimed-epsilon E] [--json]\n"
    "       privaudit bound --scores FILE [--method METHOD] [--delta D]\n"
    "                       [--confidence C] [--claimed-epsilon E]\n"
    "                       [--k-plus N --k-minus N] [--threshold split|union]\n"
    "                       [--max-thresholds N] [--seed N] [--json]\n"
    "\n"
    "Epsilon lower bounds for a differential-privacy claim (docs/bounds.md).\n"
    "\n"
    "Counts mode: a membership test's counts - TP members guessed IN, FN members\n"
    "guessed OUT, FP non-members guessed IN, TN non-members guessed OUT.\n"
    "\n"
    "Scores mode: FILE is a CSV file with the header 'id,member,score' and one row\n"
    "per canary (one-run methods: the canaries of one training run, member = its\n"
    "coin flip) or per run (multi-run methods: member = 1 when the run included\n"
    "the canary).  member is 0 or 1, score a finite number, higher = more likely\n"
    "a member; ids must be distinct; no other columns, no quoting.\n"
    "\n"
    "  --method METHOD    one of (default: all with --scores, clopper-pearson with\n"
    "                     counts; with counts, all = clopper-pearson and gdp)\n"
    "                       one-run          Steinke, Nasr, Jagielski 2023 (valid)\n"
    "                       one-run-fdp      Mahloujifar, Melis, Chaudhuri 2024: the\n"
    "                                        (eps, delta) curve (valid), plus a mu-GDP\n"
    "                                        estimate (assumes a Gaussian trade-off)\n"
    "                       clopper-pearson  Jagielski, Ullman, Oprea 2020 (valid)\n"
    "                       gdp              Nasr et al. 2023, mu-GDP (an estimate under\n"
    "                                        a Gaussian trade-off assumption)\n"
    "                       all              all four\n"
    "  --delta D          the delta of the claim, in [0, 1) (default 1e-5)\n"
    "  --confidence C     in (0, 1) (default 0.95)\n"
    "  --claimed-epsilon E  print a verdict: 'violated' when a valid bound\n"
    "                     (one-run, one-run-fdp, clopper-pearson) exceeds E; gdp never\n"
    "                     decides; exit status stays 0\n"
    "  --k-plus N --k-minus N  one-run guesses: IN for the N highest scores, OUT for\n"
    "                     the N lowest (default: k+ = k- = 1, 2, 5, 10, ... up to half\n"
    "                     the canaries, the best taken with a union bound)\n"
    "  --threshold MODE   multi-run threshold choice: split (choose on a random half,\n"
    "                     bound on the other; default) or union (all thresholds, union\n"
    "                     bound)\n"
    "  --max-thresholds N candidate thresholds (default 256)\n"
    "  --seed N           seed of the split (default 1)\n"
    "  --json             print JSON instead of text\n"
    "\n"
    "Exit codes: 0 done (whatever the verdict), 2 bad usage or input (errors name\n"
    "FILE:LINE:COLUMN), 3 internal error.\n";

enum {
    M_ONERUN = 1,
    M_FDP = 2,
    M_CP = 4,
    M_GDP = 8,
    M_ALL = 15
};

struct bound_args {
    double delta, conf, claim;
    bool have_claim, json;
    unsigned methods;
    struct onerun_opts oo;
    enum threshold_mode mode;
    size_t max_thresholds;
    unsigned long long seed;
};

/* ---- the scores file ------------------------------------------------- */

struct scores_file {
    size_t n;
    double *score;
    uint8_t *member;
    char *buf;    /* the file, ids NUL-terminated in place */
    char **id;    /* into buf */
    size_t *line; /* line of each row */
};

static void scores_file_release(struct scores_file *f)
{
    free(f->score);
    free(f->member);
    free(f->buf);
    free(f->id);
    free(f->line);
    memset(f, 0, sizeof *f);
}

static int read_all(const char *path, char **out, size_t *len, struct error *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return error_errno(err, errno, "cannot open", path);
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    int rc = 0;
    if (!b) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (;;) {
        if (n == cap) {
            char *nb = realloc(b, 2 * cap + 1);
            if (!nb) {
                rc = error_set(err, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp)) {
                rc = error_errno(err, errno ? errno : EIO, "cannot read", path);
                goto cleanup;
            }
            break;
        }
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    b = NULL;
cleanup:
    free(b);
    fclose(fp);
    return rc;
}

static const char HEADER[] = "id,member,score";

/* Parse FILE (see the usage text).  Errors are "FILE:LINE:COL: ...". */
static int scores_file_load(const char *path, struct scores_file *f, struct error *err)
{
    memset(f, 0, sizeof *f);
    size_t len = 0;
    int rc = read_all(path, &f->buf, &len, err);
    if (rc)
        return rc;
    if (memchr(f->buf, '\0', len)) {
        rc = error_set(err, ERR_INPUT, "%s: not a text file (contains a NUL byte)", path);
        goto cleanup;
    }
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += f->buf[i] == '\n';
    f->score = malloc(cap * sizeof *f->score);
    f->member = malloc(cap);
    f->id = malloc(cap * sizeof *f->id);
    f->line = malloc(cap * sizeof *f->line);
    if (!f->score || !f->member || !f->id || !f->line) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    char *p = f->buf, *end = f->buf + len;
    size_t lineno = 0;
    while (p < end) {
        lineno++;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r')
            le--;
        *le = '\0';
        if (lineno == 1) {
            if (strcmp(p, HEADER) != 0) {
                rc = error_set(err, ERR_INPUT,
                               "%s:1:1: expected the header '%s', got '%.60s'", path,
                               HEADER, p);
                goto cleanup;
            }
            p = next;
            continue;
        }
        if (*p == '\0' && next == end) /* a final empty line */
            break;
        /* split into fields at commas */
        char *fld[3];
        size_t col[3];
        size_t nf = 0;
        char *q = p;
        for (;;) {
            char *comma = strchr(q, ',');
            if (nf == 3) {
                rc = error_set(err, ERR_INPUT,
                               "%s:%zu:%zu: unexpected 4th column; expected only "
                               "id,member,score",
                               path, lineno, (size_t)(q - p) + 1);
                goto cleanup;
            }
            fld[nf] = q;
            col[nf] = (size_t)(q - p) + 1;
            nf++;
            if (!comma)
                break;
            *comma = '\0';
            q = comma + 1;
        }
        if (nf < 3) {
            rc = error_set(err, ERR_INPUT,
                           "%s:%zu:%zu: expected 3 columns (id,member,score), got %zu", path,
                           lineno, (size_t)(le - p) + 1, nf);
            goto cleanup;
        }
        if (fld[0][0] == '\0') {
            rc = error_set(err, ERR_INPUT, "%s:%zu:1: empty id", path, lineno);
            goto cleanup;
        }
        if (strcmp(fld[1], "0") != 0 && strcmp(fld[1], "1") != 0) {
            rc = error_set(err, ERR_INPUT,
                           "%s:%zu:%zu: expected 0 or 1 in column 'member', got '%.40s'",
                           path, lineno, col[1], fld[1]);
            goto cleanup;
        }
        char *e = NULL;
        errno = 0;
        double v = strtod(fld[2], &e);
        /* (underflow to a subnormal or 0 is fine; overflow gives inf) */
        if (fld[2][0] == '\0' || *e != '\0' || !isfinite(v)) {
            rc = error_set(err, ERR_INPUT,
                           "%s:%zu:%zu: expected a finite number in column 'score', "
                           "got '%.40s'",
                           path, lineno, col[2], fld[2]);
            goto cleanup;
        }
        f->id[f->n] = fld[0];
        f->member[f->n] = fld[1][0] == '1';
        f->score[f->n] = v;
        f->line[f->n] = lineno;
        f->n++;
        p = next;
    }
    if (lineno == 0) {
        rc = error_set(err, ERR_INPUT, "%s:1:1: expected the header '%s', got an empty file",
                       path, HEADER);
        goto cleanup;
    }
    if (f->n == 0) {
        rc = error_set(err, ERR_INPUT, "%s: no data rows after the header", path);
        goto cleanup;
    }
    bool dup = false;
    size_t first = 0, again = 0;
    if ((rc = ids_find_duplicate((const char *const *)f->id, f->n, &dup, &first, &again,
                                 err)))
        goto cleanup;
    if (dup)
        rc = error_set(err, ERR_INPUT, "%s:%zu:1: duplicate id '%.60s' (first on line %zu)",
                       path, f->line[again], f->id[again], f->line[first]);

cleanup:
    if (rc)
        scores_file_release(f);
    return rc;
}

/* ---- JSON helpers ------------------------------------------------------ */

/* A number, or null when not finite (JSON has no inf). */
static bool add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        return cJSON_AddNumberToObject(o, k, v) != NULL;
    return cJSON_AddNullToObject(o, k) != NULL;
}

static const char *verdict_of(const struct bound_args *a, double eps)
{
    return eps > a->claim ? "violated" : "consistent";
}

/* ---- the methods ------------------------------------------------------- */

struct results {
    bool have_or, have_fdp, have_cp, have_gdp;
    struct onerun_bound orb;
    struct fdp_bound fdp;
    struct scores_bound cp;
    struct gdp_scores_bound gdp;
    size_t n, members;
};

static const char *selection_rule(const struct onerun_opts *o)
{
    return o->n_grid == 0 && (o->k_plus || o->k_minus) ? "fixed" : "grid";
}

/* "guesses" (m canaries, k guesses, c correct, the pair) and "selection"
 * (how the pair was chosen) of a one-run bound. */
static bool json_guesses(cJSON *o, const struct bound_args *a, uint64_t m, uint64_t k,
                         uint64_t c, uint64_t k_plus, uint64_t k_minus, size_t n_grid,
                         double confidence_per_test)
{
    cJSON *g = cJSON_AddObjectToObject(o, "guesses"), *s = NULL;
    return g && add_num(g, "canaries", (double)m) && add_num(g, "guesses", (double)k) &&
           add_num(g, "correct", (double)c) && add_num(g, "k_plus", (double)k_plus) &&
           add_num(g, "k_minus", (double)k_minus) &&
           (s = cJSON_AddObjectToObject(o, "selection")) &&
           cJSON_AddStringToObject(s, "rule", selection_rule(&a->oo)) &&
           add_num(s, "n_pairs", (double)n_grid) &&
           add_num(s, "confidence_per_test", confidence_per_test);
}

static cJSON *json_onerun(const struct bound_args *a, const struct onerun_bound *b)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "method", "one-run") &&
              add_num(o, "epsilon_lower_bound", b->epsilon_lower_bound) &&
              add_num(o, "confidence", b->confidence) && add_num(o, "delta", b->delta) &&
              cJSON_AddBoolToObject(o, "valid_for_claim", 1) &&
              json_guesses(o, a, b->m, b->r, b->v, b->k_plus, b->k_minus, b->n_grid,
                           b->confidence_per_test) &&
              (!a->have_claim ||
               cJSON_AddStringToObject(o, "verdict", verdict_of(a, b->epsilon_lower_bound)));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *json_fdp(const struct bound_args *a, const struct fdp_bound *b)
{
    cJSON *o = cJSON_CreateObject(), *e = NULL, *eg = NULL;
    bool ok = o && cJSON_AddStringToObject(o, "method", "one-run-fdp") &&
              add_num(o, "epsilon_lower_bound", b->epsilon_lower_bound) &&
              add_num(o, "confidence", b->confidence) && add_num(o, "delta", b->delta) &&
              cJSON_AddStringToObject(o, "curve", "(eps, delta)-DP trade-off") &&
              cJSON_AddBoolToObject(o, "valid_for_claim", 1) &&
              json_guesses(o, a, b->m, b->k, b->c, b->k_plus, b->k_minus, b->n_grid,
                           b->confidence_per_test) &&
              (e = cJSON_AddObjectToObject(o, "gaussian_estimate")) &&
              cJSON_AddStringToObject(e, "assumption", "gaussian trade-off") &&
              add_num(e, "mu_lower_bound", b->mu_lower_bound) &&
              add_num(e, "epsilon_estimate", b->gdp_epsilon) &&
              (eg = cJSON_AddObjectToObject(e, "guesses")) &&
              add_num(eg, "guesses", (double)(b->mu_k_plus + b->mu_k_minus)) &&
              add_num(eg, "correct", (double)b->mu_c) &&
              add_num(eg, "k_plus", (double)b->mu_k_plus) &&
              add_num(eg, "k_minus", (double)b->mu_k_minus) &&
              (!a->have_claim ||
               cJSON_AddStringToObject(o, "verdict", verdict_of(a, b->epsilon_lower_bound)));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static bool json_counts(cJSON *o, uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn)
{
    cJSON *c = cJSON_AddObjectToObject(o, "counts");
    return c && add_num(c, "tp", (double)tp) && add_num(c, "fn", (double)fn) &&
           add_num(c, "fp", (double)fp) && add_num(c, "tn", (double)tn);
}

static bool json_threshold(cJSON *o, enum threshold_mode mode, double t, size_t nt,
                           size_t ns, size_t ne)
{
    cJSON *h = cJSON_AddObjectToObject(o, "threshold");
    return h && cJSON_AddStringToObject(h, "mode", bounds_threshold_mode_name(mode)) &&
           add_num(h, "value", t) && add_num(h, "n_thresholds", (double)nt) &&
           add_num(h, "n_select", (double)ns) && add_num(h, "n_eval", (double)ne);
}

static cJSON *json_cp(const struct bound_args *a, const struct cp_bound *b,
                      const struct scores_bound *sb)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "method", "clopper-pearson") &&
              add_num(o, "epsilon_lower_bound", b->epsilon_lower_bound) &&
              add_num(o, "fpr_upper", b->fpr_upper) && add_num(o, "fnr_upper", b->fnr_upper) &&
              add_num(o, "delta", b->delta) && add_num(o, "confidence", b->confidence) &&
              json_counts(o, b->tp, b->fn, b->fp, b->tn) &&
              (!sb || (cJSON_AddBoolToObject(o, "valid_for_claim", 1) &&
                       json_threshold(o, sb->mode, sb->threshold, sb->n_thresholds,
                                      sb->n_select, sb->n_eval))) &&
              (!a->have_claim ||
               cJSON_AddStringToObject(o, "verdict", verdict_of(a, b->epsilon_lower_bound)));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *json_gdp(const struct bound_args *a, const struct gdp_bound *b,
                       const struct gdp_scores_bound *sb)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "method", "gdp") &&
              add_num(o, "epsilon_lower_bound", b->epsilon_estimate) &&
              cJSON_AddStringToObject(o, "assumption", "gaussian trade-off") &&
              cJSON_AddBoolToObject(o, "valid_for_claim", 0) &&
              add_num(o, "mu_lower_bound", b->mu_lower_bound) &&
              add_num(o, "fpr_upper", b->fpr_upper) && add_num(o, "fnr_upper", b->fnr_upper) &&
              add_num(o, "delta", b->delta) && add_num(o, "confidence", b->confidence) &&
              json_counts(o, b->tp, b->fn, b->fp, b->tn) &&
              (!sb || json_threshold(o, sb->mode, sb->threshold, sb->n_thresholds,
                                     sb->n_select, sb->n_eval)) &&
              (!a->have_claim ||
               (cJSON_AddNullToObject(o, "verdict") &&
                cJSON_AddBoolToObject(o, "estimate_exceeds_claim",
                                      b->epsilon_estimate > a->claim)));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int print_json(cJSON *o, struct error *err)
{
    char *text = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!text)
        return error_set(err, ERR_NOMEM, "out of memory");
    puts(text);
    free(text);
    return 0;
}

static void print_eps(const char *label, double eps)
{
    if (isfinite(eps))
        printf("%s %.6g\n", label, eps);
    else
        printf("%s inf\n", label);
}

/* The overall verdict over the valid bounds computed. */
static const char *overall(const struct bound_args *a, const struct results *r,
                           char *by, size_t cap)
{
    by[0] = '\0';
    bool v = false;
    struct {
        bool have;
        double eps;
        const char *name;
    } m[3] = {{r->have_or, r->orb.epsilon_lower_bound, "one-run"},
              {r->have_fdp, r->fdp.epsilon_lower_bound, "one-run-fdp"},
              {r->have_cp, r->cp.cp.epsilon_lower_bound, "clopper-pearson"}};
    for (int i = 0; i < 3; i++)
        if (m[i].have && m[i].eps > a->claim) {
            size_t l = strlen(by);
            snprintf(by + l, cap - l, "%s%s", l ? ", " : "", m[i].name);
            v = true;
        }
    return v ? "violated" : "consistent";
}

static int run_scores(const char *path, const struct bound_args *a, struct error *err)
{
    struct scores_file f;
    struct results r;
    memset(&r, 0, sizeof r);
    int rc = scores_file_load(path, &f, err);
    if (rc)
        return rc;
    r.n = f.n;
    for (size_t i = 0; i < f.n; i++)
        r.members += f.member[i];
    if ((a->methods & M_ONERUN) &&
        !(rc = onerun_from_scores(f.score, f.member, f.n, &a->oo, &r.orb, err)))
        r.have_or = true;
    if (!rc && (a->methods & M_FDP) &&
        !(rc = fdp_bound_from_scores(f.score, f.member, f.n, &a->oo, &r.fdp, err)))
        r.have_fdp = true;
    if (!rc && (a->methods & M_CP)) {
        struct rng g;
        rng_derive(&g, a->seed, 1);
        if (!(rc = bounds_from_scores(f.score, f.member, f.n, a->delta, a->conf, a->mode,
                                      a->max_thresholds, &g, &r.cp, err)))
            r.have_cp = true;
    }
    if (!rc && (a->methods & M_GDP)) {
        struct rng g;
        rng_derive(&g, a->seed, 1); /* the same split as clopper-pearson */
        if (!(rc = gdp_bound_from_scores(f.score, f.member, f.n, a->delta, a->conf,
                                         a->mode, a->max_thresholds, &g, &r.gdp, err)))
            r.have_gdp = true;
    }
    if (rc) {
        error_prefix(err, "%s: ", path);
        goto cleanup;
    }
    char by[128];
    if (a->json) {
        cJSON *o = cJSON_CreateObject(), *in = NULL, *arr = NULL;
        bool ok = o && (in = cJSON_AddObjectToObject(o, "input")) &&
                  cJSON_AddStringToObject(in, "scores", path) &&
                  add_num(in, "rows", (double)r.n) && add_num(in, "members", (double)r.members) &&
                  (arr = cJSON_AddArrayToObject(o, "bounds"));
        cJSON *items[4] = {
            ok && r.have_or ? json_onerun(a, &r.orb) : NULL,
            ok && r.have_fdp ? json_fdp(a, &r.fdp) : NULL,
            ok && r.have_cp ? json_cp(a, &r.cp.cp, &r.cp) : NULL,
            ok && r.have_gdp ? json_gdp(a, &r.gdp.gdp, &r.gdp) : NULL,
        };
        bool have[4] = {r.have_or, r.have_fdp, r.have_cp, r.have_gdp};
        for (int i = 0; i < 4; i++) {
            if (have[i] && !items[i])
                ok = false;
            if (items[i] && !(ok && cJSON_AddItemToArray(arr, items[i]))) {
                cJSON_Delete(items[i]);
                ok = false;
            }
        }
        if (ok && a->have_claim) {
            cJSON *v = cJSON_AddObjectToObject(o, "verdict");
            const char *st = overall(a, &r, by, sizeof by);
            cJSON *dec = NULL;
            ok = v && add_num(v, "claimed_epsilon", a->claim) && add_num(v, "delta", a->delta) &&
                 cJSON_AddStringToObject(v, "status", st) &&
                 (dec = cJSON_AddArrayToObject(v, "decided_by"));
            const char *names[3] = {"one-run", "one-run-fdp", "clopper-pearson"};
            double eps[3] = {r.orb.epsilon_lower_bound, r.fdp.epsilon_lower_bound,
                             r.cp.cp.epsilon_lower_bound};
            bool h3[3] = {r.have_or, r.have_fdp, r.have_cp};
            for (int i = 0; ok && i < 3; i++)
                if (h3[i] && eps[i] > a->claim)
                    ok = cJSON_AddItemToArray(dec, cJSON_CreateString(names[i]));
        }
        if (!ok) {
            cJSON_Delete(o);
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        rc = print_json(o, err);
        goto cleanup;
    }
    printf("scores: %s (%zu rows, %zu members)\n", path, r.n, r.members);
    if (r.have_or) {
        const struct onerun_bound *b = &r.orb;
        print_eps("one-run epsilon lower bound:", b->epsilon_lower_bound);
        printf("  confidence %g, delta %g (Steinke, Nasr, Jagielski 2023)\n", b->confidence,
               b->delta);
        printf("  %llu of %llu guesses correct (k+ %llu, k- %llu) among %llu canaries\n",
               (unsigned long long)b->v, (unsigned long long)b->r,
               (unsigned long long)b->k_plus, (unsigned long long)b->k_minus,
               (unsigned long long)b->m);
        if (b->n_grid > 1)
            printf("  best of %zu (k+, k-) pairs, each at confidence %.6g (union bound)\n",
                   b->n_grid, b->confidence_per_test);
    }
    if (r.have_fdp) {
        const struct fdp_bound *b = &r.fdp;
        print_eps("one-run-fdp epsilon lower bound:", b->epsilon_lower_bound);
        printf("  confidence %g, delta %g, (eps, delta) trade-off curve "
               "(Mahloujifar, Melis, Chaudhuri 2024)\n",
               b->confidence, b->delta);
        printf("  %llu of %llu guesses correct (k+ %llu, k- %llu)\n",
               (unsigned long long)b->c, (unsigned long long)b->k,
               (unsigned long long)b->k_plus, (unsigned long long)b->k_minus);
        printf("  gaussian estimate (assumes a Gaussian trade-off): mu >= %.6g, ",
               b->mu_lower_bound);
        print_eps("epsilon ~", b->gdp_epsilon);
    }
    if (r.have_cp) {
        const struct cp_bound *b = &r.cp.cp;
        print_eps("clopper-pearson epsilon lower bound:", b->epsilon_lower_bound);
        printf("  confidence %g, delta %g; threshold %.6g (%s, %zu candidates, %zu rows "
               "bounded)\n",
               b->confidence, b->delta, r.cp.threshold, bounds_threshold_mode_name(r.cp.mode),
               r.cp.n_thresholds, r.cp.n_eval);
        printf("  FPR = %llu/%llu, upper bound %.6g; FNR = %llu/%llu, upper bound %.6g\n",
               (unsigned long long)b->fp, (unsigned long long)(b->fp + b->tn), b->fpr_upper,
               (unsigned long long)b->fn, (unsigned long long)(b->tp + b->fn), b->fnr_upper);
    }
    if (r.have_gdp) {
        const struct gdp_bound *b = &r.gdp.gdp;
        print_eps("gdp epsilon estimate (assumes a Gaussian trade-off):", b->epsilon_estimate);
        printf("  mu lower bound %.6g at confidence %g; delta %g; threshold %.6g (%s)\n",
               b->mu_lower_bound, b->confidence, b->delta, r.gdp.threshold,
               bounds_threshold_mode_name(r.gdp.mode));
    }
    if (a->have_claim) {
        const char *st = overall(a, &r, by, sizeof by);
        printf("verdict for claimed epsilon %g at delta %g: %s%s%s%s\n", a->claim, a->delta,
               st, by[0] ? " (" : "", by, by[0] ? ")" : "");
        if (r.have_gdp && r.gdp.gdp.epsilon_estimate > a->claim)
            printf("  the gdp estimate exceeds the claim too (not a verdict on its own)\n");
    }

cleanup:
    scores_file_release(&f);
    return rc;
}

static int parse_method(const char *s, unsigned *out, struct error *err)
{
    static const struct {
        const char *name;
        unsigned bits;
    } t[] = {{"one-run", M_ONERUN},
             {"one-run-fdp", M_FDP},
             {"clopper-pearson", M_CP},
             {"gdp", M_GDP},
             {"all", M_ALL}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            *out = t[i].bits;
            return 0;
        }
    return error_set(err, ERR_USAGE,
                     "--method: expected one-run, one-run-fdp, clopper-pearson, gdp or all, "
                     "got '%s'",
                     s);
}

static int run_counts(const unsigned long long c[4], const struct bound_args *a,
                      struct error *err)
{
    if (a->methods & (M_ONERUN | M_FDP))
        return error_set(err, ERR_USAGE, "--method %s needs --scores",
                         (a->methods & M_ONERUN) ? "one-run" : "one-run-fdp");
    struct cp_bound b;
    struct gdp_bound g;
    int rc;
    /* bad levels are a command-line problem here */
    if ((a->methods & M_CP) &&
        (rc = bounds_clopper_pearson(c[0], c[1], c[2], c[3], a->delta, a->conf, &b, err)))
        return err->code = ERR_USAGE;
    if ((a->methods & M_GDP) &&
        (rc = gdp_bound_from_counts(c[0], c[1], c[2], c[3], a->delta, a->conf, &g, err)))
        return err->code = ERR_USAGE;
    if (a->json) {
        cJSON *o = NULL;
        if (a->methods == M_CP)
            o = json_cp(a, &b, NULL); /* one object, as before */
        else if (a->methods == M_GDP)
            o = json_gdp(a, &g, NULL);
        else {
            o = cJSON_CreateArray();
            cJSON *x = json_cp(a, &b, NULL), *y = json_gdp(a, &g, NULL);
            if (!o || !x || !y || !cJSON_AddItemToArray(o, x)) {
                cJSON_Delete(x);
                cJSON_Delete(y);
                cJSON_Delete(o);
                o = NULL;
            } else if (!cJSON_AddItemToArray(o, y)) {
                cJSON_Delete(y);
                cJSON_Delete(o);
                o = NULL;
            }
        }
        return print_json(o, err);
    }
    if (a->methods & M_CP) {
        printf("epsilon lower bound: %.6g\n", b.epsilon_lower_bound);
        printf("  confidence %g, delta %g (Clopper-Pearson, (1 - confidence)/2 to each "
               "rate)\n",
               b.confidence, b.delta);
        printf("  FPR = %llu/%llu, upper bound %.6g\n", c[2], c[2] + c[3], b.fpr_upper);
        printf("  FNR = %llu/%llu, upper bound %.6g\n", c[1], c[0] + c[1], b.fnr_upper);
        if (a->have_claim)
            printf("verdict for claimed epsilon %g at delta %g: %s\n", a->claim, a->delta,
                   verdict_of(a, b.epsilon_lower_bound));
    }
    if (a->methods & M_GDP) {
        print_eps("gdp epsilon estimate (assumes a Gaussian trade-off):", g.epsilon_estimate);
        printf("  mu lower bound %.6g at confidence %g; delta %g\n", g.mu_lower_bound,
               g.confidence, g.delta);
        if (a->have_claim && !(a->methods & M_CP))
            printf("verdict for claimed epsilon %g: none (gdp is an estimate only)\n",
                   a->claim);
    }
    return 0;
}

int cmd_bound(int argc, char **argv)
{
    const char *s_tp = NULL, *s_fn = NULL, *s_fp = NULL, *s_tn = NULL;
    const char *s_delta = NULL, *s_conf = NULL, *s_scores = NULL, *s_method = NULL;
    const char *s_claim = NULL, *s_kp = NULL, *s_km = NULL, *s_thr = NULL;
    const char *s_maxt = NULL, *s_seed = NULL;
    bool json = false, help = false;
    const struct opt_spec specs[] = {
        {"tp", true, &s_tp, NULL},
        {"fn", true, &s_fn, NULL},
        {"fp", true, &s_fp, NULL},
        {"tn", true, &s_tn, NULL},
        {"delta", true, &s_delta, NULL},
        {"confidence", true, &s_conf, NULL},
        {"json", false, NULL, &json},
        {"scores", true, &s_scores, NULL},
        {"method", true, &s_method, NULL},
        {"claimed-epsilon", true, &s_claim, NULL},
        {"k-plus", true, &s_kp, NULL},
        {"k-minus", true, &s_km, NULL},
        {"threshold", true, &s_thr, NULL},
        {"max-thresholds", true, &s_maxt, NULL},
        {"seed", true, &s_seed, NULL},
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct error err;
    error_clear(&err);
    if (cli_scan_opts(argc, argv, specs, sizeof specs / sizeof specs[0], pos, 0, &n_pos,
                      &help, &err))
        return cli_fail("bound", &err);
    if (help) {
        fputs(BOUND_USAGE, stdout);
        return 0;
    }
    struct bound_args a;
    memset(&a, 0, sizeof a);
    a.delta = 1e-5;
    a.conf = 0.95;
    a.json = json;
    a.mode = THRESHOLD_SPLIT;
    a.seed = 1;
    a.methods = s_scores ? M_ALL : M_CP;
    if ((s_delta && cli_parse_double("--delta", s_delta, &a.delta, &err)) ||
        (s_conf && cli_parse_double("--confidence", s_conf, &a.conf, &err)) ||
        (s_claim && cli_parse_double("--claimed-epsilon", s_claim, &a.claim, &err)) ||
        (s_method && parse_method(s_method, &a.methods, &err)) ||
        (s_seed && cli_parse_u64("--seed", s_seed, &a.seed, &err)))
        return cli_fail("bound", &err);
    if (!s_scores && a.methods == M_ALL) /* the methods that work on counts */
        a.methods = M_CP | M_GDP;
    a.have_claim = s_claim != NULL;
    if (a.have_claim && a.claim < 0) {
        error_set(&err, ERR_USAGE, "--claimed-epsilon: expected a number >= 0, got '%s'",
                  s_claim);
        return cli_fail("bound", &err);
    }
    if (!(a.delta >= 0 && a.delta < 1)) {
        error_set(&err, ERR_USAGE, "--delta: expected a number in [0, 1), got '%s'", s_delta);
        return cli_fail("bound", &err);
    }
    if (!(a.conf > 0 && a.conf < 1)) {
        error_set(&err, ERR_USAGE, "--confidence: expected a number in (0, 1), got '%s'",
                  s_conf);
        return cli_fail("bound", &err);
    }
    a.oo.delta = a.delta;
    a.oo.confidence = a.conf;

    if (!s_scores) {
        const char *scores_only[5] = {s_kp, s_km, s_thr, s_maxt, s_seed};
        const char *names5[5] = {"--k-plus", "--k-minus", "--threshold", "--max-thresholds",
                                 "--seed"};
        for (int i = 0; i < 5; i++)
            if (scores_only[i]) {
                error_set(&err, ERR_USAGE, "%s needs --scores", names5[i]);
                return cli_fail("bound", &err);
            }
        const char *names[4] = {"--tp", "--fn", "--fp", "--tn"};
        const char *vals[4] = {s_tp, s_fn, s_fp, s_tn};
        unsigned long long c[4];
        for (int i = 0; i < 4; i++) {
            if (!vals[i]) {
                error_set(&err, ERR_USAGE, "missing %s", names[i]);
                return cli_fail("bound", &err);
            }
            if (cli_parse_u64(names[i], vals[i], &c[i], &err))
                return cli_fail("bound", &err);
        }
        if (run_counts(c, &a, &err))
            return cli_fail("bound", &err);
        return 0;
    }

    if (s_tp || s_fn || s_fp || s_tn) {
        error_set(&err, ERR_USAGE, "--scores cannot be combined with --tp/--fn/--fp/--tn");
        return cli_fail("bound", &err);
    }
    if (!s_kp != !s_km) {
        error_set(&err, ERR_USAGE, "--k-plus and --k-minus go together");
        return cli_fail("bound", &err);
    }
    if (s_kp) {
        unsigned long long kp, km;
        if (cli_parse_u64("--k-plus", s_kp, &kp, &err) ||
            cli_parse_u64("--k-minus", s_km, &km, &err))
            return cli_fail("bound", &err);
        if (kp + km == 0) {
            error_set(&err, ERR_USAGE, "--k-plus and --k-minus: expected at least one guess");
            return cli_fail("bound", &err);
        }
        a.oo.k_plus = kp;
        a.oo.k_minus = km;
    }
    if (s_thr) {
        if (strcmp(s_thr, "split") == 0)
            a.mode = THRESHOLD_SPLIT;
        else if (strcmp(s_thr, "union") == 0)
            a.mode = THRESHOLD_UNION;
        else {
            error_set(&err, ERR_USAGE, "--threshold: expected split or union, got '%s'",
                      s_thr);
            return cli_fail("bound", &err);
        }
    }
    if (s_maxt) {
        unsigned long long v;
        if (cli_parse_u64("--max-thresholds", s_maxt, &v, &err))
            return cli_fail("bound", &err);
        if (v == 0) {
            error_set(&err, ERR_USAGE, "--max-thresholds: expected an integer >= 1, got '0'");
            return cli_fail("bound", &err);
        }
        a.max_thresholds = (size_t)v;
    }
    int rc = run_scores(s_scores, &a, &err);
    if (rc) {
        if (err.code == ERR_INPUT && strstr(err.msg, "guesses k+"))
            err.code = ERR_USAGE;
        return cli_fail("bound", &err);
    }
    return 0;
}
