/*
 * tests/check_oracle.c - the prediction-command oracle (targets/oracle.h).
 *
 * The responders are fixtures/thirdparty/test_oracle.sh MODE (POSIX sh, two
 * classes, rows "a,b" answered "b,a"; see the script for the modes) and,
 * for one end-to-end test, fixtures/thirdparty/sklearn_oracle.py under
 * Debian's /usr/bin/python3 with python3-sklearn, compared with the
 * predictions file that write_predictions.py writes for the same model.
 */
#include "targets/oracle.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/dataset.h"
#include "targets/predfile.h"

#ifndef PRIVAUDIT_SOURCE_DIR
#define PRIVAUDIT_SOURCE_DIR "."
#endif
#define FIX PRIVAUDIT_SOURCE_DIR "/fixtures/thirdparty/"
#define SCRIPT FIX "test_oracle.sh"
#define PY "/usr/bin/python3"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Rows (a, 1 - a) with a = i / 8: exact in float and in %.9g. */
static float *rows(size_t n)
{
    float *x = malloc(n * 2 * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        x[2 * i] = (float)(i % 9) / 8.0f;
        x[2 * i + 1] = 1.0f - x[2 * i];
    }
    return x;
}

static void start_mode(struct oracle *o, const char *mode, size_t batch, double timeout)
{
    const char *argv[] = {"sh", SCRIPT, mode, NULL};
    struct oracle_opts opts = {batch, timeout};
    struct error err;
    error_clear(&err);
    ck_assert_msg(oracle_start(o, argv, &opts, &err) == 0, "%s", err.msg);
    ck_assert_int_gt(o->pid, 0);
}

/* The child was reaped: no zombie is left behind. */
static void assert_reaped(pid_t pid)
{
    int st;
    errno = 0;
    ck_assert_int_eq(waitpid(pid, &st, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
}

/* Live (non-zombie) processes in process group pgid, from /proc; a
 * zombie orphan waits for init to reap it and is harmless.  -1 without
 * /proc. */
static int live_in_group(pid_t pgid)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *fp = fopen(path, "r");
        if (!fp)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, fp);
        fclose(fp);
        buf[len] = '\0';
        /* pid (comm) state ppid pgrp ...; comm may hold spaces */
        char *rp = strrchr(buf, ')');
        char state;
        int ppid, pgrp;
        if (rp && sscanf(rp + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
            state != 'Z' && state != 'X')
            n++;
    }
    closedir(d);
    return n;
}

/* No live process is left in the program's group (a grandchild such as
 * `sleep` was killed too), within 2 s. */
static void assert_group_gone(pid_t pgid)
{
    double t0 = now_s();
    int n;
    while ((n = live_in_group(pgid)) > 0 && now_s() - t0 < 2.0) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    if (n < 0) /* no /proc: the group must be gone */
        ck_assert_msg(kill(-pgid, 0) == -1 && errno == ESRCH, "group %d alive", (int)pgid);
    else
        ck_assert_msg(n == 0, "%d processes of group %d still alive", n, (int)pgid);
}

static void check_echo(const float *x, const double *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ck_assert_double_eq(p[2 * i], x[2 * i + 1]);
        ck_assert_double_eq(p[2 * i + 1], x[2 * i]);
    }
}

START_TEST(predict_should_round_trip_rows_in_batches)
{
    static const char *const modes[] = {"echo", "batch"};
    struct oracle o;
    struct error err;
    error_clear(&err);
    start_mode(&o, modes[_i], 2, 10);
    pid_t pid = o.pid;
    size_t n = 5;
    float *x = rows(n);
    double p[10];
    const char *names[2] = {"a", "b"};
    ck_assert_msg(oracle_predict(&o, x, n, 2, names, p, 2, &err) == 0, "%s", err.msg);
    check_echo(x, p, n);
    ck_assert_uint_eq(o.queries, 5);
    ck_assert_uint_eq(o.batches, 3);
    /* the same process serves the next call */
    ck_assert_int_eq(o.pid, pid);
    ck_assert_msg(oracle_predict(&o, x + 2, 3, 2, names, p, 2, &err) == 0, "%s", err.msg);
    check_echo(x + 2, p, 3);
    ck_assert_uint_eq(o.queries, 8);
    ck_assert_uint_eq(o.batches, 5);
    /* n = 0 sends nothing */
    ck_assert_int_eq(oracle_predict(&o, x, 0, 2, names, p, 2, &err), 0);
    ck_assert_uint_eq(o.queries, 8);
    /* d may not change */
    ck_assert_int_eq(oracle_predict(&o, x, 1, 3, NULL, p, 2, &err), ERR_USAGE);
    ck_assert_msg(oracle_finish(&o, &err) == 0, "%s", err.msg);
    assert_reaped(pid);
    oracle_release(&o);
    oracle_release(&o);
    free(x);
}
END_TEST

START_TEST(predict_should_send_the_documented_wire_format)
{
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/privaudit-or-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/wire.txt", dir);
    const char *argv[] = {"sh", "-c", "tee \"$0\" | sh \"$1\" const", path, SCRIPT, NULL};
    struct oracle o;
    struct oracle_opts opts = {2, 10};
    struct error err;
    error_clear(&err);
    ck_assert_msg(oracle_start(&o, argv, &opts, &err) == 0, "%s", err.msg);
    const float x[6] = {0.25f, NAN, -1e-10f, 16777216.0f, 0.1f, 3.0f};
    const char *names[2] = {"a,1", "b\"q"};
    double p[6];
    ck_assert_msg(oracle_predict(&o, x, 3, 2, names, p, 2, &err) == 0, "%s", err.msg);
    ck_assert_double_eq(p[0], 0.5);
    ck_assert_msg(oracle_finish(&o, &err) == 0, "%s", err.msg);
    oracle_release(&o);
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    char buf[256];
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    ck_assert_str_eq(buf, "\"a,1\",\"b\"\"q\"\n"
                          "0.25,\n"
                          "-1.00000001e-10,16777216\n"
                          "\n"
                          "0.100000001,3\n"
                          "\n");
    unlink(path);
    rmdir(dir);
}
END_TEST

struct fail_case {
    const char *mode;
    size_t n, batch;
    const char *needles[3];
};

static const struct fail_case FAILS[] = {
    {"crash", 2, 2,
     {"oracle 'sh " SCRIPT " crash': batch 1, row 1: the program exited with status 1 after "
      "answering 0 of 2 rows",
      "its stderr ends: 'test_oracle: cannot load the model'", NULL}},
    {"crash-late", 4, 2,
     {"batch 2, row 3: the program exited with status 3 after answering 0 of 2 rows",
      "out of memory at batch 2", NULL}},
    {"signal", 2, 2, {"batch 1, row 1: the program was killed by signal 9", NULL}},
    {"garbage", 2, 2, {"batch 1, row 1: probability 0 is not a finite number: 'hello'", NULL}},
    {"garbage3", 5, 2, {"batch 2, row 3: probability 1 is not a finite number: 'x'", NULL}},
    {"columns", 2, 2, {"batch 1, row 1: expected 2 probabilities, got 3 ('0.2,0.3,0.5')", NULL}},
    {"negative", 2, 2, {"batch 1, row 1: probability 0 is negative (-0.5)", NULL}},
    {"sum", 2, 2,
     {"batch 1, row 1: probabilities sum to 1.1, expected 1 within 0.0001", NULL}},
    {"short", 2, 2,
     {"batch 1, row 1: got an empty line (the end of the batch's answers) after 0 of 2 rows",
      NULL}},
    {"extra", 2, 2, {"batch 1, row 2: more answer lines than the batch's 2 rows", NULL}},
};

START_TEST(predict_should_fail_kill_and_reap_on_bad_programs)
{
    const struct fail_case *c = &FAILS[_i];
    struct oracle o;
    struct error err;
    error_clear(&err);
    start_mode(&o, c->mode, c->batch, 10);
    pid_t pid = o.pid;
    float *x = rows(c->n);
    double *p = malloc(c->n * 2 * sizeof *p);
    int rc = oracle_predict(&o, x, c->n, 2, NULL, p, 2, &err);
    ck_assert_msg(rc == ERR_INPUT, "%s: got %s (%s)", c->mode, error_name(rc), err.msg);
    for (size_t i = 0; c->needles[i]; i++)
        ck_assert_msg(strstr(err.msg, c->needles[i]) != NULL, "%s: '%s' lacks '%s'", c->mode,
                      err.msg, c->needles[i]);
    ck_assert(o.failed);
    assert_reaped(pid);
    assert_group_gone(pid);
    /* a later call fails at once */
    error_clear(&err);
    ck_assert_int_eq(oracle_predict(&o, x, 1, 2, NULL, p, 2, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not running"));
    ck_assert_int_eq(oracle_finish(&o, &err), 0);
    oracle_release(&o);
    free(x);
    free(p);
}
END_TEST

START_TEST(predict_should_time_out_within_twice_the_timeout)
{
    struct oracle o;
    struct error err;
    error_clear(&err);
    start_mode(&o, "hang", 4, 1.0);
    pid_t pid = o.pid;
    float *x = rows(4);
    double p[8];
    double t0 = now_s();
    ck_assert_int_eq(oracle_predict(&o, x, 4, 2, NULL, p, 2, &err), ERR_INPUT);
    double dt = now_s() - t0;
    ck_assert_msg(dt >= 0.99 && dt < 2.0, "took %g s", dt);
    ck_assert_msg(strstr(err.msg, "batch 1, row 1: no answer within the timeout of 1 s") != NULL,
                  "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "the program was killed"));
    assert_reaped(pid);
    /* `sleep`, the script's child, died with it */
    assert_group_gone(pid);
    oracle_release(&o);
    free(x);
}
END_TEST

START_TEST(predict_should_survive_a_program_that_stops_reading)
{
    /* 200,000 rows (~2 MB) into a program that exits at once: the writes
     * hit a closed pipe (SIGPIPE / EPIPE) and privaudit lives on. */
    struct oracle o;
    struct error err;
    error_clear(&err);
    size_t n = 200000;
    start_mode(&o, "crash", n, 10);
    pid_t pid = o.pid;
    float *x = rows(n);
    double *p = malloc(n * 2 * sizeof *p);
    sigset_t before, after, pend;
    sigprocmask(SIG_SETMASK, NULL, &before);
    ck_assert_int_eq(oracle_predict(&o, x, n, 2, NULL, p, 2, &err), ERR_INPUT);
    ck_assert_msg(strstr(err.msg, "exited with status 1 after answering 0 of 200000 rows"),
                  "%s", err.msg);
    sigprocmask(SIG_SETMASK, NULL, &after);
    ck_assert_int_eq(sigismember(&after, SIGPIPE), sigismember(&before, SIGPIPE));
    sigpending(&pend);
    ck_assert(!sigismember(&pend, SIGPIPE));
    assert_reaped(pid);
    oracle_release(&o);
    free(x);
    free(p);
}
END_TEST

START_TEST(predict_should_drain_a_chatty_stderr_and_wait_for_slow_programs)
{
    static const char *const modes[] = {"stderr", "slow"};
    struct oracle o;
    struct error err;
    error_clear(&err);
    start_mode(&o, modes[_i], 3, 5);
    float *x = rows(7);
    double p[14];
    ck_assert_msg(oracle_predict(&o, x, 7, 2, NULL, p, 2, &err) == 0, "%s", err.msg);
    check_echo(x, p, 7);
    ck_assert_msg(oracle_finish(&o, &err) == 0, "%s", err.msg);
    oracle_release(&o);
    free(x);
}
END_TEST

START_TEST(finish_should_report_bad_exits_and_lingering_programs)
{
    struct oracle o;
    struct error err;
    float *x = rows(2);
    double p[4];
    error_clear(&err);
    start_mode(&o, "bad-exit", 2, 5);
    pid_t pid = o.pid;
    ck_assert_int_eq(oracle_predict(&o, x, 2, 2, NULL, p, 2, &err), 0);
    ck_assert_int_eq(oracle_finish(&o, &err), ERR_INPUT);
    ck_assert_msg(strstr(err.msg, "the program exited with status 4 at the end"), "%s",
                  err.msg);
    assert_reaped(pid);
    oracle_release(&o);

    start_mode(&o, "linger", 2, 0.5);
    pid = o.pid;
    ck_assert_int_eq(oracle_predict(&o, x, 2, 2, NULL, p, 2, &err), 0);
    double t0 = now_s();
    ck_assert_int_eq(oracle_finish(&o, &err), ERR_INPUT);
    ck_assert(now_s() - t0 < 1.0);
    ck_assert_msg(strstr(err.msg, "did not exit within 0.5 s after its input ended"), "%s",
                  err.msg);
    assert_reaped(pid);
    assert_group_gone(pid);
    oracle_release(&o);

    /* release alone kills and reaps a running program */
    start_mode(&o, "echo", 2, 5);
    pid = o.pid;
    ck_assert_int_eq(oracle_predict(&o, x, 2, 2, NULL, p, 2, &err), 0);
    oracle_release(&o);
    assert_reaped(pid);
    free(x);
}
END_TEST

START_TEST(start_should_reject_missing_programs_and_bad_options)
{
    struct oracle o;
    struct error err;
    error_clear(&err);
    const char *argv[] = {"/nonexistent/model-server", "--x", NULL};
    ck_assert_int_eq(oracle_start(&o, argv, NULL, &err), ERR_INPUT);
    ck_assert_str_eq(err.msg, "cannot start oracle '/nonexistent/model-server --x': No such "
                              "file or directory");
    oracle_release(&o);
    const char *empty[] = {NULL};
    ck_assert_int_eq(oracle_start(&o, empty, NULL, &err), ERR_USAGE);
    const char *sh[] = {"sh", "-c", "exit 0", NULL};
    struct oracle_opts bad = {1, -1};
    ck_assert_int_eq(oracle_start(&o, sh, &bad, &err), ERR_USAGE);
    oracle_release(&o);
    /* a zeroed oracle releases without touching fd 0 */
    memset(&o, 0, sizeof o);
    oracle_release(&o);
    ck_assert_int_ne(fcntl(0, F_GETFD), -1);
}
END_TEST

static int have_sklearn(void)
{
    return access(PY, X_OK) == 0 &&
           system(PY " -c 'import sklearn, numpy' >/dev/null 2>&1") == 0;
}

START_TEST(sklearn_oracle_should_agree_with_its_predictions_file)
{
    if (!have_sklearn()) {
        fprintf(stderr, "skipped: %s with python3-sklearn not found\n", PY);
        return;
    }
    char dir[64], members[128], preds[160], cmd[1024];
    snprintf(dir, sizeof dir, "/tmp/privaudit-or-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(members, sizeof members, "%s/members.txt", dir);
    snprintf(preds, sizeof preds, "%s/preds.csv", dir);
    FILE *fp = fopen(members, "w");
    ck_assert_ptr_nonnull(fp);
    for (int i = 1; i <= 4601; i += 2)
        fprintf(fp, "%d\n", i);
    fclose(fp);
    const char *data = PRIVAUDIT_SOURCE_DIR "/fixtures/data/spam.csv";
    snprintf(cmd, sizeof cmd, PY " " FIX "write_predictions.py --data %s --members %s %s",
             data, members, preds);
    ck_assert_int_eq(system(cmd), 0);
    struct predfile pf;
    struct dataset ds;
    struct error err;
    error_clear(&err);
    ck_assert_msg(predfile_load(&pf, preds, &err) == 0, "%s", err.msg);
    ck_assert_msg(dataset_load(&ds, data, NULL, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(pf.n, ds.n_rows);
    ck_assert_uint_eq(pf.k, 2);
    ck_assert_int_eq(pf.member[0], 1);
    ck_assert_int_eq(pf.member[1], 0);
    const char *argv[] = {PY, FIX "sklearn_oracle.py", "--data", data, "--members", members,
                          NULL};
    struct oracle o;
    struct oracle_opts opts = {500, 60};
    ck_assert_msg(oracle_start(&o, argv, &opts, &err) == 0, "%s", err.msg);
    const char **names = malloc(ds.n_features * sizeof *names);
    for (size_t j = 0; j < ds.n_features; j++)
        names[j] = ds.schema.features[j].name;
    double *p = malloc(ds.n_rows * 2 * sizeof *p);
    ck_assert_msg(oracle_predict(&o, ds.x, ds.n_rows, ds.n_features, names, p, 2, &err) == 0,
                  "%s", err.msg);
    ck_assert_uint_eq(o.queries, ds.n_rows);
    ck_assert_uint_eq(o.batches, 10);
    for (size_t i = 0; i < ds.n_rows * 2; i++)
        ck_assert_double_eq_tol(p[i], pf.probs[i], 1e-9);
    ck_assert_int_eq(pf.labels[0], ds.y[0]);
    ck_assert_msg(oracle_finish(&o, &err) == 0, "%s", err.msg);
    oracle_release(&o);
    free(p);
    free(names);
    predfile_release(&pf);
    dataset_release(&ds);
    unlink(preds);
    unlink(members);
    rmdir(dir);
}
END_TEST

Suite *oracle_suite(void)
{
    Suite *s = suite_create("oracle");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, predict_should_round_trip_rows_in_batches, 0, 2);
    tcase_add_test(tc, predict_should_send_the_documented_wire_format);
    tcase_add_loop_test(tc, predict_should_fail_kill_and_reap_on_bad_programs, 0,
                        (int)ARRAY_LEN(FAILS));
    tcase_add_test(tc, predict_should_time_out_within_twice_the_timeout);
    tcase_add_test(tc, predict_should_survive_a_program_that_stops_reading);
    tcase_add_loop_test(tc, predict_should_drain_a_chatty_stderr_and_wait_for_slow_programs, 0,
                        2);
    tcase_add_test(tc, finish_should_report_bad_exits_and_lingering_programs);
    tcase_add_test(tc, start_should_reject_missing_programs_and_bad_options);
    tcase_add_test(tc, sklearn_oracle_should_agree_with_its_predictions_file);
    suite_add_tcase(s, tc);
    return s;
}
