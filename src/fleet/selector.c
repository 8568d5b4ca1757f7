/* Label selector parser and matcher, a transcription of apimachinery pkg/labels/selector.go:
 * the same lexer (special symbols = == != ! ( ) , > <; "in"/"notin" are keywords where an
 * operator may follow a key and plain identifiers where values are read), the same recursive
 * descent and the same validation (qualified-name keys, label values, integers for > and <). */
#include "fleet/selector.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strparse.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct selector_req {
    char *key;
    enum selector_op op;
    char **values; /* owned; for EQ/DEQ/NE/GT/LT exactly one */
    size_t nvalues;
};

struct selector {
    struct selector_req *reqs;
    size_t n, cap;
};

enum sel_tok {
    TOK_EOS = 0,
    TOK_ID,
    TOK_IN,
    TOK_NOTIN,
    TOK_EQ,
    TOK_DEQ,
    TOK_NE,
    TOK_NOT,
    TOK_OPEN,
    TOK_CLOSE,
    TOK_COMMA,
    TOK_GT,
    TOK_LT,
};

struct token {
    enum sel_tok t;
    const char *s; /* points into the text */
    size_t n;
};

/* Lexing context: where an operator may follow (keywords are keywords) or where values are read
 * (keywords are identifiers), as Go's consume(Values). */
enum sel_ctx { CTX_KEY, CTX_VALUES };

struct parser {
    const char *text;
    const char *p; /* next unread byte */
    struct parse_err *err;
};

static bool sel_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool sel_is_special(char c)
{
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

/* sel_lex reads the token at *pp and advances *pp past it. */
static struct token sel_lex(const char **pp, enum sel_ctx ctx)
{
    const char *p = *pp;
    while (sel_is_space(*p))
        p++;
    struct token tk = {TOK_EOS, p, 0};
    if (*p == '\0') {
        *pp = p;
        return tk;
    }
    if (sel_is_special(*p)) {
        tk.n = 1;
        switch (*p) {
        case '=':
            tk.t = p[1] == '=' ? TOK_DEQ : TOK_EQ;
            break;
        case '!':
            tk.t = p[1] == '=' ? TOK_NE : TOK_NOT;
            break;
        case '(':
            tk.t = TOK_OPEN;
            break;
        case ')':
            tk.t = TOK_CLOSE;
            break;
        case ',':
            tk.t = TOK_COMMA;
            break;
        case '>':
            tk.t = TOK_GT;
            break;
        default:
            tk.t = TOK_LT;
            break;
        }
        if (tk.t == TOK_DEQ || tk.t == TOK_NE)
            tk.n = 2;
        *pp = p + tk.n;
        return tk;
    }
    const char *q = p;
    while (*q != '\0' && !sel_is_space(*q) && !sel_is_special(*q))
        q++;
    tk.t = TOK_ID;
    tk.n = (size_t)(q - p);
    if (ctx == CTX_KEY && tk.n == 2 && memcmp(p, "in", 2) == 0)
        tk.t = TOK_IN;
    else if (ctx == CTX_KEY && tk.n == 5 && memcmp(p, "notin", 5) == 0)
        tk.t = TOK_NOTIN;
    *pp = q;
    return tk;
}

static struct token sel_peek(const struct parser *ps, enum sel_ctx ctx)
{
    const char *p = ps->p;
    return sel_lex(&p, ctx);
}

static struct token sel_next(struct parser *ps, enum sel_ctx ctx)
{
    return sel_lex(&ps->p, ctx);
}

static int sel_fail(struct parser *ps, const char *at, const char *what)
{
    parse_err_set(ps->err, ps->text, at, what);
    return -EPROTO;
}

static bool sel_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 bytes; empty allowed when empty_ok. */
static bool sel_is_name(const char *s, size_t n, bool empty_ok)
{
    if (n == 0)
        return empty_ok;
    if (n > 63 || !sel_alnum(s[0]) || !sel_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!sel_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static bool sel_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool selector_is_dns_label(const char *s, size_t n)
{
    if (n == 0 || n > 63 || !sel_lower_alnum(s[0]) || !sel_lower_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!sel_lower_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

bool selector_is_dns_subdomain(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!selector_is_dns_label(s + start, i - start))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* A qualified name: [DNS subdomain '/'] name. */
static bool sel_is_key(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    if (slash == NULL)
        return sel_is_name(s, n, false);
    size_t pl = (size_t)(slash - s);
    if (memchr(slash + 1, '/', n - pl - 1) != NULL)
        return false;
    return selector_is_dns_subdomain(s, pl) && sel_is_name(slash + 1, n - pl - 1, false);
}

static bool sel_is_int(const char *s)
{
    const char *p = s;
    int64_t v;
    return sp_i64(&p, &v) == 0 && *p == '\0';
}

static void sel_req_fini(struct selector_req *r)
{
    free(r->key);
    for (size_t i = 0; i < r->nvalues; i++)
        free(r->values[i]);
    free(r->values);
}

static void sel_add_value(struct selector_req *r, const char *s, size_t n)
{
    r->values = xreallocarray(r->values, r->nvalues + 1, sizeof(*r->values));
    r->values[r->nvalues++] = xstrndup(s, n);
}

/* sel_parse_values reads "( v, v, ... )" as Go's parseValues/parseIdentifiersList: empty
 * elements ("(,a)", "(a,,b)", "()") stand for the empty value. */
static int sel_parse_values(struct parser *ps, struct selector_req *r)
{
    struct token tk = sel_next(ps, CTX_VALUES);
    if (tk.t != TOK_OPEN)
        return sel_fail(ps, tk.s, "expected '('");
    tk = sel_peek(ps, CTX_VALUES);
    if (tk.t == TOK_CLOSE) {
        sel_next(ps, CTX_VALUES);
        sel_add_value(r, "", 0);
        return 0;
    }
    if (tk.t != TOK_ID && tk.t != TOK_COMMA)
        return sel_fail(ps, tk.s, "expected ',', ')' or a value");
    for (;;) {
        tk = sel_next(ps, CTX_VALUES);
        if (tk.t == TOK_ID) {
            sel_add_value(r, tk.s, tk.n);
            struct token nx = sel_peek(ps, CTX_VALUES);
            if (nx.t == TOK_COMMA)
                continue;
            if (nx.t == TOK_CLOSE)
                break;
            return sel_fail(ps, nx.s, "expected ',' or ')'");
        }
        if (tk.t != TOK_COMMA)
            return sel_fail(ps, tk.s, "expected ',' or a value");
        if (r->nvalues == 0)
            sel_add_value(r, "", 0); /* "(,": a leading empty value */
        struct token nx = sel_peek(ps, CTX_VALUES);
        if (nx.t == TOK_CLOSE) {
            sel_add_value(r, "", 0); /* ",)": a trailing empty value */
            break;
        }
        if (nx.t == TOK_COMMA) {
            sel_next(ps, CTX_VALUES);
            sel_add_value(r, "", 0); /* ",,": an empty value in between */
        }
    }
    tk = sel_next(ps, CTX_VALUES);
    if (tk.t != TOK_CLOSE)
        return sel_fail(ps, tk.s, "expected ')'");
    return 0;
}

/* sel_parse_exact reads the single value after = == != > <; nothing before ',' or the end is
 * the empty value. */
static int sel_parse_exact(struct parser *ps, struct selector_req *r)
{
    struct token tk = sel_peek(ps, CTX_VALUES);
    if (tk.t == TOK_EOS || tk.t == TOK_COMMA) {
        sel_add_value(r, "", 0);
        return 0;
    }
    tk = sel_next(ps, CTX_VALUES);
    if (tk.t != TOK_ID)
        return sel_fail(ps, tk.s, "expected a value");
    sel_add_value(r, tk.s, tk.n);
    return 0;
}

static int sel_parse_operator(struct parser *ps, struct selector_req *r)
{
    struct token tk = sel_next(ps, CTX_KEY);
    switch (tk.t) {
    case TOK_IN:
        r->op = SELECTOR_IN;
        return sel_parse_values(ps, r);
    case TOK_NOTIN:
        r->op = SELECTOR_NOTIN;
        return sel_parse_values(ps, r);
    case TOK_EQ:
        r->op = SELECTOR_EQ;
        break;
    case TOK_DEQ:
        r->op = SELECTOR_DEQ;
        break;
    case TOK_NE:
        r->op = SELECTOR_NE;
        break;
    case TOK_GT:
        r->op = SELECTOR_GT;
        break;
    case TOK_LT:
        r->op = SELECTOR_LT;
        break;
    default:
        return sel_fail(ps, tk.s, "expected an operator: =, ==, !=, in, notin, >, <");
    }
    return sel_parse_exact(ps, r);
}

/* sel_validate applies NewRequirement's checks once the values are known. */
static int sel_validate(struct parser *ps, const struct selector_req *r, const char *at)
{
    if ((r->op == SELECTOR_GT || r->op == SELECTOR_LT) &&
        (r->nvalues != 1 || !sel_is_int(r->values[0])))
        return sel_fail(ps, at, "the value of '>' and '<' must be an integer");
    for (size_t i = 0; i < r->nvalues; i++)
        if (!sel_is_name(r->values[i], strlen(r->values[i]), true))
            return sel_fail(ps, at,
                            "invalid label value: at most 63 of [A-Za-z0-9-_.], alphanumeric at "
                            "both ends");
    return 0;
}

static int sel_parse_requirement(struct parser *ps, struct selector_req *r)
{
    struct token tk = sel_next(ps, CTX_KEY);
    bool negated = tk.t == TOK_NOT;
    if (negated)
        tk = sel_next(ps, CTX_KEY);
    if (tk.t != TOK_ID)
        return sel_fail(ps, tk.s, "expected a label key");
    if (!sel_is_key(tk.s, tk.n))
        return sel_fail(ps, tk.s,
                        "invalid label key: [DNS subdomain '/'] name of at most 63 of "
                        "[A-Za-z0-9-_.], alphanumeric at both ends");
    r->key = xstrndup(tk.s, tk.n);
    const char *value_at = ps->p;
    struct token nx = sel_peek(ps, CTX_KEY);
    if (nx.t == TOK_EOS || nx.t == TOK_COMMA) {
        r->op = negated ? SELECTOR_NOT_EXISTS : SELECTOR_EXISTS;
        return 0;
    }
    if (negated)
        return sel_fail(ps, nx.s, "'!' must be followed by a key alone: expected ',' or the end");
    int rc = sel_parse_operator(ps, r);
    if (rc == 0)
        rc = sel_validate(ps, r, value_at);
    return rc;
}

static int sel_parse_all(struct parser *ps, struct selector *s)
{
    for (;;) {
        struct token tk = sel_peek(ps, CTX_KEY);
        if (tk.t == TOK_EOS)
            return 0;
        if (tk.t != TOK_ID && tk.t != TOK_NOT)
            return sel_fail(ps, tk.s, "expected '!' or a label key");
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 4;
            s->reqs = xreallocarray(s->reqs, s->cap, sizeof(*s->reqs));
        }
        struct selector_req *r = &s->reqs[s->n++];
        memset(r, 0, sizeof(*r));
        int rc = sel_parse_requirement(ps, r);
        if (rc < 0)
            return rc;
        tk = sel_next(ps, CTX_KEY);
        if (tk.t == TOK_EOS)
            return 0;
        if (tk.t != TOK_COMMA)
            return sel_fail(ps, tk.s, "expected ',' or the end of the selector");
        tk = sel_peek(ps, CTX_KEY);
        if (tk.t != TOK_ID && tk.t != TOK_NOT)
            return sel_fail(ps, tk.s, "expected '!' or a label key after ','");
    }
}

int selector_parse(const char *text, struct selector **out, struct parse_err *err)
{
    if (strlen(text) > SELECTOR_MAX_LEN) {
        parse_err_set(err, text, text + SELECTOR_MAX_LEN, "selector too long");
        return -E2BIG;
    }
    struct selector *s = xcalloc(1, sizeof(*s));
    struct parser ps = {text, text, err};
    int rc = sel_parse_all(&ps, s);
    if (rc < 0) {
        selector_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void selector_free(struct selector *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++)
        sel_req_fini(&s->reqs[i]);
    free(s->reqs);
    free(s);
}

bool selector_is_empty(const struct selector *s)
{
    return s == NULL || s->n == 0;
}

size_t selector_count(const struct selector *s)
{
    return s == NULL ? 0 : s->n;
}

static bool sel_has_value(const struct selector_req *r, const char *v)
{
    for (size_t i = 0; i < r->nvalues; i++)
        if (strcmp(r->values[i], v) == 0)
            return true;
    return false;
}

static bool sel_req_matches(const struct selector_req *r, selector_label_fn get, const void *obj)
{
    const char *v = get(obj, r->key);
    switch (r->op) {
    case SELECTOR_EQ:
    case SELECTOR_DEQ:
    case SELECTOR_IN:
        return v != NULL && sel_has_value(r, v);
    case SELECTOR_NE:
    case SELECTOR_NOTIN:
        return v == NULL || !sel_has_value(r, v);
    case SELECTOR_EXISTS:
        return v != NULL;
    case SELECTOR_NOT_EXISTS:
        return v == NULL;
    case SELECTOR_GT:
    case SELECTOR_LT: {
        if (v == NULL)
            return false;
        const char *p = v, *q = r->values[0];
        int64_t have, want;
        if (sp_i64(&p, &have) < 0 || *p != '\0' || sp_i64(&q, &want) < 0)
            return false;
        return r->op == SELECTOR_GT ? have > want : have < want;
    }
    }
    return false;
}

bool selector_matches(const struct selector *s, selector_label_fn get, const void *obj)
{
    if (s == NULL)
        return true;
    for (size_t i = 0; i < s->n; i++)
        if (!sel_req_matches(&s->reqs[i], get, obj))
            return false;
    return true;
}

static int sel_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sel_render_req(const struct selector_req *r, struct buf *out)
{
    static const char *const ops[] = {[SELECTOR_EQ] = "=",
                                      [SELECTOR_DEQ] = "==",
                                      [SELECTOR_NE] = "!=",
                                      [SELECTOR_GT] = ">",
                                      [SELECTOR_LT] = "<"};
    int rc = 0;
    switch (r->op) {
    case SELECTOR_EXISTS:
        return buf_adds(out, r->key);
    case SELECTOR_NOT_EXISTS:
        return buf_printf(out, "!%s", r->key);
    case SELECTOR_IN:
    case SELECTOR_NOTIN: {
        char **v = xcalloc(r->nvalues ? r->nvalues : 1, sizeof(*v));
        memcpy(v, r->values, r->nvalues * sizeof(*v));
        qsort(v, r->nvalues, sizeof(*v), sel_cmp_str);
        rc = buf_printf(out, "%s %s (", r->key, r->op == SELECTOR_IN ? "in" : "notin");
        for (size_t i = 0; rc == 0 && i < r->nvalues; i++) {
            if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
                continue; /* a set: duplicates once */
            if (rc == 0 && i > 0)
                rc = buf_addc(out, ',');
            if (rc == 0)
                rc = buf_adds(out, v[i]);
        }
        if (rc == 0)
            rc = buf_addc(out, ')');
        free(v);
        return rc;
    }
    default:
        return buf_printf(out, "%s%s%s", r->key, ops[r->op], r->values[0]);
    }
}

int selector_render(const struct selector *s, struct buf *out)
{
    if (s == NULL || s->n == 0)
        return 0;
    /* Stable insertion sort by key over an index: a handful of requirements. */
    size_t *idx = xcalloc(s->n, sizeof(*idx));
    for (size_t i = 0; i < s->n; i++) {
        size_t j = i;
        while (j > 0 && strcmp(s->reqs[idx[j - 1]].key, s->reqs[i].key) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        if (i > 0)
            rc = buf_addc(out, ',');
        if (rc == 0)
            rc = sel_render_req(&s->reqs[idx[i]], out);
    }
    free(idx);
    return rc;
}

bool selector_req_values(const struct selector *s, size_t i, const char **key,
                         const char *const **values, size_t *n)
{
    if (s == NULL || i >= s->n)
        return false;
    const struct selector_req *r = &s->reqs[i];
    if (r->op != SELECTOR_EQ && r->op != SELECTOR_DEQ && r->op != SELECTOR_IN)
        return false;
    *key = r->key;
    *values = (const char *const *)r->values;
    *n = r->nvalues;
    return true;
}
