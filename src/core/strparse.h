/* Checked cursor tokenizers over NUL-terminated text (curl strparse). Each function advances
 * *p past what it consumed only on success; on failure *p is unchanged.
 * Errors: -EPROTO (no number / unexpected byte), -ERANGE (overflow). thread: any. */
#ifndef RIZK_CORE_STRPARSE_H
#define RIZK_CORE_STRPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* sp_u64 parses decimal digits [0-9]+ into *out. */
int sp_u64(const char **p, uint64_t *out);
/* sp_i64 parses an optional '-' or '+' followed by decimal digits. */
int sp_i64(const char **p, int64_t *out);
/* sp_double parses a decimal float (strtod syntax, no hex, no "nan(chars)"), with optional sign,
 * exponent, "inf"/"infinity"/"nan" in any case. */
int sp_double(const char **p, double *out);
/* sp_blanks skips spaces and tabs; returns how many were skipped. */
size_t sp_blanks(const char **p);
/* sp_word sets *w and *n to the run of bytes up to a blank, newline or NUL; -EPROTO if empty. */
int sp_word(const char **p, const char **w, size_t *n);
/* sp_char consumes c if it is next, else -EPROTO. */
int sp_char(const char **p, char c);
/* sp_eol is true at '\n' or NUL; sp_next_line moves past the next '\n' (or to NUL). */
bool sp_eol(const char *p);
void sp_next_line(const char **p);
/* sp_word_eq compares a (w, n) token with a C string. */
bool sp_word_eq(const char *w, size_t n, const char *s);

#endif
