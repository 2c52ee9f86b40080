/*
 * audit/cmd_score.c - `privaudit score`: a third-party XGBoost model file's
 * predictions on a dataset, written as a predictions file
 * (targets/predfile.h, docs/thirdparty.md).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/cli.h"
#include "core/afile.h"
#include "core/dataset.h"
#include "targets/model.h"
#include "targets/predfile.h"
#include "targets/xgbm.h"

static const char SCORE_USAGE[] =
    "usage: privaudit score --model MODEL --data DATA [--label NAME]\n"
    "                       [--members FILE] [--out FILE]\n"
    "\n"
    "Predict every row of DATA with an XGBoost model file trained elsewhere\n"
    "(XGBoost's JSON, UBJSON or binary format, from any binding) and write a\n"
    "predictions file (docs/thirdparty.md): id, label, member, p_0..p_{K-1}.\n"
    "\n"
    "  --model MODEL   the XGBoost model file (binary:logistic, binary:logitraw,\n"
    "                  multi:softprob or multi:softmax)\n"
    "  --data DATA     CSV or LibSVM rows with the model's features, in the\n"
    "                  model's feature order, and a label column\n"
    "  --label NAME    the label column (default: 'label' if present, else the\n"
    "                  first column); labels are encoded as class indices in\n"
    "                  privaudit's order (numeric when all labels are numbers,\n"
    "                  else byte-wise), which must be the model's class order\n"
    "  --members FILE  the rows the model was trained on: one row number per\n"
    "                  line (1-based, the data row order; blank lines and lines\n"
    "                  starting with '#' are skipped); those rows get member 1,\n"
    "                  the others member 0; without it member is empty (unknown)\n"
    "  --out FILE      where to write (atomically); '-' or absent: stdout\n"
    "\n"
    "The id of a row is its row number (1-based).  Probabilities are printed with\n"
    "%.17g.  Exit codes: 0 done, 2 bad usage or bad input (errors name the file),\n"
    "3 internal error.\n";

/* Parse the members file: row numbers 1..n, one per line. */
static int load_members(const char *path, size_t n, int8_t *member, struct error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = afile_read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    size_t *first = calloc(n ? n : 1, sizeof *first);
    if (!first) {
        free(buf);
        return error_set(err, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        member[i] = 0;
    char *p = buf, *end = buf + len;
    size_t line = 0;
    while (p < end && !rc) {
        line++;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r')
            le--;
        *le = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        char *q = p + strlen(p);
        while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
            *--q = '\0';
        if (*p == '\0' || *p == '#') {
            p = next;
            continue;
        }
        char *e = NULL;
        errno = 0;
        unsigned long long v = 0;
        bool ok = *p >= '0' && *p <= '9';
        if (ok) {
            v = strtoull(p, &e, 10);
            ok = *e == '\0' && errno != ERANGE;
        }
        if (!ok)
            rc = error_set(err, ERR_INPUT, "%s:%zu:1: expected a row number, got '%.40s'",
                           path, line, p);
        else if (v < 1 || v > n)
            rc = error_set(err, ERR_INPUT,
                           "%s:%zu:1: row number %llu outside the data's rows 1..%zu", path,
                           line, v, n);
        else if (first[v - 1])
            rc = error_set(err, ERR_INPUT, "%s:%zu:1: row %llu listed twice (first on line %zu)",
                           path, line, v, first[v - 1]);
        else {
            first[v - 1] = line;
            member[v - 1] = 1;
        }
        p = next;
    }
    free(first);
    free(buf);
    return rc;
}

static int score(const char *model_path, const char *data_path, const char *label,
                 const char *members_path, const char *out, struct error *err)
{
    struct model *m = NULL;
    struct dataset ds;
    struct predfile pf;
    memset(&ds, 0, sizeof ds);
    memset(&pf, 0, sizeof pf);
    int rc = model_load(&m, &xgbm_ops, model_path, err);
    if (rc)
        goto cleanup;
    struct dataset_opts dopts;
    memset(&dopts, 0, sizeof dopts);
    dopts.label = label;
    if ((rc = dataset_load(&ds, data_path, &dopts, err)))
        goto cleanup;
    if (ds.n_features != m->n_features) {
        rc = error_set(err, ERR_INPUT,
                       "the model '%s' expects %zu features, the data '%s' has %zu (label "
                       "column '%s' excluded)",
                       model_path, m->n_features, data_path, ds.n_features,
                       ds.schema.label_name ? ds.schema.label_name : "");
        goto cleanup;
    }
    if ((rc = xgbm_check_feature_names(m, &ds.schema, data_path, model_path, err)))
        goto cleanup;
    if (ds.schema.n_classes > m->n_classes) {
        rc = error_set(err, ERR_INPUT,
                       "the data '%s' has %zu classes in column '%s', the model '%s' "
                       "predicts %zu",
                       data_path, ds.schema.n_classes,
                       ds.schema.label_name ? ds.schema.label_name : "", model_path,
                       m->n_classes);
        goto cleanup;
    }
    size_t n = ds.n_rows, k = m->n_classes;
    if ((rc = predfile_alloc(&pf, n, k, true, false, 0, err)))
        goto cleanup;
    if ((rc = model_predict_rows(m, &ds, NULL, n, pf.probs, err)))
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "%zu", i + 1);
        if (!(pf.ids[i] = strdup(id))) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        pf.labels[i] = ds.y[i];
    }
    predfile_compute_loss(&pf);
    if (members_path && (rc = load_members(members_path, n, pf.member, err)))
        goto cleanup;
    if (!out || strcmp(out, "-") == 0)
        rc = predfile_write_stream(stdout, "stdout", &pf, err);
    else
        rc = predfile_write(out, &pf, err);
cleanup:
    predfile_release(&pf);
    dataset_release(&ds);
    model_free(m);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    const char *model = NULL, *data = NULL, *label = NULL, *members = NULL, *out = NULL;
    bool help = false;
    const struct opt_spec specs[] = {
        {"model", true, &model, NULL},     {"data", true, &data, NULL},
        {"label", true, &label, NULL},     {"members", true, &members, NULL},
        {"out", true, &out, NULL},
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct error err;
    error_clear(&err);
    if (cli_scan_opts(argc, argv, specs, sizeof specs / sizeof specs[0], pos, 0, &n_pos,
                      &help, &err))
        return cli_fail("score", &err);
    if (help) {
        fputs(SCORE_USAGE, stdout);
        return 0;
    }
    if (!model || !data) {
        error_set(&err, ERR_USAGE, "score needs --model and --data");
        return cli_fail("score", &err);
    }
    if (score(model, data, label, members, out, &err)) {
        /* XGBoost's messages go on with source context and a stack trace
         * on further lines; the first line says what is wrong. */
        char *nl = strchr(err.msg, '\n');
        if (nl)
            *nl = '\0';
        return cli_fail("score", &err);
    }
    return 0;
}
