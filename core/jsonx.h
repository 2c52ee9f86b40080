/*
 * core/jsonx.h - reading JSON configs with errors that name the key path.
 *
 * Every getter takes the object, the dotted path of that object ("target",
 * "bounds", "" for the root) and the key, and on a type or range error sets
 * ERR_INPUT with a message such as
 *   "target.max_depth: expected an integer >= 1, got 0".
 * Callers prefix the file name (error_prefix(err, "%s: ", path)).
 * Strings returned are borrowed from the cJSON tree.
 */
#ifndef PRIVAUDIT_CORE_JSONX_H
#define PRIVAUDIT_CORE_JSONX_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/error.h"

/* Install privaudit's allocator hooks into cJSON (call once, from main). */
void jsonx_init(void);

/* Parse text (not necessarily NUL-terminated) named `name` (a file path) into
 * *out.  A syntax error is ERR_INPUT "NAME:LINE:COL: invalid JSON near '...'";
 * a top-level value that is not an object is an error too.  cJSON_Delete frees. */
int jsonx_parse(const char *text, size_t len, const char *name, cJSON **out,
                struct error *err);

/* Read a whole file and parse it as above (ERR_IO when unreadable). */
int jsonx_parse_file(const char *path, cJSON **out, struct error *err);

/* ERR_INPUT when obj has a key outside allowed[0..n) ("PATH.key: unknown key";
 * with a hint when a key differs only in case), or a duplicate key. */
int jsonx_check_keys(const cJSON *obj, const char *path,
                     const char *const *allowed, size_t n, struct error *err);

/* Require obj (at path) to be an object; NULL is allowed when !required. */
int jsonx_object(const cJSON *obj, const char *path, const char *key,
                 bool required, const cJSON **out, struct error *err);

/* Absent keys: *out = dflt when !required, ERR_INPUT "missing" otherwise.
 * JSON null counts as a wrong type. */
int jsonx_int(const cJSON *obj, const char *path, const char *key,
              long long lo, long long hi, long long dflt, bool required,
              long long *out, struct error *err);

/* A number in the interval lo..hi, each end open or closed. */
struct jrange {
    double lo, hi;
    bool lo_open, hi_open;
};
int jsonx_number(const cJSON *obj, const char *path, const char *key,
                 struct jrange r, double dflt, bool required, double *out,
                 struct error *err);

int jsonx_bool(const cJSON *obj, const char *path, const char *key, bool dflt,
               bool required, bool *out, struct error *err);

int jsonx_string(const cJSON *obj, const char *path, const char *key,
                 const char *dflt, bool required, const char **out,
                 struct error *err);

/* A string that must be one of choices[0..n); *out = its index. */
int jsonx_enum(const cJSON *obj, const char *path, const char *key,
               const char *const *choices, size_t n, int dflt, bool required,
               int *out, struct error *err);

/* Format "lo..hi" the way the messages do: "in (0, 1]", ">= 1", ... */
void jsonx_range_text(struct jrange r, char *buf, size_t cap);

/* Join path and key: "target" + "max_depth" -> "target.max_depth". */
void jsonx_join(char *buf, size_t cap, const char *path, const char *key);

#endif
