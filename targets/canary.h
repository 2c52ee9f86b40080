/*
 * targets/canary.h - canaries: records planted in the target's training set
 * by independent fair coins, so that the attack's guesses on them can bound
 * epsilon (the one-run design of Steinke, Nasr, Jagielski 2023).
 *
 * Kinds, and the threat model each audits:
 *   mislabel  population records (never otherwise trained on) with the label
 *             changed to another class uniformly at random; scored by the
 *             black-box loss of the canary's label on the final model.
 *   ood       synthetic records far from the data: feature mean plus
 *             `ood_norm` feature standard deviations along a uniformly random
 *             direction, with a uniformly random label; black-box loss.
 *   dirac     m extra feature columns, zero for every real record; canary j
 *             is zero except `dirac_value` in column j, with a random label,
 *             so only canary j writes to the weights of column j.  Scored on
 *             the final model's weights (white-box) for logistic regression,
 *             by the logit-confidence gap between the canary input and the
 *             all-zero input for other kinds.
 * Coins come from their own RNG stream; the kind, coins, labels and source
 * rows are all recorded in the report.
 */
#ifndef PRIVAUDIT_TARGETS_CANARY_H
#define PRIVAUDIT_TARGETS_CANARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dataset.h"
#include "core/error.h"
#include "core/rng.h"

enum canary_kind { CANARY_MISLABEL = 0, CANARY_OOD, CANARY_DIRAC, CANARY_N };

extern const char *const canary_kind_names[CANARY_N];

/* What an all-iterates score (canaries.iterates) computes from the per-step
 * increments of a canary's weight margin (audit/pipeline.c, docs/bounds.md). */
enum canary_iter_stat {
    CANARY_ITER_VARIANCE = 0, /* variance of the increments over the steps */
    CANARY_ITER_EPOCH_MAX,    /* sum over epochs of the largest increment */
    CANARY_ITER_POISSON_LR,   /* log-likelihood ratio of Poisson-sampled jumps */
    CANARY_ITER_N
};

extern const char *const canary_iter_stat_names[CANARY_ITER_N];

struct canary_set {
    enum canary_kind kind;
    size_t m;            /* canaries */
    size_t d;            /* feature width of x (the widened width for dirac) */
    float *x;            /* m x d */
    int32_t *y;          /* canary labels */
    uint8_t *coin;       /* 1 = included in training (heads) */
    size_t *source;      /* mislabel: the population row it came from */
    int32_t *orig_y;     /* mislabel: the row's true label */
};

struct canary_opts {
    enum canary_kind kind;
    size_t m;
    double ood_norm;     /* ood: distance in feature standard deviations (> 0) */
    double dirac_value;  /* dirac: the value in the canary's column (> 0) */
    bool iterates;       /* logreg (SGD): score from every intermediate model */
    enum canary_iter_stat iter_stat; /* with iterates */
};

/*
 * Generate m canaries from ds.  mislabel draws them without replacement from
 * population[0..n_pop) (rows of ds that no model in the audit trains on).
 * ood uses the mean and standard deviation of those population rows (missing
 * values skipped).  dirac needs the caller to widen the data by m zero
 * columns (canary_widen); cs->d is then ds->n_features + m.  The coins are
 * drawn from `coins` (one fair coin per canary, in canary order), everything
 * else from `gen`.  Returns 0, ERR_INPUT (too few population rows, a single
 * class) or ERR_NOMEM.  canary_release frees.
 */
int canary_generate(struct canary_set *cs, const struct canary_opts *o,
                    const struct dataset *ds, const size_t *population,
                    size_t n_pop, struct rng *gen, struct rng *coins,
                    struct error *err);

void canary_release(struct canary_set *cs);

/* A copy of ds with m extra all-zero feature columns named "canary_1".. and
 * numeric type, for dirac canaries.  Returns 0 or ERR_NOMEM. */
int canary_widen(struct dataset *dst, const struct dataset *ds, size_t m,
                 struct error *err);

/* A copy of ds (same width as cs->d) with the canaries appended as rows
 * ds->n_rows .. ds->n_rows + m - 1.  Returns 0 or ERR_NOMEM/ERR_INPUT. */
int canary_append(struct dataset *dst, const struct dataset *ds,
                  const struct canary_set *cs, struct error *err);

#endif
