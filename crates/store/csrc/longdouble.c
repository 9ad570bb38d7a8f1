/* INCRBYFLOAT / HINCRBYFLOAT arithmetic in C `long double`, exactly as Redis 7.0 does it
 * (util.c `string2ld` and `ld2string(..., LD_STR_HUMAN)`). Rust has no 80-bit float, so the
 * store keeps a long double as 16 opaque bytes and calls these functions.
 *
 * Only the C standard library is used; the program never calls setlocale, so strtold and
 * snprintf run in the "C" locale, as in redis-server. */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Redis's MAX_LONG_DOUBLE_CHARS: the buffer of string2ld and ld2string. */
#define MAX_LONG_DOUBLE_CHARS (5 * 1024)

_Static_assert(sizeof(long double) <= 16, "long double must fit the 16-byte Rust storage");

static void store_ld(unsigned char out[16], long double v) {
    memset(out, 0, 16);
    memcpy(out, &v, sizeof v);
}

static long double load_ld(const unsigned char in[16]) {
    long double v;
    memcpy(&v, in, sizeof v);
    return v;
}

/* Redis `string2ld`: 1 and the value in `out` on success, 0 if `s` is not a valid float. */
int store_ld_parse(const unsigned char *s, size_t slen, unsigned char out[16]) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    long double value;
    char *eptr;

    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';

    errno = 0;
    value = strtold(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || eptr[0] != '\0' ||
        ((errno == ERANGE) &&
         (value == HUGE_VAL || value == -HUGE_VAL || fpclassify(value) == FP_ZERO)) ||
        errno == EINVAL || isnan(value))
        return 0;
    store_ld(out, value);
    return 1;
}

void store_ld_from_i64(long long v, unsigned char out[16]) {
    store_ld(out, (long double)v);
}

void store_ld_add(const unsigned char a[16], const unsigned char b[16], unsigned char out[16]) {
    store_ld(out, load_ld(a) + load_ld(b));
}

/* 1 if neither NaN nor infinite. */
int store_ld_is_finite(const unsigned char a[16]) {
    long double v = load_ld(a);
    return !(isnan(v) || isinf(v));
}

/* Redis `ld2string(buf, len, value, LD_STR_HUMAN)` for a finite value: "%.17Lf", trailing zeros
 * after the point and a trailing point removed, "-0" turned into "0". Returns the length, or 0
 * when the text does not fit (as Redis, which then stores an empty string). `len` should be
 * MAX_LONG_DOUBLE_CHARS. */
size_t store_ld_to_human(const unsigned char a[16], char *buf, size_t len) {
    long double value = load_ld(a);
    int n;
    size_t l;

    if (isinf(value)) {
        if (len < 5) return 0;
        if (value > 0) {
            memcpy(buf, "inf", 3);
            return 3;
        }
        memcpy(buf, "-inf", 4);
        return 4;
    }
    n = snprintf(buf, len, "%.17Lf", value);
    if (n < 0) return 0;
    l = (size_t)n;
    if (l + 1 > len) return 0;
    if (strchr(buf, '.') != NULL) {
        char *p = buf + l - 1;
        while (*p == '0') {
            p--;
            l--;
        }
        if (*p == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    return l;
}
