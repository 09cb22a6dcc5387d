/*
 * inject.c - the deviations of inject.h.
 *
 * Each deviation is one row: a name, a line of help, an eligibility test
 * and an edit of the group. They edit only what their name says, so a
 * test can synthesize the same seed with and without one and find exactly
 * that difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inject.h"

static bool any_result(const struct sro_synth_group *g, unsigned int result)
{
    for ( unsigned int i = 0; i < g->pred.nwrites; i++ )
        if ( g->pred.writes[i].result == result )
            return true;
    return false;
}

static bool elig_offset0(const struct sro_synth_group *g)
{
    for ( unsigned int i = 0; i < g->pred.nwrites; i++ )
        if ( g->pred.writes[i].result == SRO_WRITTEN &&
             g->pred.writes[i].dev_offset != 0 )
            return true;
    return false;
}

static void do_offset0(struct sro_synth_group *g)
{
    for ( unsigned int i = 0; i < g->pred.nwrites; i++ )
        if ( g->pred.writes[i].result == SRO_WRITTEN )
            g->pred.writes[i].dev_offset = 0;
}

static bool elig_write_ro(const struct sro_synth_group *g)
{
    return any_result(g, SRO_DROPPED_RO);
}

static void do_write_ro(struct sro_synth_group *g)
{
    for ( unsigned int i = 0; i < g->pred.nwrites; i++ )
    {
        struct sro_write *w = &g->pred.writes[i];

        if ( w->result == SRO_DROPPED_RO )
        {
            w->result = SRO_WRITTEN;
            w->dev_offset = w->offset;
        }
    }
}

static bool elig_drop_allowed(const struct sro_synth_group *g)
{
    return any_result(g, SRO_WRITTEN);
}

static void do_drop_allowed(struct sro_synth_group *g)
{
    for ( unsigned int i = 0; i < g->pred.nwrites; i++ )
        if ( g->pred.writes[i].result == SRO_WRITTEN )
            g->pred.writes[i].result = SRO_DROPPED_RO;
}

/* An allowed store: retired, and every piece reached the device. */
static bool elig_crash_allowed(const struct sro_synth_group *g)
{
    if ( !g->has_done || g->pred.done.outcome != SRO_RETIRED ||
         g->pred.nwrites == 0 )
        return false;
    for ( unsigned int i = 0; i < g->pred.nwrites; i++ )
        if ( g->pred.writes[i].result != SRO_WRITTEN )
            return false;
    return true;
}

/* What 4.20's HVM path did on AMD (8f36bde2b2): the emulator gives up
 * before any write and the domain is crashed. */
static void do_crash_allowed(struct sro_synth_group *g)
{
    g->pred.nwrites = 0;
    g->pred.done.nwrites = 0;
    g->pred.done.outcome = SRO_DOMAIN_CRASH;
    g->pred.done.reason = SRO_REASON_EMULATION_FAILED;
    g->pred.done.emul_rc = SRO_X86EMUL_UNHANDLEABLE;
}

static bool elig_has_done(const struct sro_synth_group *g)
{
    return g->has_done;
}

static void do_lose_done(struct sro_synth_group *g)
{
    g->has_done = false;
}

static void do_miscount(struct sro_synth_group *g)
{
    g->pred.done.nwrites++;
}

static const struct deviation {
    const char *name;
    const char *help;
    bool (*eligible)(const struct sro_synth_group *g);
    void (*apply)(struct sro_synth_group *g);
} deviations[SRO_DEV_COUNT] = {
    [SRO_DEV_OFFSET0] = { "offset0",
        "written pieces land at device offset 0 (the 4.20.0 bug)",
        elig_offset0, do_offset0 },
    [SRO_DEV_WRITE_RO] = { "write-ro",
        "a piece the model drops as read-only is written instead",
        elig_write_ro, do_write_ro },
    [SRO_DEV_DROP_ALLOWED] = { "drop-allowed",
        "a piece the model writes is dropped as read-only instead",
        elig_drop_allowed, do_drop_allowed },
    [SRO_DEV_CRASH_ALLOWED] = { "crash-allowed",
        "an allowed store crashes the domain, nothing written",
        elig_crash_allowed, do_crash_allowed },
    [SRO_DEV_LOSE_DONE] = { "lose-done",
        "the group's SRO_DONE is never emitted",
        elig_has_done, do_lose_done },
    [SRO_DEV_MISCOUNT] = { "miscount",
        "SRO_DONE counts one SRO_WRITE more than were emitted",
        elig_has_done, do_miscount },
};

const char *sro_deviation_name(unsigned int d)
{
    return d < SRO_DEV_COUNT ? deviations[d].name : NULL;
}

const char *sro_deviation_help(unsigned int d)
{
    return d < SRO_DEV_COUNT ? deviations[d].help : NULL;
}

int sro_inject_parse(struct sro_inject *inj, const char *spec, char *err,
                     size_t errlen)
{
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    double rate = 1.0;

    if ( colon )
    {
        char *end;

        rate = strtod(colon + 1, &end);
        if ( end == colon + 1 || *end || !(rate > 0.0 && rate <= 1.0) )
        {
            snprintf(err, errlen, "--inject %s: the rate must be a number "
                     "in (0, 1]", spec);
            return -1;
        }
    }
    for ( unsigned int d = 0; d < SRO_DEV_COUNT; d++ )
        if ( strlen(deviations[d].name) == n &&
             strncmp(deviations[d].name, spec, n) == 0 )
        {
            inj->on[d] = true;
            inj->rate[d] = rate;
            return 0;
        }
    snprintf(err, errlen, "--inject %s: unknown deviation (one of offset0, "
             "write-ro, drop-allowed, crash-allowed, lose-done, miscount)",
             spec);
    return -1;
}

bool sro_deviation_eligible(unsigned int d, const struct sro_synth_group *g)
{
    return d < SRO_DEV_COUNT && deviations[d].eligible(g);
}

void sro_inject_apply(const struct sro_inject *inj, struct sro_rng *r,
                      struct sro_synth_group *g)
{
    for ( unsigned int d = 0; d < SRO_DEV_COUNT; d++ )
    {
        if ( !inj->on[d] || !deviations[d].eligible(g) )
            continue;
        if ( inj->rate[d] < 1.0 && !sro_rng_chance(r, inj->rate[d]) )
            continue;
        deviations[d].apply(g);
        g->deviations |= 1u << d;
    }
}
