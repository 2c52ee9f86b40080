/*
 * audit/cli.c - option parsing helpers and the run, demo and bound commands.
 */
#include "audit/cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit/bounds.h"
#include "audit/config.h"
#include "audit/pipeline.h"
#include "core/afile.h"
#include "report/render.h"

int cli_fail(const char *cmd, const struct error *err)
{
    fprintf(stderr, "privaudit: error: %s\n", err->msg);
    if (err->code == ERR_USAGE)
        fprintf(stderr, "try 'privaudit %s%s--help'\n", cmd ? cmd : "",
                cmd ? " " : "");
    return error_exit_code(err->code);
}

int cli_parse_double(const char *opt, const char *text, double *out,
                     struct error *err)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno == ERANGE || !isfinite(v))
        return error_set(err, ERR_USAGE, "%s: expected a number, got '%s'", opt, text);
    *out = v;
    return 0;
}

int cli_parse_u64(const char *opt, const char *text, unsigned long long *out,
                  struct error *err)
{
    char *end = NULL;
    errno = 0;
    if (!*text || text[0] == '-' || text[0] == '+')
        return error_set(err, ERR_USAGE, "%s: expected a non-negative integer, got '%s'",
                         opt, text);
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno == ERANGE)
        return error_set(err, ERR_USAGE, "%s: expected a non-negative integer, got '%s'",
                         opt, text);
    *out = v;
    return 0;
}

/*
 * A tiny long-option scanner: "--name value" or "--name=value" for options
 * that take a value, "--flag" for the others.  Positional arguments are
 * collected in order.
 */
int cli_scan_opts(int argc, char **argv, const struct opt_spec *specs, size_t n,
                     const char **pos, size_t max_pos, size_t *n_pos, bool *help,
                     struct error *err)
{
    *n_pos = 0;
    *help = false;
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            *help = true;
            return 0;
        }
        if (!only_pos && a[0] == '-' && a[1] != '\0') {
            if (a[1] != '-')
                return error_set(err, ERR_USAGE, "unknown option '%s'", a);
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const struct opt_spec *s = NULL;
            for (size_t j = 0; j < n; j++)
                if (strlen(specs[j].name) == len && strncmp(specs[j].name, name, len) == 0)
                    s = &specs[j];
            if (!s)
                return error_set(err, ERR_USAGE, "unknown option '--%.*s'", (int)len,
                                 name);
            if (!s->has_value) {
                if (eq)
                    return error_set(err, ERR_USAGE, "option '--%s' takes no value",
                                     s->name);
                *s->flag = true;
                continue;
            }
            if (eq) {
                *s->value = eq + 1;
            } else {
                if (i + 1 >= argc)
                    return error_set(err, ERR_USAGE, "option '--%s' needs a value",
                                     s->name);
                *s->value = argv[++i];
            }
            continue;
        }
        if (*n_pos >= max_pos)
            return error_set(err, ERR_USAGE, "unexpected argument '%s'", a);
        pos[(*n_pos)++] = a;
    }
    return 0;
}

/* ---- run ------------------------------------------------------------- */

static const char RUN_USAGE[] =
    "usage: privaudit run CONFIG.json [--out DIR] [--fail-on-violation] [--quiet]\n"
    "                     [--work DIR] [--resume] [--workers N] [--keep-models]\n"
    "\n"
    "Run the audit a config describes and write DIR/report.json (and the\n"
    "formats of report.formats: by default report.md, report.html, plots).\n"
    "\n"
    "  --out DIR              report directory (default: audit-report)\n"
    "  --fail-on-violation    exit 1 when the verdict is 'violated'\n"
    "                         (also set by \"fail_on_violation\": true in the config)\n"
    "  --quiet                print nothing on success, no progress bar\n"
    "  --work DIR             shadow jobs' directory (default: OUT/work)\n"
    "  --resume               reuse the shadow jobs already finished in --work\n"
    "  --workers N            shadow models trained in parallel (default: cores)\n"
    "  --keep-models          also save every shadow model in --work\n"
    "\n"
    "Exit codes: 0 done, 1 verdict 'violated' with --fail-on-violation,\n"
    "2 bad usage or bad input, 3 internal error.  See docs/config.md.\n";

struct run_flags {
    const char *work;
    bool resume, keep_models;
    int workers;
};

static int run_config(const char *cmd, const char *config_path, const char *out,
                      bool fail_on_violation, bool quiet, const char *argv0,
                      const struct run_flags *fl)
{
    struct error err;
    error_clear(&err);
    struct config cfg;
    int rc = config_load(&cfg, config_path, &err);
    if (rc)
        return cli_fail(cmd, &err);
    struct pipeline_opts po = {0};
    po.out_dir = out;
    po.argv0 = argv0;
    po.work_dir = fl ? fl->work : NULL;
    po.resume = fl && fl->resume;
    po.keep_models = fl && fl->keep_models;
    po.workers = fl && fl->workers > 0 ? fl->workers : 1;
    po.progress = !quiet && isatty(STDERR_FILENO);
    struct pipeline_result res;
    rc = pipeline_run(&cfg, &po, &res, &err);
    bool fail = fail_on_violation || cfg.fail_on_violation;
    unsigned formats = cfg.report_formats;
    config_release(&cfg);
    if (rc)
        return cli_fail(cmd, &err);
    /* Render the other formats from the report just written; report.json
     * stands on its own if rendering fails (privaudit report can redo it). */
    struct report_notes notes;
    memset(&notes, 0, sizeof notes);
    int rrc = formats ? report_render_ex(res.report, out, formats, &notes, &err) : 0;
    if (notes.gnuplot_missing)
        fprintf(stderr, "privaudit: warning: gnuplot not found on PATH; plots were not "
                        "drawn (their .dat and .gp files were written)\n");
    if (!quiet) {
        pipeline_print_summary(res.report, stdout);
        printf("  report      %s\n", res.report_path);
        if (formats & REPORT_FMT_HTML)
            printf("  html        %s/report.html\n", out);
        if (formats & REPORT_FMT_MD)
            printf("  markdown    %s/report.md\n", out);
        if (formats & (REPORT_FMT_PNG | REPORT_FMT_SVG))
            printf("  plots       %s/roc.png, epsilon.png, ...\n", out);
    }
    if (rrc) {
        cJSON_Delete(res.report);
        error_prefix(&err, "rendering %s: ", res.report_path);
        return cli_fail(cmd, &err);
    }
    bool violated = res.verdict && strcmp(res.verdict, "violated") == 0;
    cJSON_Delete(res.report);
    return violated && fail ? 1 : 0;
}

static int default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 && n <= 1024 ? (int)n : 1;
}

int cmd_run(int argc, char **argv)
{
    const char *out = "audit-report", *work = NULL, *workers = NULL;
    bool fov = false, quiet = false, help = false, resume = false, keep = false;
    const struct opt_spec specs[] = {
        {"out", true, &out, NULL},
        {"fail-on-violation", false, NULL, &fov},
        {"quiet", false, NULL, &quiet},
        {"work", true, &work, NULL},
        {"resume", false, NULL, &resume},
        {"workers", true, &workers, NULL},
        {"keep-models", false, NULL, &keep},
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct error err;
    error_clear(&err);
    if (cli_scan_opts(argc, argv, specs, 7, pos, 1, &n_pos, &help, &err))
        return cli_fail("run", &err);
    struct run_flags fl = {work, resume, keep, default_workers()};
    if (workers) {
        unsigned long long w = 0;
        if (cli_parse_u64("--workers", workers, &w, &err))
            return cli_fail("run", &err);
        if (w < 1 || w > 1024) {
            error_set(&err, ERR_USAGE, "--workers: expected an integer in [1, 1024], got %s",
                      workers);
            return cli_fail("run", &err);
        }
        fl.workers = (int)w;
    }
    if (help) {
        fputs(RUN_USAGE, stdout);
        return 0;
    }
    if (n_pos != 1) {
        error_set(&err, ERR_USAGE, "run needs one CONFIG.json argument");
        return cli_fail("run", &err);
    }
    return run_config("run", pos[0], out, fov, quiet, argv[0], &fl);
}

/* ---- demo ------------------------------------------------------------ */

static const char DEMO_USAGE[] =
    "usage: privaudit demo [--out DIR] [--quiet]\n"
    "\n"
    "Run the bundled audits on the spambase data (fixtures/data/spam.csv):\n"
    "  1. an XGBoost model trained on half of it, attacked with the loss and\n"
    "     confidence attacks, with Clopper-Pearson epsilon lower bounds\n"
    "     (fixtures/configs/demo.json; DIR/report.json);\n"
    "  2. a canary audit of DP-SGD logistic regression against its accountant's\n"
    "     claim (audit-dpsgd-none.json; DIR/dpsgd/report.json);\n"
    "  3. the same audit of a faulty DP-SGD that adds its noise to the batch mean\n"
    "     (audit-dpsgd-mean-noise.json; DIR/dpsgd-mean-noise/report.json).\n"
    "DIR defaults to audit-report.\n"
    "\n"
    "The fixtures are found through $PRIVAUDIT_FIXTURES, ./fixtures,\n"
    "<binary>/../fixtures, or the source tree the binary was built in.\n";

#ifndef PRIVAUDIT_SOURCE_DIR
#define PRIVAUDIT_SOURCE_DIR "."
#endif

static bool readable(const char *p)
{
    return access(p, R_OK) == 0;
}

static int find_demo_config(const char *name, char *buf, size_t cap)
{
    const char *env = getenv("PRIVAUDIT_FIXTURES");
    if (env && *env) {
        snprintf(buf, cap, "%s/configs/%s", env, name);
        return readable(buf) ? 0 : -1;
    }
    snprintf(buf, cap, "fixtures/configs/%s", name);
    if (readable(buf))
        return 0;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, cap, "%s/../fixtures/configs/%s", exe, name);
            if (readable(buf))
                return 0;
        }
    }
    snprintf(buf, cap, "%s/fixtures/configs/%s", PRIVAUDIT_SOURCE_DIR, name);
    return readable(buf) ? 0 : -1;
}

int cmd_demo(int argc, char **argv)
{
    const char *out = "audit-report";
    bool quiet = false, help = false;
    const struct opt_spec specs[] = {
        {"out", true, &out, NULL},
        {"quiet", false, NULL, &quiet},
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct error err;
    error_clear(&err);
    if (cli_scan_opts(argc, argv, specs, 2, pos, 0, &n_pos, &help, &err))
        return cli_fail("demo", &err);
    if (help) {
        fputs(DEMO_USAGE, stdout);
        return 0;
    }
    /* The demo: the XGBoost audit of issue 2, then a canary audit of a
     * correct DP-SGD target and of a faulty one that the same audit catches. */
    static const struct {
        const char *config, *subdir;
    } parts[] = {
        {"demo.json", ""},
        {"audit-dpsgd-none.json", "dpsgd"},
        {"audit-dpsgd-mean-noise.json", "dpsgd-mean-noise"},
    };
    int worst = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char path[PATH_MAX + 64], dir[PATH_MAX + 64];
        if (find_demo_config(parts[i].config, path, sizeof path) != 0) {
            error_set(&err, ERR_IO,
                      "cannot find the bundled demo config '%s' (fixtures/configs/); "
                      "run from the source tree or set PRIVAUDIT_FIXTURES",
                      parts[i].config);
            return cli_fail("demo", &err);
        }
        if (*parts[i].subdir)
            snprintf(dir, sizeof dir, "%s/%s", out, parts[i].subdir);
        else
            snprintf(dir, sizeof dir, "%s", out);
        if (!quiet)
            printf("%sprivaudit demo: %s\n", i ? "\n" : "", path);
        struct run_flags fl = {NULL, false, false, default_workers()};
        int rc = run_config("demo", path, dir, false, quiet, argv[0], &fl);
        if (rc > worst)
            worst = rc;
        if (rc >= 2)
            return rc;
    }
    return worst;
}

