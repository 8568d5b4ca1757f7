/* Pure parser for the Kubernetes downward-API labels file (`fieldRef: metadata.labels`): one
 * `key="value"` per line, the value quoted the way Go's strconv.Quote does (\" \\ \n \t \xHH
 * \uHHHH \UHHHHHHHH, octal \NNN ...). Decoded values are UTF-8; a NUL byte is refused. */
#ifndef RIZK_PARSE_POD_LABELS_H
#define RIZK_PARSE_POD_LABELS_H

#include <stddef.h>

#include "core/err.h"

#define POD_LABELS_MAX 128       /* labels kept; more are counted in dropped */
#define POD_LABEL_KEY_MAX 317    /* prefix (253) + '/' + name (63) */
#define POD_LABEL_VALUE_MAX 4096 /* label values are <= 63 bytes; leave room for annotations */

struct pod_label {
    char *key;   /* owned by the pod_labels */
    char *value; /* owned; decoded, NUL-terminated */
};

struct pod_labels {
    struct pod_label items[POD_LABELS_MAX]; /* file order; keys unique (first one wins) */
    unsigned n, dropped, malformed;
};

/* parse_pod_labels parses the NUL-terminated file text into *out (written only on success; free
 * with pod_labels_fini). Blank lines are skipped; malformed lines (no '=', unquoted value, bad
 * escape, key or value too long, NUL) and duplicate keys are skipped and counted, err gets the
 * first one. An empty file gives zero labels. Returns 0; it fails only when every non-blank line
 * is malformed: -EPROTO. thread: any. */
int parse_pod_labels(const char *text, struct pod_labels *out, struct parse_err *err);

/* pod_labels_fini frees the strings and leaves zero labels. NULL-safe. */
void pod_labels_fini(struct pod_labels *l);

/* pod_labels_get returns the value of key (borrowed from l) or NULL. thread: any. */
const char *pod_labels_get(const struct pod_labels *l, const char *key);

#endif
