/*
 * report/schema.h - which report.json documents the renderers and the gate
 * accept: schema version 1 (docs/report-schema.md) with the fields they need.
 * Fields outside that minimum are optional and rendered when present.
 */
#ifndef PRIVAUDIT_REPORT_SCHEMA_H
#define PRIVAUDIT_REPORT_SCHEMA_H

#include <cjson/cJSON.h>

#include "core/error.h"

/* The schema versions this build reads. */
#define SCHEMA_VERSION_MIN 1
#define SCHEMA_VERSION_MAX 1

/*
 * Check that `report` (read from the file `name`, used in messages) has a
 * supported schema_version and every required field with the right type.
 * ERR_INPUT with "NAME: schema_version 2 is not supported ..." or
 * "NAME: attacks[0].auc: missing (required: a number or null)".
 */
int schema_check(const cJSON *report, const char *name, struct error *err);

/* Parse the file at path and schema_check it; *out is the tree
 * (cJSON_Delete frees), NULL on error.  ERR_IO when unreadable. */
int schema_load(const char *path, cJSON **out, struct error *err);

#endif
