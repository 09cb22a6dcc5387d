/*
 * srotrace.c - the entry point: one table from subcommand name to function.
 *
 * Nothing else happens here: no option parsing beyond --help/--version, no
 * logic. Each subcommand lives in its own cli/cmd-NAME.c over the shared
 * libraries (core/, trace/, db/, recorder/, replayer/, analyzer/, synth/).
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "version.h"

struct cmd_struct {
    const char *name;
    int (*fn)(int argc, const char **argv);
    const char *help;
};

static const struct cmd_struct commands[] = {
    { "record",   cmd_record,   "import xentrace captures into a database" },
    { "runs",     cmd_runs,     "list the runs (captures) in a database" },
    { "replay",   cmd_replay,   "judge every fault and compare with a Xen model" },
    { "diff",     cmd_diff,     "replay through two models, list what changes" },
    { "report",   cmd_report,   "summarise runs: faults, outcomes, verdicts (text, JSON, HTML)" },
    { "audit",    cmd_audit,    "which bytes of each protected page guests touched" },
    { "timeline", cmd_timeline, "the story of one guest's writes, in order" },
    { "devices",  cmd_devices,  "bind pages to devices and register maps" },
    { "decode",   cmd_decode,   "decode instruction bytes: store, width, rmw" },
    { "models",   cmd_models,   "list the built-in Xen models" },
    { "synth",    cmd_synth,    "synthesize a trace from a guest scenario" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: srotrace [--version] [--help] COMMAND [ARGS]\n\n"
                 "Record, replay and audit Xen's sub-page read-only MMIO "
                 "write faults.\n\nCommands:\n");
    for ( size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++ )
        fprintf(out, "   %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\nSee 'srotrace COMMAND --help' or 'man srotrace-COMMAND'."
                 "\n");
}

int main(int argc, const char **argv)
{
    const char *cmd;

    if ( argc < 2 )
    {
        usage(stderr);
        return 129;
    }
    cmd = argv[1];
    if ( strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
         strcmp(cmd, "help") == 0 )
    {
        if ( strcmp(cmd, "help") == 0 && argc > 2 )
        {
            /* srotrace help CMD == srotrace CMD --help */
            const char *av[] = { argv[2], "--help", NULL };

            for ( size_t i = 0; i < sizeof(commands) / sizeof(commands[0]);
                  i++ )
                if ( strcmp(commands[i].name, argv[2]) == 0 )
                    return commands[i].fn(2, av);
            fprintf(stderr, "srotrace: '%s' is not a command\n", argv[2]);
            return 129;
        }
        usage(stdout);
        return 0;
    }
    if ( strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0 )
    {
        printf("srotrace %s (trace ABI %d)\n", SROTRACE_VERSION,
               SROTRACE_TRACE_ABI);
        return 0;
    }
    for ( size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++ )
        if ( strcmp(commands[i].name, cmd) == 0 )
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "srotrace: '%s' is not a command. See 'srotrace --help'."
                    "\n", cmd);
    return 129;
}
