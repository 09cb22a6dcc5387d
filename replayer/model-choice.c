/*
 * model-choice.c - see model-choice.h.
 */
#include <stdio.h>

#include "model-choice.h"

const char *sro_model_for_xen_version(const char *version)
{
    unsigned int major, minor, patch = 0;
    int n;

    if ( !version ||
         (n = sscanf(version, "%u.%u.%u", &major, &minor, &patch)) < 2 )
        return "xen-4.21";
    if ( major < 4 || (major == 4 && minor < 20) )
        return NULL;
    if ( major == 4 && minor == 20 )
        return n == 3 && patch == 0 ? "xen-4.20.0" : "xen-4.20.1";
    return "xen-4.21";
}
