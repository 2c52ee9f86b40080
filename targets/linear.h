/*
 * targets/linear.h - softmax models trained by gradient methods: multinomial
 * logistic regression ("logreg") and a one-hidden-layer perceptron ("mlp"),
 * each trainable non-privately (mini-batch SGD; full-batch L-BFGS for logreg)
 * or with DP-SGD (Abadi et al., "Deep Learning with Differential Privacy",
 * CCS 2016, Algorithm 1), including deliberately faulty DP-SGD variants that
 * the audits must catch.
 *
 * The kinds are reached through struct model_ops (targets/model.h):
 * logreg_ops and mlp_ops.  The parameters, the saved-model JSON format, the
 * DP choices and the faults are documented in docs/models.md.
 *
 * Arithmetic is double precision throughout (OpenBLAS dgemm for every batch
 * forward and backward pass); see docs/models.md for why.
 *
 * Everything below besides the two ops tables is for the pipeline (the DP
 * claim), white-box audits and tests.  None of it prints or allocates global
 * state; functions that take a struct model check that it is a linear kind.
 */
#ifndef PRIVAUDIT_TARGETS_LINEAR_H
#define PRIVAUDIT_TARGETS_LINEAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/rng.h"
#include "targets/model.h"

extern const struct model_ops logreg_ops, mlp_ops;

/* True for &logreg_ops and &mlp_ops. */
bool linear_is_kind(const struct model_ops *ops);

/* DP-SGD fault variants (docs/models.md).  Every variant claims the budget
 * of the correct algorithm with the same sampling rate, noise multiplier,
 * clip norm and step count; only LINEAR_FAULT_NONE delivers it. */
enum linear_fault {
    LINEAR_FAULT_NONE = 0,
    LINEAR_FAULT_NO_CLIP,      /* "no-clip": per-example gradients unclipped */
    LINEAR_FAULT_MEAN_NOISE,   /* "mean-noise": noise std / realised batch */
    LINEAR_FAULT_SHUFFLE,      /* "shuffle": fixed-size shuffled batches */
    LINEAR_FAULT_REUSED_NOISE  /* "reused-noise": one noise draw reused */
};

/* Name of a fault as written in configs ("none", "no-clip", ...). */
const char *linear_fault_name(enum linear_fault f);

/*
 * The DP claim of a parsed parameter set, for the accountant: Poisson
 * sampling at rate `sampling_rate` for `steps` steps of the Gaussian
 * mechanism with noise multiplier `noise_multiplier` (std = multiplier *
 * clip_norm on the sum of clipped gradients, sensitivity clip_norm), target
 * `delta`.  `fault` says how the implementation departs from that claim.
 */
struct linear_dp_spec {
    bool enabled;              /* false: non-private training, rest zero */
    double sampling_rate;      /* q in (0, 1] */
    double expected_batch_size;/* q * n_train */
    double noise_multiplier;   /* sigma > 0 */
    double clip_norm;          /* C > 0 */
    uint64_t steps;            /* T >= 1 */
    double delta;              /* in (0, 1) */
    enum linear_fault fault;
    const char *fault_name;    /* static string, linear_fault_name(fault) */
};

/*
 * Resolve the DP claim of params (from ops->parse_params of a linear kind)
 * for a training set of n_train rows: q from "sampling_rate" or
 * "expected_batch_size" / n_train, T from "steps" or ceil(epochs / q).
 * Non-private params give out->enabled = false and return 0.
 * Returns 0, or ERR_INPUT when ops is not a linear kind or the expected
 * batch size exceeds n_train (q > 1).
 */
int linear_dp_spec(const struct model_ops *ops, const void *params,
                   size_t n_train, struct linear_dp_spec *out,
                   struct error *err);

/* How raw features were mapped to the network's inputs. */
enum linear_input {
    LINEAR_INPUT_STANDARDISED = 0, /* (x - mean_j) / std_j, stats of training rows */
    LINEAR_INPUT_BOUNDED           /* clamp(x, -B_j, B_j) / B_j, public B_j */
};

/*
 * White-box view of the first (input) layer: *w points at a
 * (n_features + 1) x out row-major matrix owned by the model (valid until
 * model_free), rows 0..n_features-1 are input weights, the last row the bias;
 * out is n_classes for logreg and `hidden` for mlp.  The weights act on the
 * transformed inputs described by *input (NULL allowed).
 */
int linear_first_layer(const struct model *m, const double **w, size_t *rows,
                       size_t *cols, enum linear_input *input,
                       struct error *err);

/* Number of layers (1 for logreg, 2 for mlp) and layer l's matrix in the same
 * (inputs + 1) x outputs layout as above. */
size_t linear_n_layers(const struct model *m);
int linear_layer(const struct model *m, size_t l, const double **w,
                 size_t *rows, size_t *cols, struct error *err);

/* The input transform: x (n x n_features floats, raw) to out (n x
 * n_features doubles) as the model sees it (NaN/inf -> 0 after the map). */
int linear_transform(const struct model *m, const float *x, size_t n,
                     double *out, struct error *err);

/* Whether the first layer has a bias (constant input 1); false for logreg
 * trained with "intercept": false.  True for other models. */
bool linear_has_intercept(const struct model *m);

/*
 * All parameters as one flat vector (layer 0's matrix, then layer 1's), length
 * *n_params.  Mutable so tests and white-box audits can perturb weights;
 * predictions use the new values.
 */
double *linear_params(struct model *m, size_t *n_params);

/*
 * Per-example cross-entropy gradients of the model at its current weights on
 * raw rows x (n x n_features) with labels y, without L2:
 *   loss_sum  (may be NULL) = sum_i -log p(y_i | x_i)
 *   grad_sum  (may be NULL, length n_params) = sum_i clip(g_i), where clip
 *             scales g_i by min(1, clip_norm / ||g_i||) and clip_norm <= 0
 *             means no clipping;
 *   norms     (may be NULL, length n) = ||g_i||_2 before clipping.
 * Norms are computed without materialising g_i (||a_i|| ||e_i|| per layer);
 * the sum is one dgemm per layer with rescaled errors - the DP-SGD kernel.
 */
int linear_example_grads(struct model *m, const float *x, const int32_t *y,
                         size_t n, double clip_norm, double *loss_sum,
                         double *grad_sum, double *norms, struct error *err);

/*
 * Poisson subsampling of n items at rate q in (0, 1]: each index independently
 * with probability q, written increasing into idx (capacity n); returns the
 * count.  Uses geometric gaps (exactly equivalent in distribution, O(q n)
 * draws).  The DP-SGD trainer uses this.
 */
size_t linear_poisson_sample(struct rng *r, size_t n, double q, size_t *idx);

/*
 * Diagnostics of the last training run of m (in memory only, never saved:
 * they are functions of the private data and not covered by the DP claim).
 * Zero for loaded models.
 */
struct linear_train_stats {
    uint64_t steps;            /* optimiser steps (SGD/DP) or iterations (L-BFGS) */
    uint64_t examples;         /* sum of realised batch sizes */
    size_t min_batch, max_batch; /* realised batch sizes */
    uint64_t clipped;          /* DP: examples with gradient norm > clip_norm */
    double max_grad_norm;      /* DP: largest per-example norm seen */
    double final_loss;         /* objective at the end (L-BFGS) or mean batch
                                  loss of the last epoch (SGD, DP-SGD) */
    double final_grad_norm;    /* L-BFGS: ||grad||_inf at the end */
    bool dp;
};
int linear_train_stats(const struct model *m, struct linear_train_stats *out,
                       struct error *err);

/* Objective of the trained model on raw rows: mean cross-entropy plus
 * (l2/2) * ||weights||^2 (biases unpenalised), as L-BFGS minimises it. */
int linear_objective(struct model *m, const float *x, const int32_t *y,
                     size_t n, double l2, double *out, struct error *err);

/*
 * Train a logreg target with SGD/DP-SGD exactly as model_train would (same
 * seed, same result) while recording the first-layer weights of input
 * columns [first_col, first_col + n_cols) before the first step and after
 * every step: *trace (free()) holds *steps = T + 1 rows of n_cols x n_classes
 * doubles, row-major (row 0 the initial weights, row t + 1 after step t).
 * With lrs non-NULL, *lrs (free()) holds the learning rate of each step
 * (T doubles): the size of a step's increment scales with it.  This is the
 * all-iterates view DP-SGD's guarantee also covers (every intermediate model
 * released), read by the all-iterates canary scores (attacks/iterates.h).
 * ERR_INPUT for another kind, L-BFGS, or a trace over 1 GiB.
 */
int linear_train_traced(struct model **out, const struct model_ops *ops,
                        const void *params, const struct dataset *ds,
                        const size_t *rows, size_t n, uint64_t seed, size_t first_col,
                        size_t n_cols, double **trace, uint64_t *steps, double **lrs,
                        struct error *err);

#endif
