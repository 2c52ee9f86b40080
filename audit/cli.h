/*
 * audit/cli.h - the subcommands.  Each cmd_<name>(argc, argv) gets argv[0] ==
 * "<name>", parses its own options, prints its own --help, and returns the
 * process exit code (0 ok, 1 verdict/gate failure, 2 bad usage or input,
 * 3 internal error).  Errors go to stderr as
 *   privaudit: error: <message>
 */
#ifndef PRIVAUDIT_AUDIT_CLI_H
#define PRIVAUDIT_AUDIT_CLI_H

#include "core/error.h"

int cmd_run(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bound(int argc, char **argv);
int cmd_account(int argc, char **argv);

/* Print "privaudit: error: <msg>" (and for ERR_USAGE a hint to --help for
 * `cmd`) and return the exit code for the status. */
int cli_fail(const char *cmd, const struct error *err);

/* Parse a decimal option value; ERR_USAGE naming the option on garbage. */
int cli_parse_double(const char *opt, const char *text, double *out,
                     struct error *err);
int cli_parse_u64(const char *opt, const char *text, unsigned long long *out,
                  struct error *err);

#endif
