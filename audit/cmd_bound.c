/*
 * audit/cmd_bound.c - `privaudit bound`: epsilon lower bounds from counts.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "audit/bounds.h"
#include "audit/cli.h"

/* ---- bound ----------------------------------------------------------- */

static const char BOUND_USAGE[] =
    "usage: privaudit bound --tp N --fn N --fp N --tn N [--delta D]\n"
    "                       [--confidence C] [--json]\n"
    "\n"
    "Clopper-Pearson epsilon lower bound (Jagielski, Ullman, Oprea 2020) from\n"
    "the counts of a membership test: TP members guessed IN, FN members\n"
    "guessed OUT, FP non-members guessed IN, TN non-members guessed OUT.\n"
    "\n"
    "  --delta D        the delta of the claim being tested, in [0, 1) (default 1e-5)\n"
    "  --confidence C   in (0, 1) (default 0.95); FPR and FNR get (1 - C) / 2 each\n"
    "  --json           print a JSON object instead of text\n";

int cmd_bound(int argc, char **argv)
{
    const char *s_tp = NULL, *s_fn = NULL, *s_fp = NULL, *s_tn = NULL;
    const char *s_delta = NULL, *s_conf = NULL;
    bool json = false, help = false;
    const struct opt_spec specs[] = {
        {"tp", true, &s_tp, NULL},       {"fn", true, &s_fn, NULL},
        {"fp", true, &s_fp, NULL},       {"tn", true, &s_tn, NULL},
        {"delta", true, &s_delta, NULL}, {"confidence", true, &s_conf, NULL},
        {"json", false, NULL, &json},
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct error err;
    error_clear(&err);
    if (cli_scan_opts(argc, argv, specs, 7, pos, 0, &n_pos, &help, &err))
        return cli_fail("bound", &err);
    if (help) {
        fputs(BOUND_USAGE, stdout);
        return 0;
    }
    const char *names[4] = {"--tp", "--fn", "--fp", "--tn"};
    const char *vals[4] = {s_tp, s_fn, s_fp, s_tn};
    unsigned long long c[4];
    for (int i = 0; i < 4; i++) {
        if (!vals[i]) {
            error_set(&err, ERR_USAGE, "missing %s", names[i]);
            return cli_fail("bound", &err);
        }
        if (cli_parse_u64(names[i], vals[i], &c[i], &err))
            return cli_fail("bound", &err);
    }
    double delta = 1e-5, conf = 0.95;
    if ((s_delta && cli_parse_double("--delta", s_delta, &delta, &err)) ||
        (s_conf && cli_parse_double("--confidence", s_conf, &conf, &err)))
        return cli_fail("bound", &err);
    struct cp_bound b;
    if (bounds_clopper_pearson(c[0], c[1], c[2], c[3], delta, conf, &b, &err)) {
        err.code = ERR_USAGE;
        return cli_fail("bound", &err);
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON *counts = NULL;
        bool ok = o && cJSON_AddStringToObject(o, "method", "clopper-pearson") &&
                  cJSON_AddNumberToObject(o, "epsilon_lower_bound",
                                          b.epsilon_lower_bound) &&
                  cJSON_AddNumberToObject(o, "fpr_upper", b.fpr_upper) &&
                  cJSON_AddNumberToObject(o, "fnr_upper", b.fnr_upper) &&
                  cJSON_AddNumberToObject(o, "delta", b.delta) &&
                  cJSON_AddNumberToObject(o, "confidence", b.confidence) &&
                  (counts = cJSON_AddObjectToObject(o, "counts")) &&
                  cJSON_AddNumberToObject(counts, "tp", (double)b.tp) &&
                  cJSON_AddNumberToObject(counts, "fn", (double)b.fn) &&
                  cJSON_AddNumberToObject(counts, "fp", (double)b.fp) &&
                  cJSON_AddNumberToObject(counts, "tn", (double)b.tn);
        char *text = ok ? cJSON_Print(o) : NULL;
        cJSON_Delete(o);
        if (!text) {
            error_set(&err, ERR_NOMEM, "out of memory");
            return cli_fail("bound", &err);
        }
        puts(text);
        free(text);
        return 0;
    }
    printf("epsilon lower bound: %.6g\n", b.epsilon_lower_bound);
    printf("  confidence %g, delta %g (Clopper-Pearson, (1 - confidence)/2 to each rate)\n",
           b.confidence, b.delta);
    printf("  FPR = %llu/%llu, upper bound %.6g\n", c[2], c[2] + c[3], b.fpr_upper);
    printf("  FNR = %llu/%llu, upper bound %.6g\n", c[1], c[0] + c[1], b.fnr_upper);
    return 0;
}
