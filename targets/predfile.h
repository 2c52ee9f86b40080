/*
 * targets/predfile.h - the predictions file: a third-party model's outputs
 * on the audit rows, for models privaudit cannot load or query itself.
 *
 * docs/thirdparty.md is the user-facing description; this block is the
 * normative one.  A predictions file is CSV (RFC 4180: comma separator,
 * double-quoted fields with "" escapes, LF or CRLF line ends, an optional
 * UTF-8 BOM, final line end optional, blank lines at the end ignored) with a
 * header row naming the columns, in any order:
 *
 *   id          required; any non-empty text, unique in the file (kept byte
 *               for byte).
 *   label       required; the true class as a class index 0..K-1 (decimal
 *               digits), in the class order of the model's outputs.
 *   member      required; 1 (the row was in the target's training set),
 *               0 (it was not) or empty (unknown: the row can be scored but
 *               enters no member/non-member metric).
 *   canary      optional; 0 or 1 (1 = the row is an inserted canary).
 *   coin        optional; 0 or 1 (the canary's inclusion coin).
 *   exactly one output group for the target:
 *     p_0 .. p_{K-1}          class probabilities, each >= 0, each row summing
 *                             to 1 within PREDFILE_SUM_TOL; rows are then
 *                             divided by their sum;
 *     logit_0 .. logit_{K-1}  unnormalised log-probabilities (any finite
 *                             numbers); probabilities are their softmax,
 *                             computed after subtracting the row maximum;
 *     loss                    the cross-entropy loss -log p_label, >= 0;
 *                             no probabilities then (probs == NULL).
 *   reference models j = 0 .. R-1 (optional, numbered contiguously from 0),
 *   each with exactly one output group named as above with the prefix
 *   "ref<j>_" (ref0_p_0.., ref0_logit_0.., or ref0_loss) and a required
 *   ref<j>_member column (0 or 1: the row was in reference model j's
 *   training set; the auditor trained it, so membership is known).
 *
 * Class indices of an output group must be 0..K-1 without a gap (p_0, p_1,
 * p_3 is an error naming p_2), and every group with class columns has the
 * same K, K >= 2.  Groups may mix kinds (probabilities for the target, loss
 * for a reference).  When no group has class columns, K is 0 and labels
 * are only checked to be class indices >= 0.  Any other column name, a
 * duplicate name, or p_ and logit_ columns (or either and loss) in one
 * group is an error.
 *
 * Numbers: [+-]digits[.digits][(e|E)[+-]digits] (also ".5" and "5."), blanks
 * (space, tab) around allowed; finite (no inf, nan, hex; overflow is an
 * error).  Every row has the header's field count.
 *
 * Errors are ERR_INPUT with "file:line:column: message", lines 1-based
 * physical lines of the record's start, columns the 1-based field index
 * (as core/dataset.h), e.g.
 *   "preds.csv:7:5: row sums to 0.9 (p_0..p_1), expected 1 within 1e-06".
 */
#ifndef PRIVAUDIT_TARGETS_PREDFILE_H
#define PRIVAUDIT_TARGETS_PREDFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

/* member value of a row whose membership is not known. */
#define PREDFILE_MEMBER_UNKNOWN (-1)
/* |sum_c p_c - 1| allowed per row of p_ columns (absolute, which is relative
 * to the exact sum 1). */
#define PREDFILE_SUM_TOL 1e-6
/* Probabilities are clamped to >= PREDFILE_PMIN before the log, as
 * attacks/scores.h does (SCORES_PMIN): the loss is at most ~690.8. */
#define PREDFILE_PMIN 1e-300

/* What a group's columns held in the file. */
enum predfile_kind { PREDFILE_PROBS = 0, PREDFILE_LOGITS, PREDFILE_LOSS };

/* One auditor-trained reference model's outputs on the same rows. */
struct predfile_ref {
    enum predfile_kind kind;
    double *probs;     /* n x k row-major, or NULL for a loss-only group */
    double *loss;      /* n, always filled */
    int8_t *member;    /* n, 0 or 1 */
};

struct predfile {
    size_t n;          /* rows */
    size_t k;          /* classes; 0 when no group has class columns */
    enum predfile_kind kind; /* the target group's columns */
    char **ids;        /* n NUL-terminated strings (each malloc'ed) */
    int32_t *labels;   /* n class indices */
    int8_t *member;    /* n: 1, 0 or PREDFILE_MEMBER_UNKNOWN */
    double *probs;     /* n x k row-major, rows sum to 1; NULL when loss-only */
    double *loss;      /* n: -log max(p_label, PREDFILE_PMIN), or the file's */
    uint8_t *canary;   /* n 0/1, or NULL when the column is absent */
    uint8_t *coin;     /* n 0/1, or NULL when the column is absent */
    size_t n_refs;
    struct predfile_ref *refs; /* n_refs, or NULL */
    char *path;        /* as loaded; NULL when built in memory */
    char sha256[65];   /* hex digest of the file's bytes; "" when built */
};

/*
 * Read and validate `path` into pf (need not be initialised).  On success
 * the caller owns pf (predfile_release).  On failure pf is released and err
 * says why: ERR_IO (cannot read), ERR_NOMEM, or ERR_INPUT with the file, line
 * and column.  Labels are checked against K (0..K-1).
 */
int predfile_load(struct predfile *pf, const char *path, struct error *err);

/*
 * Allocate pf for n rows and k classes (k >= 2 when with_probs): ids (all
 * NULL), labels, member (all UNKNOWN), loss, probs when with_probs, canary
 * and coin when with_canaries, and n_refs references (their probs when
 * with_probs, loss, member all 0).  kind is PREDFILE_PROBS or
 * PREDFILE_LOSS.  The caller fills the arrays (ids with malloc'ed strings,
 * which predfile_release frees) and then calls predfile_compute_loss.
 * Returns 0 or ERR_NOMEM (pf released).
 */
int predfile_alloc(struct predfile *pf, size_t n, size_t k, bool with_probs,
                   bool with_canaries, size_t n_refs, struct error *err);

/* Fill loss[] of the target and of every reference from their probs (a
 * group without probs keeps its loss): -log max(p_label, PREDFILE_PMIN).
 * Labels must be in [0, k) (the loader guarantees it; asserted). */
void predfile_compute_loss(struct predfile *pf);

/*
 * Write pf as a predictions file (the format above): id,label,member
 * [,canary,coin], then p_0..p_{K-1} when probs is set, else loss, then for
 * each reference ref<j>_p_* or ref<j>_loss and ref<j>_member.  Numbers are
 * printed with %.17g (they read back bit for bit); ids are quoted when they
 * hold a comma, a quote, CR or LF, or begin or end with a blank.
 * predfile_write replaces `path` atomically (core/afile.h);
 * predfile_write_stream writes to an open stream (stdout), "what" names it in
 * errors.  Returns 0, ERR_IO, or ERR_INPUT for an id that is NULL or empty.
 */
int predfile_write(const char *path, const struct predfile *pf,
                   struct error *err);
int predfile_write_stream(FILE *fp, const char *what,
                          const struct predfile *pf, struct error *err);

/* Number of rows with member == 1, == 0. */
size_t predfile_count_members(const struct predfile *pf, int value);

/* Free everything pf owns and zero it; NULL and zeroed pf are fine. */
void predfile_release(struct predfile *pf);

#endif
