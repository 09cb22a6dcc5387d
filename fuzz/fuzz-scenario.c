/*
 * fuzz-scenario.c - the scenario parser (synth/scenario.h), and what the
 * synthesizer makes of every scenario it accepts (synth/engine.h).
 *
 * Input: the scenario text, handed over with its length. A failed parse
 * must leave one message "scn.txt:LINE: what" (or "scn.txt: what") and
 * no allocation. An accepted scenario is then synthesized into memory:
 * a few groups (1 to 16) on 1 to 4 CPUs, under xen-4.21, with or without
 * lost records, and the trace is read back through the reader and the
 * assembler (trace/). The synthesizer's own account of what a reader
 * will see (struct sro_mirror_stats) must match what the reader and
 * assembler report, record for record; and the trace must read without
 * a single problem.
 */
#include <string.h>

#include "core/model.h"
#include "fuzz.h"
#include "synth/engine.h"
#include "synth/scenario.h"
#include "trace/assemble.h"
#include "trace/reader.h"

static void read_back(const char *buf, size_t len,
                      const struct sro_mirror_stats *want)
{
    FILE *f = len ? fmemopen((void *)buf, len, "rb")
                  : fopen("/dev/null", "rb");
    struct sro_reader *r;
    struct sro_assembler *a;
    const struct sro_assemble_stats *st;
    struct sro_rec rec;
    int rc;

    FUZZ_CHECK(f != NULL, "fmemopen failed");
    r = sro_reader_new(f, "synth.trace");
    a = sro_assembler_new(NULL, NULL);
    FUZZ_CHECK(r && a, "out of memory");
    while ( (rc = sro_reader_next(r, &rec)) != 0 )
    {
        FUZZ_CHECK(rc == 1, "the synthesized trace is bad: %s",
                   sro_reader_error(r));
        sro_assembler_feed(a, &rec);
        FUZZ_CHECK(sro_assembler_last_problem(a) == NULL,
                   "the synthesized trace has a bad record at %llu: %s",
                   (unsigned long long)rec.offset,
                   sro_assembler_last_problem(a));
    }
    sro_assembler_finish(a);
    FUZZ_CHECK(sro_reader_bytes_unused(r) == 0 &&
               sro_reader_errors(r) == 0, "the synthesized trace is cut");
    st = sro_assembler_stats(a);
    FUZZ_CHECK(st->records == want->records, "records %llu, synth says %llu",
               (unsigned long long)st->records,
               (unsigned long long)want->records);
    FUZZ_CHECK(st->config_records == want->config_records,
               "config records %llu, synth says %llu",
               (unsigned long long)st->config_records,
               (unsigned long long)want->config_records);
    FUZZ_CHECK(st->groups == want->groups &&
               st->incomplete_groups == want->incomplete_groups,
               "groups %llu/%llu incomplete, synth says %llu/%llu",
               (unsigned long long)st->groups,
               (unsigned long long)st->incomplete_groups,
               (unsigned long long)want->groups,
               (unsigned long long)want->incomplete_groups);
    FUZZ_CHECK(st->lost_records == want->lost_records &&
               st->lost_events == want->lost_events,
               "lost %llu in %llu, synth says %llu in %llu",
               (unsigned long long)st->lost_records,
               (unsigned long long)st->lost_events,
               (unsigned long long)want->lost_records,
               (unsigned long long)want->lost_events);
    FUZZ_CHECK(st->unknown_records == want->unknown_records &&
               st->orphan_writes == want->orphan_writes &&
               st->stray_records == want->stray_records,
               "unknown/orphan/stray %llu/%llu/%llu, synth says "
               "%llu/%llu/%llu",
               (unsigned long long)st->unknown_records,
               (unsigned long long)st->orphan_writes,
               (unsigned long long)st->stray_records,
               (unsigned long long)want->unknown_records,
               (unsigned long long)want->orphan_writes,
               (unsigned long long)want->stray_records);
    sro_assembler_free(a);
    sro_reader_free(r);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct sro_model *model;
    struct sro_scenario *scn = NULL;
    struct sro_synth_opts o;
    struct sro_synth_result res;
    char err[512], *buf = NULL;
    size_t len = 0;
    unsigned int knobs = 0;
    int rc;

    if ( !model )
        FUZZ_CHECK((model = sro_model_find("xen-4.21", NULL, 0)) != NULL,
                   "no xen-4.21 model");
    for ( size_t i = 0; i < size; i++ )
        knobs = knobs * 31 + data[i];
    memset(err, 'x', sizeof(err));
    rc = sro_scenario_parse((const char *)data, size, "scn.txt", &scn, err,
                            sizeof(err));
    if ( rc )
    {
        FUZZ_CHECK(rc == -1, "rc %d", rc);
        FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) &&
                   strncmp(err, "scn.txt:", 8) == 0,
                   "message does not name the scenario: %.80s", err);
        return 0;
    }
    FUZZ_CHECK(scn != NULL, "accepted without a scenario");

    memset(&o, 0, sizeof(o));
    o.scn = scn;
    o.model = model;
    o.seed = knobs;
    o.groups = 1 + knobs % 16;
    o.cpus = 1 + (knobs >> 4) % 4;
    o.lost = (knobs >> 6) & 1 ? 0.3 : 0.0;
    o.out = open_memstream(&buf, &len);
    FUZZ_CHECK(o.out != NULL, "open_memstream failed");
    memset(err, 'x', sizeof(err));
    rc = sro_synth_run(&o, &res, err, sizeof(err));
    fclose(o.out);
    if ( rc == 0 )
    {
        FUZZ_CHECK(res.bytes == len, "synth says %llu bytes, wrote %zu",
                   (unsigned long long)res.bytes, len);
        read_back(buf, len, &res.seen);
    }
    else
        FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) && err[0],
                   "synthesis failed without a message");
    free(buf);
    sro_scenario_free(scn);
    return 0;
}
