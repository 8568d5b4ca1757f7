/* Entry point: argv/env -> struct config -> the chosen mode. No logic of its own. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "rizk-metrics: under construction\n");
    return 2;
}
