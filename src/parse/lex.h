/* Line-oriented lexing helpers shared by the parse/ modules, on top of core/strparse.h: they treat
 * '\r' as a blank (CRLF input), check that a number ends at a field boundary, and remember the
 * first skipped line so a parser can say where and why a file was unusable. Pure; thread: any. */
#ifndef RIZK_PARSE_LEX_H
#define RIZK_PARSE_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* lex_blanks skips spaces, tabs and '\r'. */
void lex_blanks(const char **p);
/* lex_eol skips blanks (lex_blanks) and tells whether *p is then at '\n' or NUL. */
bool lex_eol(const char **p);
/* lex_word sets (w, n) to the run of bytes up to a blank, '\r', '\n' or NUL and advances *p;
 * -EPROTO (and *p unchanged) when the run is empty. */
int lex_word(const char **p, const char **w, size_t *n);
/* lex_u64 skips blanks, then parses a decimal that must end at a blank, '\r', '\n' or NUL.
 * Errors: -EPROTO (no digits, trailing junk such as "12ab"), -ERANGE (above 2^64-1); *p and *out
 * unchanged on error. */
int lex_u64(const char **p, uint64_t *out);
/* lex_u64_mul multiplies with an overflow check: -ERANGE when a * b does not fit. */
int lex_u64_mul(uint64_t a, uint64_t b, uint64_t *out);
/* lex_hex_digit returns the value of one hex digit (either case), or -1. */
int lex_hex_digit(char c);
/* lex_hex parses 1 to max_digits hex digits into *out (no prefix); -EPROTO if none, -ERANGE if
 * more digits follow. */
int lex_hex(const char **p, unsigned max_digits, uint64_t *out);
/* lex_copy copies (w, n) into dst of size cap as a C string; -E2BIG (dst untouched) if it does
 * not fit. */
int lex_copy(char *dst, size_t cap, const char *w, size_t n);
/* lex_is_blank_line tells whether the line at p holds only blanks. */
bool lex_is_blank_line(const char *p);

/* Skipped-line bookkeeping: how many lines were skipped and the first reason. */
struct lex_skips {
    unsigned count;
    int first_rc;
    struct parse_err first;
};

/* lex_skip counts one skipped line; rc and the position of at inside buf are kept for the
 * first one only. */
void lex_skip(struct lex_skips *s, const char *buf, const char *at, int rc, const char *what);
/* lex_fail is the parser's exit when a required item is missing: it returns -ERANGE (and copies
 * that line's position into err) when the first skipped line was an overflow, else -EPROTO with
 * the position of at and what. err may be NULL. */
int lex_fail(const struct lex_skips *s, struct parse_err *err, const char *buf, const char *at,
             const char *what);

#endif
