/*
 * report/view.c - lenient report getters and number formatting (see view.h).
 */
#include "report/view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const cJSON *view_get(const cJSON *obj, const char *key)
{
    if (!obj || !cJSON_IsObject(obj))
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const cJSON *view_obj(const cJSON *obj, const char *key)
{
    const cJSON *v = view_get(obj, key);
    return cJSON_IsObject(v) ? v : NULL;
}

const cJSON *view_arr(const cJSON *obj, const char *key)
{
    const cJSON *v = view_get(obj, key);
    return cJSON_IsArray(v) ? v : NULL;
}

const char *view_str(const cJSON *obj, const char *key)
{
    const cJSON *v = view_get(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *view_str_or(const cJSON *obj, const char *key, const char *dflt)
{
    const char *s = view_str(obj, key);
    return s ? s : dflt;
}

double view_num(const cJSON *obj, const char *key)
{
    const cJSON *v = view_get(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

void view_fmt(char *buf, size_t cap, double x)
{
    if (!isfinite(x))
        snprintf(buf, cap, "n/a");
    else if (x == 0)
        snprintf(buf, cap, "0");
    else
        snprintf(buf, cap, "%.4g", x);
}

void view_fmt_pct(char *buf, size_t cap, double frac)
{
    if (!isfinite(frac)) {
        snprintf(buf, cap, "n/a");
        return;
    }
    char t[64];
    view_fmt(t, sizeof t, frac * 100.0);
    snprintf(buf, cap, "%s%%", t);
}

bool view_scalar(const cJSON *v, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    if (cJSON_IsNumber(v))
        view_fmt(buf, cap, v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, cap, "%s", v->valuestring ? v->valuestring : "");
    else if (cJSON_IsTrue(v))
        snprintf(buf, cap, "true");
    else if (cJSON_IsFalse(v))
        snprintf(buf, cap, "false");
    else if (cJSON_IsNull(v) || !v)
        snprintf(buf, cap, "n/a");
    else
        return false;
    return true;
}

size_t view_utf8_next(const char *s, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        c &= 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        c &= 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return n;
}

size_t view_utf8_put(char *buf, unsigned cp)
{
    unsigned char *u = (unsigned char *)buf;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (unsigned char)(0xF0 | (cp >> 18));
    u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}
