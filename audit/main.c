/*
 * audit/main.c - the privaudit command: a table of subcommands, git style.
 * The only file that may exit; everything below returns status codes.
 */
#include <stdio.h>
#include <string.h>

#include <cblas.h>

#include "audit/cli.h"
#include "core/jsonx.h"

#ifndef PRIVAUDIT_VERSION
#define PRIVAUDIT_VERSION "0.0.0"
#endif

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command COMMANDS[] = {
    {"run", cmd_run, "run the audit a CONFIG.json describes"},
    {"demo", cmd_demo, "run the bundled demo audit"},
    {"bound", cmd_bound, "epsilon lower bounds from membership-test counts or a scores file"},
    {"account", cmd_account, "claimed (epsilon, delta) of DP-SGD from its hyperparameters"},
    {"report", cmd_report, "render a report.json as Markdown, HTML, JUnit XML and plots"},
    {"gate", cmd_gate, "check a report.json against a release policy (CI gate)"},
    {"score", cmd_score, "predictions file of an XGBoost model file trained elsewhere"},
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *fp)
{
    fprintf(fp, "usage: privaudit [--help | --version] COMMAND [ARGS]\n\n"
                "Measure what a model leaks about its training data and check a\n"
                "differential-privacy claim against evidence.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(fp, "\n'privaudit COMMAND --help' describes a command.\n"
                "exit codes: 0 ok, 1 verdict or gate failure, 2 bad usage or input, "
                "3 internal error\n");
}

int main(int argc, char **argv)
{
    /* OpenBLAS keeps a global thread pool; privaudit parallelises across
     * models, so each model's BLAS calls run on one thread.  Set once here. */
    openblas_set_num_threads(1);
    jsonx_init();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("privaudit %s\n", PRIVAUDIT_VERSION);
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(cmd, COMMANDS[i].name) == 0)
            return COMMANDS[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "privaudit: error: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
