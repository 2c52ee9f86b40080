/*
 * targets/oracle.c - the prediction-command oracle (see oracle.h for the
 * protocol and the failure handling).
 *
 * One poll(2) loop per batch writes the batch to the program's stdin and
 * reads its stdout and stderr at the same time, all three non-blocking, so
 * neither side can deadlock on a full pipe (a program may answer the first
 * rows before it has read the last ones, and may write any amount of
 * stderr).
 *
 * _GNU_SOURCE: for posix_spawn_file_actions_addchdir_np (glibc >= 2.29),
 * which runs the program in opts->cwd without forking by hand.
 */
#define _GNU_SOURCE
#include "targets/oracle.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* An answer line longer than this is an error (no program needs it). */
#define MAX_LINE_BYTES (1u << 20)
/* Bytes of the stderr tail and of an answer quoted in a message. */
#define MSG_TAIL 300
#define MSG_LINE 60

/* ---- time ------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Milliseconds left until the deadline, rounded up, >= 0. */
static int ms_left(double deadline)
{
    double left = deadline - now_s();
    if (left <= 0)
        return 0;
    double ms = ceil(left * 1000.0);
    return ms > 1e9 ? 1000000000 : (int)ms;
}

/* ---- growing text buffer ------------------------------------------ */

struct sbuf {
    char *p;
    size_t len, cap;
};

static int sb_reserve(struct sbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t nc = b->cap ? b->cap : 4096;
    while (nc < b->len + more + 1)
        nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np)
        return -1;
    b->p = np;
    b->cap = nc;
    return 0;
}

static int sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (sb_reserve(b, n))
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int sb_putc(struct sbuf *b, char c)
{
    return sb_put(b, &c, 1);
}

/* A header field, quoted as RFC 4180 when needed. */
static int sb_put_name(struct sbuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        return sb_put(b, s, strlen(s));
    if (sb_putc(b, '"'))
        return -1;
    for (; *s; s++)
        if ((*s == '"' && sb_putc(b, '"')) || sb_putc(b, *s))
            return -1;
    return sb_putc(b, '"');
}

/* ---- messages ------------------------------------------------------- */

/* Copy at most cap-1 bytes of s (len n) with control bytes as '?' and line
 * ends as ' | ', keeping the end when it must cut. */
static void printable_tail(char *out, size_t cap, const char *s, size_t n)
{
    size_t j = 0;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    size_t start = n > cap / 2 ? n - cap / 2 : 0; /* ' | ' may triple a byte */
    if (start)
        j += (size_t)snprintf(out, cap, "...");
    for (size_t i = start; i < n && j + 4 < cap; i++) {
        char c = s[i];
        if (c == '\n') {
            memcpy(out + j, " | ", 3);
            j += 3;
        } else if (c == '\r') {
            continue;
        } else {
            out[j++] = (unsigned char)c < 0x20 || c == 0x7f ? '?' : c;
        }
    }
    out[j] = '\0';
}

static void printable_head(char *out, size_t cap, const char *s, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 4 < cap; i++)
        out[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (n > cap - 4 && j + 3 < cap) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = '\0';
}

/* "; its stderr ends: '...'" or "; it wrote nothing to stderr". */
static void stderr_note(const struct oracle *o, char *out, size_t cap)
{
    if (o->epos == 0) {
        snprintf(out, cap, "; it wrote nothing to stderr");
        return;
    }
    char lin[ORACLE_STDERR_TAIL];
    size_t n = o->epos < ORACLE_STDERR_TAIL ? o->epos : ORACLE_STDERR_TAIL;
    size_t start = o->epos < ORACLE_STDERR_TAIL ? 0 : o->epos % ORACLE_STDERR_TAIL;
    for (size_t i = 0; i < n; i++)
        lin[i] = o->etail[(start + i) % ORACLE_STDERR_TAIL];
    char shown[MSG_TAIL + 8];
    printable_tail(shown, sizeof shown, lin, n);
    snprintf(out, cap, "; its stderr ends: '%s'", shown);
}

static void describe_status(int st, char *out, size_t cap)
{
    if (WIFEXITED(st))
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(out, cap, "was killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else
        snprintf(out, cap, "stopped (wait status %d)", st);
}

/* ---- process handling ----------------------------------------------- */

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return 0;
}

/* Append stderr bytes to the tail ring. */
static void keep_stderr(struct oracle *o, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o->etail[(o->epos + i) % ORACLE_STDERR_TAIL] = b[i];
    o->epos += n;
}

/* Read whatever stderr holds now (non-blocking); closes it at EOF. */
static void drain_stderr(struct oracle *o)
{
    char b[4096];
    while (o->fd_err >= 0) {
        ssize_t r = read(o->fd_err, b, sizeof b);
        if (r > 0) {
            keep_stderr(o, b, (size_t)r);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            close_fd(&o->fd_err);
        break;
    }
}

/* SIGKILL the program's group and reap it; *st gets the wait status. */
static void kill_and_reap(struct oracle *o, int *st)
{
    int s = 0;
    if (o->pid > 0) {
        kill(-o->pid, SIGKILL);
        kill(o->pid, SIGKILL);
        while (waitpid(o->pid, &s, 0) < 0 && errno == EINTR)
            ;
        o->pid = -1;
    }
    if (st)
        *st = s;
}

/*
 * Wait until `deadline` for the program to exit, draining stderr (and
 * stdout, whose bytes are counted into *extra when extra is not NULL).
 * Returns 1 and the status when it exited, 0 when it was killed at the
 * deadline (status in *st too).
 */
static int reap_until(struct oracle *o, double deadline, int *st, size_t *extra)
{
    for (;;) {
        pid_t r = waitpid(o->pid, st, WNOHANG);
        if (r == o->pid) {
            o->pid = -1;
            drain_stderr(o);
            return 1;
        }
        if (r < 0 && errno != EINTR) {
            o->pid = -1; /* not ours any more (cannot happen) */
            *st = 0;
            return 1;
        }
        int left = ms_left(deadline);
        if (left == 0) {
            kill_and_reap(o, st);
            drain_stderr(o);
            return 0;
        }
        struct pollfd p[2];
        nfds_t np = 0;
        if (o->fd_err >= 0)
            p[np++] = (struct pollfd){o->fd_err, POLLIN, 0};
        if (o->fd_out >= 0)
            p[np++] = (struct pollfd){o->fd_out, POLLIN, 0};
        /* poll wakes on pipe data/EOF; the child's exit itself does not
         * wake it, so look again at least every 10 ms. */
        int rc = poll(p, np, left < 10 ? left : 10);
        if (rc > 0) {
            drain_stderr(o);
            char b[4096];
            while (o->fd_out >= 0) {
                ssize_t n = read(o->fd_out, b, sizeof b);
                if (n > 0) {
                    if (extra)
                        *extra += (size_t)n;
                    continue;
                }
                if (n < 0 && errno == EINTR)
                    continue;
                if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
                    close_fd(&o->fd_out);
                break;
            }
        }
    }
}

/* Mark failed: kill, reap, close.  Returns ERR_INPUT for `return fail(...)`. */
static int fail(struct oracle *o)
{
    kill_and_reap(o, NULL);
    close_fd(&o->fd_in);
    close_fd(&o->fd_out);
    close_fd(&o->fd_err);
    o->failed = true;
    return ERR_INPUT;
}

void oracle_release(struct oracle *o)
{
    if (!o || !o->cmd)
        return;
    kill_and_reap(o, NULL);
    close_fd(&o->fd_in);
    close_fd(&o->fd_out);
    close_fd(&o->fd_err);
    free(o->cmd);
    free(o->obuf);
    memset(o, 0, sizeof *o);
    o->pid = -1;
    o->fd_in = o->fd_out = o->fd_err = -1;
}

/*
 * The program file argv0 names: itself when it holds a '/', else the first
 * executable PATH entry (as execvp; an empty PATH entry is the current
 * directory).  Resolved here, not left to posix_spawnp, so that a missing
 * program is an error at start on every libc (some report a failed exec
 * only as exit status 127).  Returns 0 or an errno value.
 */
static int resolve_program(const char *argv0, struct sbuf *out)
{
    if (strchr(argv0, '/')) {
        if (access(argv0, X_OK) != 0)
            return errno;
        return sb_put(out, argv0, strlen(argv0)) ? ENOMEM : 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    int last = ENOENT;
    for (const char *p = path;; p++) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        out->len = 0;
        if ((n ? sb_put(out, p, n) : sb_put(out, ".", 1)) || sb_putc(out, '/') ||
            sb_put(out, argv0, strlen(argv0)))
            return ENOMEM;
        if (access(out->p, X_OK) == 0)
            return 0;
        if (errno == EACCES)
            last = EACCES;
        if (!colon)
            break;
        p = colon;
    }
    return last;
}

int oracle_start(struct oracle *o, const char *const *argv, const struct oracle_opts *opts,
                 struct error *err)
{
    memset(o, 0, sizeof *o);
    o->pid = -1;
    o->fd_in = o->fd_out = o->fd_err = -1;
    if (!argv || !argv[0] || !argv[0][0])
        return error_set(err, ERR_USAGE, "oracle: empty command");
    o->batch = opts && opts->batch ? opts->batch : ORACLE_DEFAULT_BATCH;
    o->timeout_s = opts && opts->timeout_s != 0 ? opts->timeout_s : ORACLE_DEFAULT_TIMEOUT_S;
    if (!(o->timeout_s > 0) || !isfinite(o->timeout_s))
        return error_set(err, ERR_USAGE, "oracle: timeout_s must be a number > 0, got %g",
                         o->timeout_s);
    struct sbuf cmd = {NULL, 0, 0};
    for (size_t i = 0; argv[i]; i++)
        if ((i && sb_putc(&cmd, ' ')) || sb_put(&cmd, argv[i], strlen(argv[i]))) {
            free(cmd.p);
            return error_set(err, ERR_NOMEM, "out of memory");
        }
    o->cmd = cmd.p;

    int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, rc = 0;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    bool have_fa = false, have_attr = false;
    struct sbuf prog = {NULL, 0, 0};
    if (pipe(pin) || pipe(pout) || pipe(perr)) {
        rc = error_set(err, ERR_INTERNAL, "oracle '%s': cannot create pipes: %s", o->cmd,
                       strerror(errno));
        goto cleanup;
    }
    int all[6] = {pin[0], pin[1], pout[0], pout[1], perr[0], perr[1]};
    for (int i = 0; i < 6; i++)
        if (set_nonblock_cloexec(all[i])) {
            rc = error_set(err, ERR_INTERNAL, "oracle '%s': fcntl: %s", o->cmd,
                           strerror(errno));
            goto cleanup;
        }
    if (posix_spawn_file_actions_init(&fa) != 0 || !(have_fa = true) ||
        posix_spawn_file_actions_adddup2(&fa, pin[0], 0) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, pout[1], 1) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, perr[1], 2) != 0 ||
        (opts && opts->cwd && posix_spawn_file_actions_addchdir_np(&fa, opts->cwd) != 0) ||
        posix_spawnattr_init(&attr) != 0 || !(have_attr = true)) {
        rc = error_set(err, ERR_INTERNAL, "oracle '%s': posix_spawn setup failed", o->cmd);
        goto cleanup;
    }
    /* Own process group; default SIGPIPE and an empty signal mask in the
     * child whatever privaudit's are. */
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    if (posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF) != 0 ||
        posix_spawnattr_setpgroup(&attr, 0) != 0 ||
        posix_spawnattr_setsigmask(&attr, &none) != 0 ||
        posix_spawnattr_setsigdefault(&attr, &def) != 0) {
        rc = error_set(err, ERR_INTERNAL, "oracle '%s': posix_spawn setup failed", o->cmd);
        goto cleanup;
    }
    pid_t pid;
    int e = 0;
    if (opts && opts->cwd && strchr(argv[0], '/') && argv[0][0] != '/') {
        /* A relative program path is relative to the directory it runs in;
         * exec'd after the chdir, so make it absolute here. */
        size_t need = strlen(opts->cwd) + strlen(argv[0]) + 2;
        char *joined = malloc(need);
        char *abs = NULL;
        if (!joined)
            e = ENOMEM;
        else {
            snprintf(joined, need, "%s/%s", opts->cwd, argv[0]);
            abs = realpath(joined, NULL);
            if (!abs)
                e = errno;
            else if (access(abs, X_OK) != 0)
                e = errno;
            else if (sb_put(&prog, abs, strlen(abs)))
                e = ENOMEM;
        }
        free(joined);
        free(abs);
    } else {
        e = resolve_program(argv[0], &prog);
    }
    if (e == 0)
        e = posix_spawn(&pid, prog.p, &fa, &attr, (char *const *)argv, environ);
    if (e != 0) {
        rc = error_set(err, ERR_INPUT, "cannot start oracle '%s': %s", o->cmd, strerror(e));
        goto cleanup;
    }
    o->pid = pid;
    o->fd_in = pin[1];
    o->fd_out = pout[0];
    o->fd_err = perr[0];
    pin[1] = pout[0] = perr[0] = -1;
    if (set_nonblock(o->fd_in) || set_nonblock(o->fd_out) || set_nonblock(o->fd_err)) {
        rc = error_set(err, ERR_INTERNAL, "oracle '%s': fcntl: %s", o->cmd, strerror(errno));
        goto cleanup;
    }
cleanup:
    if (have_fa)
        posix_spawn_file_actions_destroy(&fa);
    if (have_attr)
        posix_spawnattr_destroy(&attr);
    free(prog.p);
    close_fd(&pin[0]);
    close_fd(&pin[1]);
    close_fd(&pout[0]);
    close_fd(&pout[1]);
    close_fd(&perr[0]);
    close_fd(&perr[1]);
    if (rc)
        oracle_release(o);
    return rc;
}

/* ---- answers -------------------------------------------------------- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Strict finite decimal number (as targets/predfile.h), blanks trimmed. */
static int parse_number(const char *s, size_t n, double *out)
{
    while (n && is_blank(*s)) {
        s++;
        n--;
    }
    while (n && is_blank(s[n - 1]))
        n--;
    char tmp[128];
    if (n == 0 || n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    size_t i = 0, nd = 0;
    if (tmp[i] == '+' || tmp[i] == '-')
        i++;
    for (; tmp[i] >= '0' && tmp[i] <= '9'; i++)
        nd++;
    if (tmp[i] == '.')
        for (i++; tmp[i] >= '0' && tmp[i] <= '9'; i++)
            nd++;
    if (nd == 0)
        return 0;
    if (tmp[i] == 'e' || tmp[i] == 'E') {
        i++;
        if (tmp[i] == '+' || tmp[i] == '-')
            i++;
        size_t e0 = i;
        while (tmp[i] >= '0' && tmp[i] <= '9')
            i++;
        if (i == e0)
            return 0;
    }
    if (tmp[i] != '\0')
        return 0;
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (*end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Parse one answer line (no line end) into p[0..k); errors name batch and
 * row. */
static int parse_answer(const struct oracle *o, const char *line, size_t n, size_t k,
                        unsigned long long batch, size_t row, double *p, struct error *err)
{
    char shown[MSG_LINE + 8];
    size_t nf = 1;
    for (size_t i = 0; i < n; i++)
        nf += line[i] == ',';
    if (nf != k) {
        printable_head(shown, sizeof shown, line, n);
        return error_set(err, ERR_INPUT,
                         "oracle '%s': batch %llu, row %zu: expected %zu probabilities, got "
                         "%zu ('%s')",
                         o->cmd, batch, row, k, nf, shown);
    }
    const char *f = line, *end = line + n;
    double s = 0;
    for (size_t c = 0; c < k; c++) {
        const char *comma = memchr(f, ',', (size_t)(end - f));
        const char *fe = comma ? comma : end;
        if (!parse_number(f, (size_t)(fe - f), &p[c])) {
            printable_head(shown, sizeof shown, f, (size_t)(fe - f));
            return error_set(err, ERR_INPUT,
                             "oracle '%s': batch %llu, row %zu: probability %zu is not a "
                             "finite number: '%s'",
                             o->cmd, batch, row, c, shown);
        }
        if (p[c] < 0)
            return error_set(err, ERR_INPUT,
                             "oracle '%s': batch %llu, row %zu: probability %zu is negative "
                             "(%.6g)",
                             o->cmd, batch, row, c, p[c]);
        s += p[c];
        f = fe + 1;
    }
    if (!(fabs(s - 1.0) <= ORACLE_SUM_TOL))
        return error_set(err, ERR_INPUT,
                         "oracle '%s': batch %llu, row %zu: probabilities sum to %.10g, "
                         "expected 1 within %g",
                         o->cmd, batch, row, s, ORACLE_SUM_TOL);
    for (size_t c = 0; c < k; c++)
        p[c] /= s;
    return 0;
}

/* The program closed its stdout before answering: reap it (waiting a
 * moment for its exit status) and describe what happened. */
static int died(struct oracle *o, unsigned long long batch, size_t row0, size_t answered,
                size_t nb, struct error *err)
{
    int st = 0;
    double wait = o->timeout_s < 2.0 ? o->timeout_s : 2.0;
    int exited = reap_until(o, now_s() + wait, &st, NULL);
    char how[128], note[MSG_TAIL + 64];
    if (exited)
        describe_status(st, how, sizeof how);
    else
        snprintf(how, sizeof how, "closed its stdout (and was killed)");
    stderr_note(o, note, sizeof note);
    error_set(err, ERR_INPUT,
              "oracle '%s': batch %llu, row %zu: the program %s after answering %zu of %zu "
              "rows%s",
              o->cmd, batch, row0 + answered + 1, how, answered, nb, note);
    return fail(o);
}

/*
 * Send text[0..len) (nb rows of batch `batch`, the first being row
 * row0 + 1 of the call) and read the nb answers into probs (nb x k).
 */
static int run_batch(struct oracle *o, const char *text, size_t len, size_t nb, size_t row0,
                     unsigned long long batch, double *probs, size_t k, struct error *err)
{
    double deadline = now_s() + o->timeout_s;
    size_t sent = 0, answered = 0;
    bool sep_seen = false;
    char shown[MSG_LINE + 8];
    for (;;) {
        /* consume complete lines */
        char *nl;
        while (!sep_seen && o->olen && (nl = memchr(o->obuf, '\n', o->olen)) != NULL) {
            size_t n = (size_t)(nl - o->obuf), used = n + 1;
            if (n && o->obuf[n - 1] == '\r')
                n--;
            int rc = 0;
            if (answered < nb) {
                if (n == 0) {
                    error_set(err, ERR_INPUT,
                              "oracle '%s': batch %llu, row %zu: got an empty line (the end "
                              "of the batch's answers) after %zu of %zu rows",
                              o->cmd, batch, row0 + answered + 1, answered, nb);
                    return fail(o);
                }
                rc = parse_answer(o, o->obuf, n, k, batch, row0 + answered + 1,
                                  probs + answered * k, err);
                answered++;
            } else if (n == 0) {
                sep_seen = true;
            } else {
                printable_head(shown, sizeof shown, o->obuf, n);
                rc = error_set(err, ERR_INPUT,
                               "oracle '%s': batch %llu, row %zu: more answer lines than the "
                               "batch's %zu rows (expected the empty line that ends the "
                               "batch, got '%s')",
                               o->cmd, batch, row0 + nb, nb, shown);
            }
            if (rc)
                return fail(o);
            memmove(o->obuf, o->obuf + used, o->olen - used);
            o->olen -= used;
        }
        if (sep_seen) {
            if (o->olen) {
                printable_head(shown, sizeof shown, o->obuf, o->olen);
                error_set(err, ERR_INPUT,
                          "oracle '%s': batch %llu, row %zu: output after the empty line "
                          "that ends the batch: '%s'",
                          o->cmd, batch, row0 + nb, shown);
                return fail(o);
            }
            return 0;
        }
        /* every complete line is consumed: at EOF nothing more will come */
        if (o->fd_out < 0)
            return died(o, batch, row0, answered, nb, err);
        if (o->olen > MAX_LINE_BYTES) {
            error_set(err, ERR_INPUT,
                      "oracle '%s': batch %llu, row %zu: an answer line longer than %u "
                      "bytes",
                      o->cmd, batch, row0 + answered + 1, MAX_LINE_BYTES);
            return fail(o);
        }
        int left = ms_left(deadline);
        if (left == 0) {
            error_set(err, ERR_INPUT,
                      "oracle '%s': batch %llu, row %zu: no answer within the timeout of "
                      "%g s (%zu of %zu rows answered%s); the program was killed",
                      o->cmd, batch, row0 + answered + 1, o->timeout_s, answered, nb,
                      sent < len ? ", and it stopped reading its input" : "");
            int st;
            kill_and_reap(o, &st);
            drain_stderr(o);
            char note[MSG_TAIL + 64];
            stderr_note(o, note, sizeof note);
            size_t ml = strlen(err->msg);
            if (ml < sizeof err->msg)
                snprintf(err->msg + ml, sizeof err->msg - ml, "%s", note);
            return fail(o);
        }
        struct pollfd p[3];
        nfds_t np = 0;
        int i_in = -1, i_out = -1, i_err = -1;
        if (sent < len && o->fd_in >= 0) {
            i_in = (int)np;
            p[np++] = (struct pollfd){o->fd_in, POLLOUT, 0};
        }
        if (o->fd_out >= 0) {
            i_out = (int)np;
            p[np++] = (struct pollfd){o->fd_out, POLLIN, 0};
        }
        if (o->fd_err >= 0) {
            i_err = (int)np;
            p[np++] = (struct pollfd){o->fd_err, POLLIN, 0};
        }
        int pr = poll(p, np, left);
        if (pr < 0) {
            if (errno == EINTR)
                continue;
            error_set(err, ERR_INTERNAL, "oracle '%s': poll: %s", o->cmd, strerror(errno));
            fail(o);
            return ERR_INTERNAL;
        }
        if (i_in >= 0 && p[i_in].revents) {
            ssize_t w = write(o->fd_in, text + sent, len - sent);
            if (w > 0) {
                sent += (size_t)w;
                if (sent == len)
                    o->queries += nb;
            } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                /* EPIPE: the program closed its stdin or exited; its
                 * stdout tells which (EOF -> died(), else a timeout). */
                close_fd(&o->fd_in);
            }
        }
        if (i_err >= 0 && p[i_err].revents)
            drain_stderr(o);
        if (i_out >= 0 && p[i_out].revents) {
            for (;;) {
                if (o->ocap - o->olen < 4096) {
                    size_t nc = o->ocap ? 2 * o->ocap : 8192;
                    char *nbuf = realloc(o->obuf, nc);
                    if (!nbuf) {
                        error_set(err, ERR_NOMEM, "out of memory");
                        fail(o);
                        return ERR_NOMEM;
                    }
                    o->obuf = nbuf;
                    o->ocap = nc;
                }
                ssize_t r = read(o->fd_out, o->obuf + o->olen, o->ocap - o->olen);
                if (r > 0) {
                    o->olen += (size_t)r;
                    if (o->olen > MAX_LINE_BYTES)
                        break;
                    continue;
                }
                if (r < 0 && errno == EINTR)
                    continue;
                if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                    break;
                /* EOF (or a read error): the program is gone.  Lines
                 * already read are parsed first (they may hold the error). */
                close_fd(&o->fd_out);
                break;
            }
        }
    }
}

/* Append one row of d values: %.9g, empty for NaN. */
static int put_row(struct sbuf *b, const float *x, size_t d)
{
    char num[32];
    for (size_t j = 0; j < d; j++) {
        if (j && sb_putc(b, ','))
            return -1;
        if (isnan(x[j]))
            continue;
        int n = snprintf(num, sizeof num, "%.9g", (double)x[j]);
        if (sb_put(b, num, (size_t)n))
            return -1;
    }
    return sb_putc(b, '\n');
}

int oracle_predict(struct oracle *o, const float *x, size_t n, size_t d,
                   const char *const *feature_names, double *probs, size_t k,
                   struct error *err)
{
    if (o->failed || o->pid < 0)
        return error_set(err, ERR_INPUT,
                         "oracle '%s': the program is not running (an earlier batch failed)",
                         o->cmd ? o->cmd : "");
    if (k < 2)
        return error_set(err, ERR_USAGE, "oracle '%s': need at least 2 classes, got %zu",
                         o->cmd, k);
    if (o->header_sent && d != o->d)
        return error_set(err, ERR_USAGE,
                         "oracle '%s': rows have %zu features, earlier ones had %zu", o->cmd, d,
                         o->d);
    if (n == 0)
        return 0;
    if (d == 0)
        return error_set(err, ERR_USAGE, "oracle '%s': rows have no features", o->cmd);

    /* SIGPIPE: blocked in this thread while we write; one we raise stays
     * pending and is consumed below (unless one was pending already). */
    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    sigemptyset(&pending);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);

    int rc = 0;
    struct sbuf b = {NULL, 0, 0};
    for (size_t start = 0; start < n && !rc; start += o->batch) {
        size_t nb = n - start < o->batch ? n - start : o->batch;
        b.len = 0;
        if (!o->header_sent) {
            char name[32];
            for (size_t j = 0; j < d && !rc; j++) {
                const char *nm = feature_names ? feature_names[j] : NULL;
                if (!nm) {
                    snprintf(name, sizeof name, "f%zu", j + 1);
                    nm = name;
                }
                if ((j && sb_putc(&b, ',')) || sb_put_name(&b, nm))
                    rc = error_set(err, ERR_NOMEM, "out of memory");
            }
            if (!rc && sb_putc(&b, '\n'))
                rc = error_set(err, ERR_NOMEM, "out of memory");
            o->header_sent = true;
            o->d = d;
        }
        for (size_t i = 0; i < nb && !rc; i++)
            if (put_row(&b, x + (start + i) * d, d))
                rc = error_set(err, ERR_NOMEM, "out of memory");
        if (!rc && sb_putc(&b, '\n'))
            rc = error_set(err, ERR_NOMEM, "out of memory");
        if (rc) {
            fail(o);
            break;
        }
        o->batches++;
        rc = run_batch(o, b.p, b.len, nb, start, o->batches, probs + start * k, k, err);
    }
    free(b.p);

    if (!was_pending) {
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            struct timespec zero = {0, 0};
            while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
                ;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return rc;
}

int oracle_finish(struct oracle *o, struct error *err)
{
    if (!o->cmd || o->failed || o->pid < 0)
        return 0;
    close_fd(&o->fd_in);
    size_t extra = o->olen;
    int st = 0;
    int exited = reap_until(o, now_s() + o->timeout_s, &st, &extra);
    char how[128], note[MSG_TAIL + 64];
    stderr_note(o, note, sizeof note);
    int rc = 0;
    if (!exited)
        rc = error_set(err, ERR_INPUT,
                       "oracle '%s': the program did not exit within %g s after its input "
                       "ended; it was killed",
                       o->cmd, o->timeout_s);
    else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        describe_status(st, how, sizeof how);
        rc = error_set(err, ERR_INPUT, "oracle '%s': the program %s at the end%s", o->cmd,
                       how, note);
    } else if (extra)
        rc = error_set(err, ERR_INPUT,
                       "oracle '%s': the program wrote %zu bytes nobody asked for after its "
                       "last batch",
                       o->cmd, extra);
    close_fd(&o->fd_out);
    close_fd(&o->fd_err);
    o->olen = 0;
    if (rc)
        o->failed = true;
    return rc;
}
