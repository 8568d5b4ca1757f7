/* Helpers shared by the unit suites: fixture loading, the value of a sample, a config from
 * flags, loopback listeners for the fake servers of the collector suites. */
#ifndef RIZK_TESTS_UNIT_UTIL_H
#define RIZK_TESTS_UNIT_UTIL_H

#include <stddef.h>

/* unit_only_suite is the suite named by --suite, NULL when every suite runs in this process
 * (a suite that checks process-wide state first, as tls_lazy does, needs a process of its own). */
extern const char *unit_only_suite;

/* unit_fixture_path returns "$FIXTURES/<rel>" (static buffer, valid until the next call). */
const char *unit_fixture_path(const char *rel);
/* unit_fixture_read returns the NUL-terminated contents of $FIXTURES/<rel> (caller frees),
 * or NULL when missing; *len gets the byte count when len is not NULL. */
char *unit_fixture_read(const char *rel, size_t *len);

struct config;
struct mset;
struct sample_sink;

/* unit_sample returns the value of name's sample whose label lname is lval (lname NULL: the
 * first sample; a histogram gives its count), NaN when there is none. */
double unit_sample(const struct mset *m, const char *name, const char *lname, const char *lval);
/* unit_source_up returns 1 or 0 for source name's status in s, -1 when it reported none. */
int unit_source_up(const struct sample_sink *s, const char *name);
/* unit_config loads cfg from the NULL-terminated flags (argv[0] included) and no environment,
 * as main would; CU-fails (fatal) unless the result is CONFIG_RUN. Free with config_fini. */
void unit_config(struct config *cfg, char **argv);
/* unit_tcp_listen returns a TCP socket listening on 127.0.0.1 and its port in *port, for a fake
 * server thread (accept fails once the test shuts it down). CU-fails (fatal) on error. */
int unit_tcp_listen(unsigned *port);
/* unit_nap_ms sleeps ms milliseconds (polling loops with a deadline; never a timing assert). */
void unit_nap_ms(long ms);

#endif
