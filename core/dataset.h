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
    enum dataset_format format;   /* DATASET_AUTO: by extension (.csv, else LibSVM
                                     for .svm/.libsvm/.svmlight/.txt) */
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
 * Returns 0, ERR_IO (cannot read) or ERR_INPUT (malformed).
 *
 * CSV: RFC 4180 (comma separator, double-quoted fields with "" escapes, CRLF or
 * LF line ends, optional UTF-8 BOM), a header row with unique non-empty
 * names.  Missing: empty, NA, ?, NaN (case-insensitive).  A column is numeric
 * when every non-missing value parses as a finite number; categorical when
 * none does or when named in opts->categorical; a column that mixes both is an
 * error naming the first offending cell.  With opts->schema, columns must
 * match its names and order; an unseen category, or text in a numeric column,
 * is an error.  Labels: a missing label is an error; class names are the
 * distinct label texts, ordered numerically when all are numbers, else
 * byte-wise; with a schema, a label outside its classes is an error.
 */
int dataset_load(struct dataset *ds, const char *path,
                 const struct dataset_opts *opts, struct error *err);

/* Release everything ds owns and zero it; NULL and zeroed datasets are fine. */
void dataset_release(struct dataset *ds);

/*
 * dst = rows idx[0..n) of src, in that order (duplicates allowed), with a
 * deep copy of the schema.  path/sha256 are copied.  Returns 0 or ERR_NOMEM.
 */
int dataset_subset(struct dataset *dst, const struct dataset *src,
                   const size_t *idx, size_t n, struct error *err);

/* Deep copy of a schema into dst (zeroed on failure); schema_release frees. */
int schema_copy(struct schema *dst, const struct schema *src, struct error *err);
void schema_release(struct schema *s);

/* Count of rows with label k, into counts[0..n_classes). */
void dataset_class_counts(const struct dataset *ds, size_t *counts);

#endif
