/*
 * audit/cmd_account.c - `privaudit account`: the claimed (epsilon, delta) of
 * a DP-SGD run from its hyperparameters (targets/accountant.h), or the
 * smallest noise multiplier that meets a target epsilon.
 */
#include "audit/cli.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "targets/accountant.h"

#define CMD "account"
#define DEFAULT_TOLERANCE 1e-3

static const char ACCOUNT_USAGE[] =
    "usage: privaudit account --sampling-rate Q --noise-multiplier S\n"
    "                         (--steps T | --epochs E) --delta D\n"
    "                         [--accountant rdp|rdp-classic|pld|all]\n"
    "                         [--discretization X] [--json]\n"
    "       privaudit account --sampling-rate Q (--steps T | --epochs E)\n"
    "                         --delta D --target-epsilon EPS\n"
    "                         [--accountant rdp|rdp-classic|pld|all]\n"
    "                         [--tolerance TOL] [--json]\n"
    "\n"
    "The claimed (epsilon, delta) of DP-SGD: T steps of the Poisson-subsampled\n"
    "Gaussian mechanism (sampling rate Q, noise multiplier S = noise std /\n"
    "clipping norm, add-or-remove-one adjacency).  With --target-epsilon,\n"
    "prints the smallest noise multiplier (to within TOL) whose epsilon is\n"
    "at most EPS instead.\n"
    "\n"
    "options:\n"
    "  --sampling-rate Q     batch size / dataset size, in (0, 1]\n"
    "  --noise-multiplier S  > 0\n"
    "  --steps T             number of noisy steps, >= 1\n"
    "  --epochs E            instead of --steps: T = ceil(E / Q)\n"
    "  --delta D             in (0, 1)\n"
    "  --accountant A        rdp: RDP, improved conversion (Balle et al. 2020)\n"
    "                        rdp-classic: RDP, classic conversion (Mironov 2017)\n"
    "                        pld: privacy loss distribution (tight, pessimistic)\n"
    "                        all (default): every one of them\n"
    "  --discretization X    PLD loss grid width (default 1e-4)\n"
    "  --target-epsilon EPS  search the noise multiplier instead\n"
    "  --tolerance TOL       absolute tolerance on it (default 0.001)\n"
    "  --json                print a JSON object instead of a table\n"
    "  --help                this text\n"
    "\n"
    "docs/accountants.md describes the methods.  Exit codes: 0 ok, 2 bad\n"
    "usage or input, 3 internal error.\n";

enum { ACC_RDP = 1, ACC_RDP_CLASSIC = 2, ACC_PLD = 4 };

struct account_opts {
    const char *q, *sigma, *steps, *epochs, *delta, *accountant;
    const char *discretization, *target, *tolerance;
    bool json, help;
};

/* --name value / --name=value; --json, --help, -h. */
static int parse_args(int argc, char **argv, struct account_opts *o,
                      struct error *err)
{
    static const char *const names[] = {
        "sampling-rate", "noise-multiplier", "steps",          "epochs",
        "delta",         "accountant",       "discretization", "target-epsilon",
        "tolerance"};
    const char **slots[] = {&o->q,          &o->sigma,          &o->steps,
                            &o->epochs,     &o->delta,          &o->accountant,
                            &o->discretization, &o->target,     &o->tolerance};
    const size_t n = sizeof names / sizeof names[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = true;
            return 0;
        }
        if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return error_set(err, ERR_USAGE, "unexpected argument '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        size_t j = 0;
        while (j < n && !(strlen(names[j]) == len &&
                          strncmp(names[j], name, len) == 0))
            j++;
        if (j == n)
            return error_set(err, ERR_USAGE, "unknown option '--%.*s'",
                             (int)len, name);
        if (*slots[j])
            return error_set(err, ERR_USAGE, "option '--%s' given twice",
                             names[j]);
        if (eq) {
            *slots[j] = eq + 1;
        } else {
            if (i + 1 >= argc)
                return error_set(err, ERR_USAGE, "option '--%s' needs a value",
                                 names[j]);
            *slots[j] = argv[++i];
        }
    }
    return 0;
}

/* A number from `text` for option `opt` satisfying lo </<= v </<= hi. */
static int number_in(const char *opt, const char *text, double lo, bool lo_open,
                     double hi, bool hi_open, double *out, struct error *err)
{
    int rc = cli_parse_double(opt, text, out, err);
    if (rc)
        return rc;
    double v = *out;
    if ((lo_open ? !(v > lo) : !(v >= lo)) ||
        (hi_open ? !(v < hi) : !(v <= hi))) {
        char hib[32];
        if (isinf(hi))
            snprintf(hib, sizeof hib, "inf");
        else
            snprintf(hib, sizeof hib, "%g", hi);
        return error_set(err, ERR_USAGE,
                         "%s: expected a number in %c%g, %s%c, got '%s'", opt,
                         lo_open ? '(' : '[', lo, hib, hi_open ? ')' : ']',
                         text);
    }
    return 0;
}

static int parse_accountants(const char *text, bool target, int *mask,
                             struct error *err)
{
    if (!text || strcmp(text, "all") == 0)
        *mask = target ? (ACC_RDP | ACC_PLD) : (ACC_RDP | ACC_RDP_CLASSIC |
                                                ACC_PLD);
    else if (strcmp(text, "rdp") == 0)
        *mask = target ? ACC_RDP : (ACC_RDP | ACC_RDP_CLASSIC);
    else if (strcmp(text, "rdp-classic") == 0)
        *mask = ACC_RDP_CLASSIC;
    else if (strcmp(text, "pld") == 0)
        *mask = ACC_PLD;
    else
        return error_set(err, ERR_USAGE,
                         "--accountant: expected rdp, rdp-classic, pld or "
                         "all, got '%s'", text);
    return 0;
}

struct account_run {
    double q, sigma, delta, epochs, discretization, target, tolerance;
    uint64_t steps;
    bool from_epochs, search;
    int mask;
};

/* The results, filled by compute(). */
struct account_out {
    struct rdp_result rdp;
    struct pld_result pld;
    double sigma[3], eps_at_sigma[3]; /* search mode: rdp, rdp-classic, pld */
};

static const enum accountant_kind KINDS[3] = {
    ACCOUNTANT_RDP, ACCOUNTANT_RDP_CLASSIC, ACCOUNTANT_PLD};
static const int MASKS[3] = {ACC_RDP, ACC_RDP_CLASSIC, ACC_PLD};

static int compute(const struct account_run *r, struct account_out *o,
                   struct error *err)
{
    int rc = 0;
    if (!r->search) {
        if (r->mask & (ACC_RDP | ACC_RDP_CLASSIC))
            rc = accountant_rdp_epsilon(r->q, r->sigma, r->steps, r->delta,
                                        NULL, 0, &o->rdp, err);
        if (!rc && (r->mask & ACC_PLD))
            rc = accountant_pld_epsilon(r->q, r->sigma, r->steps, r->delta,
                                        r->discretization, &o->pld, err);
        return rc;
    }
    for (int i = 0; i < 3 && !rc; i++) {
        if (!(r->mask & MASKS[i]))
            continue;
        rc = accountant_noise_for_epsilon(r->q, r->steps, r->delta, r->target,
                                          KINDS[i], r->tolerance,
                                          &o->sigma[i], err);
        if (!rc)
            rc = accountant_epsilon(KINDS[i], r->q, o->sigma[i], r->steps,
                                    r->delta, &o->eps_at_sigma[i], err);
    }
    return rc;
}

static const char *STEPS_FROM_EPOCHS = "ceil(epochs / sampling_rate)";

static void print_table(const struct account_run *r,
                        const struct account_out *o)
{
    printf("DP-SGD (Poisson-subsampled Gaussian, add-or-remove-one)\n");
    printf("  sampling rate q   %.10g\n", r->q);
    if (!r->search)
        printf("  noise multiplier  %.10g\n", r->sigma);
    if (r->from_epochs)
        printf("  steps             %llu (%s, epochs = %g)\n",
               (unsigned long long)r->steps, STEPS_FROM_EPOCHS, r->epochs);
    else
        printf("  steps             %llu\n", (unsigned long long)r->steps);
    printf("  delta             %g\n", r->delta);
    if (r->search) {
        printf("  target epsilon    %g (noise multiplier to within %g)\n\n",
               r->target, r->tolerance);
        printf("%-12s %-10s %16s %10s\n", "accountant", "conversion",
               "noise multiplier", "epsilon");
        for (int i = 0; i < 3; i++) {
            if (!(r->mask & MASKS[i]))
                continue;
            printf("%-12s %-10s %16.4f %10.4f\n", i == 2 ? "pld" : "rdp",
                   i == 0 ? "improved" : i == 1 ? "classic" : "-",
                   o->sigma[i], o->eps_at_sigma[i]);
        }
        return;
    }
    printf("\n%-12s %-10s %10s %7s\n", "accountant", "conversion", "epsilon",
           "order");
    const struct rdp_conversion *cv[2] = {&o->rdp.improved, &o->rdp.classic};
    const char *cname[2] = {"improved", "classic"};
    for (int i = 0; i < 2; i++) {
        if (!(r->mask & MASKS[i]))
            continue;
        printf("%-12s %-10s %10.4f %7g%s\n", "rdp", cname[i], cv[i]->epsilon,
               cv[i]->order,
               cv[i]->order_at_edge ? "  (edge of the order grid)" : "");
    }
    if (r->mask & ACC_PLD)
        printf("%-12s %-10s %10.4f %7s  (discretization %g)\n", "pld", "-",
               o->pld.epsilon, "-", o->pld.discretization);
}

static cJSON *json_report(const struct account_run *r,
                          const struct account_out *o)
{
    cJSON *root = cJSON_CreateObject(), *res = NULL;
    bool ok = root &&
              cJSON_AddStringToObject(root, "mechanism",
                                      "poisson_subsampled_gaussian") &&
              cJSON_AddStringToObject(root, "adjacency", "add_or_remove_one") &&
              cJSON_AddNumberToObject(root, "sampling_rate", r->q) &&
              (r->search ||
               cJSON_AddNumberToObject(root, "noise_multiplier", r->sigma)) &&
              cJSON_AddNumberToObject(root, "delta", r->delta) &&
              cJSON_AddNumberToObject(root, "steps", (double)r->steps) &&
              cJSON_AddStringToObject(root, "steps_from",
                                      r->from_epochs ? STEPS_FROM_EPOCHS
                                                     : "steps") &&
              (!r->from_epochs ||
               cJSON_AddNumberToObject(root, "epochs", r->epochs)) &&
              (!r->search ||
               (cJSON_AddNumberToObject(root, "target_epsilon", r->target) &&
                cJSON_AddNumberToObject(root, "tolerance", r->tolerance))) &&
              (res = cJSON_AddArrayToObject(root, "results"));
    for (int i = 0; ok && i < 3; i++) {
        if (!(r->mask & MASKS[i]))
            continue;
        cJSON *e = cJSON_CreateObject();
        ok = e && cJSON_AddItemToArray(res, e);
        if (!ok) {
            cJSON_Delete(e);
            break;
        }
        ok = cJSON_AddStringToObject(e, "accountant", i == 2 ? "pld" : "rdp");
        if (ok && i < 2)
            ok = cJSON_AddStringToObject(e, "conversion",
                                         i == 0 ? "improved" : "classic");
        if (ok && r->search) {
            ok = cJSON_AddNumberToObject(e, "noise_multiplier", o->sigma[i]) &&
                 cJSON_AddNumberToObject(e, "epsilon", o->eps_at_sigma[i]);
        } else if (ok && i < 2) {
            const struct rdp_conversion *c =
                i == 0 ? &o->rdp.improved : &o->rdp.classic;
            ok = cJSON_AddNumberToObject(e, "epsilon", c->epsilon) &&
                 cJSON_AddNumberToObject(e, "order", c->order) &&
                 cJSON_AddBoolToObject(e, "order_at_edge", c->order_at_edge);
        } else if (ok) {
            ok = cJSON_AddNumberToObject(e, "epsilon", o->pld.epsilon) &&
                 cJSON_AddNumberToObject(e, "discretization",
                                         o->pld.discretization) &&
                 cJSON_AddNumberToObject(e, "bins", (double)o->pld.bins);
        }
        if (ok && r->search && i == 2)
            ok = cJSON_AddNumberToObject(e, "discretization",
                                         PLD_DEFAULT_DISCRETIZATION) != NULL;
    }
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* Options -> run parameters; every error is ERR_USAGE naming the option. */
static int resolve(const struct account_opts *a, struct account_run *r,
                   struct error *err)
{
    memset(r, 0, sizeof *r);
    r->search = a->target != NULL;
    if (!a->q)
        return error_set(err, ERR_USAGE, "missing --sampling-rate");
    if (!a->delta)
        return error_set(err, ERR_USAGE, "missing --delta");
    if (!a->steps == !a->epochs)
        return error_set(err, ERR_USAGE,
                         "give exactly one of --steps and --epochs");
    if (r->search && a->sigma)
        return error_set(err, ERR_USAGE,
                         "--noise-multiplier and --target-epsilon exclude "
                         "each other");
    if (!r->search && !a->sigma)
        return error_set(err, ERR_USAGE,
                         "missing --noise-multiplier (or --target-epsilon)");
    if (r->search && a->discretization)
        return error_set(err, ERR_USAGE,
                         "--discretization: only with --noise-multiplier "
                         "(the search uses the default 1e-4)");
    if (!r->search && a->tolerance)
        return error_set(err, ERR_USAGE,
                         "--tolerance: only with --target-epsilon");
    int rc = number_in("--sampling-rate", a->q, 0.0, true, 1.0, false, &r->q,
                       err);
    if (!rc)
        rc = number_in("--delta", a->delta, 0.0, true, 1.0, true, &r->delta,
                       err);
    if (!rc && a->sigma)
        rc = number_in("--noise-multiplier", a->sigma, 0.0, true, INFINITY,
                       true, &r->sigma, err);
    if (!rc && a->target)
        rc = number_in("--target-epsilon", a->target, 0.0, true, INFINITY,
                       true, &r->target, err);
    r->tolerance = DEFAULT_TOLERANCE;
    if (!rc && a->tolerance)
        rc = number_in("--tolerance", a->tolerance, 0.0, true, INFINITY, true,
                       &r->tolerance, err);
    r->discretization = PLD_DEFAULT_DISCRETIZATION;
    if (!rc && a->discretization)
        rc = number_in("--discretization", a->discretization, 0.0, true, 1.0,
                       false, &r->discretization, err);
    if (!rc)
        rc = parse_accountants(a->accountant, r->search, &r->mask, err);
    if (rc)
        return rc;
    if (a->steps) {
        unsigned long long t;
        rc = cli_parse_u64("--steps", a->steps, &t, err);
        if (rc)
            return rc;
        if (t < 1)
            return error_set(err, ERR_USAGE,
                             "--steps: expected an integer >= 1, got '%s'",
                             a->steps);
        r->steps = (uint64_t)t;
    } else {
        rc = number_in("--epochs", a->epochs, 0.0, true, INFINITY, true,
                       &r->epochs, err);
        if (!rc)
            rc = accountant_steps_from_epochs(r->epochs, r->q, &r->steps, err);
        if (rc) {
            err->code = ERR_USAGE;
            return ERR_USAGE;
        }
        r->from_epochs = true;
    }
    return 0;
}

int cmd_account(int argc, char **argv)
{
    struct account_opts a;
    struct account_run r;
    struct account_out o;
    struct error err;
    memset(&a, 0, sizeof a);
    memset(&o, 0, sizeof o);
    error_clear(&err);
    if (parse_args(argc, argv, &a, &err))
        return cli_fail(CMD, &err);
    if (a.help) {
        fputs(ACCOUNT_USAGE, stdout);
        return 0;
    }
    if (resolve(&a, &r, &err))
        return cli_fail(CMD, &err);
    if (compute(&r, &o, &err))
        return cli_fail(CMD, &err);
    if (!a.json) {
        print_table(&r, &o);
        return 0;
    }
    cJSON *root = json_report(&r, &o);
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
        error_set(&err, ERR_NOMEM, "out of memory writing json");
        return cli_fail(CMD, &err);
    }
    puts(text);
    cJSON_free(text);
    return 0;
}
