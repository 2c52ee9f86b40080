/*
 * attacks/shadow.h - the shadow (reference) model engine.
 *
 * K shadow models of the target's kind, each trained on a random half of
 * the audit pool in a balanced design: every pool example is IN for exactly
 * K/2 shadows (Carlini et al. 2022, Sec. VI).  The masks depend on (seed, K)
 * alone: for each example, a random choice of K/2 of the K shadows.
 *
 * A job is (seed, j) -> the statistic phi (logit-scaled confidence of the
 * true label, attacks/scores.h) of shadow j on every pool example, plus the
 * IN bits: one column of the score matrix.  With a work directory each job
 * writes its column atomically to WORK/shadow-<j>.pamx (attacks/scorematrix.h
 * format); with resume, finished columns are read back instead of retrained,
 * so a killed run continues where it stopped and gives the same result.  A
 * manifest (WORK/manifest.json) names what the columns belong to (seed, K,
 * pool size and hash, model kind and parameters); resuming against a
 * different manifest is an error.
 *
 * Jobs run on `workers` threads, each model single-threaded; every job's
 * randomness comes from its own stream, so results do not depend on the
 * number of workers or the order jobs finish.  Models are freed as soon as
 * their column is written.
 */
#ifndef PRIVAUDIT_ATTACKS_SHADOW_H
#define PRIVAUDIT_ATTACKS_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attacks/scorematrix.h"
#include "core/dataset.h"
#include "core/error.h"
#include "targets/model.h"

/* The per-example statistic the engine stores, oriented so that larger
 * means "more likely member" (attacks/scores.h): phi (LiRA's logit-scaled
 * confidence, the default; RMIA, calibrated and Shokri attacks need it),
 * minus the loss, the true-class confidence, minus the entropy, minus the
 * modified entropy (Song and Mittal 2021). */
enum shadow_stat {
    SHADOW_STAT_PHI = 0,
    SHADOW_STAT_NEG_LOSS,
    SHADOW_STAT_CONFIDENCE,
    SHADOW_STAT_NEG_ENTROPY,
    SHADOW_STAT_NEG_MENTR,
    SHADOW_STAT_N
};

extern const char *const shadow_stat_names[SHADOW_STAT_N];

/* The T largest of p[0..c), in decreasing order, into out[0..T) (T <= c). */
void shadow_top_probs(const double *p, size_t c, size_t t, float *out);

/* The statistic of one prediction p[0..k) with true class y. */
double shadow_statistic(enum shadow_stat st, const double *p, size_t k, size_t y);

/* Called after every finished job (from worker threads, serialised by the
 * engine): done of total, `trained` false when the job was resumed. */
typedef void (*shadow_progress_fn)(void *ctx, size_t done, size_t total,
                                   bool trained);

struct shadow_spec {
    const struct model_ops *ops;
    const void *params;
    const char *params_json;      /* resolved parameters, for the manifest */
    const struct dataset *ds;
    const size_t *pool;           /* pool rows of ds, n_pool of them */
    size_t n_pool;
    const uint8_t *eligible;      /* NULL, or per pool position: 0 = never trained on
                                     (a third-party target's members: offline
                                     reference models are trained on the rest) */
    size_t k;                     /* shadows, even, >= 2 */
    enum shadow_stat statistic;   /* what each column holds */
    uint64_t seed;
    const char *work_dir;         /* NULL: keep columns in memory only */
    bool resume;
    bool keep_models;             /* also save WORK/shadow-<j>.model */
    int workers;                  /* >= 1 */
    size_t aux_top;               /* > 0: also keep each shadow's top aux_top class
                                     probabilities, sorted, per pool example
                                     (Shokri et al.'s attack features) */
    float *aux;                   /* with aux_top: caller-allocated, at least
                                     (k + 1) x n_pool x aux_top floats, model-major:
                                     aux[(j * n_pool + i) * aux_top + t]; the engine
                                     fills j < k (WORK/shadow-<j>.top.pamx) */
    shadow_progress_fn progress;  /* may be NULL */
    void *progress_ctx;
};

struct shadow_stats {
    size_t trained, resumed;      /* jobs trained now / read back */
    double train_s;               /* sum of the jobs' training wall time */
    double predict_s;             /* sum of the jobs' prediction wall time */
    double wall_s;                /* wall time of the whole phase */
};

/* The stream id of shadow j's training seed, and of the masks. */
#define SHADOW_STREAM_MASKS 100
#define SHADOW_STREAM_JOB(j) (1000 + (uint64_t)(j))

/* The balanced IN/OUT design: in[i * k + j] = 1 when pool example i is in
 * shadow j's training set.  Exactly k/2 ones per row (shadow_run then clears
 * the rows of examples that are not eligible). */
void shadow_masks(uint64_t seed, size_t n_pool, size_t k, uint8_t *in);

/*
 * Run (or resume) the K jobs and fill out (n_pool x (k + extra_columns),
 * allocated by the engine; columns k.. are left for the caller, e.g. the
 * target).  Returns 0, ERR_INPUT (bad spec, manifest mismatch, a corrupted
 * column file), ERR_IO, ERR_NOMEM, or the first job's training error.
 */
int shadow_run(const struct shadow_spec *spec, size_t extra_columns,
               struct score_matrix *out, struct shadow_stats *stats,
               struct error *err);

#endif
