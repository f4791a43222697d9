/* error.c: the last-error slot. User mistakes set a status and a message here and the call
 * returns NULL or a status; the JS binding turns them into a WasmgradError. A small
 * formatter of our own keeps printf (and its imports and size) out of the module. */
#include <stdarg.h>
#include <string.h>
#include "internal.h"

#define MESSAGE_CAP 1024
static int g_status = WG_OK;
static char g_message[MESSAGE_CAP];

typedef struct { char *buf; size_t len, cap; } sink;

static void put_char(sink *s, char c) {
    if (s->len + 1 < s->cap) s->buf[s->len++] = c;
}
static void put_str(sink *s, const char *str) {
    while (*str) put_char(s, *str++);
}
static void put_int(sink *s, long long v) {
    char tmp[24];
    int n = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do tmp[n++] = (char)('0' + u % 10); while ((u /= 10) && n < 23);
    if (v < 0) put_char(s, '-');
    while (n) put_char(s, tmp[--n]);
}
/* enough for messages: integers exactly, other values with 6 significant digits */
static void put_double(sink *s, double v) {
    if (v != v) { put_str(s, "NaN"); return; }
    if (v < 0) { put_char(s, '-'); v = -v; }
    if (v == __builtin_inf()) { put_str(s, "Infinity"); return; }
    if (v < 9.2e18 && v == (double)(long long)v) { put_int(s, (long long)v); return; }
    int exp10 = 0;
    while (v >= 10) { v /= 10; exp10++; }
    while (v < 1) { v *= 10; exp10--; }
    long long digits = (long long)(v * 100000 + 0.5);
    put_int(s, digits / 100000);
    put_char(s, '.');
    char frac[6];
    for (int i = 4; i >= 0; i--) { frac[i] = (char)('0' + digits % 10); digits /= 10; }
    frac[5] = 0;
    put_str(s, frac);
    if (exp10) { put_char(s, 'e'); put_int(s, exp10); }
}
static void put_list(sink *s, int n, const int32_t *v) {
    put_char(s, '[');
    for (int i = 0; i < n; i++) {
        if (i) put_char(s, ',');
        put_int(s, v[i]);
    }
    put_char(s, ']');
}

static void format(sink *s, const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%' || !fmt[1]) { put_char(s, *fmt); continue; }
        switch (*++fmt) {
        case 's': put_str(s, va_arg(ap, const char *)); break;
        case 'd': put_int(s, va_arg(ap, int)); break;
        case 'g': put_double(s, va_arg(ap, double)); break;
        case 'D': put_str(s, wg_dtype_name(va_arg(ap, int))); break;
        case 'S': { const T *t = va_arg(ap, const T *); put_list(s, t->ndim, t->shape); break; }
        case 'A': { int n = va_arg(ap, int); put_list(s, n, va_arg(ap, const int32_t *)); break; }
        default: put_char(s, *fmt); break;
        }
    }
    s->buf[s->len] = 0;
}

void *wg_fail(int status, const char *fmt, ...) {
    if (g_status != WG_OK) return NULL; /* keep the first error of a call */
    sink s = { g_message, 0, MESSAGE_CAP };
    va_list ap;
    va_start(ap, fmt);
    format(&s, fmt, ap);
    va_end(ap);
    g_status = status;
    return NULL;
}

bool wg_failed(void) { return g_status != WG_OK; }

_Noreturn void wg_assert_failed(const char *what, const char *file, int line) {
    g_status = WG_INVALID_ARGUMENT;
    sink s = { g_message, 0, MESSAGE_CAP };
    put_str(&s, "wasmgrad internal error (a bug, please report it): ");
    put_str(&s, what);
    put_str(&s, " at ");
    put_str(&s, file);
    put_char(&s, ':');
    put_int(&s, line);
    s.buf[s.len] = 0;
    __builtin_trap();
}

WG_API int wg_status(void) { return g_status; }
WG_API const char *wg_message(void) { return g_message; }
WG_API void wg_set_error(int status, const char *message) {
    wg_clear_error();
    /* every failure has a message, even when the host gives none (found by fuzzing) */
    if (!message || !message[0]) message = "a custom function's host callback failed without a message";
    wg_fail(status < WG_INVALID_ARGUMENT || status > WG_OUT_OF_MEMORY ? WG_INVALID_ARGUMENT : status, "%s", message);
}
WG_API void wg_clear_error(void) { g_status = WG_OK; g_message[0] = 0; }
