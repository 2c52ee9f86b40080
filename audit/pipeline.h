/*
 * audit/pipeline.h - one audit from a config to report.json.
 *
 * Steps (docs/DESIGN.md, "data flow"): load and hash the dataset; split it
 * at random into members (the target's training set) and non-members;
 * train the target; score every example with each attack; compute the
 * metrics and the epsilon lower bounds; decide the verdict; write
 * OUT/report.json atomically.  Randomness comes from one root seed through
 * named streams (PIPE_STREAM_*), so the same config gives the same report
 * (bytes equal except provenance.started_at and timings).
 */
#ifndef PRIVAUDIT_AUDIT_PIPELINE_H
#define PRIVAUDIT_AUDIT_PIPELINE_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "audit/config.h"
#include "core/error.h"

enum {
    PIPE_STREAM_SPLIT = 1,   /* member / non-member split, row subsampling */
    PIPE_STREAM_TARGET = 2,  /* the target model's training seed */
    PIPE_STREAM_BOUNDS = 3,  /* threshold-selection halves of the bounds */
    PIPE_STREAM_CANARIES = 4,/* canary records: sources, labels, directions */
    PIPE_STREAM_COINS = 5,   /* the canaries' inclusion coins */
    PIPE_STREAM_MULTIRUN = 6 /* multi-run: run r trains with stream 6000000 + r */
};

#define REPORT_SCHEMA_VERSION 1

struct pipeline_opts {
    const char *out_dir;     /* report directory (created) */
    const char *argv0;       /* for provenance */
    const char *work_dir;    /* shadow jobs' directory; NULL: OUT/work */
    bool resume;             /* reuse finished shadow jobs in work_dir */
    bool keep_models;        /* save each shadow model in work_dir */
    int workers;             /* shadow worker threads (>= 1) */
    bool progress;           /* draw a progress bar on stderr */
};

struct pipeline_result {
    cJSON *report;           /* the report written (owned by the caller) */
    const char *verdict;     /* "no-claim", "consistent", "violated" (in report) */
    char report_path[4096];
};

/* Run the audit described by cfg.  On success the report is written and
 * returned in res (cJSON_Delete(res->report)).  On failure nothing is written.
 */
int pipeline_run(const struct config *cfg, const struct pipeline_opts *opts,
                 struct pipeline_result *res, struct error *err);

/* Print the short human summary of a report to fp. */
void pipeline_print_summary(const cJSON *report, FILE *fp);

#endif
