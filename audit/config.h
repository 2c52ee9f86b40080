/*
 * audit/config.h - the audit configuration (a JSON file), parsed and
 * validated in one place.  Every error names the key path
 * ("target.max_depth: expected an integer >= 1, got 0") or, for JSON syntax,
 * the line and column.  docs/config.md documents every key.
 *
 * Relative paths in the config are resolved against the config file's
 * directory, so a config and its data can move together.
 */
#ifndef PRIVAUDIT_AUDIT_CONFIG_H
#define PRIVAUDIT_AUDIT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "audit/bounds.h"
#include "core/dataset.h"
#include "core/error.h"
#include "targets/canary.h"
#include "targets/model.h"

/* Single-model attacks (attacks/scores.h); larger score = "member". */
enum attack_kind {
    ATTACK_LOSS = 0,    /* -cross-entropy of the true label (Yeom et al. 2018) */
    ATTACK_CONFIDENCE,  /* max_j p_j, label-free (Salem et al. 2019) */
    ATTACK_ENTROPY,     /* -entropy of the prediction, label-free (Salem et al. 2019) */
    ATTACK_MENTR,       /* -modified entropy (Song and Mittal 2021) */
    ATTACK_N
};

/* Shadow-model attacks (attacks/mia.h), run on the score matrix. */
enum shadow_attack {
    SHADOW_LIRA_ONLINE = 0, /* Carlini et al. 2022, IN and OUT Gaussians */
    SHADOW_LIRA_OFFLINE,    /* OUT only, one-sided */
    SHADOW_RMIA,            /* Zarifzadeh et al. 2024, offline */
    SHADOW_CALIBRATED,      /* Watson et al. 2022, per-example loss calibration */
    SHADOW_SHOKRI,          /* Shokri et al. 2017, an XGBoost attack classifier */
    SHADOW_ATTACK_N
};

enum shadow_variance { SHADOW_VAR_AUTO = 0, SHADOW_VAR_PER_EXAMPLE, SHADOW_VAR_GLOBAL };

/* Epsilon lower-bound methods (docs/bounds.md). */
enum bound_method {
    BOUND_CP = 0,      /* Clopper-Pearson on members vs non-members */
    BOUND_ONERUN,      /* one-run on canaries (Steinke et al. 2023) */
    BOUND_ONERUN_FDP,  /* one-run f-DP against the claimed curve (Mahloujifar et al. 2024) */
    BOUND_GDP,         /* one-run within Gaussian DP: an estimate under that assumption */
    BOUND_N
};

/* Targets privaudit cannot retrain (docs/thirdparty.md). */
enum thirdparty_kind { TP_NONE = 0, TP_MODEL_FILE, TP_PREDICTIONS, TP_COMMAND };

struct config {
    cJSON *root;                 /* the document as read (owned) */
    char *path;                  /* config file as given */
    char sha256[65];             /* of the config file's bytes */
    char *name;                  /* "name", default: the file's base name */
    uint64_t seed;               /* "seed" */

    char *data_path;             /* data.path, resolved */
    enum dataset_format data_format;
    char *label;                 /* data.label or NULL */
    char **categorical;          /* data.categorical */
    size_t n_categorical;

    /* Membership of a third-party target's rows (data.members / nonmembers:
     * files of 1-based row numbers; data.member_column: a 0/1 column). */
    char *members_path, *nonmembers_path, *member_column;
    bool random_membership;      /* data.random_membership: members were drawn at random */

    enum thirdparty_kind thirdparty;
    char *tp_path;               /* xgboost-file / predictions: the file */
    char **tp_argv;              /* command: NULL-terminated */
    size_t tp_argc;
    long long tp_batch;
    double tp_timeout_s;

    double member_fraction;      /* split.members: share of rows the target trains on */
    size_t max_rows;             /* split.max_rows: 0 = all rows */

    const struct model_ops *target_ops;
    void *target_params;         /* owned; target_ops->free_params */

    bool attacks[ATTACK_N];      /* attacks: ["loss", "confidence", ...] */

    double confidence;           /* bounds.confidence */
    double delta;                /* bounds.delta */
    bool delta_set;              /* bounds.delta given explicitly */
    enum threshold_mode threshold;
    size_t max_thresholds;

    bool has_canaries;           /* canaries: {kind, count, ...} */
    struct canary_opts canaries;

    bool methods[BOUND_N];       /* bounds.methods */
    bool methods_set;            /* given explicitly */
    unsigned long long k_plus, k_minus; /* bounds.k_plus/k_minus: fixed one-run guesses */

    size_t multirun;             /* multirun.runs: R trainings with and R without
                                    canary 0 (0 = off); needs a canaries section */
    bool has_shadows;            /* shadows: {count, attacks, ...} */
    size_t shadow_count;         /* K, even */
    bool shadow_attacks[SHADOW_ATTACK_N];
    enum shadow_variance shadow_variance;
    int shadow_statistic;        /* enum shadow_stat (attacks/shadow.h) */
    const struct model_ops *ref_ops; /* shadows.reference: how the auditor trains */
    void *ref_params;            /* reference models of a third-party target (owned) */
    double rmia_a, rmia_gamma;

    bool has_claim;              /* claim: {epsilon, delta} */
    double claim_epsilon, claim_delta;
    bool fail_on_violation;
    unsigned report_formats;     /* report.formats as REPORT_FMT_* bits */
};

/* Parse and validate the config file at path into cfg (released on error). */
int config_load(struct config *cfg, const char *path, struct error *err);

/* Parse from text (name used in messages, dir for relative paths). */
int config_parse(struct config *cfg, const char *text, size_t len,
                 const char *name, const char *dir, struct error *err);

void config_release(struct config *cfg);

/* The fully resolved config (defaults filled in) as a new JSON object. */
cJSON *config_to_json(const struct config *cfg, struct error *err);

extern const char *const config_attack_names[ATTACK_N];
extern const char *const config_bound_names[BOUND_N];
extern const char *const config_shadow_attack_names[SHADOW_ATTACK_N];

#endif
