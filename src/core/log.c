/* Logging. The level and format are the one piece of process-wide state: set once in main
 * before threads exist, read-only afterwards (a logger handle threaded through every call
 * would add noise to every signature for no safety gain). */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/banned.h"

static enum log_level log_min_level = LOG_LEVEL_INFO;
static enum log_format log_fmt = LOG_FORMAT_LOGFMT;

static const char *const log_level_names[] = {"debug", "info", "warn", "error"};

void log_setup(enum log_level level, enum log_format format)
{
    log_min_level = level;
    log_fmt = format;
}

int log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i <= LOG_LEVEL_ERROR; i++) {
        if (strcmp(s, log_level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

int log_format_parse(const char *s, enum log_format *out)
{
    if (strcmp(s, "logfmt") == 0) {
        *out = LOG_FORMAT_LOGFMT;
        return 0;
    }
    if (strcmp(s, "json") == 0) {
        *out = LOG_FORMAT_JSON;
        return 0;
    }
    return -EINVAL;
}

bool log_enabled(enum log_level level)
{
    return level >= log_min_level;
}

/* Quoted value: escapes \ " and control bytes, the same rules for logfmt and JSON strings. */
static void log_quote(struct buf *b, const char *s)
{
    buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            buf_adds(b, "\\\"");
            break;
        case '\\':
            buf_adds(b, "\\\\");
            break;
        case '\n':
            buf_adds(b, "\\n");
            break;
        case '\t':
            buf_adds(b, "\\t");
            break;
        case '\r':
            buf_adds(b, "\\r");
            break;
        default:
            if (*p < 0x20)
                buf_printf(b, "\\u%04x", *p);
            else
                buf_addc(b, (char)*p);
        }
    }
    buf_addc(b, '"');
}

void log_msg(enum log_level level, const char *component, const char *kv, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    int saved = errno;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[64];
    snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);

    struct buf b;
    buf_init(&b, 8192);
    if (log_fmt == LOG_FORMAT_JSON) {
        buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":", when,
                   log_level_names[level]);
        log_quote(&b, component ? component : "main");
        buf_adds(&b, ",\"msg\":");
        log_quote(&b, msg);
        buf_adds(&b, "}\n");
    } else {
        buf_printf(&b, "ts=%s level=%s component=%s msg=", when, log_level_names[level],
                   component ? component : "main");
        log_quote(&b, msg);
        if (kv != NULL && *kv != '\0') {
            buf_addc(&b, ' ');
            buf_adds(&b, kv);
        }
        buf_addc(&b, '\n');
    }
    if (buf_len(&b) > 0) {
        ssize_t n = write(STDERR_FILENO, buf_ptr(&b), buf_len(&b));
        (void)n;
    }
    buf_fini(&b);
    errno = saved;
}

void complain(struct complaint *c, int64_t now_ms, const char *component, const char *fmt, ...)
{
    if (c->_failing && now_ms < c->_next_ms) {
        c->_suppressed++;
        return;
    }
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->_suppressed > 0)
        log_msg(LOG_LEVEL_ERROR, component, NULL, "%s (repeated %llu times since last report)",
                msg, (unsigned long long)c->_suppressed);
    else
        log_msg(LOG_LEVEL_ERROR, component, NULL, "%s", msg);
    c->_interval_ms = c->_failing ? c->_interval_ms * 2 : 10000;
    if (c->_interval_ms > 3600000)
        c->_interval_ms = 3600000;
    c->_next_ms = now_ms + c->_interval_ms;
    c->_failing = true;
    c->_suppressed = 0;
}

void complain_release(struct complaint *c, const char *component, const char *what)
{
    if (c->_failing)
        log_msg(LOG_LEVEL_INFO, component, NULL, "%s recovered", what);
    c->_failing = false;
    c->_suppressed = 0;
    c->_interval_ms = 0;
    c->_next_ms = 0;
}
