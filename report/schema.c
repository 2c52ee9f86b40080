/*
 * report/schema.c - validation of report.json, schema version 1 (see
 * schema.h and docs/report-schema.md).
 */
#include "report/schema.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonx.h"

#ifndef PRIVAUDIT_VERSION
#define PRIVAUDIT_VERSION "0.0.0"
#endif

static const struct jrange UNIT = {0, 1, false, false};
static const struct jrange NONNEG = {0, INFINITY, false, false};

/* A number in r, or JSON null (a value that could not be computed). */
static int num_or_null(const cJSON *obj, const char *path, const char *key,
                       struct jrange r, struct error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char full[512];
    jsonx_join(full, sizeof full, path, key);
    if (!v)
        return error_set(err, ERR_INPUT, "%s: missing (required: a number or null)",
                         full);
    if (cJSON_IsNull(v))
        return 0;
    double d;
    return jsonx_number(obj, path, key, r, 0, true, &d, err);
}

static int req_num(const cJSON *obj, const char *path, const char *key,
                   struct jrange r, struct error *err)
{
    double d;
    return jsonx_number(obj, path, key, r, 0, true, &d, err);
}

static int req_str(const cJSON *obj, const char *path, const char *key,
                   struct error *err)
{
    const char *s;
    return jsonx_string(obj, path, key, NULL, true, &s, err);
}

/* obj[key] must be an array; *out = it. */
static int req_arr(const cJSON *obj, const char *path, const char *key,
                   const cJSON **out, struct error *err)
{
    char full[512];
    jsonx_join(full, sizeof full, path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v)
        return error_set(err, ERR_INPUT, "%s: missing (required: an array)", full);
    if (!cJSON_IsArray(v))
        return error_set(err, ERR_INPUT, "%s: expected an array", full);
    *out = v;
    return 0;
}

/* Element i of arr (at path) must be an object; its path goes to buf. */
static int elem_obj(const cJSON *it, const char *path, int i, char *buf,
                    size_t cap, struct error *err)
{
    snprintf(buf, cap, "%s[%d]", path, i);
    if (!cJSON_IsObject(it))
        return error_set(err, ERR_INPUT, "%s: expected an object", buf);
    return 0;
}

static int check_provenance(const cJSON *rep, struct error *err)
{
    const cJSON *p, *inputs, *it;
    int rc;
    if ((rc = jsonx_object(rep, "", "provenance", true, &p, err)) ||
        (rc = req_str(p, "provenance", "started_at", err)) ||
        (rc = req_num(p, "provenance", "seed", NONNEG, err)) ||
        (rc = req_arr(p, "provenance", "inputs", &inputs, err)))
        return rc;
    int i = 0;
    char path[64];
    cJSON_ArrayForEach(it, inputs)
    {
        if ((rc = elem_obj(it, "provenance.inputs", i++, path, sizeof path, err)) ||
            (rc = req_str(it, path, "role", err)) ||
            (rc = req_str(it, path, "path", err)) ||
            (rc = req_str(it, path, "sha256", err)))
            return rc;
    }
    const cJSON *lib;
    return jsonx_object(p, "provenance", "libraries", false, &lib, err);
}

static int check_attack(const cJSON *at, const char *path, struct error *err)
{
    int rc;
    const cJSON *tf, *roc, *it;
    if ((rc = req_str(at, path, "name", err)) ||
        (rc = req_num(at, path, "n_members", NONNEG, err)) ||
        (rc = req_num(at, path, "n_nonmembers", NONNEG, err)) ||
        (rc = num_or_null(at, path, "auc", UNIT, err)) ||
        (rc = req_arr(at, path, "tpr_at_fpr", &tf, err)))
        return rc;
    char p2[128], p3[160];
    int i = 0;
    snprintf(p2, sizeof p2, "%s.tpr_at_fpr", path);
    cJSON_ArrayForEach(it, tf)
    {
        bool b;
        if ((rc = elem_obj(it, p2, i++, p3, sizeof p3, err)) ||
            (rc = req_num(it, p3, "target_fpr", UNIT, err)) ||
            (rc = num_or_null(it, p3, "fpr", UNIT, err)) ||
            (rc = num_or_null(it, p3, "tpr", UNIT, err)) ||
            (rc = jsonx_bool(it, p3, "resolvable", false, true, &b, err)))
            return rc;
    }
    if ((rc = jsonx_object(at, path, "roc", true, &roc, err)))
        return rc;
    snprintf(p2, sizeof p2, "%s.roc", path);
    const cJSON *f, *t;
    if ((rc = req_arr(roc, p2, "fpr", &f, err)) || (rc = req_arr(roc, p2, "tpr", &t, err)))
        return rc;
    if (cJSON_GetArraySize(f) != cJSON_GetArraySize(t))
        return error_set(err, ERR_INPUT, "%s: fpr and tpr differ in length (%d, %d)",
                         p2, cJSON_GetArraySize(f), cJSON_GetArraySize(t));
    const cJSON *arrs[2] = {f, t};
    const char *names[2] = {"fpr", "tpr"};
    for (int k = 0; k < 2; k++) {
        i = 0;
        cJSON_ArrayForEach(it, arrs[k])
        {
            if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble <= 1))
                return error_set(err, ERR_INPUT,
                                 "%s.%s[%d]: expected a number in [0, 1]", p2,
                                 names[k], i);
            i++;
        }
    }
    return 0;
}

static int check_bound(const cJSON *bo, const char *path, struct error *err)
{
    int rc;
    const cJSON *c;
    if ((rc = req_str(bo, path, "method", err)) ||
        (rc = req_str(bo, path, "attack", err)) ||
        (rc = num_or_null(bo, path, "epsilon_lower_bound", NONNEG, err)) ||
        (rc = req_num(bo, path, "confidence", UNIT, err)) ||
        (rc = req_num(bo, path, "delta", UNIT, err)) ||
        (rc = jsonx_object(bo, path, "counts", false, &c, err)))
        return rc;
    return 0;
}

static const char *const STATUSES[] = {"no-claim", "consistent", "violated"};

static int check_verdict(const cJSON *rep, struct error *err)
{
    const cJSON *v, *dec;
    int st, rc;
    if ((rc = jsonx_object(rep, "", "verdict", true, &v, err)) ||
        (rc = jsonx_enum(v, "verdict", "status", STATUSES, 3, 0, true, &st, err)) ||
        (rc = req_str(v, "verdict", "explanation", err)))
        return rc;
    const cJSON *claim = cJSON_GetObjectItemCaseSensitive(v, "claim");
    if (!claim)
        return error_set(err, ERR_INPUT,
                         "verdict.claim: missing (required: an object or null)");
    if (!cJSON_IsNull(claim)) {
        if (!cJSON_IsObject(claim))
            return error_set(err, ERR_INPUT, "verdict.claim: expected an object or null");
        if ((rc = req_num(claim, "verdict.claim", "epsilon", NONNEG, err)) ||
            (rc = req_num(claim, "verdict.claim", "delta", UNIT, err)))
            return rc;
        const char *src;
        if ((rc = jsonx_string(claim, "verdict.claim", "source", NULL, false, &src, err)))
            return rc;
    } else if (st != 0) {
        return error_set(err, ERR_INPUT,
                         "verdict.claim: null, but verdict.status is '%s' (needs a claim)",
                         STATUSES[st]);
    }
    if (st == 0 && !cJSON_IsNull(claim))
        return error_set(err, ERR_INPUT,
                         "verdict.status: 'no-claim', but verdict.claim is set");
    return jsonx_object(v, "verdict", "decided_by", false, &dec, err);
}

int schema_check(const cJSON *rep, const char *name, struct error *err)
{
    int rc = 0;
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(rep, "schema_version");
    if (!cJSON_IsObject(rep))
        return error_set(err, ERR_INPUT, "%s: expected a JSON object", name);
    if (!sv)
        return error_set(err, ERR_INPUT,
                         "%s: schema_version: missing; not a privaudit report", name);
    if (!cJSON_IsNumber(sv) || sv->valuedouble != floor(sv->valuedouble))
        return error_set(err, ERR_INPUT, "%s: schema_version: expected an integer",
                         name);
    if (sv->valuedouble < SCHEMA_VERSION_MIN || sv->valuedouble > SCHEMA_VERSION_MAX)
        return error_set(err, ERR_INPUT,
                         "%s: schema_version %.0f is not supported (privaudit %s "
                         "reads schema version %d)",
                         name, sv->valuedouble, PRIVAUDIT_VERSION, SCHEMA_VERSION_MAX);
    const cJSON *tool, *data, *target, *attacks, *bounds, *it;
    char path[64];
    int i;
    if ((rc = jsonx_object(rep, "", "tool", true, &tool, err)) ||
        (rc = req_str(tool, "tool", "name", err)) ||
        (rc = req_str(tool, "tool", "version", err)) ||
        (rc = req_str(rep, "", "name", err)) || (rc = check_provenance(rep, err)) ||
        (rc = jsonx_object(rep, "", "data", true, &data, err)) ||
        (rc = req_num(data, "data", "members", NONNEG, err)) ||
        (rc = req_num(data, "data", "nonmembers", NONNEG, err)) ||
        (rc = jsonx_object(rep, "", "target", true, &target, err)) ||
        (rc = req_str(target, "target", "kind", err)) ||
        (rc = num_or_null(target, "target", "train_accuracy", UNIT, err)) ||
        (rc = num_or_null(target, "target", "test_accuracy", UNIT, err)) ||
        (rc = req_arr(rep, "", "attacks", &attacks, err)))
        goto fail;
    i = 0;
    cJSON_ArrayForEach(it, attacks)
    {
        if ((rc = elem_obj(it, "attacks", i++, path, sizeof path, err)) ||
            (rc = check_attack(it, path, err)))
            goto fail;
    }
    if ((rc = req_arr(rep, "", "bounds", &bounds, err)))
        goto fail;
    i = 0;
    cJSON_ArrayForEach(it, bounds)
    {
        if ((rc = elem_obj(it, "bounds", i++, path, sizeof path, err)) ||
            (rc = check_bound(it, path, err)))
            goto fail;
    }
    if ((rc = check_verdict(rep, err)))
        goto fail;
    return 0;
fail:
    error_prefix(err, "%s: ", name);
    return rc;
}

int schema_load(const char *path, cJSON **out, struct error *err)
{
    cJSON *root = NULL;
    *out = NULL;
    int rc = jsonx_parse_file(path, &root, err);
    if (rc)
        return rc;
    if ((rc = schema_check(root, path, err))) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return 0;
}
