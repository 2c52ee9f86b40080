/*
 * attacks/scorematrix.c - score matrix storage and its binary file (see
 * scorematrix.h for the format).
 *
 * Portability: every integer and float is encoded byte by byte with shifts
 * (floats through their binary32 bit pattern, memcpy into a uint32_t), so
 * the file is little-endian whatever the host order.  Save and load stream
 * the payload through a fixed buffer and hash it on the way, so neither
 * holds a second copy of a large matrix.
 */
#include "attacks/scorematrix.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/sha256.h"

#define CHUNK 4096 /* elements per encode/decode batch */

void score_matrix_release(struct score_matrix *m)
{
    if (!m)
        return;
    free(m->stat);
    free(m->in);
    memset(m, 0, sizeof *m);
}

/* n_examples * n_models without overflow, and small enough that the file
 * size (5 bytes per element plus header and digest) fits in size_t. */
static int checked_cells(size_t n_examples, size_t n_models, size_t *cells)
{
    if (n_models != 0 && n_examples > SIZE_MAX / n_models)
        return 0;
    size_t c = n_examples * n_models;
    if (c > (SIZE_MAX - 64) / 5)
        return 0;
    *cells = c;
    return 1;
}

int score_matrix_init(struct score_matrix *m, size_t n_examples,
                      size_t n_models, struct error *err)
{
    memset(m, 0, sizeof *m);
    if (n_examples == 0 || n_models == 0)
        return error_set(err, ERR_INPUT,
                         "score matrix: expected at least 1 example and 1 "
                         "model, got %zu x %zu",
                         n_examples, n_models);
    size_t cells;
    if (!checked_cells(n_examples, n_models, &cells))
        return error_set(err, ERR_NOMEM, "score matrix: %zu x %zu is too large",
                         n_examples, n_models);
    m->stat = malloc(cells * sizeof *m->stat);
    m->in = calloc(cells, 1);
    if (!m->stat || !m->in) {
        score_matrix_release(m);
        return error_set(err, ERR_NOMEM,
                         "score matrix: out of memory for %zu x %zu",
                         n_examples, n_models);
    }
    for (size_t c = 0; c < cells; c++)
        m->stat[c] = NAN;
    m->n_examples = n_examples;
    m->n_models = n_models;
    return ERR_OK;
}

float score_matrix_stat(const struct score_matrix *m, size_t i, size_t j)
{
    assert(i < m->n_examples && j < m->n_models);
    return m->stat[i * m->n_models + j];
}

int score_matrix_is_in(const struct score_matrix *m, size_t i, size_t j)
{
    assert(i < m->n_examples && j < m->n_models);
    return m->in[i * m->n_models + j] != 0;
}

int score_matrix_get_column(const struct score_matrix *m, size_t j,
                            float *stat, uint8_t *in, struct error *err)
{
    if (j >= m->n_models)
        return error_set(err, ERR_INPUT,
                         "score matrix: column %zu out of range (%zu models)",
                         j, m->n_models);
    for (size_t i = 0; i < m->n_examples; i++) {
        if (stat)
            stat[i] = m->stat[i * m->n_models + j];
        if (in)
            in[i] = m->in[i * m->n_models + j];
    }
    return ERR_OK;
}

int score_matrix_set_column(struct score_matrix *m, size_t j,
                            const float *stat, const uint8_t *in,
                            struct error *err)
{
    if (j >= m->n_models)
        return error_set(err, ERR_INPUT,
                         "score matrix: column %zu out of range (%zu models)",
                         j, m->n_models);
    for (size_t i = 0; i < m->n_examples; i++) {
        m->stat[i * m->n_models + j] = stat[i];
        m->in[i * m->n_models + j] = in[i] != 0;
    }
    return ERR_OK;
}

size_t score_matrix_column_n_in(const struct score_matrix *m, size_t j)
{
    assert(j < m->n_models);
    size_t n = 0;
    for (size_t i = 0; i < m->n_examples; i++)
        n += m->in[i * m->n_models + j] != 0;
    return n;
}

int score_matrix_refs(const struct score_matrix *m, size_t target,
                      const uint8_t *ref_mask, uint8_t *refs, size_t *n_refs,
                      struct error *err)
{
    *n_refs = 0;
    if (target >= m->n_models)
        return error_set(err, ERR_INPUT,
                         "score matrix: target column %zu out of range (%zu "
                         "models)",
                         target, m->n_models);
    if (ref_mask && ref_mask[target])
        return error_set(err, ERR_INPUT,
                         "score matrix: the reference columns include the "
                         "target column %zu",
                         target);
    size_t n = 0;
    for (size_t j = 0; j < m->n_models; j++) {
        refs[j] = j != target && (!ref_mask || ref_mask[j]);
        n += refs[j];
    }
    if (n == 0)
        return error_set(err, ERR_INPUT,
                         "score matrix: no reference column besides target "
                         "column %zu",
                         target);
    *n_refs = n;
    return ERR_OK;
}

double score_matrix_log_py(double phi)
{
    if (phi >= 0)
        return -log1p(exp(-phi));
    return phi - log1p(exp(phi));
}

/* ---- little-endian encoding ------------------------------------------ */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int b = 0; b < 4; b++)
        p[b] = (uint8_t)(v >> (8 * b));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        p[b] = (uint8_t)(v >> (8 * b));
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int b = 3; b >= 0; b--)
        v = (v << 8) | p[b];
    return v;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int b = 7; b >= 0; b--)
        v = (v << 8) | p[b];
    return v;
}

static void encode_header(uint8_t h[SCORE_MATRIX_HEADER_BYTES], uint64_t n,
                          uint64_t k)
{
    memcpy(h, SCORE_MATRIX_MAGIC, 4);
    put_u32(h + 4, SCORE_MATRIX_VERSION);
    put_u64(h + 8, n);
    put_u64(h + 16, k);
}

/* fwrite and hash. */
static int write_hashed(FILE *fp, struct sha256 *h, const void *buf,
                        size_t len)
{
    sha256_update(h, buf, len);
    return fwrite(buf, 1, len, fp) == len;
}

int score_matrix_save(const struct score_matrix *m, const char *path,
                      struct error *err)
{
    int rc = ERR_OK;
    struct afile af = {0};
    uint8_t *buf = NULL;
    struct sha256 h;

    size_t cells = m->n_examples * m->n_models;
    if (cells == 0) {
        rc = error_set(err, ERR_INPUT, "%s: refusing to save an empty score "
                       "matrix (%zu x %zu)", path, m->n_examples, m->n_models);
        goto cleanup;
    }
    buf = malloc(CHUNK * 4);
    if (!buf) {
        rc = error_set(err, ERR_NOMEM, "%s: out of memory writing score matrix",
                       path);
        goto cleanup;
    }
    rc = afile_open(&af, path, err);
    if (rc)
        goto cleanup;
    sha256_init(&h);

    uint8_t head[SCORE_MATRIX_HEADER_BYTES];
    encode_header(head, m->n_examples, m->n_models);
    int ok = write_hashed(af.fp, &h, head, sizeof head);
    for (size_t c0 = 0; ok && c0 < cells; c0 += CHUNK) {
        size_t nc = cells - c0 < CHUNK ? cells - c0 : CHUNK;
        for (size_t c = 0; c < nc; c++) {
            uint32_t bits;
            memcpy(&bits, &m->stat[c0 + c], 4);
            put_u32(buf + 4 * c, bits);
        }
        ok = write_hashed(af.fp, &h, buf, 4 * nc);
    }
    for (size_t c0 = 0; ok && c0 < cells; c0 += CHUNK) {
        size_t nc = cells - c0 < CHUNK ? cells - c0 : CHUNK;
        for (size_t c = 0; c < nc; c++)
            buf[c] = m->in[c0 + c] != 0;
        ok = write_hashed(af.fp, &h, buf, nc);
    }
    uint8_t digest[SCORE_MATRIX_DIGEST_BYTES];
    sha256_final(&h, digest);
    if (ok)
        ok = fwrite(digest, 1, sizeof digest, af.fp) == sizeof digest;
    if (!ok) {
        rc = error_errno(err, errno ? errno : EIO, "cannot write", path);
        goto cleanup;
    }
    rc = afile_commit(&af, err);

cleanup:
    afile_abort(&af);
    free(buf);
    return rc;
}

/* Read exactly len bytes or report truncation at byte offset `at`. */
static int read_exact(FILE *fp, void *buf, size_t len, const char *path,
                      uint64_t at, uint64_t expected, struct error *err)
{
    size_t got = fread(buf, 1, len, fp);
    if (got == len)
        return ERR_OK;
    if (ferror(fp))
        return error_errno(err, errno ? errno : EIO, "cannot read", path);
    return error_set(err, ERR_INPUT,
                     "%s: truncated score matrix: expected %llu bytes, file "
                     "ends after %llu",
                     path, (unsigned long long)expected,
                     (unsigned long long)(at + got));
}

int score_matrix_load(struct score_matrix *m, const char *path,
                      struct error *err)
{
    int rc = ERR_OK;
    FILE *fp = NULL;
    uint8_t *buf = NULL;
    struct sha256 h;

    memset(m, 0, sizeof *m);
    fp = fopen(path, "rb");
    if (!fp) {
        rc = error_errno(err, errno, "cannot read", path);
        goto cleanup;
    }
    uint8_t head[SCORE_MATRIX_HEADER_BYTES];
    size_t got = fread(head, 1, sizeof head, fp);
    if (got < 4 || memcmp(head, SCORE_MATRIX_MAGIC, 4) != 0) {
        if (ferror(fp)) {
            rc = error_errno(err, errno ? errno : EIO, "cannot read", path);
            goto cleanup;
        }
        rc = error_set(err, ERR_INPUT,
                       "%s: not a score matrix file (magic 'PAMX' missing)",
                       path);
        goto cleanup;
    }
    if (got < sizeof head) {
        rc = error_set(err, ERR_INPUT,
                       "%s: truncated score matrix: header needs %u bytes, "
                       "file has %zu",
                       path, SCORE_MATRIX_HEADER_BYTES, got);
        goto cleanup;
    }
    uint32_t version = get_u32(head + 4);
    if (version != SCORE_MATRIX_VERSION) {
        rc = error_set(err, ERR_INPUT,
                       "%s: unsupported score matrix version %u (expected %u)",
                       path, (unsigned)version, SCORE_MATRIX_VERSION);
        goto cleanup;
    }
    uint64_t n64 = get_u64(head + 8), k64 = get_u64(head + 16);
    size_t cells;
    if (n64 == 0 || k64 == 0 || n64 > SIZE_MAX || k64 > SIZE_MAX ||
        !checked_cells((size_t)n64, (size_t)k64, &cells)) {
        rc = error_set(err, ERR_INPUT,
                       "%s: invalid score matrix dimensions %llu x %llu", path,
                       (unsigned long long)n64, (unsigned long long)k64);
        goto cleanup;
    }
    uint64_t expected = (uint64_t)SCORE_MATRIX_HEADER_BYTES +
                        5 * (uint64_t)cells + SCORE_MATRIX_DIGEST_BYTES;
    rc = score_matrix_init(m, (size_t)n64, (size_t)k64, err);
    if (rc) {
        error_prefix(err, "%s: ", path);
        goto cleanup;
    }
    buf = malloc(CHUNK * 4);
    if (!buf) {
        rc = error_set(err, ERR_NOMEM, "%s: out of memory reading score matrix",
                       path);
        goto cleanup;
    }
    sha256_init(&h);
    sha256_update(&h, head, sizeof head);
    uint64_t at = SCORE_MATRIX_HEADER_BYTES;
    for (size_t c0 = 0; c0 < cells; c0 += CHUNK) {
        size_t nc = cells - c0 < CHUNK ? cells - c0 : CHUNK;
        rc = read_exact(fp, buf, 4 * nc, path, at, expected, err);
        if (rc)
            goto cleanup;
        at += 4 * nc;
        sha256_update(&h, buf, 4 * nc);
        for (size_t c = 0; c < nc; c++) {
            uint32_t bits = get_u32(buf + 4 * c);
            memcpy(&m->stat[c0 + c], &bits, 4);
        }
    }
    size_t bad_bit = SIZE_MAX;
    for (size_t c0 = 0; c0 < cells; c0 += CHUNK) {
        size_t nc = cells - c0 < CHUNK ? cells - c0 : CHUNK;
        rc = read_exact(fp, buf, nc, path, at, expected, err);
        if (rc)
            goto cleanup;
        at += nc;
        sha256_update(&h, buf, nc);
        for (size_t c = 0; c < nc; c++) {
            if (buf[c] > 1 && bad_bit == SIZE_MAX)
                bad_bit = c0 + c;
            m->in[c0 + c] = buf[c];
        }
    }
    uint8_t want[SCORE_MATRIX_DIGEST_BYTES], have[SCORE_MATRIX_DIGEST_BYTES];
    rc = read_exact(fp, have, sizeof have, path, at, expected, err);
    if (rc)
        goto cleanup;
    if (fgetc(fp) != EOF) {
        rc = error_set(err, ERR_INPUT,
                       "%s: trailing bytes after the score matrix digest "
                       "(expected %llu bytes)",
                       path, (unsigned long long)expected);
        goto cleanup;
    }
    sha256_final(&h, want);
    if (memcmp(want, have, sizeof want) != 0) {
        rc = error_set(err, ERR_INPUT,
                       "%s: score matrix checksum mismatch (file corrupted)",
                       path);
        goto cleanup;
    }
    /* Checked after the digest: a corrupted byte is reported as such. */
    if (bad_bit != SIZE_MAX) {
        rc = error_set(err, ERR_INPUT,
                       "%s: in bit of example %zu, model %zu is %u, expected "
                       "0 or 1",
                       path, bad_bit / m->n_models, bad_bit % m->n_models,
                       (unsigned)m->in[bad_bit]);
        goto cleanup;
    }

cleanup:
    if (fp)
        fclose(fp);
    free(buf);
    if (rc)
        score_matrix_release(m);
    return rc;
}

int score_matrix_load_column(struct score_matrix *m, size_t j,
                             const char *path, struct error *err)
{
    struct score_matrix col = {0};
    int rc = ERR_OK;

    if (j >= m->n_models) {
        rc = error_set(err, ERR_INPUT,
                       "%s: score matrix column %zu out of range (%zu models)",
                       path, j, m->n_models);
        goto cleanup;
    }
    rc = score_matrix_load(&col, path, err);
    if (rc)
        goto cleanup;
    if (col.n_models != 1 || col.n_examples != m->n_examples) {
        rc = error_set(err, ERR_INPUT,
                       "%s: expected a %zu x 1 score column, got %zu x %zu",
                       path, m->n_examples, col.n_examples, col.n_models);
        goto cleanup;
    }
    rc = score_matrix_set_column(m, j, col.stat, col.in, err);

cleanup:
    score_matrix_release(&col);
    return rc;
}
