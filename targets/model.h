/*
 * targets/model.h - the model interface every target and shadow goes through.
 *
 * A model kind is a table of operations (struct model_ops); targets/xgbm.c
 * provides "xgboost", targets/linear.c "logreg" and "mlp" (DP-SGD is a
 * training mode of those).  The pipeline never looks inside a model: it
 * trains one on rows of a dataset, asks it for class probabilities, and saves
 * or loads it.
 *
 * Parameters are kind-specific structs, parsed from the config's "target"
 * object by the kind's parse_params (errors name the key path) and written
 * back, fully resolved, by params_to_json for the report.
 */
#ifndef PRIVAUDIT_TARGETS_MODEL_H
#define PRIVAUDIT_TARGETS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/dataset.h"
#include "core/error.h"

struct model;

struct model_ops {
    const char *kind;

    /* Parse the "target" object at `path` into a new params struct (*out,
     * freed with free_params).  Must reject unknown keys (the key "kind" is
     * the caller's and allowed). */
    int (*parse_params)(const cJSON *obj, const char *path, void **out,
                        struct error *err);
    void (*free_params)(void *params);
    /* Add every parameter, defaults resolved, to the JSON object `out`. */
    int (*params_to_json)(const void *params, cJSON *out, struct error *err);

    /* Train on rows[0..n) of ds with the given seed; *impl is the new model. */
    int (*train)(void **impl, const void *params, const struct dataset *ds,
                 const size_t *rows, size_t n, uint64_t seed, struct error *err);
    /* probs[i*k + c] for rows x[i*d ..]; k = n_classes of the model. */
    int (*predict)(void *impl, const float *x, size_t n, size_t d, double *probs,
                   struct error *err);
    int (*save)(void *impl, const char *path, struct error *err);
    int (*load)(void **impl, const char *path, size_t *n_classes,
                size_t *n_features, struct error *err);
    void (*free)(void *impl);
};

/* The kind table; NULL when unknown. */
const struct model_ops *model_ops_find(const char *kind);
/* "xgboost, logreg, mlp": the kinds, for messages. */
const char *model_kinds_text(void);

struct model {
    const struct model_ops *ops;
    void *impl;
    size_t n_classes;
    size_t n_features;
};

/* Train a new model (*out; free with model_free).  n_classes and n_features
 * are taken from ds->schema. */
int model_train(struct model **out, const struct model_ops *ops,
                const void *params, const struct dataset *ds,
                const size_t *rows, size_t n, uint64_t seed, struct error *err);

/* Class probabilities of n rows (x row-major n x d, d == m->n_features) into
 * probs (n x m->n_classes, caller-allocated).  Rows of probs sum to 1. */
int model_predict(struct model *m, const float *x, size_t n, size_t d,
                  double *probs, struct error *err);

/* Predict rows[0..n) of ds (rows NULL = all rows in order). */
int model_predict_rows(struct model *m, const struct dataset *ds,
                       const size_t *rows, size_t n, double *probs,
                       struct error *err);

/* Save atomically to path (format depends on the kind: XGBoost JSON for
 * "xgboost", privaudit JSON for the linear kinds). */
int model_save(const struct model *m, const char *path, struct error *err);

/* Load a model of the given kind from path. */
int model_load(struct model **out, const struct model_ops *ops,
               const char *path, struct error *err);

void model_free(struct model *m);

/* Accuracy of the model on rows of ds (rows NULL = all). */
int model_accuracy(struct model *m, const struct dataset *ds,
                   const size_t *rows, size_t n, double *acc,
                   struct error *err);

#endif
