/*
 * cmd-synth.c - `srotrace synth`: write a realistic trace from a scenario.
 *
 * Turns options into a struct sro_synth_opts and runs synth/engine.c:
 * finds the scenario (synth/locate.c) and parses it (synth/scenario.c),
 * finds the Xen model (core/model.c), opens the outputs. The scenario's
 * own `xen`, `seed`, `groups` and `cpus` lines are the defaults that the
 * options override. docs/man/srotrace-synth.1 documents every option.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/model.h"
#include "synth/engine.h"
#include "synth/inject.h"
#include "synth/scenario.h"
#include "util/parse-options.h"
#include "builtin.h"

#define DEFAULT_MODEL "xen-4.21"

static const char *const synth_usage[] = {
    "srotrace synth SCENARIO -o FILE [--xen MODEL] [--seed N] [--groups N] "
    "[--cpus N]\n"
    "                      [--inject DEVIATION[:RATE]]... [--lost RATE] "
    "[--cut]\n"
    "                      [--late-config] [--expect FILE]",
    NULL,
};

struct synth_args {
    const char        *output;
    const char        *xen;
    const char        *seed;
    const char        *groups;
    const char        *cpus;
    const char        *lost;
    const char        *expect;
    struct string_list inject;
    bool               cut;
    bool               late_config;
    bool               quiet;
};

/* A number option: 0, or -1 after saying what is wrong. */
static int number_arg(const char *opt, const char *s, uint64_t lo,
                      uint64_t hi, uint64_t *out)
{
    if ( parse_u64(s, out, false) || *out < lo || *out > hi )
    {
        fprintf(stderr, "srotrace synth: %s %s: not a number in %llu..%llu\n",
                opt, s, (unsigned long long)lo, (unsigned long long)hi);
        return -1;
    }
    return 0;
}

/* Every --inject argument, each NAME[:RATE][,NAME[:RATE]...]. */
static int parse_injects(const struct string_list *l, struct sro_inject *inj)
{
    char err[256];

    for ( unsigned int i = 0; i < l->n; i++ )
    {
        char *copy = strdup(l->items[i]), *save = NULL;
        int rc = 0;

        if ( !copy )
            return -1;
        for ( char *t = strtok_r(copy, ",", &save); t && !rc;
              t = strtok_r(NULL, ",", &save) )
            if ( sro_inject_parse(inj, t, err, sizeof(err)) )
            {
                fprintf(stderr, "srotrace synth: %s\n", err);
                rc = -1;
            }
        free(copy);
        if ( rc )
            return -1;
    }
    return 0;
}

/* Fill o from the arguments and the scenario's defaults. */
static int make_opts(const struct synth_args *a, const struct sro_scenario *s,
                     struct sro_synth_opts *o)
{
    uint64_t v;
    char err[512];
    const char *model = a->xen ? a->xen : s->xen[0] ? s->xen : DEFAULT_MODEL;

    o->scn = s;
    o->seed = s->seed;
    o->groups = s->groups;
    o->cpus = s->cpus;
    if ( a->seed && number_arg("--seed", a->seed, 0, UINT64_MAX, &o->seed) )
        return -1;
    if ( a->groups &&
         number_arg("--groups", a->groups, 0, UINT64_MAX, &o->groups) )
        return -1;
    if ( a->cpus )
    {
        if ( number_arg("--cpus", a->cpus, 1, 4096, &v) )
            return -1;
        o->cpus = (unsigned int)v;
    }
    if ( a->lost )
    {
        char *end;

        o->lost = strtod(a->lost, &end);
        if ( end == a->lost || *end || !(o->lost >= 0 && o->lost <= 1) )
        {
            fprintf(stderr, "srotrace synth: --lost %s: not a number in "
                    "[0, 1]\n", a->lost);
            return -1;
        }
    }
    if ( parse_injects(&a->inject, &o->inject) )
        return -1;
    o->cut = a->cut;
    o->late_config = a->late_config;
    o->model = sro_model_find(model, err, sizeof(err));
    if ( !o->model )
    {
        fprintf(stderr, "srotrace synth: %s\n", err);
        return -1;
    }
    return 0;
}

/*
 * Find and parse the scenario, open the outputs, run the engine, report.
 * Returns the exit status; on failure the partial trace is removed.
 */
static int synth(const struct synth_args *a, const char *scenario)
{
    struct sro_scenario *s = NULL;
    struct sro_synth_opts o = { 0 };
    struct sro_synth_result res;
    char path[4096], err[1024];
    bool to_stdout = strcmp(a->output, "-") == 0;
    int rc = SRO_EXIT_ERROR;

    if ( sro_scenario_locate(scenario, path, sizeof(path), err,
                             sizeof(err)) ||
         sro_scenario_load(path, &s, err, sizeof(err)) )
    {
        fprintf(stderr, "srotrace synth: %s\n", err);
        return SRO_EXIT_ERROR;
    }
    if ( make_opts(a, s, &o) )
        goto out;
    if ( a->cut && to_stdout )
    {
        fprintf(stderr, "srotrace synth: --cut truncates the output: give "
                "-o a file, not '-'\n");
        goto out;
    }
    o.out = to_stdout ? stdout : fopen(a->output, "wb");
    if ( !o.out )
    {
        fprintf(stderr, "srotrace synth: %s: %s\n", a->output,
                strerror(errno));
        goto out;
    }
    if ( a->expect && !(o.expect = fopen(a->expect, "w")) )
    {
        fprintf(stderr, "srotrace synth: %s: %s\n", a->expect,
                strerror(errno));
        goto close;
    }
    if ( sro_synth_run(&o, &res, err, sizeof(err)) )
    {
        fprintf(stderr, "srotrace synth: %s\n", err);
        goto close;
    }
    rc = SRO_EXIT_OK;
    if ( !a->quiet )
        fprintf(stderr, "synth: %s under %s, seed %llu: %llu groups on %u "
                "CPUs, %llu bytes (%llu groups and %llu lost records as a "
                "reader will see them)\n", s->name, o.model->name,
                (unsigned long long)o.seed,
                (unsigned long long)res.groups_made, o.cpus,
                (unsigned long long)res.bytes,
                (unsigned long long)res.seen.groups,
                (unsigned long long)res.seen.lost_records);
close:
    if ( o.expect && fclose(o.expect) && rc == SRO_EXIT_OK )
    {
        fprintf(stderr, "srotrace synth: %s: write error\n", a->expect);
        rc = SRO_EXIT_ERROR;
    }
    if ( o.out && !to_stdout && fclose(o.out) && rc == SRO_EXIT_OK )
    {
        fprintf(stderr, "srotrace synth: %s: write error\n", a->output);
        rc = SRO_EXIT_ERROR;
    }
    if ( rc != SRO_EXIT_OK && o.out && !to_stdout )
        unlink(a->output);      /* no half-written trace left behind */
out:
    sro_scenario_free(s);
    return rc;
}

/* `srotrace synth`: the option table, then synth(). */
int cmd_synth(int argc, const char **argv)
{
    struct synth_args a = { 0 };
    const struct option options[] = {
        OPT_STRING('o', "output", &a.output, "FILE",
                   "write the trace to FILE ('-': standard output)"),
        OPT_STRING(0, "xen", &a.xen, "MODEL",
                   "Xen model that decides each fault (default: the "
                   "scenario's xen line, else " DEFAULT_MODEL ")"),
        OPT_STRING(0, "seed", &a.seed, "N",
                   "random seed (default: the scenario's, else 1)"),
        OPT_STRING(0, "groups", &a.groups, "N",
                   "fault groups to make, e.g. 10M (default: the "
                   "scenario's, else 2000)"),
        OPT_STRING(0, "cpus", &a.cpus, "N",
                   "physical CPUs (default: the scenario's, else 4)"),
        OPT_GROUP("Departures from a clean capture"),
        OPT_STRING_LIST(0, "inject", &a.inject, "DEVIATION[:RATE]",
                        "make Xen deviate from the model: offset0, "
                        "write-ro, drop-allowed, crash-allowed, lose-done, "
                        "miscount (repeatable; RATE in (0,1], default 1)"),
        OPT_STRING(0, "lost", &a.lost, "RATE",
                   "chance per group that a run of 1..64 records is lost"),
        OPT_BOOL(0, "cut", &a.cut,
                 "end the file in the middle of a record"),
        OPT_BOOL(0, "late-config", &a.late_config,
                 "no boot records: a RANGE_STATE snapshot after the first "
                 "5% of the groups"),
        OPT_GROUP("Output"),
        OPT_STRING(0, "expect", &a.expect, "FILE",
                   "write one JSON line per group as a reader will see "
                   "it, then a stats line"),
        OPT_BOOL('q', "quiet", &a.quiet, "no summary on standard error"),
        OPT_END(),
    };
    int n = parse_options(argc, argv, options, synth_usage);
    int rc;

    if ( n != 1 || !a.output )
    {
        fprintf(stderr, "error: %s\n", n != 1 ? "give one SCENARIO (a name "
                "or a path)" : "-o FILE is required");
        usage_with_options_to(stderr, synth_usage, options);
        string_list_clear(&a.inject);
        return 129;
    }
    rc = synth(&a, argv[0]);
    string_list_clear(&a.inject);
    return rc;
}
