/*
 * core/dataset.h - tabular datasets: CSV and LibSVM readers, the schema that
 * encodes labels and categorical columns, row subsets.
 *
 * A dataset is dense, row-major float32 features plus an integer class index
 * per row.  Missing values are NaN (XGBoost treats NaN as missing).
 *
 * The schema (label column, class names, per-column type and category list)
 * is built from the first file loaded and then reused, so every split and
 * every later file is encoded the same way.  It is recorded in the report.
 */
#ifndef PRIVAUDIT_CORE_DATASET_H
#define PRIVAUDIT_CORE_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum dataset_format { DATASET_AUTO = 0, DATASET_CSV, DATASET_LIBSVM };

enum column_type { COLUMN_NUMERIC = 0, COLUMN_CATEGORICAL };

struct column {
    char *name;
    enum column_type type;
    size_t n_categories;  /* COLUMN_CATEGORICAL: categories[k] encodes as k */
    char **categories;
};

struct schema {
    char *label_name;       /* the label column's header name ("label" for LibSVM) */
    size_t n_classes;
    char **class_names;     /* class k's label text, e.g. "spam", "3", "-1" */
    size_t n_features;      /* feature columns, in file order, label excluded */
    struct column *features;
    bool named;             /* feature names from a CSV header (LibSVM: "f<index>") */
};

struct dataset {
    size_t n_rows;
    size_t n_features;      /* == schema.n_features */
    float *x;               /* n_rows * n_features, row-major; NaN = missing */
    int32_t *y;             /* n_rows class indices in [0, schema.n_classes) */
    struct schema schema;
    char *path;             /* as given; NULL for in-memory datasets */
    char sha256[65];        /* hex digest of the file's bytes; "" if none */
};

struct dataset_opts {
    enum dataset_format format;   /* DATASET_AUTO: by extension, any case: .csv,
                                     or LibSVM for .svm/.libsvm/.svmlight/.txt;
                                     another extension is an error */
    const char *label;            /* label column name; NULL: "label" if present,
                                     else the first column */
    const char *const *categorical; /* column names forced categorical, or NULL */
    size_t n_categorical;
    const struct schema *schema;  /* reuse this encoding (a later file), or NULL */
    size_t n_features_hint;       /* LibSVM without schema: minimum width; 0 = infer */
};

/*
 * Load `path` into `ds` (which need not be initialised).  On success the
 * caller owns ds and frees it with dataset_release().  On failure ds is left
 * released (safe to release again) and err names the file, line and column:
 *   "data.csv:12:3: expected a number in column 'age', got 'abc'".
 * Returns 0, ERR_IO (cannot read), ERR_NOMEM or ERR_INPUT (malformed, or an
 * extension that names no format with opts->format == DATASET_AUTO).
 * opts may be NULL (all defaults).  ds->sha256 is the digest of the file's
 * bytes as read; ds->path a copy of `path`.
 *
 * Positions: lines are 1-based physical lines of the start of the record
 * (CSV: LF, CRLF or a lone CR ends a line; LibSVM: LF, a CR before it or
 * elsewhere is whitespace); columns are the 1-based field index in
 * CSV and the 1-based whitespace-separated token number in LibSVM (the label
 * is token 1).  A NUL byte anywhere is an error (reported with its line).
 * Values quoted in messages are cut to about 60 bytes.
 *
 * Numbers (CSV cells, LibSVM values): [+-]digits[.digits][e[+-]digits], with
 * blanks (space, tab) around allowed, the whole field, finite; no hex, inf or
 * nan.  A number beyond the float32 range is an error.  Decimal point '.'.
 *
 * CSV: RFC 4180 (comma separator, double-quoted fields with "" escapes and
 * embedded commas or line ends, CRLF or LF line ends, optional UTF-8 BOM,
 * final line end optional).  Blank lines at the end are ignored; a blank line
 * before the last record is an error.  A '"' inside an unquoted field, or
 * text after a closing quote, is an error.  A header row with unique names
 * that are not empty or blank (a duplicate names both columns).  Every row
 * has the header's field count (else an error with the line and both
 * counts); a header with no data rows is an error.  Text (names, categories,
 * labels) is kept byte for byte, spaces included, as RFC 4180 says; bytes
 * need not be UTF-8.  Missing: empty, NA, ?, NaN (case-insensitive, blanks
 * around ignored), stored as NaN.
 *
 * Label: opts->label, else a column named "label", else the first column.
 * Column types: numeric when every non-missing value is a number (also when
 * all are missing); categorical when none is, or when the column is named in
 * opts->categorical (an unknown name there is an error; naming the label is
 * a no-op).  A column mixing both is an error at the first cell whose kind
 * differs from the column's first non-missing value.  Categories are encoded
 * 0..k-1 in order of first appearance (schema.features[j].categories; exact
 * in float up to 2^24 categories).
 *
 * Labels are text; a missing label is an error.  Class names are the distinct
 * label texts, ordered numerically when all are numbers (ties, e.g. "1" and
 * "1.0", byte-wise), else byte-wise (strcmp order).  A single class is
 * allowed here; callers that need two check n_classes.
 *
 * opts->schema (encode a later file like an earlier one): the header, label
 * column removed, must list the schema's feature names in order, and the
 * label column is schema->label_name (opts->label, if set, must agree;
 * opts->categorical is ignored).  Column types and category codes come from
 * the schema: an unseen category, text in a numeric column ("expected a
 * number in column 'age', got 'abc'"), or a label outside the schema's
 * classes ("label 'x' outside the class set {a, b}") is an error.  ds->schema
 * is then a copy of opts->schema (classes absent from this file included).
 *
 * LibSVM / svmlight: one row per line, `label idx:val idx:val ... [# comment]`,
 * separated by spaces or tabs; blank and comment-only lines are skipped.
 * Indices are decimal, strictly increasing within a line, at most 2^24.  They
 * are 1-based unless an index 0 appears anywhere in the file, then 0-based.
 * Absent features are 0.0, not missing (LibSVM semantics); values must be
 * numbers (an explicit nan is an error).  n_features is the largest index
 * (+1 when 0-based), at least opts->n_features_hint; features are named
 * "f1".."fd" ("f0".."f{d-1}" when 0-based), all numeric, label_name "label".
 * Labels are text as in CSV ("-1", "+1" -> classes 0, 1).  With opts->schema
 * (all numeric), its width and base (0-based when its first feature is "f0")
 * apply, and an index outside them is an error.
 */
int dataset_load(struct dataset *ds, const char *path,
                 const struct dataset_opts *opts, struct error *err);

/* Release everything ds owns and zero it; NULL and zeroed datasets are fine. */
void dataset_release(struct dataset *ds);

/*
 * dst = rows idx[0..n) of src, in that order (duplicates allowed), with a
 * deep copy of the schema.  path/sha256 are copied.  dst (need not be
 * initialised, must not be src) is zeroed on failure.  n may be 0.  Returns
 * 0, ERR_NOMEM, or ERR_INTERNAL for an index >= src->n_rows.
 */
int dataset_subset(struct dataset *dst, const struct dataset *src,
                   const size_t *idx, size_t n, struct error *err);

/* Deep copy of a schema into dst (zeroed on failure); schema_release frees. */
int schema_copy(struct schema *dst, const struct schema *src, struct error *err);
void schema_release(struct schema *s);

/* Count of rows with label k, into counts[0..schema.n_classes). */
void dataset_class_counts(const struct dataset *ds, size_t *counts);

#endif
