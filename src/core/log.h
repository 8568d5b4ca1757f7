/* Structured logging to stderr: one logfmt (or JSON) line per event, level-filtered, with a
 * component per module, and complaint objects that rate-limit repeated failures (collectd
 * c_complain). Secrets must never be passed to these functions. */
#ifndef RIZK_CORE_LOG_H
#define RIZK_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_LEVEL_DEBUG = 0, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };
enum log_format { LOG_FORMAT_LOGFMT = 0, LOG_FORMAT_JSON };

/* log_setup sets level and format. Call once from main before any thread starts: the settings
 * are written once at startup and only read afterwards, so they need no lock. */
void log_setup(enum log_level level, enum log_format format);
/* log_level_parse maps "debug|info|warn|error" to a level; -EINVAL otherwise. */
int log_level_parse(const char *s, enum log_level *out);
int log_format_parse(const char *s, enum log_format *out);
bool log_enabled(enum log_level level);

/* log_msg writes one line: ts, level, component, msg, then the optional key=value pairs already
 * formatted by the caller in kv (may be NULL). thread: any (one write(2) per line). */
void log_msg(enum log_level level, const char *component, const char *kv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_debug(comp, ...) log_msg(LOG_LEVEL_DEBUG, comp, NULL, __VA_ARGS__)
#define log_info(comp, ...) log_msg(LOG_LEVEL_INFO, comp, NULL, __VA_ARGS__)
#define log_warn(comp, ...) log_msg(LOG_LEVEL_WARN, comp, NULL, __VA_ARGS__)
#define log_error(comp, ...) log_msg(LOG_LEVEL_ERROR, comp, NULL, __VA_ARGS__)

/* A complaint logs the first failure, then at most once per backoff interval (doubling up to
 * one hour), and once on recovery. Owned by one thread. */
struct complaint {
    int64_t _next_ms;
    int64_t _interval_ms;
    bool _failing;
    uint64_t _suppressed;
};

void complain(struct complaint *c, int64_t now_ms, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* complain_release logs "recovered" if c was failing, then resets it. */
void complain_release(struct complaint *c, const char *component, const char *what);

#endif
