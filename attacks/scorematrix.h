/*
 * attacks/scorematrix.h - the score matrix every reference-model attack reads.
 *
 * For each audit-pool example i (row) and each model j (column: the target
 * and the shadow / reference models) the matrix holds a float32 statistic
 * stat[i][j] and a bit in[i][j] (1 = example i was in model j's training
 * set).  The statistic is normally the logit-scaled confidence
 * phi = log p_y - log sum_{k != y} p_k (scores_logit_confidence), from which
 * p_y = 1 / (1 + exp(-phi)); LiRA, RMIA and the calibrated attacks all read
 * only this matrix, so they all run from the same shadows.
 *
 * Layout: row-major (example-major), element (i, j) at i * n_models + j, so
 * the per-example loops of the attacks read contiguous memory.  A fresh
 * matrix has every stat = NaN and every bit 0; the attacks reject a NaN in
 * any column they use, so a column the engine forgot to fill is caught.
 *
 * File format (version 1), all integers and floats little-endian:
 *   offset 0   4 bytes   magic "PAMX"
 *          4   u32       version = 1
 *          8   u64       n_examples (>= 1)
 *         16   u64       n_models (>= 1)
 *         24   f32[n_examples * n_models]   stat, row-major, IEEE-754 binary32
 *          .   u8[n_examples * n_models]    in bits, row-major, each 0 or 1
 *          .   32 bytes  SHA-256 (FIPS 180-4) of every preceding byte
 *                        (header and payload)
 * Nothing follows the digest.  The engine writes one file per shadow job
 * (an n_examples x 1 matrix) and assembles them with
 * score_matrix_load_column / score_matrix_set_column.
 */
#ifndef PRIVAUDIT_ATTACKS_SCOREMATRIX_H
#define PRIVAUDIT_ATTACKS_SCOREMATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define SCORE_MATRIX_MAGIC "PAMX"
#define SCORE_MATRIX_VERSION 1u
#define SCORE_MATRIX_HEADER_BYTES 24u
#define SCORE_MATRIX_DIGEST_BYTES 32u

struct score_matrix {
    size_t n_examples, n_models;
    float *stat;   /* n_examples x n_models, row-major (example-major) */
    uint8_t *in;   /* same shape, 1 = example was in model j's training set */
};

/* Allocate an n_examples x n_models matrix (both >= 1, else ERR_INPUT; a
 * product too large is ERR_NOMEM) with every stat NaN and every bit 0.
 * *m is overwritten (zeroed on error); score_matrix_release frees and
 * re-zeroes it and accepts NULL or a zeroed matrix. */
int score_matrix_init(struct score_matrix *m, size_t n_examples,
                      size_t n_models, struct error *err);
void score_matrix_release(struct score_matrix *m);

/* Element accessors; i < n_examples and j < n_models are the caller's job
 * (asserted). */
float score_matrix_stat(const struct score_matrix *m, size_t i, size_t j);
int score_matrix_is_in(const struct score_matrix *m, size_t i, size_t j);

/* Copy column j into stat[0..n_examples) and in[0..n_examples) (either may
 * be NULL to skip it).  j >= n_models is ERR_INPUT. */
int score_matrix_get_column(const struct score_matrix *m, size_t j,
                            float *stat, uint8_t *in, struct error *err);

/* Overwrite column j from stat[0..n_examples) and in[0..n_examples) (in
 * values are stored as 0/1: nonzero means IN).  j >= n_models is ERR_INPUT.
 * The engine calls this once per shadow job. */
int score_matrix_set_column(struct score_matrix *m, size_t j,
                            const float *stat, const uint8_t *in,
                            struct error *err);

/* Number of IN bits in column j (j < n_models asserted). */
size_t score_matrix_column_n_in(const struct score_matrix *m, size_t j);

/* The reference columns of an attack on target column `target`: writes
 * refs[j] = 1 for every column used as a reference model and returns their
 * number in *n_refs.  ref_mask (n_models entries, nonzero = use) selects
 * them; NULL means every column except the target.  ERR_INPUT when target
 * >= n_models, when ref_mask selects the target itself, or when no column is
 * left.  refs has n_models entries, owned by the caller. */
int score_matrix_refs(const struct score_matrix *m, size_t target,
                      const uint8_t *ref_mask, uint8_t *refs, size_t *n_refs,
                      struct error *err);

/* log p_y from the logit-scaled confidence phi (p_y = 1 / (1 + exp(-phi))),
 * computed as -log1p(exp(-phi)) for phi >= 0 and phi - log1p(exp(phi))
 * otherwise, so it neither overflows nor rounds to 0 for large |phi|. */
double score_matrix_log_py(double phi);

/* Write the matrix to `path` in the format above, atomically (core/afile.h:
 * a failed save leaves no partial file).  Returns 0, ERR_IO, or ERR_INPUT
 * for a zeroed (0 x 0) matrix. */
int score_matrix_save(const struct score_matrix *m, const char *path,
                      struct error *err);

/* Read a file written by score_matrix_save into *m (overwritten; zeroed on
 * error, so release is always safe).  A file that cannot be opened is
 * ERR_IO; a bad magic, an unsupported version, zero or oversized
 * dimensions, a truncated file, trailing bytes, an in bit other than 0/1 or
 * a digest mismatch is ERR_INPUT with a message starting "<path>: ".
 * Reads in a streaming fashion (no second copy of the payload). */
int score_matrix_load(struct score_matrix *m, const char *path,
                      struct error *err);

/* Load the one-column file at `path` (n_examples x 1, the per-shadow-job
 * output) and store it as column j of *m.  A file with more than one column
 * or a different n_examples is ERR_INPUT naming the file; j >= n_models is
 * ERR_INPUT.  *m is unchanged on error. */
int score_matrix_load_column(struct score_matrix *m, size_t j,
                             const char *path, struct error *err);

#endif
