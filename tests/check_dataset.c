/*
 * tests/check_dataset.c - CSV and LibSVM readers, schema reuse, subsets
 * (core/dataset.h).
 *
 * Inputs are written to files in a fresh mkdtemp directory per test, so
 * error messages carry a predictable file name.  The fixture tests load
 * the fixtures/data CSVs from the repository root (PRIVAUDIT_SOURCE_DIR).
 */
#include "core/dataset.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/rng.h"
#include "core/sha256.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* The Makefile passes the repository root; tests also run from there. */
#ifndef PRIVAUDIT_SOURCE_DIR
#define PRIVAUDIT_SOURCE_DIR "."
#endif
#define FIXTURE(name) PRIVAUDIT_SOURCE_DIR "/fixtures/data/" name
#define FTOL 1e-6

/* ------------------------------------------------------------------------ */
/* Temporary files                                                           */

struct tmp {
    char dir[64];
    char path[256];
};

static void tmp_dir(struct tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/privaudit-ds-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    t->path[0] = '\0';
}

/* Write len bytes to <dir>/<name>; t->path names it. */
static void tmp_put(struct tmp *t, const char *name, const void *data,
                    size_t len)
{
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *fp = fopen(t->path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

static void tmp_done(struct tmp *t)
{
    if (t->path[0])
        unlink(t->path);
    rmdir(t->dir);
    t->path[0] = '\0';
}

/* Write `text` as <name> and load it; asserts success. */
static void load_text(struct dataset *ds, const char *name, const char *text,
                      const struct dataset_opts *o)
{
    struct tmp t;
    struct error err;
    error_clear(&err);
    tmp_dir(&t);
    tmp_put(&t, name, text, strlen(text));
    int rc = dataset_load(ds, t.path, o, &err);
    tmp_done(&t);
    ck_assert_msg(rc == 0, "load %s: %s", name, err.msg);
}

/*
 * Write `len` bytes as <name>, load, and expect failure with `code` and a
 * message containing "<name>:" and each of the NULL-terminated `needles`.
 */
static void expect_fail_bytes(const char *name, const char *data, size_t len,
                              const struct dataset_opts *o, int code,
                              const char *const *needles)
{
    struct tmp t;
    struct error err;
    struct dataset ds;
    error_clear(&err);
    tmp_dir(&t);
    tmp_put(&t, name, data, len);
    int rc = dataset_load(&ds, t.path, o, &err);
    tmp_done(&t);
    ck_assert_msg(rc == code, "%s: got %s (%s), want %s", name, error_name(rc),
                  err.msg, error_name(code));
    ck_assert_int_eq(err.code, code);
    ck_assert_msg(strstr(err.msg, name) != NULL, "message '%s' lacks '%s'",
                  err.msg, name);
    for (size_t i = 0; needles && needles[i]; i++)
        ck_assert_msg(strstr(err.msg, needles[i]) != NULL,
                      "message '%s' lacks '%s'", err.msg, needles[i]);
    /* A failed load leaves ds released; releasing again is fine. */
    ck_assert_ptr_null(ds.x);
    ck_assert_ptr_null(ds.path);
    ck_assert_uint_eq(ds.n_rows, 0);
    dataset_release(&ds);
}

static void expect_fail(const char *name, const char *text,
                        const struct dataset_opts *o, int code,
                        const char *const *needles)
{
    expect_fail_bytes(name, text, strlen(text), o, code, needles);
}

struct fail_case {
    const char *name;
    const char *text;
    const char *needles[6];
};

static void run_fail_cases(const struct fail_case *c, size_t n,
                           const struct dataset_opts *o)
{
    for (size_t i = 0; i < n; i++)
        expect_fail(c[i].name, c[i].text, o, ERR_INPUT, c[i].needles);
}

static float X(const struct dataset *ds, size_t r, size_t j)
{
    return ds->x[r * ds->n_features + j];
}

static void assert_classes(const struct dataset *ds, const char *const *want,
                           size_t n)
{
    ck_assert_uint_eq(ds->schema.n_classes, n);
    for (size_t k = 0; k < n; k++)
        ck_assert_str_eq(ds->schema.class_names[k], want[k]);
}

/* ------------------------------------------------------------------------ */
/* CSV: values and types                                                     */

START_TEST(dataset_should_load_numeric_categorical_and_missing_values)
{
    static const char csv[] =
        "age,color,label,score\n"
        "31,red,yes,1.5\n"
        " 40 ,blue,no,NA\n"
        ",red,yes,-2e3\n"
        "nan,?,no,  7  \n"
        "NaN,green,yes,na\n";
    struct dataset ds;
    load_text(&ds, "mixed.csv", csv, NULL);
    ck_assert_uint_eq(ds.n_rows, 5);
    ck_assert_uint_eq(ds.n_features, 3);
    ck_assert_uint_eq(ds.schema.n_features, 3);
    ck_assert(ds.schema.named); /* names from the header */
    ck_assert_str_eq(ds.schema.label_name, "label");
    ck_assert_str_eq(ds.schema.features[0].name, "age");
    ck_assert_str_eq(ds.schema.features[1].name, "color");
    ck_assert_str_eq(ds.schema.features[2].name, "score");
    ck_assert_int_eq(ds.schema.features[0].type, COLUMN_NUMERIC);
    ck_assert_int_eq(ds.schema.features[1].type, COLUMN_CATEGORICAL);
    ck_assert_int_eq(ds.schema.features[2].type, COLUMN_NUMERIC);
    /* Categories in order of first appearance. */
    const struct column *color = &ds.schema.features[1];
    ck_assert_uint_eq(color->n_categories, 3);
    ck_assert_str_eq(color->categories[0], "red");
    ck_assert_str_eq(color->categories[1], "blue");
    ck_assert_str_eq(color->categories[2], "green");

    static const float want[5][3] = {{31, 0, 1.5f},
                                     {40, 1, NAN},
                                     {NAN, 0, -2000},
                                     {NAN, NAN, 7},
                                     {NAN, 2, NAN}};
    for (size_t r = 0; r < 5; r++)
        for (size_t j = 0; j < 3; j++) {
            if (isnan(want[r][j]))
                ck_assert_msg(isnan(X(&ds, r, j)), "x[%zu][%zu] not NaN", r, j);
            else
                ck_assert_float_eq_tol(X(&ds, r, j), want[r][j], FTOL);
        }
    static const char *const classes[] = {"no", "yes"};
    assert_classes(&ds, classes, 2);
    static const int32_t y[] = {1, 0, 1, 0, 1};
    for (size_t r = 0; r < 5; r++)
        ck_assert_int_eq(ds.y[r], y[r]);
    ck_assert_ptr_nonnull(ds.path);
    ck_assert_uint_eq(strlen(ds.sha256), 64);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_parse_numbers_exactly_like_strtod)
{
    static const char *const nums[] = {
        "0.1", "-0.0", "+3", "1e-5", "2.5E+3", ".5", "5.", "123456789012345",
        "0.000000000000000000001", "3.4028234e38", "1234567.891",
        "0.30000000000000004", "00012", "9007199254740993"};
    char csv[1024];
    size_t o = (size_t)snprintf(csv, sizeof csv, "v,label\n");
    for (size_t i = 0; i < ARRAY_LEN(nums); i++)
        o += (size_t)snprintf(csv + o, sizeof csv - o, "%s,a\n", nums[i]);
    struct dataset ds;
    load_text(&ds, "nums.csv", csv, NULL);
    ck_assert_uint_eq(ds.n_rows, ARRAY_LEN(nums));
    for (size_t i = 0; i < ARRAY_LEN(nums); i++) {
        float want = (float)strtod(nums[i], NULL);
        ck_assert_msg(X(&ds, i, 0) == want, "'%s': got %.9g want %.9g",
                      nums[i], (double)X(&ds, i, 0), (double)want);
    }
    ck_assert(signbit(X(&ds, 1, 0)));
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_parse_quoted_fields_with_escapes_commas_and_newlines)
{
    static const char csv[] =
        "\"x\",\"name, full\",label\n"
        "\"1.5\",\"Smith, \"\"Jo\"\"\",\"a\"\n"
        "2,\"two\nlines\",b\n"
        "3,\"\",a\n"
        "\"4\",plain,\"b\"\n";
    struct dataset ds;
    load_text(&ds, "quoted.csv", csv, NULL);
    ck_assert_uint_eq(ds.n_rows, 4);
    ck_assert_str_eq(ds.schema.features[1].name, "name, full");
    const struct column *c = &ds.schema.features[1];
    ck_assert_int_eq(c->type, COLUMN_CATEGORICAL);
    ck_assert_uint_eq(c->n_categories, 3);
    ck_assert_str_eq(c->categories[0], "Smith, \"Jo\"");
    ck_assert_str_eq(c->categories[1], "two\nlines");
    ck_assert_str_eq(c->categories[2], "plain");
    ck_assert(isnan(X(&ds, 2, 1))); /* "" is missing */
    ck_assert_float_eq_tol(X(&ds, 0, 0), 1.5f, FTOL);
    ck_assert_float_eq_tol(X(&ds, 3, 0), 4.0f, FTOL);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_accept_crlf_bom_and_missing_final_newline)
{
    static const char csv[] =
        "\xEF\xBB\xBF"
        "label,x\r\n"
        "a,1\r\n"
        "\"b\r\nc\",2\r\n"
        "a,3";
    struct dataset ds;
    load_text(&ds, "crlf.csv", csv, NULL);
    ck_assert_uint_eq(ds.n_rows, 3);
    ck_assert_str_eq(ds.schema.label_name, "label"); /* BOM not in the name */
    static const char *const classes[] = {"a", "b\r\nc"};
    assert_classes(&ds, classes, 2);
    ck_assert_float_eq_tol(X(&ds, 2, 0), 3.0f, FTOL);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_ignore_trailing_blank_lines)
{
    struct dataset ds;
    load_text(&ds, "blank.csv", "x,label\n1,a\n2,b\n\n\r\n\n", NULL);
    ck_assert_uint_eq(ds.n_rows, 2);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_keep_non_utf8_bytes_as_category_text)
{
    struct dataset ds;
    load_text(&ds, "bytes.csv", "c,label\n\xff\xfe,a\ncaf\xc3\xa9,b\n", NULL);
    ck_assert_str_eq(ds.schema.features[0].categories[0], "\xff\xfe");
    ck_assert_str_eq(ds.schema.features[0].categories[1], "caf\xc3\xa9");
    dataset_release(&ds);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* CSV: label choice and class order                                         */

START_TEST(dataset_should_choose_label_by_name_then_label_column_then_first)
{
    static const char csv_named[] = "a,label,target\n1,x,p\n2,y,q\n";
    static const char csv_first[] = "target,a,b\nq,1,2\np,3,4\n";
    struct dataset ds;

    struct dataset_opts o = {0};
    o.label = "target";
    load_text(&ds, "named.csv", csv_named, &o);
    ck_assert_str_eq(ds.schema.label_name, "target");
    ck_assert_uint_eq(ds.n_features, 2);
    ck_assert_str_eq(ds.schema.features[0].name, "a");
    ck_assert_str_eq(ds.schema.features[1].name, "label");
    dataset_release(&ds);

    load_text(&ds, "named.csv", csv_named, NULL);
    ck_assert_str_eq(ds.schema.label_name, "label");
    ck_assert_str_eq(ds.schema.features[1].name, "target");
    static const char *const xy[] = {"x", "y"};
    assert_classes(&ds, xy, 2);
    dataset_release(&ds);

    load_text(&ds, "first.csv", csv_first, NULL);
    ck_assert_str_eq(ds.schema.label_name, "target");
    ck_assert_str_eq(ds.schema.features[0].name, "a");
    static const char *const pq[] = {"p", "q"};
    assert_classes(&ds, pq, 2);
    ck_assert_int_eq(ds.y[0], 1);
    ck_assert_int_eq(ds.y[1], 0);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_order_numeric_classes_by_value)
{
    struct dataset ds;
    load_text(&ds, "numcls.csv", "x,label\n1,10\n2,9\n3,-1\n4,2.5\n5,9\n", NULL);
    static const char *const want[] = {"-1", "2.5", "9", "10"};
    assert_classes(&ds, want, 4);
    static const int32_t y[] = {3, 2, 0, 1, 2};
    for (size_t r = 0; r < 5; r++)
        ck_assert_int_eq(ds.y[r], y[r]);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_order_text_classes_bytewise)
{
    /* "10" would sort after "9" numerically; with one text label all order
     * byte-wise: "10" < "9" < "B" < "a". */
    struct dataset ds;
    load_text(&ds, "txtcls.csv", "x,label\n1,a\n2,9\n3,B\n4,10\n", NULL);
    static const char *const want[] = {"10", "9", "B", "a"};
    assert_classes(&ds, want, 4);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_allow_a_single_class)
{
    struct dataset ds;
    load_text(&ds, "one.csv", "x,label\n1,a\n2,a\n", NULL);
    ck_assert_uint_eq(ds.schema.n_classes, 1);
    size_t counts[1];
    dataset_class_counts(&ds, counts);
    ck_assert_uint_eq(counts[0], 2);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_force_named_columns_categorical)
{
    static const char *const cats[] = {"zip"};
    struct dataset_opts o = {0};
    o.categorical = cats;
    o.n_categorical = 1;
    struct dataset ds;
    load_text(&ds, "zip.csv", "zip,n,label\n10115,1,a\n80331,2,b\n10115,3,a\n"
                              "NA,4,b\n", &o);
    const struct column *z = &ds.schema.features[0];
    ck_assert_int_eq(z->type, COLUMN_CATEGORICAL);
    ck_assert_uint_eq(z->n_categories, 2);
    ck_assert_str_eq(z->categories[0], "10115");
    ck_assert_str_eq(z->categories[1], "80331");
    ck_assert_float_eq(X(&ds, 2, 0), 0.0f);
    ck_assert_float_eq(X(&ds, 1, 0), 1.0f);
    ck_assert(isnan(X(&ds, 3, 0)));
    ck_assert_int_eq(ds.schema.features[1].type, COLUMN_NUMERIC);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_type_an_all_missing_column_numeric)
{
    struct dataset ds;
    load_text(&ds, "allna.csv", "e,label\nNA,a\n,b\n", NULL);
    ck_assert_int_eq(ds.schema.features[0].type, COLUMN_NUMERIC);
    ck_assert(isnan(X(&ds, 0, 0)) && isnan(X(&ds, 1, 0)));
    dataset_release(&ds);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* CSV: schema reuse                                                         */

START_TEST(dataset_should_reuse_a_schema_encoding_for_a_later_file)
{
    struct dataset train, test;
    load_text(&train, "train.csv",
              "age,color,label\n30,red,yes\n40,blue,no\n50,green,yes\n", NULL);
    struct dataset_opts o = {0};
    o.schema = &train.schema;
    /* Different first-appearance order and a label subset. */
    load_text(&test, "test.csv", "age,color,label\n1,green,yes\n2,red,yes\n",
              &o);
    ck_assert_uint_eq(test.schema.features[1].n_categories, 3);
    ck_assert_str_eq(test.schema.features[1].categories[0], "red");
    ck_assert_float_eq(X(&test, 0, 1), 2.0f); /* green, as in train */
    ck_assert_float_eq(X(&test, 1, 1), 0.0f); /* red */
    ck_assert_uint_eq(test.schema.n_classes, 2);
    ck_assert_int_eq(test.y[0], 1);           /* yes, as in train */
    ck_assert_int_eq(test.y[1], 1);
    dataset_release(&test);
    dataset_release(&train);
}
END_TEST

START_TEST(dataset_should_reject_violations_of_a_reused_schema)
{
    struct dataset train;
    load_text(&train, "train.csv", "age,color,label\n30,red,a\n40,blue,b\n",
              NULL);
    struct dataset_opts o = {0};
    o.schema = &train.schema;
    static const struct fail_case cases[] = {
        {"unseen.csv", "age,color,label\n1,red,a\n2,pink,b\n",
         {":3:2:", "unseen category 'pink'", "'color'", NULL}},
        {"outside.csv", "age,color,label\n1,red,a\n2,red,c\n",
         {":3:3:", "label 'c' outside the class set {a, b}", NULL}},
        {"textnum.csv", "age,color,label\nabc,red,a\n",
         {":2:1:", "expected a number in column 'age', got 'abc'", NULL}},
        {"order.csv", "color,age,label\nred,1,a\n",
         {":1:1:", "'color'", "'age'", "schema", NULL}},
        {"width.csv", "age,color,extra,label\n1,red,2,a\n",
         {":1:", "3 feature columns", "2", NULL}},
        {"nolabel.csv", "age,color,type\n1,red,a\n", {"'label'", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), &o);
    dataset_release(&train);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* CSV: errors                                                               */

START_TEST(dataset_should_reject_ragged_row_with_line_and_counts)
{
    static const struct fail_case cases[] = {
        {"few.csv", "a,b,label\n1,2,x\n3,4\n", {":3:", "2 fields", "3", NULL}},
        {"many.csv", "a,b,label\n1,2,x\n3,4,y,5\n",
         {":3:", "4 fields", "has 3", NULL}},
        {"blankmid.csv", "a,label\n1,x\n\n2,y\n", {":3:", "blank line", NULL}},
        /* The record on line 2 spans lines 2-3; the ragged one starts at 4. */
        {"span.csv", "a,label\n\"1\n\",x\n2\n", {":4:", "has 1 field,", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), NULL);
}
END_TEST

START_TEST(dataset_should_reject_mixed_column_naming_first_offending_cell)
{
    static const struct fail_case cases[] = {
        {"mixnum.csv", "id,age,label\n1,30,a\n2,NA,b\n3,abc,a\n4,x,b\n",
         {":4:2:", "expected a number in column 'age'", "got 'abc'",
          "line 2", NULL}},
        {"mixtext.csv", "id,col,label\n1,red,a\n2,7,b\n",
         {":3:2:", "column 'col'", "'7'", "'red'", "categorical", NULL}},
        {"inf.csv", "v,label\n1,a\ninf,b\n", {":3:1:", "got 'inf'", NULL}},
        {"hex.csv", "v,label\n1,a\n0x10,b\n", {":3:1:", "got '0x10'", NULL}},
        {"range.csv", "v,label\n1,a\n1e300,b\n",
         {":3:1:", "'1e300'", "float32", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), NULL);
}
END_TEST

START_TEST(dataset_should_reject_bad_headers)
{
    static const struct fail_case cases[] = {
        {"dup.csv", "a,b,a,label\n1,2,3,x\n",
         {":1:3:", "duplicate column name 'a'", "columns 1 and 3", NULL}},
        {"emptyname.csv", "a,,label\n1,2,x\n",
         {":1:2:", "column 2 has an empty name", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), NULL);
}
END_TEST

START_TEST(dataset_should_reject_missing_label_with_line_and_column)
{
    static const struct fail_case cases[] = {
        {"nolab.csv", "a,label\n1,x\n2,\n", {":3:2:", "missing label", NULL}},
        {"nalab.csv", "label,a\nx,1\nNaN,2\n",
         {":3:1:", "missing label 'NaN'", "'label'", NULL}},
        {"qlab.csv", "a,label\n1,?\n", {":2:2:", "missing label", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), NULL);
}
END_TEST

START_TEST(dataset_should_reject_empty_file_and_header_only)
{
    static const struct fail_case cases[] = {
        {"empty.csv", "", {"empty", NULL}},
        {"blanks.csv", "\n\r\n", {"empty", NULL}},
        {"bomonly.csv", "\xEF\xBB\xBF", {"empty", NULL}},
        {"header.csv", "a,label\n", {"no data rows", NULL}},
        {"headerblank.csv", "a,label\n\n\n", {"no data rows", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), NULL);
}
END_TEST

START_TEST(dataset_should_reject_unknown_column_names_in_options)
{
    static const char csv[] = "a,label\n1,x\n";
    static const char *const cats[] = {"a", "nope"};
    struct dataset_opts o = {0};
    o.categorical = cats;
    o.n_categorical = 2;
    static const char *const n1[] = {"categorical column 'nope'", NULL};
    expect_fail("cat.csv", csv, &o, ERR_INPUT, n1);

    struct dataset_opts o2 = {0};
    o2.label = "target";
    static const char *const n2[] = {"label column 'target'", NULL};
    expect_fail("lab.csv", csv, &o2, ERR_INPUT, n2);
}
END_TEST

START_TEST(dataset_should_reject_bad_quoting_with_position)
{
    static const struct fail_case cases[] = {
        {"unterm.csv", "a,label\n1,x\n2,\"y\n3,z\n",
         {":3:2:", "unterminated", NULL}},
        {"bare.csv", "a,label\n1,x\"y\n", {":2:2:", "'\"'", NULL}},
        {"after.csv", "a,label\n\"1\"2,x\n", {":2:1:", "closing quote", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), NULL);
}
END_TEST

START_TEST(dataset_should_reject_nul_bytes)
{
    static const char data[] = "a,label\n1,x\n2,\0y\n";
    static const char *const n[] = {":3:", "NUL byte", NULL};
    expect_fail_bytes("nul.csv", data, sizeof data - 1, NULL, ERR_INPUT, n);
}
END_TEST

START_TEST(dataset_should_report_io_error_for_a_missing_file)
{
    struct dataset ds;
    struct error err;
    error_clear(&err);
    int rc = dataset_load(&ds, "/nonexistent/dir/missing.csv", NULL, &err);
    ck_assert_int_eq(rc, ERR_IO);
    ck_assert_int_eq(err.code, ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing.csv"));
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_ask_for_a_format_when_the_extension_is_unknown)
{
    static const char *const n[] = {"format", NULL};
    expect_fail("data.dat", "a,label\n1,x\n", NULL, ERR_INPUT, n);
    /* An explicit format overrides the extension. */
    struct dataset_opts o = {0};
    o.format = DATASET_CSV;
    struct dataset ds;
    load_text(&ds, "data.dat", "a,label\n1,x\n", &o);
    ck_assert_uint_eq(ds.n_rows, 1);
    dataset_release(&ds);
    o.format = DATASET_LIBSVM;
    load_text(&ds, "DATA.CSV.dat", "1 1:2\n", &o);
    ck_assert_uint_eq(ds.n_features, 1);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_truncate_huge_values_in_messages)
{
    size_t big = 1u << 20;
    char *csv = malloc(big + 64);
    ck_assert_ptr_nonnull(csv);
    size_t o = (size_t)sprintf(csv, "v,label\n1,a\n");
    memset(csv + o, 'z', big);
    o += big;
    memcpy(csv + o, ",b\n", 4);
    static const char *const n[] = {":3:1:", "zzz...", NULL};
    expect_fail_bytes("huge.csv", csv, o + 3, NULL, ERR_INPUT, n);
    free(csv);
}
END_TEST

START_TEST(dataset_should_fill_sha256_of_the_file_bytes)
{
    static const char csv[] = "a,label\n1,x\n";
    char want[65];
    sha256_hex(csv, strlen(csv), want);
    struct dataset ds;
    load_text(&ds, "hash.csv", csv, NULL);
    ck_assert_str_eq(ds.sha256, want);
    ck_assert_ptr_nonnull(strstr(ds.path, "hash.csv"));
    dataset_release(&ds);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* LibSVM                                                                    */

START_TEST(dataset_should_load_libsvm_with_zero_fill_and_comments)
{
    static const char svm[] =
        "# a comment line\n"
        "+1 1:0.5 3:-2 # trailing comment\n"
        "-1 2:7\r\n"
        "\n"
        "+1\t1:1e1\t4:3\n"
        "-1";
    struct dataset ds;
    load_text(&ds, "a.svm", svm, NULL);
    ck_assert_uint_eq(ds.n_rows, 4);
    ck_assert_uint_eq(ds.n_features, 4);
    ck_assert_str_eq(ds.schema.label_name, "label");
    ck_assert_str_eq(ds.schema.features[0].name, "f1");
    ck_assert_str_eq(ds.schema.features[3].name, "f4");
    ck_assert(!ds.schema.named); /* made-up names */
    static const float want[4][4] = {
        {0.5f, 0, -2, 0}, {0, 7, 0, 0}, {10, 0, 0, 3}, {0, 0, 0, 0}};
    for (size_t r = 0; r < 4; r++)
        for (size_t j = 0; j < 4; j++)
            ck_assert_float_eq_tol(X(&ds, r, j), want[r][j], FTOL);
    /* "-1" < "+1" numerically. */
    static const char *const classes[] = {"-1", "+1"};
    assert_classes(&ds, classes, 2);
    static const int32_t y[] = {1, 0, 1, 0};
    for (size_t r = 0; r < 4; r++)
        ck_assert_int_eq(ds.y[r], y[r]);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_detect_zero_based_libsvm_indices)
{
    struct dataset ds;
    load_text(&ds, "z.libsvm", "a 0:1 2:3\nb 1:5\n", NULL);
    ck_assert_uint_eq(ds.n_features, 3);
    ck_assert_str_eq(ds.schema.features[0].name, "f0");
    ck_assert_str_eq(ds.schema.features[2].name, "f2");
    ck_assert_float_eq(X(&ds, 0, 0), 1.0f);
    ck_assert_float_eq(X(&ds, 0, 2), 3.0f);
    ck_assert_float_eq(X(&ds, 1, 1), 5.0f);
    static const char *const classes[] = {"a", "b"};
    assert_classes(&ds, classes, 2);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_widen_libsvm_to_the_hint)
{
    struct dataset_opts o = {0};
    o.n_features_hint = 10;
    struct dataset ds;
    load_text(&ds, "h.svmlight", "1 2:1\n0 3:1\n", &o);
    ck_assert_uint_eq(ds.n_features, 10);
    ck_assert_uint_eq(ds.schema.n_features, 10);
    ck_assert_str_eq(ds.schema.features[9].name, "f10");
    ck_assert_float_eq(X(&ds, 1, 2), 1.0f);
    ck_assert_float_eq(X(&ds, 1, 9), 0.0f);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_should_reject_bad_libsvm_lines_with_line_and_token)
{
    static const struct fail_case cases[] = {
        {"order.svm", "1 1:1 3:1\n0 3:1 2:1\n",
         {":2:3:", "index 2 after 3", "increasing", NULL}},
        {"repeat.svm", "1 1:1 1:2\n", {":1:3:", "increasing", NULL}},
        {"token.svm", "1 1:1\n0 1:1 junk\n", {":2:3:", "'junk'", NULL}},
        {"negidx.svm", "1 -1:1\n", {":1:2:", "'-1:1'", NULL}},
        {"value.svm", "1 1:abc\n", {":1:2:", "number", "'abc'", NULL}},
        {"nanval.svm", "1 1:nan\n", {":1:2:", "'nan'", NULL}},
        {"emptyval.svm", "1 1:\n", {":1:2:", "number", NULL}},
        {"nanlab.svm", "1 1:1\nNaN 1:2\n", {":2:1:", "missing label", NULL}},
        {"nolab.svm", "1:1 2:2\n", {":1:1:", "expected a label", NULL}},
        {"bigidx.svm", "1 99999999:1\n", {":1:2:", "too large", NULL}},
        {"empty.svm", "# only comments\n\n", {"no data rows", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), NULL);
}
END_TEST

START_TEST(dataset_should_apply_a_schema_to_a_later_libsvm_file)
{
    struct dataset train, test;
    load_text(&train, "train.svm", "+1 1:1 3:1\n-1 2:1\n", NULL);
    struct dataset_opts o = {0};
    o.schema = &train.schema;
    load_text(&test, "test.svm", "+1 2:4\n", &o);
    ck_assert_uint_eq(test.n_features, 3);
    ck_assert_float_eq(X(&test, 0, 1), 4.0f);
    ck_assert_int_eq(test.y[0], 1);
    dataset_release(&test);

    static const struct fail_case cases[] = {
        {"wide.svm", "+1 4:1\n", {":1:2:", "index 4", "3 features", NULL}},
        {"zero.svm", "+1 0:1\n", {":1:2:", "index 0", NULL}},
        {"class.svm", "+1 1:1\n2 1:1\n",
         {":2:1:", "label '2' outside the class set {-1, +1}", NULL}},
    };
    run_fail_cases(cases, ARRAY_LEN(cases), &o);
    dataset_release(&train);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Subsets, copies, counts, release                                          */

START_TEST(dataset_subset_should_copy_rows_in_order_with_duplicates)
{
    struct dataset ds, sub;
    struct error err;
    error_clear(&err);
    load_text(&ds, "sub.csv", "a,b,label\n1,2,x\n3,4,y\n5,6,x\n", NULL);
    static const size_t idx[] = {2, 0, 2, 1};
    ck_assert_int_eq(dataset_subset(&sub, &ds, idx, 4, &err), 0);
    ck_assert_uint_eq(sub.n_rows, 4);
    ck_assert_uint_eq(sub.n_features, 2);
    static const float a[] = {5, 1, 5, 3};
    static const int32_t y[] = {0, 0, 0, 1};
    for (size_t r = 0; r < 4; r++) {
        ck_assert_float_eq(X(&sub, r, 0), a[r]);
        ck_assert_float_eq(X(&sub, r, 1), a[r] + 1);
        ck_assert_int_eq(sub.y[r], y[r]);
    }
    ck_assert_str_eq(sub.path, ds.path);
    ck_assert_str_eq(sub.sha256, ds.sha256);
    ck_assert_ptr_ne(sub.schema.class_names, ds.schema.class_names);
    ck_assert_str_eq(sub.schema.class_names[1], "y");
    dataset_release(&ds);
    /* The subset's schema survives its source. */
    ck_assert_str_eq(sub.schema.features[1].name, "b");
    dataset_release(&sub);

    /* An empty subset and an out-of-range row. */
    load_text(&ds, "sub.csv", "a,label\n1,x\n", NULL);
    ck_assert_int_eq(dataset_subset(&sub, &ds, NULL, 0, &err), 0);
    ck_assert_uint_eq(sub.n_rows, 0);
    dataset_release(&sub);
    static const size_t bad[] = {1};
    ck_assert_int_ne(dataset_subset(&sub, &ds, bad, 1, &err), 0);
    ck_assert_ptr_null(sub.x);
    dataset_release(&sub);
    dataset_release(&ds);
}
END_TEST

START_TEST(schema_copy_should_make_an_independent_deep_copy)
{
    struct dataset ds;
    struct schema s;
    struct error err;
    error_clear(&err);
    load_text(&ds, "sc.csv", "c,n,label\nred,1,a\nblue,2,b\n", NULL);
    ck_assert_int_eq(schema_copy(&s, &ds.schema, &err), 0);
    dataset_release(&ds);
    ck_assert_str_eq(s.label_name, "label");
    ck_assert_uint_eq(s.n_features, 2);
    ck_assert_str_eq(s.features[0].categories[1], "blue");
    ck_assert_int_eq(s.features[1].type, COLUMN_NUMERIC);
    ck_assert_str_eq(s.class_names[0], "a");
    schema_release(&s);
    ck_assert_ptr_null(s.features);
    schema_release(&s);
    schema_release(NULL);
}
END_TEST

START_TEST(dataset_class_counts_should_count_rows_per_class)
{
    struct dataset ds;
    load_text(&ds, "cnt.csv", "x,label\n1,b\n2,a\n3,b\n4,c\n5,b\n", NULL);
    size_t counts[3];
    dataset_class_counts(&ds, counts);
    ck_assert_uint_eq(counts[0], 1);
    ck_assert_uint_eq(counts[1], 3);
    ck_assert_uint_eq(counts[2], 1);
    dataset_release(&ds);
}
END_TEST

START_TEST(dataset_release_should_accept_null_zeroed_and_released)
{
    struct dataset ds;
    memset(&ds, 0, sizeof ds);
    dataset_release(NULL);
    dataset_release(&ds);
    load_text(&ds, "rel.csv", "x,label\n1,a\n", NULL);
    dataset_release(&ds);
    dataset_release(&ds);
    ck_assert_ptr_null(ds.x);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Robustness and speed                                                      */

START_TEST(dataset_should_survive_random_bytes_without_crashing)
{
    /* Bytes from an alphabet rich in delimiters, plus arbitrary bytes. */
    static const char alpha[] = ",,,\"\"\n\n\r:: #01-.eNA?abc\t";
    struct rng r;
    rng_seed(&r, 20240601);
    char buf[256];
    for (int it = 0; it < 400; it++) {
        size_t n = (size_t)rng_below(&r, sizeof buf);
        for (size_t i = 0; i < n; i++) {
            uint64_t u = rng_below(&r, 10);
            buf[i] = u == 0 ? (char)(1 + rng_below(&r, 255))
                            : alpha[rng_below(&r, sizeof alpha - 1)];
        }
        for (int fmt = 0; fmt < 2; fmt++) {
            struct tmp t;
            struct error err;
            struct dataset ds;
            error_clear(&err);
            tmp_dir(&t);
            tmp_put(&t, fmt ? "r.svm" : "r.csv", buf, n);
            int rc = dataset_load(&ds, t.path, NULL, &err);
            tmp_done(&t);
            ck_assert_msg(rc == 0 || rc == ERR_INPUT, "rc %d: %s", rc, err.msg);
            if (rc == 0) {
                ck_assert_uint_gt(ds.n_rows, 0);
                for (size_t i = 0; i < ds.n_rows; i++)
                    ck_assert(ds.y[i] >= 0 &&
                              (size_t)ds.y[i] < ds.schema.n_classes);
            } else {
                ck_assert_uint_gt(strlen(err.msg), 0);
            }
            dataset_release(&ds);
        }
    }
}
END_TEST

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Timing means nothing under valgrind (it preloads vgpreload_*.so) or a
 * sanitizer build. */
static int instrumented(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#else
    const char *p = getenv("LD_PRELOAD");
    return p && strstr(p, "vgpreload") != NULL;
#endif
}

START_TEST(dataset_should_load_100k_rows_by_50_columns_in_well_under_a_second)
{
    enum { ROWS = 100000, COLS = 50 };
    size_t cap = (size_t)ROWS * COLS * 12 + 4096, o = 0;
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    for (int j = 0; j < COLS; j++)
        o += (size_t)snprintf(csv + o, cap - o, "c%d,", j);
    o += (size_t)snprintf(csv + o, cap - o, "label\n");
    struct rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++)
            o += (size_t)snprintf(csv + o, cap - o, "%.4f,",
                                  rng_uniform(&r) * 100.0);
        o += (size_t)snprintf(csv + o, cap - o, "%s\n", i % 3 ? "pos" : "neg");
    }
    struct tmp t;
    struct error err;
    struct dataset ds;
    error_clear(&err);
    tmp_dir(&t);
    tmp_put(&t, "big.csv", csv, o);
    free(csv);
    double t0 = now_seconds();
    int rc = dataset_load(&ds, t.path, NULL, &err);
    double dt = now_seconds() - t0;
    tmp_done(&t);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_uint_eq(ds.n_rows, ROWS);
    ck_assert_uint_eq(ds.n_features, COLS);
    if (!instrumented())
        ck_assert_msg(dt < 1.0, "loading took %.3f s", dt);
    dataset_release(&ds);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                  */

START_TEST(dataset_should_load_the_fixture_datasets)
{
    static const struct {
        const char *path;
        size_t rows, features, classes;
    } fx[] = {
        {FIXTURE("spam.csv"), 4601, 57, 2},
        {FIXTURE("satellite.csv"), 6435, 36, 6},
        {FIXTURE("income.csv"), 8993, 13, 9},
    };
    for (size_t i = 0; i < ARRAY_LEN(fx); i++) {
        struct dataset ds;
        struct error err;
        error_clear(&err);
        int rc = dataset_load(&ds, fx[i].path, NULL, &err);
        ck_assert_msg(rc == 0, "%s", err.msg);
        ck_assert_uint_eq(ds.n_rows, fx[i].rows);
        ck_assert_uint_eq(ds.n_features, fx[i].features);
        ck_assert_uint_eq(ds.schema.n_classes, fx[i].classes);
        ck_assert_str_eq(ds.schema.label_name, "label");
        dataset_release(&ds);
    }
}
END_TEST

START_TEST(dataset_should_type_fixture_columns_as_documented)
{
    struct dataset ds;
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(dataset_load(&ds, FIXTURE("income.csv"), NULL, &err),
                     0);
    size_t missing = 0;
    for (size_t j = 0; j < ds.n_features; j++)
        ck_assert_int_eq(ds.schema.features[j].type, COLUMN_CATEGORICAL);
    for (size_t i = 0; i < ds.n_rows * ds.n_features; i++)
        missing += isnan(ds.x[i]) ? 1 : 0;
    ck_assert_uint_gt(missing, 0);
    dataset_release(&ds);

    ck_assert_int_eq(dataset_load(&ds, FIXTURE("spam.csv"), NULL, &err), 0);
    static const char *const spam[] = {"nonspam", "spam"};
    assert_classes(&ds, spam, 2);
    size_t counts[2];
    dataset_class_counts(&ds, counts);
    ck_assert_uint_eq(counts[0], 2788); /* kernlab's ?spam */
    ck_assert_uint_eq(counts[1], 1813);
    for (size_t j = 0; j < ds.n_features; j++)
        ck_assert_int_eq(ds.schema.features[j].type, COLUMN_NUMERIC);
    dataset_release(&ds);

    ck_assert_int_eq(
        dataset_load(&ds, FIXTURE("satellite.csv"), NULL, &err), 0);
    static const char *const sat[] = {"cotton crop", "damp grey soil",
                                      "grey soil", "red soil",
                                      "vegetation stubble",
                                      "very damp grey soil"};
    assert_classes(&ds, sat, 6);
    dataset_release(&ds);
}
END_TEST

Suite *dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, dataset_should_load_numeric_categorical_and_missing_values);
    tcase_add_test(tc, dataset_should_parse_numbers_exactly_like_strtod);
    tcase_add_test(tc, dataset_should_parse_quoted_fields_with_escapes_commas_and_newlines);
    tcase_add_test(tc, dataset_should_accept_crlf_bom_and_missing_final_newline);
    tcase_add_test(tc, dataset_should_ignore_trailing_blank_lines);
    tcase_add_test(tc, dataset_should_keep_non_utf8_bytes_as_category_text);
    tcase_add_test(tc, dataset_should_choose_label_by_name_then_label_column_then_first);
    tcase_add_test(tc, dataset_should_order_numeric_classes_by_value);
    tcase_add_test(tc, dataset_should_order_text_classes_bytewise);
    tcase_add_test(tc, dataset_should_allow_a_single_class);
    tcase_add_test(tc, dataset_should_force_named_columns_categorical);
    tcase_add_test(tc, dataset_should_type_an_all_missing_column_numeric);
    tcase_add_test(tc, dataset_should_reuse_a_schema_encoding_for_a_later_file);
    tcase_add_test(tc, dataset_should_reject_violations_of_a_reused_schema);
    tcase_add_test(tc, dataset_should_reject_ragged_row_with_line_and_counts);
    tcase_add_test(tc, dataset_should_reject_mixed_column_naming_first_offending_cell);
    tcase_add_test(tc, dataset_should_reject_bad_headers);
    tcase_add_test(tc, dataset_should_reject_missing_label_with_line_and_column);
    tcase_add_test(tc, dataset_should_reject_empty_file_and_header_only);
    tcase_add_test(tc, dataset_should_reject_unknown_column_names_in_options);
    tcase_add_test(tc, dataset_should_reject_bad_quoting_with_position);
    tcase_add_test(tc, dataset_should_reject_nul_bytes);
    tcase_add_test(tc, dataset_should_report_io_error_for_a_missing_file);
    tcase_add_test(tc, dataset_should_ask_for_a_format_when_the_extension_is_unknown);
    tcase_add_test(tc, dataset_should_truncate_huge_values_in_messages);
    tcase_add_test(tc, dataset_should_fill_sha256_of_the_file_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("libsvm");
    tcase_add_test(tc, dataset_should_load_libsvm_with_zero_fill_and_comments);
    tcase_add_test(tc, dataset_should_detect_zero_based_libsvm_indices);
    tcase_add_test(tc, dataset_should_widen_libsvm_to_the_hint);
    tcase_add_test(tc, dataset_should_reject_bad_libsvm_lines_with_line_and_token);
    tcase_add_test(tc, dataset_should_apply_a_schema_to_a_later_libsvm_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("ops");
    tcase_add_test(tc, dataset_subset_should_copy_rows_in_order_with_duplicates);
    tcase_add_test(tc, schema_copy_should_make_an_independent_deep_copy);
    tcase_add_test(tc, dataset_class_counts_should_count_rows_per_class);
    tcase_add_test(tc, dataset_release_should_accept_null_zeroed_and_released);
    suite_add_tcase(s, tc);

    tc = tcase_create("robustness");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, dataset_should_survive_random_bytes_without_crashing);
    tcase_add_test(tc, dataset_should_load_100k_rows_by_50_columns_in_well_under_a_second);
    tcase_add_test(tc, dataset_should_load_the_fixture_datasets);
    tcase_add_test(tc, dataset_should_type_fixture_columns_as_documented);
    suite_add_tcase(s, tc);
    return s;
}
