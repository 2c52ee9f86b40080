/*
 * audit/cli.h - the subcommands.  Each cmd_<name>(argc, argv) gets argv[0] ==
 * "<name>", parses its own options, prints its own --help, and returns the
 * process exit code (0 ok, 1 verdict/gate failure, 2 bad usage or input,
 * 3 internal error).  Errors go to stderr as
 *   privaudit: error: <message>
 */
#ifndef PRIVAUDIT_AUDIT_CLI_H
#define PRIVAUDIT_AUDIT_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

int cmd_run(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bound(int argc, char **argv);
int cmd_account(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_score(int argc, char **argv);

/* Print "privaudit: error: <msg>" (and for ERR_USAGE a hint to --help for
 * `cmd`) and return the exit code for the status. */
int cli_fail(const char *cmd, const struct error *err);

/* Parse a decimal option value; ERR_USAGE naming the option on garbage. */
int cli_parse_double(const char *opt, const char *text, double *out,
                     struct error *err);
int cli_parse_u64(const char *opt, const char *text, unsigned long long *out,
                  struct error *err);

/*
 * A small long-option scanner shared by the commands: "--name value" or
 * "--name=value" for value options, "--flag" for flags, "--" ends options.
 * Positional arguments go to pos[0..max_pos) (ERR_USAGE beyond that).  On
 * "--help"/"-h" sets *help and stops.  Unknown options are ERR_USAGE.
 */
struct opt_spec {
    const char *name;   /* without the dashes */
    bool has_value;
    const char **value; /* value options: set to the argument */
    bool *flag;         /* flags: set to true */
};

int cli_scan_opts(int argc, char **argv, const struct opt_spec *specs, size_t n,
                  const char **pos, size_t max_pos, size_t *n_pos, bool *help,
                  struct error *err);

#endif
