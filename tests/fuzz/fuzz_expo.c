/* Fuzz target for parse/expo: every input is parsed as text 0.0.4 and as OpenMetrics through the
 * callbacks (checking that every string handed out is terminated and every count adds up), then
 * selected with small caps so the skip and -E2BIG paths run too. The input is copied into a
 * NUL-terminated buffer capped at 1 MiB, as the parser requires. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/expo_select.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1u << 20)

struct tally {
    unsigned families, samples, invalid;
    unsigned last_invalid_seq; /* seq + 1 of the last block reported invalid */
    unsigned cur_seq;
    size_t bytes;
};

static int on_family(void *cls, const struct expo_family *f)
{
    struct tally *t = cls;
    t->bytes += strlen(f->name) + (f->help ? strlen(f->help) : 0) + (f->unit ? strlen(f->unit) : 0);
    if (f->name[0] == '\0' || f->seq != t->families)
        abort();
    t->cur_seq = f->seq;
    t->families++;
    return 0;
}

/* invalid: once per block, after the block's family callback, with a reason in range. */
static int on_invalid(void *cls, const struct expo_family *f, enum expo_reason why, unsigned line)
{
    struct tally *t = cls;
    if ((unsigned)why >= EXPO_REASON_COUNT || line == 0 || f->seq != t->cur_seq ||
        t->last_invalid_seq == f->seq + 1)
        abort();
    t->last_invalid_seq = f->seq + 1;
    t->invalid++;
    return 0;
}

static int on_sample(void *cls, const struct expo_family *f, const struct expo_sample *s)
{
    struct tally *t = cls;
    if (s->name[0] == '\0' || strncmp(s->name, f->name, strlen(f->name)) != 0 || s->line == 0)
        abort();
    if (t->last_invalid_seq == f->seq + 1) /* no sample of a block after it went bad */
        abort();
    for (unsigned i = 0; i < s->nlabels; i++) {
        if (s->labels[i].name[0] == '\0')
            abort();
        t->bytes += strlen(s->labels[i].name) + strlen(s->labels[i].value);
    }
    t->samples++;
    return 0;
}

static void run_callbacks(const char *text, size_t len, enum expo_format fmt)
{
    struct expo_callbacks cb = {.family = on_family, .sample = on_sample, .invalid = on_invalid};
    struct tally t = {0};
    struct expo_stats st;
    struct parse_err e = {0};
    int rc = parse_expo(text, len, fmt, NULL, &cb, &t, &st, &e);
    if (rc != 0 && rc != -EPROTO)
        abort();
    if (rc < 0 && (e.line == 0 || e.col == 0 || e.what == NULL))
        abort();
    if (t.samples != st.samples || t.families > st.families || st.lines > len + 1)
        abort();
    if (st.malformed > 0 && (st.first_malformed.line == 0 || st.first_malformed.what == NULL))
        abort();
    unsigned sum = 0;
    for (int k = 0; k < EXPO_REASON_COUNT; k++) {
        sum += st.reasons[k];
        if (st.reasons[k] != 0 && (st.reason_first[k].line == 0 || st.reason_first[k].what == NULL))
            abort();
    }
    if (sum != st.malformed || (rc == 0 && t.invalid != st.families_invalid))
        abort();
}

static void run_select(const char *text, size_t len, enum expo_format fmt)
{
    static const char *const names[] = {"a", "x_total", "lat_seconds", "rizk_requests_total", "g"};
    struct expo_select sel = {
        .names = names,
        .nnames = 5,
        .max_samples = 64,
        .max_bytes = 4096,
        .limits = {.max_labels = 8, .max_line = 512, .max_samples = 1024},
    };
    struct expo_set *s = NULL;
    struct parse_err e = {0};
    int rc = parse_expo_select(text, len, fmt, &sel, &s, &e);
    if (rc == 0) {
        if (s == NULL || s->nsamples > 64 || s->nwants != 5)
            abort();
        for (unsigned i = 0; i < s->nsamples; i++) {
            const struct expo_kept *k = &s->samples[i];
            if (k->want >= 5 || k->nlabels > 8 || k->role == EXPO_ROLE_CREATED ||
                !s->found[k->want] || s->rejected[k->want])
                abort();
            for (unsigned j = 0; j < k->nlabels; j++)
                if (expo_kept_label(k, k->labels[j].name) == NULL)
                    abort();
        }
        expo_set_free(s);
    } else if ((rc != -EPROTO && rc != -E2BIG) || s != NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    run_callbacks(text, size, EXPO_FORMAT_TEXT);
    run_callbacks(text, size, EXPO_FORMAT_OPENMETRICS);
    run_select(text, size, size % 2 ? EXPO_FORMAT_TEXT : EXPO_FORMAT_OPENMETRICS);
    free(text);
    return 0;
}
