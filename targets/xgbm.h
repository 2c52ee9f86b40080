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

/* "1.7.4": the libxgboost the binary runs with (XGBoostVersion). */
void xgbm_version(char *buf, size_t cap);

#endif
