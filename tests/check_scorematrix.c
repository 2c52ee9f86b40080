/*
 * tests/check_scorematrix.c - the score matrix, its column accessors and its
 * binary file (attacks/scorematrix.h).
 *
 * Reference values: the golden file bytes and digest were computed with
 *   /usr/bin/python3 -c "import struct, hashlib; b = b'PAMX' +
 *     struct.pack('<IQQ', 1, 2, 1) + struct.pack('<ff', 1.5, -2.0) +
 *     bytes([1, 0]); print(b.hex()); print(hashlib.sha256(b).hexdigest())"
 * and log p_y by scipy.special.log_expit (SciPy 1.10, Debian python3-scipy).
 */
#include "attacks/scorematrix.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rng.h"
#include "core/sha256.h"

#define TOL_LOGPY 1e-15

struct tmp {
    char dir[64];
    char path[128];
};

static void tmp_make(struct tmp *t, const char *name)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/privaudit-pamx-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
}

static void tmp_clean(struct tmp *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

static void init_ok(struct score_matrix *m, size_t n, size_t k)
{
    struct error err;
    error_clear(&err);
    int rc = score_matrix_init(m, n, k, &err);
    ck_assert_msg(rc == ERR_OK, "init: %s", err.msg);
}

/* A matrix of random stats and bits (deterministic). */
static void random_matrix(struct score_matrix *m, size_t n, size_t k,
                          uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed);
    init_ok(m, n, k);
    for (size_t c = 0; c < n * k; c++) {
        m->stat[c] = (float)(3.0 * rng_normal(&r));
        m->in[c] = rng_uniform(&r) < 0.5;
    }
}

static void write_bytes(const char *path, const uint8_t *b, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(b, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

static uint8_t *read_bytes(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    long sz = ftell(fp);
    ck_assert_int_ge(sz, 0);
    ck_assert_int_eq(fseek(fp, 0, SEEK_SET), 0);
    uint8_t *b = malloc((size_t)sz + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)sz, fp), (size_t)sz);
    fclose(fp);
    *len = (size_t)sz;
    return b;
}

/* Load must fail with ERR_INPUT, a message naming the file and containing
 * `what`; *m must come back zeroed. */
static void assert_load_input_error(const char *path, const char *what)
{
    struct score_matrix m;
    struct error err;
    error_clear(&err);
    int rc = score_matrix_load(&m, path, &err);
    ck_assert_msg(rc == ERR_INPUT, "rc %d (%s), want input error", rc,
                  err.msg);
    ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0,
                  "message does not start with the path: %s", err.msg);
    ck_assert_msg(strstr(err.msg, what) != NULL, "message '%s' lacks '%s'",
                  err.msg, what);
    ck_assert_ptr_null(m.stat);
    ck_assert_ptr_null(m.in);
    ck_assert_uint_eq(m.n_examples, 0);
}

/* Rewrite the trailing digest so a deliberately edited file is
 * "well-formed" again (tests the checks behind the digest). */
static void refresh_digest(uint8_t *b, size_t len)
{
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, b, len - SCORE_MATRIX_DIGEST_BYTES);
    sha256_final(&h, b + len - SCORE_MATRIX_DIGEST_BYTES);
}

START_TEST(init_should_fill_nan_and_zero_bits)
{
    struct score_matrix m;
    init_ok(&m, 3, 4);
    ck_assert_uint_eq(m.n_examples, 3);
    ck_assert_uint_eq(m.n_models, 4);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++) {
            ck_assert(isnan(score_matrix_stat(&m, i, j)));
            ck_assert_int_eq(score_matrix_is_in(&m, i, j), 0);
        }
    score_matrix_release(&m);
    ck_assert_ptr_null(m.stat);
    score_matrix_release(&m); /* twice is fine */
    score_matrix_release(NULL);
}
END_TEST

START_TEST(init_should_reject_empty_and_huge_dimensions)
{
    static const size_t dims[][2] = {{0, 3}, {3, 0}, {0, 0}};
    for (size_t c = 0; c < sizeof dims / sizeof dims[0]; c++) {
        struct score_matrix m;
        struct error err;
        error_clear(&err);
        ck_assert_int_eq(score_matrix_init(&m, dims[c][0], dims[c][1], &err),
                         ERR_INPUT);
        ck_assert_ptr_null(m.stat);
    }
    struct score_matrix m;
    struct error err;
    ck_assert_int_eq(score_matrix_init(&m, SIZE_MAX / 2, 4, &err), ERR_NOMEM);
    ck_assert_ptr_null(m.stat);
}
END_TEST

START_TEST(set_and_get_column_should_round_trip_and_count_in)
{
    struct score_matrix m;
    struct error err;
    init_ok(&m, 4, 3);
    const float stat[4] = {1.0f, -2.5f, 3.25f, 0.0f};
    const uint8_t in[4] = {1, 0, 7, 0}; /* nonzero = IN, stored as 1 */
    ck_assert_int_eq(score_matrix_set_column(&m, 2, stat, in, &err), ERR_OK);
    float got[4];
    uint8_t gin[4];
    ck_assert_int_eq(score_matrix_get_column(&m, 2, got, gin, &err), ERR_OK);
    for (size_t i = 0; i < 4; i++) {
        ck_assert(got[i] == stat[i]);
        ck_assert_uint_eq(gin[i], in[i] != 0);
        ck_assert(score_matrix_stat(&m, i, 2) == stat[i]);
        ck_assert(isnan(score_matrix_stat(&m, i, 1)));
    }
    ck_assert_uint_eq(score_matrix_column_n_in(&m, 2), 2);
    ck_assert_uint_eq(score_matrix_column_n_in(&m, 0), 0);
    ck_assert_int_eq(score_matrix_get_column(&m, 0, NULL, gin, &err), ERR_OK);
    ck_assert_int_eq(score_matrix_set_column(&m, 3, stat, in, &err),
                     ERR_INPUT);
    ck_assert_int_eq(score_matrix_get_column(&m, 3, got, gin, &err),
                     ERR_INPUT);
    score_matrix_release(&m);
}
END_TEST

START_TEST(refs_should_default_to_all_but_target_and_check_mask)
{
    struct score_matrix m;
    struct error err;
    init_ok(&m, 2, 4);
    uint8_t refs[4];
    size_t nr;
    ck_assert_int_eq(score_matrix_refs(&m, 1, NULL, refs, &nr, &err), ERR_OK);
    ck_assert_uint_eq(nr, 3);
    ck_assert(refs[0] && !refs[1] && refs[2] && refs[3]);
    const uint8_t mask[4] = {0, 0, 1, 0};
    ck_assert_int_eq(score_matrix_refs(&m, 1, mask, refs, &nr, &err), ERR_OK);
    ck_assert_uint_eq(nr, 1);
    const uint8_t with_target[4] = {1, 1, 0, 0};
    ck_assert_int_eq(score_matrix_refs(&m, 1, with_target, refs, &nr, &err),
                     ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "target column 1"));
    const uint8_t none[4] = {0, 0, 0, 0};
    ck_assert_int_eq(score_matrix_refs(&m, 1, none, refs, &nr, &err),
                     ERR_INPUT);
    ck_assert_int_eq(score_matrix_refs(&m, 4, NULL, refs, &nr, &err),
                     ERR_INPUT);
    score_matrix_release(&m);
}
END_TEST

START_TEST(log_py_should_match_scipy_log_expit)
{
    /* scipy.special.log_expit(v) for each v. */
    static const double cases[][2] = {
        {0.0, -0.6931471805599453},
        {1.0, -0.31326168751822286},
        {-1.0, -1.3132616875182228},
        {30.0, -9.357622968839737e-14},
        {-30.0, -30.000000000000092},
        {700.0, -9.85967654375977e-305},
        {-700.0, -700.0},
        {1e-8, -0.6931471755599453},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double got = score_matrix_log_py(cases[c][0]);
        double want = cases[c][1];
        ck_assert_msg(fabs(got - want) <= TOL_LOGPY * fabs(want),
                      "log_py(%g) = %.17g, want %.17g", cases[c][0], got,
                      want);
    }
}
END_TEST

START_TEST(save_should_write_documented_little_endian_bytes)
{
    static const uint8_t want_head[] = {
        0x50, 0x41, 0x4d, 0x58, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x01,
        0x00};
    static const char want_digest[] =
        "42ac3afe71fca03312b88f6f42c346e55c8aef93ac7d28e959463ae835933381";
    struct tmp t;
    struct score_matrix m;
    struct error err;
    tmp_make(&t, "golden.pamx");
    init_ok(&m, 2, 1);
    m.stat[0] = 1.5f;
    m.stat[1] = -2.0f;
    m.in[0] = 1;
    ck_assert_int_eq(score_matrix_save(&m, t.path, &err), ERR_OK);
    size_t len;
    uint8_t *b = read_bytes(t.path, &len);
    ck_assert_uint_eq(len, sizeof want_head + 32);
    ck_assert_mem_eq(b, want_head, sizeof want_head);
    char hex[65];
    for (size_t q = 0; q < 32; q++)
        snprintf(hex + 2 * q, 3, "%02x", b[sizeof want_head + q]);
    ck_assert_str_eq(hex, want_digest);
    free(b);
    score_matrix_release(&m);
    tmp_clean(&t);
}
END_TEST

START_TEST(save_then_load_should_round_trip_bit_for_bit)
{
    struct tmp t;
    struct score_matrix m, back;
    struct error err;
    tmp_make(&t, "m.pamx");
    /* 3000 x 7 = 21000 cells: more than one internal chunk. */
    random_matrix(&m, 3000, 7, 42);
    m.stat[0] = NAN;
    m.stat[1] = -0.0f;
    m.stat[2] = INFINITY;
    m.stat[3] = 1e-40f; /* subnormal */
    ck_assert_int_eq(score_matrix_save(&m, t.path, &err), ERR_OK);
    error_clear(&err);
    int rc = score_matrix_load(&back, t.path, &err);
    ck_assert_msg(rc == ERR_OK, "load: %s", err.msg);
    ck_assert_uint_eq(back.n_examples, 3000);
    ck_assert_uint_eq(back.n_models, 7);
    ck_assert_mem_eq(back.stat, m.stat, 3000 * 7 * sizeof(float));
    ck_assert_mem_eq(back.in, m.in, 3000 * 7);
    score_matrix_release(&m);
    score_matrix_release(&back);
    tmp_clean(&t);
}
END_TEST

START_TEST(corrupted_byte_anywhere_should_be_detected)
{
    struct tmp t;
    struct score_matrix m;
    struct error err;
    tmp_make(&t, "c.pamx");
    random_matrix(&m, 50, 3, 7);
    ck_assert_int_eq(score_matrix_save(&m, t.path, &err), ERR_OK);
    size_t len;
    uint8_t *orig = read_bytes(t.path, &len);
    ck_assert_uint_eq(len, 24 + 150 * 5 + 32);
    /* A float byte, an in byte, a digest byte: checksum mismatch. */
    static const size_t at[] = {24, 24 + 4 * 75 + 1, 24 + 600, 24 + 700,
                                24 + 750, 24 + 750 + 31};
    uint8_t *b = malloc(len);
    ck_assert_ptr_nonnull(b);
    for (size_t c = 0; c < sizeof at / sizeof at[0]; c++) {
        memcpy(b, orig, len);
        b[at[c]] ^= 0x04;
        write_bytes(t.path, b, len);
        assert_load_input_error(t.path, "checksum mismatch");
    }
    /* A dimension byte: the size no longer matches. */
    memcpy(b, orig, len);
    b[8] ^= 0x01; /* 50 -> 51 examples */
    write_bytes(t.path, b, len);
    assert_load_input_error(t.path, "truncated");
    memcpy(b, orig, len);
    b[8] = 49; /* fewer examples: bytes left over */
    write_bytes(t.path, b, len);
    assert_load_input_error(t.path, "trailing bytes");
    free(b);
    free(orig);
    score_matrix_release(&m);
    tmp_clean(&t);
}
END_TEST

START_TEST(truncated_file_should_be_input_error_naming_file)
{
    struct tmp t;
    struct score_matrix m;
    struct error err;
    tmp_make(&t, "t.pamx");
    random_matrix(&m, 20, 2, 9);
    ck_assert_int_eq(score_matrix_save(&m, t.path, &err), ERR_OK);
    size_t len;
    uint8_t *orig = read_bytes(t.path, &len);
    static const size_t keep[] = {10, 23, 24, 25, 24 + 80, 24 + 160 + 39,
                                  24 + 200 + 31};
    for (size_t c = 0; c < sizeof keep / sizeof keep[0]; c++) {
        write_bytes(t.path, orig, keep[c]);
        assert_load_input_error(t.path, "truncated");
    }
    write_bytes(t.path, orig, 0);
    assert_load_input_error(t.path, "not a score matrix");
    write_bytes(t.path, orig, 3);
    assert_load_input_error(t.path, "not a score matrix");
    free(orig);
    score_matrix_release(&m);
    tmp_clean(&t);
}
END_TEST

START_TEST(trailing_bytes_bad_magic_version_dims_should_be_input_errors)
{
    struct tmp t;
    struct score_matrix m;
    struct error err;
    tmp_make(&t, "x.pamx");
    random_matrix(&m, 5, 2, 11);
    ck_assert_int_eq(score_matrix_save(&m, t.path, &err), ERR_OK);
    size_t len;
    uint8_t *orig = read_bytes(t.path, &len);
    uint8_t *b = malloc(len + 1);
    ck_assert_ptr_nonnull(b);

    memcpy(b, orig, len);
    b[len] = 0;
    write_bytes(t.path, b, len + 1);
    assert_load_input_error(t.path, "trailing bytes");

    memcpy(b, orig, len);
    b[0] = 'Q';
    write_bytes(t.path, b, len);
    assert_load_input_error(t.path, "not a score matrix");

    memcpy(b, orig, len);
    b[4] = 2;
    write_bytes(t.path, b, len);
    assert_load_input_error(t.path, "unsupported score matrix version 2");

    memcpy(b, orig, len);
    memset(b + 16, 0, 8); /* 0 models */
    write_bytes(t.path, b, len);
    assert_load_input_error(t.path, "invalid score matrix dimensions");

    memcpy(b, orig, len);
    memset(b + 8, 0xff, 8); /* 2^64 - 1 examples */
    write_bytes(t.path, b, len);
    assert_load_input_error(t.path, "invalid score matrix dimensions");

    /* An in bit of 2 behind a valid digest. */
    memcpy(b, orig, len);
    b[24 + 40 + 3] = 2;
    refresh_digest(b, len);
    write_bytes(t.path, b, len);
    assert_load_input_error(t.path, "in bit of example 1, model 1 is 2");

    free(b);
    free(orig);
    score_matrix_release(&m);
    tmp_clean(&t);
}
END_TEST

START_TEST(missing_file_should_be_io_error)
{
    struct score_matrix m;
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(
        score_matrix_load(&m, "/nonexistent/privaudit/no.pamx", &err),
        ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "no.pamx"));
    ck_assert_ptr_null(m.stat);
    struct score_matrix w;
    init_ok(&w, 1, 1);
    ck_assert_int_eq(
        score_matrix_save(&w, "/nonexistent/privaudit/no.pamx", &err),
        ERR_IO);
    score_matrix_release(&w);
    ck_assert_int_eq(score_matrix_save(&w, "/tmp/never.pamx", &err),
                     ERR_INPUT); /* released: 0 x 0 */
    ck_assert_int_eq(access("/tmp/never.pamx", F_OK), -1);
}
END_TEST

START_TEST(column_files_should_assemble_into_matrix)
{
    struct tmp t[3];
    struct score_matrix full, col, got;
    struct error err;
    random_matrix(&full, 40, 3, 5);
    init_ok(&got, 40, 3);
    for (size_t j = 0; j < 3; j++) {
        tmp_make(&t[j], "col.pamx");
        init_ok(&col, 40, 1);
        ck_assert_int_eq(score_matrix_get_column(&full, j, col.stat, col.in,
                                                 &err),
                         ERR_OK);
        ck_assert_int_eq(score_matrix_save(&col, t[j].path, &err), ERR_OK);
        score_matrix_release(&col);
    }
    /* Assembled in a different order than written. */
    static const size_t order[3] = {2, 0, 1};
    for (size_t q = 0; q < 3; q++) {
        size_t j = order[q];
        error_clear(&err);
        int rc = score_matrix_load_column(&got, j, t[j].path, &err);
        ck_assert_msg(rc == ERR_OK, "load_column: %s", err.msg);
    }
    ck_assert_mem_eq(got.stat, full.stat, 40 * 3 * sizeof(float));
    ck_assert_mem_eq(got.in, full.in, 40 * 3);

    /* Wrong shapes and indices leave the matrix alone. */
    ck_assert_int_eq(score_matrix_load_column(&got, 3, t[0].path, &err),
                     ERR_INPUT);
    struct score_matrix small;
    init_ok(&small, 39, 3);
    ck_assert_int_eq(score_matrix_load_column(&small, 0, t[0].path, &err),
                     ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "expected a 39 x 1 score column"));
    ck_assert(isnan(small.stat[0]));
    score_matrix_release(&small);
    struct tmp wide;
    tmp_make(&wide, "wide.pamx");
    ck_assert_int_eq(score_matrix_save(&full, wide.path, &err), ERR_OK);
    ck_assert_int_eq(score_matrix_load_column(&got, 0, wide.path, &err),
                     ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "got 40 x 3"));
    ck_assert_mem_eq(got.stat, full.stat, 40 * 3 * sizeof(float));
    tmp_clean(&wide);
    for (size_t j = 0; j < 3; j++)
        tmp_clean(&t[j]);
    score_matrix_release(&full);
    score_matrix_release(&got);
}
END_TEST

Suite *scorematrix_suite(void)
{
    Suite *s = suite_create("scorematrix");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, init_should_fill_nan_and_zero_bits);
    tcase_add_test(tc, init_should_reject_empty_and_huge_dimensions);
    tcase_add_test(tc, set_and_get_column_should_round_trip_and_count_in);
    tcase_add_test(tc, refs_should_default_to_all_but_target_and_check_mask);
    tcase_add_test(tc, log_py_should_match_scipy_log_expit);
    suite_add_tcase(s, tc);
    TCase *io = tcase_create("file");
    tcase_add_test(io, save_should_write_documented_little_endian_bytes);
    tcase_add_test(io, save_then_load_should_round_trip_bit_for_bit);
    tcase_add_test(io, corrupted_byte_anywhere_should_be_detected);
    tcase_add_test(io, truncated_file_should_be_input_error_naming_file);
    tcase_add_test(io,
                   trailing_bytes_bad_magic_version_dims_should_be_input_errors);
    tcase_add_test(io, missing_file_should_be_io_error);
    tcase_add_test(io, column_files_should_assemble_into_matrix);
    suite_add_tcase(s, io);
    return s;
}
