/*
 * fuzz-reader.c - the trace reader and the group assembler over any bytes.
 *
 * The input is taken as a whole xentrace file (trace/reader.h) and every
 * record the reader hands out is fed to the assembler (trace/assemble.h),
 * as `srotrace record` does. Besides "no crash, no leak, no hang", it
 * checks what the two headers promise:
 *
 *   reader     records come in strictly increasing offsets, each lies
 *              wholly inside the input, with at most 7 words, a 28-bit
 *              event id and a CPU below SRO_READER_MAX_CPUS; a TSC-less
 *              record inherits its CPU's last TSC; -1 always comes with a
 *              message naming the input; the loop ends within a bounded
 *              number of calls (every call consumes input or ends it);
 *              at the end all bytes were read, the unused and skipped
 *              counts fit in the input, and the SHA-256 is that of the
 *              input;
 *   assembler  every group's writes fit its limits, a complete group has
 *              its SRO_DONE and as many writes as it counts, an
 *              incomplete one names a known reason; the statistics agree
 *              with the callbacks (groups, incomplete groups, orphans,
 *              lost records, unknown records, records fed).
 */
#include <string.h>

#include "fuzz.h"
#include "trace/assemble.h"
#include "trace/reader.h"
#include "util/sha256.h"

/* What the callbacks saw. */
struct seen {
    size_t   size;              /* input bytes */
    uint64_t groups, incomplete, orphans, configs, lost_events, lost,
             unknown;
};

static void check_write(const struct sro_write *w)
{
    FUZZ_CHECK(w->data_len <= SRO_WRITE_DATA_MAX, "data_len %u",
               w->data_len);
    FUZZ_CHECK(w->data_len <= w->len, "data_len %u for a write of %u "
               "bytes", w->data_len, w->len);
    FUZZ_CHECK(w->offset < SRO_PAGE_SIZE && w->dev_offset < SRO_PAGE_SIZE,
               "offsets %u/%u", w->offset, w->dev_offset);
}

static int on_group(void *ctx, const struct sro_group *g)
{
    struct seen *s = ctx;

    s->groups++;
    FUZZ_CHECK(g->nwrites <= SRO_GROUP_MAX_WRITES, "%u writes", g->nwrites);
    FUZZ_CHECK(g->nwrites == 0 || g->writes, "writes[] missing");
    /* Its SRO_FAULT lies in the input (it may come without a TSC). */
    FUZZ_CHECK(g->file_offset + SRO_TREC_BYTES(SRO_FAULT_WORDS, 0) <=
               s->size, "group at offset %llu past the input",
               (unsigned long long)g->file_offset);
    FUZZ_CHECK(g->incomplete <= SRO_INC_COUNT_MISMATCH, "incomplete %u",
               g->incomplete);
    FUZZ_CHECK(g->incomplete == SRO_COMPLETE ||
               sro_incomplete_name(g->incomplete) != NULL,
               "no name for incomplete %u", g->incomplete);
    if ( g->incomplete == SRO_COMPLETE )
    {
        FUZZ_CHECK(g->has_done, "complete group without SRO_DONE");
        FUZZ_CHECK(g->done.nwrites == g->nwrites,
                   "complete group counts %u writes, has %u",
                   g->done.nwrites, g->nwrites);
    }
    else
        s->incomplete++;
    FUZZ_CHECK(g->fault.insn_len <= SRO_INSN_MAX_BYTES, "insn_len %u",
               g->fault.insn_len);
    FUZZ_CHECK(g->fault.path <= 15 && g->fault.code_size <= 3,
               "path %u code size %u", g->fault.path, g->fault.code_size);
    for ( unsigned int i = 0; i < g->nwrites; i++ )
        check_write(&g->writes[i]);
    return 0;
}

static int on_config(void *ctx, const struct sro_rec *rec)
{
    struct seen *s = ctx;

    s->configs++;
    FUZZ_CHECK(rec->event == SRO_RANGE_ADD || rec->event == SRO_RANGE_STATE ||
               rec->event == SRO_RO_PAGES, "config event 0x%x",
               (unsigned int)rec->event);
    return 0;
}

static int on_orphan(void *ctx, const struct sro_rec *rec,
                     const struct sro_write *w)
{
    struct seen *s = ctx;

    s->orphans++;
    FUZZ_CHECK(rec->event == SRO_WRITE, "orphan of event 0x%x",
               (unsigned int)rec->event);
    check_write(w);
    return 0;
}

static int on_lost(void *ctx, const struct sro_rec *rec)
{
    struct seen *s = ctx;

    FUZZ_CHECK(rec->event == TRC_LOST_RECORDS, "lost of event 0x%x",
               (unsigned int)rec->event);
    s->lost_events++;
    s->lost += rec->nwords ? rec->w[0] : 0;
    return 0;
}

static int on_unknown(void *ctx, const struct sro_rec *rec)
{
    struct seen *s = ctx;

    FUZZ_CHECK((rec->event & TRC_HW_MMIO_RO_MASK) != TRC_HW_MMIO_RO ||
               sro_event_words(rec->event, NULL) < 0,
               "our event 0x%x counted unknown", (unsigned int)rec->event);
    s->unknown++;
    return 0;
}

static const struct sro_assemble_ops ops = {
    .group = on_group,
    .config = on_config,
    .orphan_write = on_orphan,
    .lost = on_lost,
    .unknown = on_unknown,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen s = { .size = size };
    /* fmemopen() refuses a size of 0; an empty stream is /dev/null. */
    FILE *f = size ? fmemopen((void *)data, size, "rb")
                   : fopen("/dev/null", "rb");
    struct sro_reader *r;
    struct sro_assembler *a;
    const struct sro_assemble_stats *st;
    struct sro_rec rec;
    uint64_t prev_end = 0, fed = 0, calls = 0;
    uint64_t last_tsc[64] = { 0 };
    struct sha256_ctx sha;
    char want[65], got[65];
    int rc;

    if ( !f )
        return 0;
    r = sro_reader_new(f, "fuzz.trace");
    a = sro_assembler_new(&ops, &s);
    FUZZ_CHECK(r && a, "out of memory");
    while ( (rc = sro_reader_next(r, &rec)) != 0 )
    {
        /* Each call consumes 4 bytes or more, or (a window header inside
         * a window) returns -1 once before consuming it. */
        FUZZ_CHECK(++calls <= size / 2 + 4, "%llu calls for %zu bytes",
                   (unsigned long long)calls, size);
        if ( rc < 0 )
        {
            const char *e = sro_reader_error(r);

            FUZZ_CHECK(e && strncmp(e, "fuzz.trace: ", 12) == 0,
                       "-1 without a message naming the input: %s",
                       e ? e : "(null)");
            continue;
        }
        FUZZ_CHECK(rc == 1, "sro_reader_next returned %d", rc);
        FUZZ_CHECK(rec.offset >= prev_end, "record at %llu before the end "
                   "%llu of the previous one",
                   (unsigned long long)rec.offset,
                   (unsigned long long)prev_end);
        prev_end = rec.offset + SRO_TREC_BYTES(rec.nwords, rec.has_tsc);
        FUZZ_CHECK(prev_end <= size, "record at %llu ends past the input",
                   (unsigned long long)rec.offset);
        FUZZ_CHECK(rec.offset % 4 == 0, "unaligned record at %llu",
                   (unsigned long long)rec.offset);
        FUZZ_CHECK(rec.nwords <= SRO_TREC_MAX_WORDS, "%u words",
                   rec.nwords);
        FUZZ_CHECK(rec.event <= 0x0fffffffu, "event 0x%x",
                   (unsigned int)rec.event);
        /* A TRC_TRACE_CPU_CHANGE whose header is not exactly a window
         * header's (other word count, a TSC) is handed out as a record,
         * which the assembler ignores: only real window headers must
         * never come out, and padding never. */
        FUZZ_CHECK(rec.event != TRC_TRACE_WRAP_BUFFER &&
                   (rec.event != TRC_TRACE_CPU_CHANGE || rec.nwords != 2 ||
                    rec.has_tsc), "reader handed out event 0x%x",
                   (unsigned int)rec.event);
        FUZZ_CHECK(rec.cpu < SRO_READER_MAX_CPUS, "cpu %u",
                   (unsigned int)rec.cpu);
        if ( rec.cpu < 64 )
        {
            if ( !rec.has_tsc )
                FUZZ_CHECK(rec.tsc == last_tsc[rec.cpu],
                           "TSC-less record does not inherit its cpu's TSC");
            last_tsc[rec.cpu] = rec.tsc;
        }
        fed++;
        FUZZ_CHECK(sro_assembler_feed(a, &rec) == 0, "feed failed");
    }
    FUZZ_CHECK(sro_assembler_finish(a) == 0, "finish failed");
    FUZZ_CHECK(sro_reader_next(r, &rec) == 0, "next after the end");

    FUZZ_CHECK(sro_reader_bytes_read(r) == size, "read %llu of %zu bytes",
               (unsigned long long)sro_reader_bytes_read(r), size);
    FUZZ_CHECK(sro_reader_bytes_unused(r) + sro_reader_bytes_skipped(r) <=
               size, "unused %llu + skipped %llu > %zu",
               (unsigned long long)sro_reader_bytes_unused(r),
               (unsigned long long)sro_reader_bytes_skipped(r), size);
    FUZZ_CHECK(sro_reader_windows(r) <= size / 12, "%llu windows",
               (unsigned long long)sro_reader_windows(r));
    sha256_init(&sha);
    sha256_update(&sha, data, size);
    sha256_hex_now(&sha, want);
    sro_reader_sha256(r, got);
    FUZZ_CHECK(strcmp(want, got) == 0, "sha256 %s, want %s", got, want);

    st = sro_assembler_stats(a);
    FUZZ_CHECK(st->records == fed, "stats.records %llu, fed %llu",
               (unsigned long long)st->records, (unsigned long long)fed);
    FUZZ_CHECK(st->groups == s.groups, "stats.groups %llu, callbacks %llu",
               (unsigned long long)st->groups,
               (unsigned long long)s.groups);
    FUZZ_CHECK(st->incomplete_groups == s.incomplete,
               "stats.incomplete %llu, seen %llu",
               (unsigned long long)st->incomplete_groups,
               (unsigned long long)s.incomplete);
    FUZZ_CHECK(st->orphan_writes == s.orphans, "orphans %llu vs %llu",
               (unsigned long long)st->orphan_writes,
               (unsigned long long)s.orphans);
    FUZZ_CHECK(st->lost_events == s.lost_events && st->lost_records == s.lost,
               "lost %llu/%llu vs %llu/%llu",
               (unsigned long long)st->lost_events,
               (unsigned long long)st->lost_records,
               (unsigned long long)s.lost_events, (unsigned long long)s.lost);
    FUZZ_CHECK(st->unknown_records == s.unknown, "unknown %llu vs %llu",
               (unsigned long long)st->unknown_records,
               (unsigned long long)s.unknown);
    FUZZ_CHECK(st->config_records == s.configs, "configs %llu vs %llu",
               (unsigned long long)st->config_records,
               (unsigned long long)s.configs);
    /* Each record is counted in one class at most; groups are FAULTs. */
    FUZZ_CHECK(st->orphan_writes + st->stray_records + st->bad_records +
               st->unknown_records + st->config_records + st->lost_events <=
               st->records && st->groups <= st->records,
               "counters add up to more than the records");

    sro_assembler_free(a);
    sro_reader_free(r);
    fclose(f);
    return 0;
}
