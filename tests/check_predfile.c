/*
 * tests/check_predfile.c - the predictions file reader and writer
 * (targets/predfile.h).
 *
 * Inputs are written to <mkdtemp dir>/p.csv, so every message starts with
 * a predictable "…/p.csv:LINE:COLUMN:".  Expected softmax values are
 * closed forms: softmax(1, 2, 3) = e^c / (e + e^2 + e^3), computed with
 *   /usr/bin/python3 -c "import math; z=[1,2,3]; s=sum(map(math.exp,z));
 *                        print([repr(math.exp(v)/s) for v in z],
 *                              repr(math.log(s) - 3))"
 */
#include "targets/predfile.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TOL 1e-15
#define LOSS_CAP 690.77552789821368 /* -log(1e-300) */

struct tmp {
    char dir[64];
    char path[256];
};

static void tmp_put(struct tmp *t, const char *data, size_t len)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/privaudit-pf-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/p.csv", t->dir);
    FILE *fp = fopen(t->path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

static void tmp_done(struct tmp *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

static void load_text(struct predfile *pf, const char *text)
{
    struct tmp t;
    struct error err;
    error_clear(&err);
    tmp_put(&t, text, strlen(text));
    int rc = predfile_load(pf, t.path, &err);
    tmp_done(&t);
    ck_assert_msg(rc == 0, "load: %s", err.msg);
}

struct fail_case {
    const char *what;
    const char *text;
    size_t len;             /* 0: strlen(text) */
    const char *pos;        /* expected "p.csv:L:C:" (or "p.csv:L:") */
    const char *needle;     /* a further substring of the message */
};

#define NUL_TEXT "id,label,member,p_0,p_1\na,0,1,0.5,0\0.5\n"

static const struct fail_case FAILS[] = {
    {"empty file", "", 0, "p.csv:1:1:", "empty file"},
    {"no id", "label,member,p_0,p_1\n0,1,0.5,0.5\n", 0, "p.csv:1:1:",
     "missing the required column 'id'"},
    {"no label", "id,member,p_0,p_1\na,1,0.5,0.5\n", 0, "p.csv:1:1:",
     "missing the required column 'label'"},
    {"no member", "id,label,p_0,p_1\na,1,0.5,0.5\n", 0, "p.csv:1:1:",
     "missing the required column 'member'"},
    {"no outputs", "id,label,member\na,1,1\n", 0, "p.csv:1:1:", "no outputs for the target"},
    {"p and logit", "id,label,member,p_0,p_1,logit_0,logit_1\na,0,1,0.5,0.5,1,2\n", 0,
     "p.csv:1:6:", "column 'logit_0' mixes output kinds for the target"},
    {"logit before p", "id,label,member,logit_0,p_0,p_1,logit_1\na,0,1,1,.5,.5,2\n", 0,
     "p.csv:1:5:", "column 'p_0' mixes output kinds"},
    {"p and loss", "id,label,member,p_0,p_1,loss\na,0,1,0.5,0.5,1\n", 0, "p.csv:1:6:",
     "column 'loss' mixes output kinds"},
    {"gap in p_", "id,label,member,p_0,p_2\na,0,1,0.5,0.5\n", 0, "p.csv:1:1:",
     "missing the column 'p_1' (class columns run from p_0 to p_2 without a gap)"},
    {"p_ not from 0", "id,label,member,p_1,p_2\na,0,1,0.5,0.5\n", 0, "p.csv:1:1:",
     "missing the column 'p_0'"},
    {"one class", "id,label,member,p_0\na,0,1,1\n", 0, "p.csv:1:4:",
     "one class column; need at least 2"},
    {"leading zero index", "id,label,member,p_0,p_01\na,0,1,0.5,0.5\n", 0, "p.csv:1:5:",
     "unknown column 'p_01'"},
    {"unknown column", "id,label,member,foo,p_0,p_1\na,0,1,x,0.5,0.5\n", 0, "p.csv:1:4:",
     "unknown column 'foo'"},
    {"duplicate class column", "id,label,member,p_0,p_1,p_1\na,0,1,0.5,0.5,0.5\n", 0,
     "p.csv:1:6:", "duplicate column 'p_1' (also column 5)"},
    {"duplicate id column", "id,label,id,member,p_0,p_1\na,0,a,1,0.5,0.5\n", 0, "p.csv:1:3:",
     "duplicate column 'id' (also column 1)"},
    {"negative probability", "id,label,member,p_0,p_1\na,0,1,-0.1,1.1\n", 0, "p.csv:2:4:",
     "expected a probability >= 0 in column 'p_0', got '-0.1'"},
    {"sum off", "id,label,member,p_0,p_1\na,0,1,0.5,0.5\nb,0,1,0.5,0.4\n", 0, "p.csv:3:4:",
     "probabilities p_0..p_1 sum to 0.9, expected 1 within 1e-06"},
    {"sum just off", "id,label,member,p_0,p_1\na,0,1,0.5,0.500002\n", 0, "p.csv:2:4:",
     "expected 1 within 1e-06"},
    {"nan", "id,label,member,p_0,p_1\na,0,1,0.5,nan\n", 0, "p.csv:2:5:",
     "expected a finite number in column 'p_1', got 'nan'"},
    {"inf", "id,label,member,logit_0,logit_1\na,0,1,inf,1\n", 0, "p.csv:2:4:",
     "expected a finite number in column 'logit_0', got 'inf'"},
    {"overflow", "id,label,member,logit_0,logit_1\na,0,1,1,1e999\n", 0, "p.csv:2:5:",
     "expected a finite number in column 'logit_1', got '1e999'"},
    {"hex", "id,label,member,p_0,p_1\na,0,1,0x1p-1,0.5\n", 0, "p.csv:2:4:",
     "expected a finite number"},
    {"empty probability", "id,label,member,p_0,p_1\na,0,1,,1\n", 0, "p.csv:2:4:",
     "expected a finite number in column 'p_0', got ''"},
    {"duplicate id", "id,label,member,p_0,p_1\na,0,1,.5,.5\nb,0,1,.5,.5\na,1,0,.5,.5\n", 0,
     "p.csv:4:1:", "duplicate id 'a' (first on line 2)"},
    {"duplicate id, id not first", "label,id,member,p_0,p_1\n0,x,1,.5,.5\n0,x,1,.5,.5\n", 0,
     "p.csv:3:2:", "duplicate id 'x' (first on line 2)"},
    {"label too large", "id,label,member,p_0,p_1\na,2,1,0.5,0.5\n", 0, "p.csv:2:2:",
     "expected a class index 0..1 in column 'label', got '2'"},
    {"label negative", "id,label,member,p_0,p_1\na,-1,1,0.5,0.5\n", 0, "p.csv:2:2:",
     "expected a class index 0..1"},
    {"label not an integer", "id,label,member,p_0,p_1\na,1.0,1,0.5,0.5\n", 0, "p.csv:2:2:",
     "got '1.0'"},
    {"label text", "id,label,member,loss\na,spam,1,0.5\n", 0, "p.csv:2:2:",
     "expected a class index >= 0 in column 'label', got 'spam'"},
    {"member 2", "id,label,member,p_0,p_1\na,0,2,0.5,0.5\n", 0, "p.csv:2:3:",
     "expected 0, 1 or empty (unknown) in column 'member', got '2'"},
    {"member yes", "id,label,member,p_0,p_1\na,0,yes,0.5,0.5\n", 0, "p.csv:2:3:", "got 'yes'"},
    {"canary x", "id,label,member,canary,p_0,p_1\na,0,1,x,0.5,0.5\n", 0, "p.csv:2:4:",
     "expected 0 or 1 in column 'canary', got 'x'"},
    {"coin empty", "id,label,member,coin,p_0,p_1\na,0,1,,0.5,0.5\n", 0, "p.csv:2:4:",
     "expected 0 or 1 in column 'coin', got ''"},
    {"too few fields", "id,label,member,p_0,p_1\na,0,1,0.5\n", 0, "p.csv:2:4:",
     "expected 5 fields as in the header, got 4"},
    {"too many fields", "id,label,member,p_0,p_1\na,0,1,0.5,0.5,9\n", 0, "p.csv:2:6:",
     "expected 5 fields as in the header, got 6"},
    {"no rows", "id,label,member,p_0,p_1\n", 0, "p.csv:2:1:", "no data rows after the header"},
    {"blank line inside", "id,label,member,p_0,p_1\na,0,1,.5,.5\n\nb,0,1,.5,.5\n", 0,
     "p.csv:3:1:", "blank line before the last record"},
    {"empty id", "id,label,member,p_0,p_1\n,0,1,0.5,0.5\n", 0, "p.csv:2:1:", "empty id"},
    {"ref without member",
     "id,label,member,p_0,p_1,ref0_p_0,ref0_p_1\na,0,1,.5,.5,.5,.5\n", 0, "p.csv:1:1:",
     "missing the column 'ref0_member' for reference ref0"},
    {"ref gap", "id,label,member,loss,ref1_loss,ref1_member\na,0,1,1,1,0\n", 0, "p.csv:1:1:",
     "no columns for reference ref0"},
    {"ref member only", "id,label,member,loss,ref0_member\na,0,1,1,0\n", 0, "p.csv:1:1:",
     "no outputs for reference ref0"},
    {"ref other K",
     "id,label,member,p_0,p_1,ref0_p_0,ref0_p_1,ref0_p_2,ref0_member\n"
     "a,0,1,.5,.5,.2,.3,.5,1\n",
     0, "p.csv:1:6:", "reference ref0 has 3 classes, an earlier group has 2"},
    {"ref mixed", "id,label,member,loss,ref0_loss,ref0_logit_0,ref0_logit_1,ref0_member\n"
                  "a,0,1,1,1,1,1,0\n",
     0, "p.csv:1:6:", "column 'ref0_logit_0' mixes output kinds for reference ref0"},
    {"ref member empty", "id,label,member,loss,ref0_loss,ref0_member\na,0,1,1,1,\n", 0,
     "p.csv:2:6:", "expected 0 or 1 in column 'ref0_member', got ''"},
    {"ref probability sum",
     "id,label,member,p_0,p_1,ref0_p_0,ref0_p_1,ref0_member\na,0,1,.5,.5,.5,.6,1\n", 0,
     "p.csv:2:6:", "probabilities ref0_p_0..ref0_p_1 sum to 1.1"},
    {"negative loss", "id,label,member,loss\na,0,1,-1\n", 0, "p.csv:2:4:",
     "expected a loss >= 0 in column 'loss', got '-1'"},
    {"unterminated quote", "id,label,member,p_0,p_1\n\"a,0,1,0.5,0.5\n", 0, "p.csv:2:1:",
     "unterminated quoted field"},
    {"quote inside field", "id,label,member,p_0,p_1\na\"b,0,1,0.5,0.5\n", 0, "p.csv:2:1:",
     "a '\"' inside an unquoted field"},
    {"text after quote", "id,label,member,p_0,p_1\n\"a\"b,0,1,0.5,0.5\n", 0, "p.csv:2:1:",
     "text after the closing quote"},
    {"NUL byte", NUL_TEXT, sizeof NUL_TEXT - 1, "p.csv:2:",
     "a NUL byte"},
};

START_TEST(load_should_reject_bad_files_with_line_and_column)
{
    const struct fail_case *c = &FAILS[_i];
    struct tmp t;
    struct error err;
    struct predfile pf;
    error_clear(&err);
    tmp_put(&t, c->text, c->len ? c->len : strlen(c->text));
    int rc = predfile_load(&pf, t.path, &err);
    tmp_done(&t);
    ck_assert_msg(rc == ERR_INPUT, "%s: got %s (%s)", c->what, error_name(rc), err.msg);
    ck_assert_int_eq(err.code, ERR_INPUT);
    char pos[300];
    snprintf(pos, sizeof pos, "%s/%s", t.dir, c->pos);
    ck_assert_msg(strncmp(err.msg, pos, strlen(pos)) == 0, "%s: message '%s' lacks '%s'",
                  c->what, err.msg, c->pos);
    ck_assert_msg(strstr(err.msg, c->needle) != NULL, "%s: message '%s' lacks '%s'", c->what,
                  err.msg, c->needle);
    ck_assert_ptr_null(pf.ids);
    ck_assert_uint_eq(pf.n, 0);
    predfile_release(&pf);
}
END_TEST

START_TEST(load_should_report_missing_files_as_io)
{
    struct predfile pf;
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(predfile_load(&pf, "/nonexistent/p.csv", &err), ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/p.csv"));
    predfile_release(&pf);
}
END_TEST

START_TEST(load_should_read_probabilities_and_fill_the_loss)
{
    struct predfile pf;
    /* BOM, CRLF, a quoted id with a comma and a quote, blanks around
     * numbers, unknown membership, trailing blank lines; the within-tolerance
     * row is renormalised. */
    load_text(&pf, "\xEF\xBB\xBF"
                   "member,id,label,canary,coin,p_0,p_1,p_2\r\n"
                   "1,r1,0,0,1,0.25,0.25,0.5\r\n"
                   "0,\"x,\"\"y\"\"\",2, 1 ,0, 0.1 ,0.2,0.7\r\n"
                   ",r3,1,0,0,0,1,0\r\n"
                   "1,r4,0,1,1,0,0.5,0.5000004\r\n"
                   "\r\n\r\n");
    ck_assert_uint_eq(pf.n, 4);
    ck_assert_uint_eq(pf.k, 3);
    ck_assert_int_eq(pf.kind, PREDFILE_PROBS);
    ck_assert_str_eq(pf.ids[1], "x,\"y\"");
    ck_assert_int_eq(pf.member[0], 1);
    ck_assert_int_eq(pf.member[1], 0);
    ck_assert_int_eq(pf.member[2], PREDFILE_MEMBER_UNKNOWN);
    ck_assert_int_eq(pf.labels[1], 2);
    ck_assert_ptr_nonnull(pf.canary);
    ck_assert_ptr_nonnull(pf.coin);
    ck_assert_int_eq(pf.canary[1], 1);
    ck_assert_int_eq(pf.coin[0], 1);
    ck_assert_int_eq(pf.coin[2], 0);
    ck_assert_double_eq_tol(pf.probs[1 * 3 + 2], 0.7, TOL);
    ck_assert_double_eq_tol(pf.loss[0], -log(0.25), TOL);
    ck_assert_double_eq_tol(pf.loss[1], -log(0.7), TOL);
    ck_assert_double_eq_tol(pf.loss[2], 0.0, TOL);
    /* p_label = 0 gives the clamped loss, not inf */
    ck_assert_double_eq_tol(pf.loss[3], LOSS_CAP, 1e-9);
    double s = pf.probs[9] + pf.probs[10] + pf.probs[11];
    ck_assert_double_eq_tol(s, 1.0, 1e-15);
    ck_assert_uint_eq(predfile_count_members(&pf, 1), 2);
    ck_assert_uint_eq(predfile_count_members(&pf, 0), 1);
    ck_assert_uint_eq(pf.n_refs, 0);
    ck_assert_int_eq((int)strlen(pf.sha256), 64);
    predfile_release(&pf);
    predfile_release(&pf); /* twice is fine */
}
END_TEST

START_TEST(load_should_take_the_softmax_of_logits_stably)
{
    struct predfile pf;
    load_text(&pf, "id,label,member,logit_0,logit_1,logit_2\n"
                   "a,2,1,1,2,3\n"
                   "b,0,0,1001,1002,1003\n"
                   "c,1,0,1000,-1000,0\n");
    ck_assert_uint_eq(pf.k, 3);
    ck_assert_int_eq(pf.kind, PREDFILE_LOGITS);
    static const double want[3] = {0.09003057317038046, 0.24472847105479767,
                                   0.6652409557748219};
    for (size_t c = 0; c < 3; c++) {
        ck_assert_double_eq_tol(pf.probs[c], want[c], TOL);
        /* shifting every logit by 1000 changes nothing (no overflow) */
        ck_assert_double_eq_tol(pf.probs[3 + c], want[c], TOL);
    }
    ck_assert_double_eq_tol(pf.loss[0], 0.40760596444438013, TOL);
    ck_assert_double_eq_tol(pf.loss[1], 2.40760596444438, 1e-13);
    /* loss of a logit 2000 below the top: capped like -log(1e-300) */
    ck_assert_double_eq_tol(pf.probs[6], 1.0, TOL);
    ck_assert_double_eq_tol(pf.loss[2], LOSS_CAP, 1e-9);
    predfile_release(&pf);
}
END_TEST

START_TEST(load_should_accept_loss_only_files)
{
    struct predfile pf;
    load_text(&pf, "id,label,member,loss\na,0,1,0.25\nb,7,,3\nc,1,0,0\n");
    ck_assert_uint_eq(pf.n, 3);
    ck_assert_uint_eq(pf.k, 0);
    ck_assert_int_eq(pf.kind, PREDFILE_LOSS);
    ck_assert_ptr_null(pf.probs);
    ck_assert_ptr_null(pf.canary);
    ck_assert_int_eq(pf.labels[1], 7);
    ck_assert_double_eq(pf.loss[0], 0.25);
    ck_assert_double_eq(pf.loss[1], 3.0);
    ck_assert_int_eq(pf.member[1], PREDFILE_MEMBER_UNKNOWN);
    predfile_release(&pf);
}
END_TEST

START_TEST(load_should_read_reference_models)
{
    struct predfile pf;
    load_text(&pf, "id,label,member,p_0,p_1,ref1_loss,ref1_member,"
                   "ref0_member,ref0_logit_1,ref0_logit_0\n"
                   "a,1,1,0.2,0.8,0.5,1,0,0,0\n"
                   "b,0,0,0.6,0.4,2,0,1,3,1\n");
    ck_assert_uint_eq(pf.n_refs, 2);
    ck_assert_uint_eq(pf.k, 2);
    const struct predfile_ref *r0 = &pf.refs[0], *r1 = &pf.refs[1];
    ck_assert_int_eq(r0->kind, PREDFILE_LOGITS);
    ck_assert_int_eq(r1->kind, PREDFILE_LOSS);
    ck_assert_ptr_null(r1->probs);
    ck_assert_int_eq(r0->member[0], 0);
    ck_assert_int_eq(r0->member[1], 1);
    ck_assert_int_eq(r1->member[0], 1);
    ck_assert_double_eq_tol(r0->probs[0], 0.5, TOL);
    ck_assert_double_eq_tol(r0->loss[0], log(2.0), TOL);
    /* row b: logits (1, 3), label 0: loss = log(1 + e^2) */
    ck_assert_double_eq_tol(r0->loss[1], log1p(exp(2.0)), 1e-14);
    ck_assert_double_eq_tol(r0->probs[2], 1.0 / (1.0 + exp(2.0)), TOL);
    ck_assert_double_eq(r1->loss[1], 2.0);
    ck_assert_double_eq_tol(pf.loss[0], -log(0.8), TOL);
    predfile_release(&pf);

    /* a loss-only target takes K from its references */
    load_text(&pf, "id,label,member,loss,ref0_p_0,ref0_p_1,ref0_p_2,ref0_member\n"
                   "a,2,1,0.1,0.2,0.3,0.5,1\n");
    ck_assert_uint_eq(pf.k, 3);
    ck_assert_ptr_null(pf.probs);
    ck_assert_double_eq_tol(pf.refs[0].loss[0], -log(0.5), TOL);
    predfile_release(&pf);
}
END_TEST

START_TEST(write_should_round_trip_bit_for_bit)
{
    struct predfile a, b;
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(predfile_alloc(&a, 3, 2, true, true, 2, &err), 0);
    static const char *const ids[3] = {"1", "two, \"quoted\"", " padded "};
    const double p1[3] = {0.1, 1.0 / 3.0, 0.999999999999};
    for (size_t i = 0; i < 3; i++) {
        a.ids[i] = strdup(ids[i]);
        a.labels[i] = (int32_t)(i % 2);
        a.probs[i * 2 + 1] = p1[i];
        a.probs[i * 2] = 1.0 - p1[i];
        a.canary[i] = i == 1;
        a.coin[i] = i != 2;
        a.refs[0].probs[i * 2] = 0.25;
        a.refs[0].probs[i * 2 + 1] = 0.75;
        a.refs[0].member[i] = i == 0;
        a.refs[1].member[i] = 1;
    }
    a.member[0] = 1;
    a.member[1] = 0;
    free(a.refs[1].probs); /* reference 1 is loss-only */
    a.refs[1].probs = NULL;
    a.refs[1].kind = PREDFILE_LOSS;
    a.refs[1].loss[0] = 0.5;
    a.refs[1].loss[1] = 1e-300;
    a.refs[1].loss[2] = 690.7;
    predfile_compute_loss(&a);
    ck_assert_double_eq_tol(a.loss[1], -log(1.0 / 3.0), TOL);
    ck_assert_double_eq(a.refs[1].loss[1], 1e-300);

    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/privaudit-pf-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/w.csv", dir);
    ck_assert_msg(predfile_write(path, &a, &err) == 0, "%s", err.msg);
    ck_assert_msg(predfile_load(&b, path, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(b.n, 3);
    ck_assert_uint_eq(b.n_refs, 2);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(b.ids[i], ids[i]);
        ck_assert_int_eq(b.labels[i], a.labels[i]);
        ck_assert_int_eq(b.member[i], a.member[i]);
        ck_assert_int_eq(b.canary[i], a.canary[i]);
        ck_assert_int_eq(b.coin[i], a.coin[i]);
        /* bit for bit: %.17g, and the sums are exactly 1 (no rescale) */
        for (size_t c = 0; c < 2; c++) {
            ck_assert(b.probs[i * 2 + c] == a.probs[i * 2 + c]);
            ck_assert(b.refs[0].probs[i * 2 + c] == a.refs[0].probs[i * 2 + c]);
        }
        ck_assert(b.loss[i] == a.loss[i]);
        ck_assert(b.refs[1].loss[i] == a.refs[1].loss[i]);
        ck_assert_int_eq(b.refs[0].member[i], a.refs[0].member[i]);
        ck_assert_int_eq(b.refs[1].member[i], 1);
    }
    ck_assert_int_eq(b.member[2], PREDFILE_MEMBER_UNKNOWN);
    predfile_release(&b);

    /* an empty id is refused and the destination is not created */
    free(a.ids[0]);
    a.ids[0] = strdup("");
    snprintf(path, sizeof path, "%s/x.csv", dir);
    ck_assert_int_eq(predfile_write(path, &a, &err), ERR_INPUT);
    ck_assert_int_ne(access(path, F_OK), 0);
    predfile_release(&a);
    snprintf(path, sizeof path, "%s/w.csv", dir);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(write_should_fail_on_an_unwritable_path)
{
    struct predfile a;
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(predfile_alloc(&a, 1, 0, false, false, 0, &err), 0);
    a.ids[0] = strdup("a");
    a.loss[0] = 1;
    ck_assert_int_eq(predfile_write("/nonexistent/dir/p.csv", &a, &err), ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/dir/p.csv"));
    predfile_release(&a);
}
END_TEST

Suite *predfile_suite(void)
{
    Suite *s = suite_create("predfile");
    TCase *tc = tcase_create("predfile");
    tcase_add_loop_test(tc, load_should_reject_bad_files_with_line_and_column, 0,
                        (int)ARRAY_LEN(FAILS));
    tcase_add_test(tc, load_should_report_missing_files_as_io);
    tcase_add_test(tc, load_should_read_probabilities_and_fill_the_loss);
    tcase_add_test(tc, load_should_take_the_softmax_of_logits_stably);
    tcase_add_test(tc, load_should_accept_loss_only_files);
    tcase_add_test(tc, load_should_read_reference_models);
    tcase_add_test(tc, write_should_round_trip_bit_for_bit);
    tcase_add_test(tc, write_should_fail_on_an_unwritable_path);
    suite_add_tcase(s, tc);
    return s;
}
