/*
 * locate.c - find a scenario file by name (sro_scenario_locate, declared
 * in scenario.h).
 *
 * `srotrace synth xhci-dbc` must work from the source tree (tests set
 * $SROTRACE_DATADIR to it), from a build directory, and after `make
 * install`, which copies the .scn files of examples/scenarios to DATADIR/scenarios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* Scenario names are letters, digits, '_', '-' and '.', as in the parser. */
static bool valid_name(const char *w)
{
    if ( !*w )
        return false;
    for ( const char *c = w; *c; c++ )
        if ( !(*c == '_' || *c == '-' || *c == '.' ||
               (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
               (*c >= 'A' && *c <= 'Z')) )
            return false;
    return true;
}

/* Can path be opened for reading? */
static bool readable(const char *path)
{
    FILE *f = fopen(path, "rb");

    if ( !f )
        return false;
    fclose(f);
    return true;
}

int sro_scenario_locate(const char *name_or_path, char *buf, size_t len,
                        char *err, size_t errlen)
{
    const char *env = getenv("SROTRACE_DATADIR");
    const char *dirs[3];
    unsigned int nd = 0;
    size_t l = strlen(name_or_path);

    if ( strchr(name_or_path, '/') ||
         (l > 4 && strcmp(name_or_path + l - 4, ".scn") == 0) )
    {
        snprintf(buf, len, "%s", name_or_path);
        return 0;
    }
    if ( !valid_name(name_or_path) || l >= SRO_SCN_NAME_MAX )
    {
        snprintf(err, errlen, "'%s' is not a scenario name or path",
                 name_or_path);
        return -1;
    }
    if ( env && *env )
        dirs[nd++] = env;
    dirs[nd++] = SROTRACE_SRCDIR;
    dirs[nd++] = SROTRACE_DATADIR;
    for ( unsigned int i = 0; i < nd; i++ )
    {
        snprintf(buf, len, "%s/examples/scenarios/%s.scn", dirs[i],
                 name_or_path);
        if ( readable(buf) )
            return 0;
        snprintf(buf, len, "%s/scenarios/%s.scn", dirs[i], name_or_path);
        if ( readable(buf) )
            return 0;
    }
    snprintf(err, errlen, "no scenario '%s': looked for "
             "examples/scenarios/%s.scn under %s%s and %s, and for "
             "scenarios/%s.scn under %s", name_or_path, name_or_path,
             env && *env ? "$SROTRACE_DATADIR, " : "", SROTRACE_SRCDIR,
             SROTRACE_DATADIR, name_or_path, SROTRACE_DATADIR);
    return -1;
}
