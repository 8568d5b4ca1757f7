/* Native-histogram bucket encoding for the protobuf renderer (render_protobuf is declared in
 * render/render.h with the other renderers): populated buckets to the spans and deltas of
 * io.prometheus.client.Histogram. Pure, so it is unit-tested and fuzzed on its own. */
#ifndef RIZK_RENDER_PROTOBUF_H
#define RIZK_RENDER_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

#include "store/mset.h"

/* One BucketSpan: offset = indices skipped since the previous span (the first span: the first
 * index itself), length = consecutive buckets in the span. */
struct native_span {
    int32_t offset;
    uint32_t length;
};

/* protobuf_native_spans encodes n buckets (strictly ascending index, |index| <=
 * HISTOGRAM_INDEX_LIMIT, as mset_add_histogram guarantees) into spans and deltas, both
 * caller-provided with room for n entries. A new span starts at every gap, which is the encoding
 * of the native-histogram spec's worked example; deltas are counts in index order, the first
 * absolute, each next one the difference from the previous (modulo 2^64, as the decoder adds
 * them up). Returns the number of spans (0 for n == 0); there are always n deltas. Pure. */
size_t protobuf_native_spans(const struct native_bucket *b, size_t n, struct native_span *spans,
                             int64_t *deltas);

#endif
