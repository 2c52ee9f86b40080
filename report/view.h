/*
 * report/view.h - reading a report.json tree for rendering: lenient getters
 * (an absent or mistyped field reads as NULL / NaN, never a crash) and the
 * deterministic text forms of numbers and strings every renderer shares.
 *
 * Validation with messages naming key paths is schema.h's job; the getters
 * here are for fields that are optional or already validated.
 */
#ifndef PRIVAUDIT_REPORT_VIEW_H
#define PRIVAUDIT_REPORT_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* obj[key] or NULL (also when obj is NULL or not an object). */
const cJSON *view_get(const cJSON *obj, const char *key);

/* obj[key] when it is an object / array / string / number, else NULL / NaN. */
const cJSON *view_obj(const cJSON *obj, const char *key);
const cJSON *view_arr(const cJSON *obj, const char *key);
const char *view_str(const cJSON *obj, const char *key);
double view_num(const cJSON *obj, const char *key);

/* obj[key] as a string, or dflt when absent / not a string. */
const char *view_str_or(const cJSON *obj, const char *key, const char *dflt);

/* A number as "%.4g" (so golden files are stable); NaN as "n/a", -0 as "0". */
void view_fmt(char *buf, size_t cap, double x);

/* A fraction as a percentage: 0.95 -> "95%", 0.0001 -> "0.01%". */
void view_fmt_pct(char *buf, size_t cap, double frac);

/*
 * A scalar JSON value as text: numbers via view_fmt, strings as they are,
 * true/false, null as "n/a".  Returns false (and buf = "") for arrays and
 * objects.
 */
bool view_scalar(const cJSON *v, char *buf, size_t cap);

/*
 * Decode one UTF-8 code point at s (s[0] != 0): returns the bytes consumed
 * (>= 1) and the code point in *cp; a malformed or overlong sequence consumes
 * one byte and gives U+FFFD.
 */
size_t view_utf8_next(const char *s, unsigned *cp);

/* Append the UTF-8 encoding of cp to buf (which has room for 4 bytes);
 * returns the bytes written. */
size_t view_utf8_put(char *buf, unsigned cp);

#endif
