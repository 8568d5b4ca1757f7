/* Monotonic and wall clocks in milliseconds / seconds. thread: any. */
#ifndef RIZK_CORE_CLOCK_H
#define RIZK_CORE_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);
int64_t clock_mono_ns(void);
int64_t clock_wall_ms(void);
double clock_wall_seconds(void);

#endif
