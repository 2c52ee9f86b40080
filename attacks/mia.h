/*
 * attacks/mia.h - one interface over the reference-model attacks (LiRA,
 * RMIA, calibrated thresholds) and their evaluation: metrics against a
 * column's IN bits, and leave-one-out over the shadow columns.
 *
 * Leave-one-out (LOO): for each listed shadow column j in turn, column j
 * plays the target (its IN bits are the truth), the other listed columns are
 * the reference models, and the attack's ROC gives AUC and TPR at the FPRs
 * of mia_fpr_grid (attacks/metrics.h).  The K per-column values are then
 * summarised by their mean and a two-sided 95% Student-t interval
 * mean +- t_{0.975, K-1} * sd / sqrt(K) (sd with K - 1 in the denominator).
 * The t interval treats the K columns as independent replicates; they share
 * the pool examples and each other's reference sets, so it is an
 * approximation (typically somewhat narrow).  The TPR intervals are clipped
 * to [0, 1].
 *
 * RMIA in LOO: the population of held-out column j is the RMIA params'
 * population intersected with the rows OUT for column j (all OUT rows when
 * it is NULL), so no member of the held-out model is used as population.
 */
#ifndef PRIVAUDIT_ATTACKS_MIA_H
#define PRIVAUDIT_ATTACKS_MIA_H

#include <stddef.h>
#include <stdint.h>

#include "attacks/calibrated.h"
#include "attacks/lira.h"
#include "attacks/metrics.h"
#include "attacks/rmia.h"
#include "attacks/scorematrix.h"
#include "core/error.h"

#define MIA_VARIANT_MAX 96
#define MIA_N_FPR 4 /* 1e-4, 1e-3, 1e-2, 1e-1 */

enum mia_kind { MIA_LIRA, MIA_RMIA, MIA_CALIBRATED };

struct mia_attack {
    enum mia_kind kind;
    struct lira_params lira;             /* used when kind == MIA_LIRA */
    struct rmia_params rmia;             /* ... MIA_RMIA */
    struct calibrated_params calibrated; /* ... MIA_CALIBRATED */
};

/* The FPR targets of the metrics, fpr[k] = 10^(k - 4), k < MIA_N_FPR. */
double mia_fpr_grid(size_t k);

/* The chosen attack's variant name into buf (see lira_variant,
 * rmia_variant, calibrated_variant); returns snprintf's count. */
int mia_variant(const struct mia_attack *a, char *buf, size_t len);

/* The chosen attack's scores (ref_mask as in score_matrix_refs). */
int mia_scores(const struct mia_attack *a, const struct score_matrix *m,
               size_t target, const uint8_t *ref_mask, double *scores,
               struct error *err);

struct mia_metrics {
    double auc;
    struct tpr_at_fpr tpr[MIA_N_FPR]; /* at mia_fpr_grid(k) */
};

/* Metrics of scores[0..n) against member[0..n) (roc_build errors pass
 * through: NaN score, no member or no non-member). */
int mia_metrics_compute(const double *scores, const uint8_t *member, size_t n,
                        struct mia_metrics *out, struct error *err);

struct mia_interval {
    double mean, sd;  /* sd: sample standard deviation over the K columns */
    double lo, hi;    /* 95% Student-t interval for the mean */
};

struct mia_loo {
    char variant[MIA_VARIANT_MAX];
    size_t n_columns;
    size_t *columns;                 /* the held-out columns, in order */
    struct mia_metrics *per_column;  /* n_columns entries */
    struct mia_interval auc;
    struct mia_interval tpr[MIA_N_FPR];
};

/*
 * Leave-one-out over columns[0..n_columns) (distinct, < n_models, at least
 * 2; else ERR_INPUT).  *out is overwritten (zeroed on error); release with
 * mia_loo_release (accepts NULL / zeroed).  Errors from one column are
 * prefixed with "leave-one-out column <j>: ".
 */
int mia_loo_run(const struct mia_attack *a, const struct score_matrix *m,
                const size_t *columns, size_t n_columns, struct mia_loo *out,
                struct error *err);
void mia_loo_release(struct mia_loo *r);

/* Two-sided Student-t quantile t_{1 - alpha/2, df} (df >= 1, alpha in
 * (0, 1)), by inverting the regularized incomplete beta: P(|T| > t) =
 * I_{df/(df+t^2)}(df/2, 1/2).  NaN outside the domain. */
double mia_t_quantile(double alpha, double df);

#endif
