/*
 * targets/oracle.h - a third-party model behind a prediction command: a
 * program privaudit starts once and queries over pipes.
 *
 * Protocol (docs/thirdparty.md, "the command oracle"), all text, one line =
 * bytes up to LF:
 *
 *   privaudit -> program (its stdin)
 *     line 1, once:  the feature names, comma-separated (RFC 4180 quoting
 *                    when a name holds a comma, a quote, CR or LF);
 *     then batches:  up to `batch` rows, one line each: d comma-separated
 *                    values printed with %.9g (a float32 reads back exactly),
 *                    an empty field for a missing value (NaN); each batch is
 *                    followed by one empty line, which means "answer now".
 *     end:           privaudit closes the program's stdin; the program
 *                    should exit with status 0.
 *   program -> privaudit (its stdout)
 *     for each row, in order, one line of K comma-separated probabilities
 *     (class indices 0..K-1, numbers as in predfile.h, blanks around allowed,
 *     CRLF allowed); nothing else on stdout (logs go to stderr).  The answers
 *     of a batch must be flushed at the latest when its empty line is read.
 *     A program may answer row by row (skip empty lines, flush each line)
 *     or batch by batch (read to the empty line, predict, write, flush).
 *
 * The process is persistent: one program serves every batch, so a model
 * is loaded once.  Each answer row must have K values, each >= 0, summing to
 * 1 within ORACLE_SUM_TOL (absolute); rows are then divided by their sum.
 *
 * Failure handling: every batch must be answered within timeout_s seconds
 * of its first byte being sent (poll(2) on the pipes, CLOCK_MONOTONIC).  On
 * a timeout, a malformed answer, extra output, or the program exiting before
 * it answered, the program's process group is killed with SIGKILL and the
 * program reaped (no zombie), the oracle is marked failed, and the error
 * (ERR_INPUT: the program misbehaved) names the command, the batch number
 * (1-based, counted over the oracle's life) and the row (1-based index into
 * this call's x), e.g.
 *   "oracle 'python3 model.py': batch 2, row 300: expected 2 probabilities,
 *    got 3 ('0.1,0.2,0.7')"
 *   "oracle 'model.sh': batch 1: the program exited with status 1 after
 *    answering 0 of 256 rows; its stderr ends: Traceback ..."
 * stderr of the program is captured through a pipe (drained while the
 * batch runs, so a chatty program cannot block); its last ORACLE_STDERR_TAIL
 * bytes are kept for messages and otherwise discarded.
 *
 * Signals: writing to a program that exited raises SIGPIPE; oracle_predict
 * blocks SIGPIPE in the calling thread while it writes and consumes a
 * SIGPIPE it caused before unblocking (per thread, so other threads'
 * handlers are untouched); the write then fails with EPIPE and is reported.
 *
 * The program runs in its own process group (so a shell wrapper's children
 * are killed with it), with privaudit's environment and working directory,
 * started with posix_spawn (no shell; argv[0] is looked up in PATH as
 * execvp does, before the spawn, so a missing program fails oracle_start).
 *
 * Not thread-safe per oracle: one thread uses an oracle at a time.
 */
#ifndef PRIVAUDIT_TARGETS_ORACLE_H
#define PRIVAUDIT_TARGETS_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"

#define ORACLE_SUM_TOL 1e-4
#define ORACLE_STDERR_TAIL 2048
#define ORACLE_DEFAULT_BATCH 256
#define ORACLE_DEFAULT_TIMEOUT_S 60.0

struct oracle_opts {
    size_t batch;        /* rows per batch, >= 1 (0 = ORACLE_DEFAULT_BATCH) */
    double timeout_s;    /* per batch, > 0 (0 = ORACLE_DEFAULT_TIMEOUT_S) */
    const char *cwd;     /* working directory of the program; NULL = ours */
};

struct oracle {
    pid_t pid;           /* the program; -1 once reaped */
    int fd_in;           /* write end of its stdin, -1 when closed */
    int fd_out;          /* read end of its stdout */
    int fd_err;          /* read end of its stderr */
    char *cmd;           /* the argv joined with spaces, for messages */
    size_t batch;
    double timeout_s;
    bool header_sent;
    size_t d;            /* features, fixed by the first call */
    bool failed;         /* an earlier call failed; the program is gone */
    unsigned long long queries; /* rows sent (batches written in full) */
    unsigned long long batches; /* batches sent */
    char *obuf;          /* stdout bytes not yet consumed */
    size_t olen, ocap;
    char etail[ORACLE_STDERR_TAIL]; /* ring of the last stderr bytes */
    size_t epos;         /* bytes of stderr seen in total */
};

/*
 * Start argv[0] with arguments argv (NULL-terminated, argv[0] non-empty).
 * opts may be NULL (defaults).  On success o is running (release with
 * oracle_release).  On failure o is released; ERR_USAGE for bad opts or an
 * empty argv, ERR_INPUT when the program cannot be started ("cannot start
 * oracle 'x': No such file or directory"), ERR_INTERNAL for pipe errors.
 */
int oracle_start(struct oracle *o, const char *const *argv,
                 const struct oracle_opts *opts, struct error *err);

/*
 * Class probabilities of the n rows x (row-major n x d floats, NaN =
 * missing) into probs (n x k, caller-allocated, k >= 2).  feature_names:
 * d names sent as the header on the first call (NULL = "f1".."fd"); d must
 * be the same on every call.  n may be 0.  Sends ceil(n / batch) batches;
 * queries grows by n.  Returns 0, or ERR_INPUT (the program misbehaved or
 * an earlier call failed; the program is killed and reaped), ERR_USAGE (d
 * changed, k < 2), ERR_NOMEM, ERR_INTERNAL.
 */
int oracle_predict(struct oracle *o, const float *x, size_t n, size_t d,
                   const char *const *feature_names, double *probs, size_t k,
                   struct error *err);

/*
 * Close the program's stdin and wait up to timeout_s for it to exit;
 * ERR_INPUT when it does not exit in time (then killed), exits non-zero, is
 * killed by a signal, or printed output nobody asked for.  The program is
 * reaped in every case.  Safe after a failure (returns 0 then: the failure
 * was already reported).
 */
int oracle_finish(struct oracle *o, struct error *err);

/* Kill (SIGKILL to its process group) and reap a running program, close
 * the pipes and free everything; NULL and zeroed/released oracles are fine. */
void oracle_release(struct oracle *o);

#endif
