/* TEMPORARY during initial development: weak definitions for subcommands
 * not yet linked in. Each real cli/cmd-NAME.c overrides its entry. This
 * file is deleted before the first release commit. */
#include <stdio.h>
#include "builtin.h"
#define PENDING(name) \
    __attribute__((weak)) int cmd_##name(int argc, const char **argv) \
    { (void)argc; fprintf(stderr, "srotrace: '%s' is not built yet\n", argv[0]); return 1; }
PENDING(record) PENDING(runs) PENDING(replay) PENDING(diff) PENDING(report)
PENDING(audit) PENDING(timeline) PENDING(devices) PENDING(decode)
PENDING(models) PENDING(synth)
