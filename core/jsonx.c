/*
 * core/jsonx.c - JSON config getters with key-path errors (see jsonx.h).
 */
#include "core/jsonx.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/afile.h"

void jsonx_init(void)
{
    cJSON_Hooks hooks = {malloc, free};
    cJSON_InitHooks(&hooks);
}

void jsonx_join(char *buf, size_t cap, const char *path, const char *key)
{
    if (!path || !*path)
        snprintf(buf, cap, "%s", key);
    else
        snprintf(buf, cap, "%s.%s", path, key);
}

/* Line and column (1-based) of byte offset off in text. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

int jsonx_parse(const char *text, size_t len, const char *name, cJSON **out,
                struct error *err)
{
    *out = NULL;
    if (memchr(text, '\0', len))
        return error_set(err, ERR_INPUT, "%s: contains a NUL byte", name);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t off = end ? (size_t)(end - text) : 0;
        if (off > len)
            off = len;
        size_t line, col;
        line_col(text, off, &line, &col);
        char near[24];
        size_t k = 0;
        for (size_t i = off; i < len && k < 16 && text[i] != '\n'; i++)
            near[k++] = (text[i] >= 32 && text[i] < 127) ? text[i] : '?';
        near[k] = '\0';
        size_t rest = off;
        while (rest < len && (text[rest] == ' ' || text[rest] == '\t' ||
                              text[rest] == '\n' || text[rest] == '\r'))
            rest++;
        if (rest >= len)
            return error_set(err, ERR_INPUT,
                             "%s:%zu:%zu: invalid JSON: unexpected end of input",
                             name, line, col);
        return error_set(err, ERR_INPUT, "%s:%zu:%zu: invalid JSON near '%s'",
                         name, line, col, near);
    }
    /* Anything but whitespace after the value is an error too. */
    size_t off = (size_t)(end - text);
    while (off < len && (text[off] == ' ' || text[off] == '\t' ||
                         text[off] == '\n' || text[off] == '\r'))
        off++;
    if (off < len) {
        size_t line, col;
        line_col(text, off, &line, &col);
        cJSON_Delete(root);
        return error_set(err, ERR_INPUT,
                         "%s:%zu:%zu: invalid JSON: text after the end of the "
                         "document", name, line, col);
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return error_set(err, ERR_INPUT, "%s: expected a JSON object at the top",
                         name);
    }
    *out = root;
    return 0;
}

int jsonx_parse_file(const char *path, cJSON **out, struct error *err)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = afile_read_all(path, &text, &len, err);
    if (rc)
        return rc;
    rc = jsonx_parse(text, len, path, out, err);
    free(text);
    return rc;
}

int jsonx_check_keys(const cJSON *obj, const char *path,
                     const char *const *allowed, size_t n, struct error *err)
{
    char full[512];
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        const char *key = it->string ? it->string : "";
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        jsonx_join(full, sizeof full, path, key);
        if (!ok) {
            for (size_t i = 0; i < n; i++)
                if (strcasecmp(key, allowed[i]) == 0)
                    return error_set(err, ERR_INPUT,
                                     "%s: unknown key (did you mean '%s'?)",
                                     full, allowed[i]);
            return error_set(err, ERR_INPUT, "%s: unknown key", full);
        }
        for (const cJSON *o = obj->child; o != it; o = o->next)
            if (o->string && strcmp(o->string, key) == 0)
                return error_set(err, ERR_INPUT, "%s: duplicate key", full);
    }
    return 0;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

int jsonx_object(const cJSON *obj, const char *path, const char *key,
                 bool required, const cJSON **out, struct error *err)
{
    char full[512];
    jsonx_join(full, sizeof full, path, key);
    const cJSON *v = get(obj, key);
    *out = NULL;
    if (!v)
        return required ? error_set(err, ERR_INPUT, "%s: missing (required)",
                                    full)
                        : 0;
    if (!cJSON_IsObject(v))
        return error_set(err, ERR_INPUT, "%s: expected an object, got %s", full,
                         type_name(v));
    *out = v;
    return 0;
}

static void fmt_num(char *buf, size_t cap, double x)
{
    if (isinf(x))
        snprintf(buf, cap, "%sinf", x < 0 ? "-" : "");
    else
        snprintf(buf, cap, "%.17g", x);
    /* Prefer the shortest form that round-trips. */
    for (int p = 1; p <= 17 && isfinite(x); p++) {
        char t[64];
        snprintf(t, sizeof t, "%.*g", p, x);
        if (strtod(t, NULL) == x) {
            snprintf(buf, cap, "%s", t);
            break;
        }
    }
}

int jsonx_int(const cJSON *obj, const char *path, const char *key,
              long long lo, long long hi, long long dflt, bool required,
              long long *out, struct error *err)
{
    char full[512], want[128], got[64];
    jsonx_join(full, sizeof full, path, key);
    if (lo == LLONG_MIN && hi == LLONG_MAX)
        snprintf(want, sizeof want, "an integer");
    else if (hi == LLONG_MAX)
        snprintf(want, sizeof want, "an integer >= %lld", lo);
    else if (lo == LLONG_MIN)
        snprintf(want, sizeof want, "an integer <= %lld", hi);
    else
        snprintf(want, sizeof want, "an integer in [%lld, %lld]", lo, hi);
    const cJSON *v = get(obj, key);
    if (!v) {
        if (required)
            return error_set(err, ERR_INPUT, "%s: missing (required: %s)", full,
                             want);
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v))
        return error_set(err, ERR_INPUT, "%s: expected %s, got %s", full, want,
                         type_name(v));
    double d = v->valuedouble;
    fmt_num(got, sizeof got, d);
    if (!isfinite(d) || d != floor(d) || d < -9.2e18 || d > 9.2e18)
        return error_set(err, ERR_INPUT, "%s: expected %s, got %s", full, want,
                         got);
    long long x = (long long)d;
    if (x < lo || x > hi)
        return error_set(err, ERR_INPUT, "%s: expected %s, got %s", full, want,
                         got);
    *out = x;
    return 0;
}

void jsonx_range_text(struct jrange r, char *buf, size_t cap)
{
    char a[64], b[64];
    fmt_num(a, sizeof a, r.lo);
    fmt_num(b, sizeof b, r.hi);
    bool lo_inf = isinf(r.lo), hi_inf = isinf(r.hi);
    if (lo_inf && hi_inf)
        snprintf(buf, cap, "a number");
    else if (hi_inf)
        snprintf(buf, cap, "a number %s %s", r.lo_open ? ">" : ">=", a);
    else if (lo_inf)
        snprintf(buf, cap, "a number %s %s", r.hi_open ? "<" : "<=", b);
    else
        snprintf(buf, cap, "a number in %c%s, %s%c", r.lo_open ? '(' : '[', a,
                 b, r.hi_open ? ')' : ']');
}

int jsonx_number(const cJSON *obj, const char *path, const char *key,
                 struct jrange r, double dflt, bool required, double *out,
                 struct error *err)
{
    char full[512], want[160], got[64];
    jsonx_join(full, sizeof full, path, key);
    jsonx_range_text(r, want, sizeof want);
    const cJSON *v = get(obj, key);
    if (!v) {
        if (required)
            return error_set(err, ERR_INPUT, "%s: missing (required: %s)", full,
                             want);
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsNumber(v))
        return error_set(err, ERR_INPUT, "%s: expected %s, got %s", full, want,
                         type_name(v));
    double d = v->valuedouble;
    fmt_num(got, sizeof got, d);
    bool ok = isfinite(d) && (r.lo_open ? d > r.lo : d >= r.lo) &&
              (r.hi_open ? d < r.hi : d <= r.hi);
    if (!ok)
        return error_set(err, ERR_INPUT, "%s: expected %s, got %s", full, want,
                         got);
    *out = d;
    return 0;
}

int jsonx_bool(const cJSON *obj, const char *path, const char *key, bool dflt,
               bool required, bool *out, struct error *err)
{
    char full[512];
    jsonx_join(full, sizeof full, path, key);
    const cJSON *v = get(obj, key);
    if (!v) {
        if (required)
            return error_set(err, ERR_INPUT, "%s: missing (required: true or "
                             "false)", full);
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsBool(v))
        return error_set(err, ERR_INPUT, "%s: expected true or false, got %s",
                         full, type_name(v));
    *out = cJSON_IsTrue(v);
    return 0;
}

int jsonx_string(const cJSON *obj, const char *path, const char *key,
                 const char *dflt, bool required, const char **out,
                 struct error *err)
{
    char full[512];
    jsonx_join(full, sizeof full, path, key);
    const cJSON *v = get(obj, key);
    if (!v) {
        if (required)
            return error_set(err, ERR_INPUT, "%s: missing (required: a string)",
                             full);
        *out = dflt;
        return 0;
    }
    if (!cJSON_IsString(v) || !v->valuestring)
        return error_set(err, ERR_INPUT, "%s: expected a string, got %s", full,
                         type_name(v));
    *out = v->valuestring;
    return 0;
}

int jsonx_enum(const cJSON *obj, const char *path, const char *key,
               const char *const *choices, size_t n, int dflt, bool required,
               int *out, struct error *err)
{
    const char *s = NULL;
    int rc = jsonx_string(obj, path, key, NULL, required, &s, err);
    if (rc)
        return rc;
    if (!s) {
        *out = dflt;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, choices[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    char full[512], list[512];
    jsonx_join(full, sizeof full, path, key);
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'",
                                 i ? ", " : "", choices[i]);
    return error_set(err, ERR_INPUT, "%s: expected one of %s, got '%s'", full,
                     list, s);
}
