/*
 * types.c - names for the enums of types.h.
 */
#include "types.h"

const char *sro_incomplete_name(unsigned int why)
{
    static const char *const names[] = {
        NULL, "lost", "new_fault", "eof", "count_mismatch",
    };

    return why < sizeof(names) / sizeof(names[0]) ? names[why] : NULL;
}
