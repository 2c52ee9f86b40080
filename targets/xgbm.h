/*
 * targets/xgbm.h - gradient-boosted trees through the XGBoost C API, the
 * "xgboost" model kind (struct model_ops xgbm_ops).
 *
 * Binary problems use binary:logistic, multi-class ones multi:softprob; the
 * probabilities are computed from the margin (sigmoid / softmax), so models
 * saved with binary:logitraw or multi:softmax by other bindings predict
 * probabilities too.  Models are saved in XGBoost's JSON format, loadable by
 * XGBoost's Python and R packages.  Every XGBoost call goes through one
 * checking macro that copies XGBGetLastError() into the error record.
 */
#ifndef PRIVAUDIT_TARGETS_XGBM_H
#define PRIVAUDIT_TARGETS_XGBM_H

#include <stddef.h>

#include "targets/model.h"

struct xgbm_params {
    int rounds;              /* boosting rounds, >= 1 (default 100) */
    int max_depth;           /* >= 1 (6) */
    double eta;              /* (0, 1] (0.3) */
    double subsample;        /* (0, 1] (1) */
    double colsample_bytree; /* (0, 1] (1) */
    double min_child_weight; /* >= 0 (1) */
    double lambda;           /* L2 on leaf weights, >= 0 (1) */
    double alpha;            /* L1 on leaf weights, >= 0 (0) */
    double gamma;            /* min split loss, >= 0 (0) */
    int max_bin;             /* hist bins, >= 2 (256) */
    int tree_method;         /* index into xgbm_tree_methods (hist) */
    int nthread;             /* threads per model, >= 1 (1) */
};

extern const struct model_ops xgbm_ops;
extern const char *const xgbm_tree_methods[]; /* "hist", "exact", "approx" */

/* Defaults as documented above. */
void xgbm_params_default(struct xgbm_params *p);

/*
 * The shadow engine's fast path (DESIGN.md, "performance"): the pool's
 * DMatrix is built once; each shadow trains on a slice of it
 * (XGDMatrixSliceDMatrix, serialised by a mutex), predicts its training rows
 * from that slice (XGBoost keeps their margins from boosting, so this costs
 * almost nothing) and the other rows from a second slice.  Results equal
 * those of train() on the same rows and predict() of every pool row, bit for
 * bit (tests/check_xgbm.c).
 */
struct xgbm_pool;

/* A DMatrix of rows[0..n) of ds with their labels (*out; xgbm_pool_free). */
int xgbm_pool_new(struct xgbm_pool **out, const struct dataset *ds, const size_t *rows,
                  size_t n, struct error *err);
void xgbm_pool_free(struct xgbm_pool *p);

/* Train on pool positions idx[0..m) (increasing) and write the class
 * probabilities of every pool row to probs (n x k).  With impl_out, the
 * trained model's impl is handed over (for model_save via a struct model
 * with ops = &xgbm_ops); otherwise it is freed.  Safe from several threads. */
int xgbm_pool_train_predict(struct xgbm_pool *p, const struct xgbm_params *params,
                            const int *idx, size_t m, uint64_t seed, double *probs,
                            void **impl_out, struct error *err);

/*
 * A loaded model's feature names (the "feature_name" info a binding stores
 * when it trained on named columns) against the data's CSV header: 0 when
 * they agree in order, when the model has none, or when the data has no
 * header names (LibSVM); ERR_INPUT naming the first column that differs
 * (a model applied to the right number of columns in the wrong order would
 * otherwise give silently wrong predictions).
 */
int xgbm_check_feature_names(const struct model *m, const struct schema *s,
                             const char *data_path, const char *model_path,
                             struct error *err);

/* "1.7.4": the libxgboost the binary runs with (XGBoostVersion). */
void xgbm_version(char *buf, size_t cap);

#endif
