/*
 * trace-parse.c - how fast trace/ parses: reader alone, and reader +
 * assembler, over a trace file.
 *
 *   trace-parse gen FILE MIB [NCPUS]   write a synthetic trace of MIB MiB
 *   trace-parse FILE [--portable-sha]  time parsing it, print the rates
 *
 * FILE "-" is stdin (one pass, reader + assembler: a pipe can be read
 * once). --portable-sha hashes with the plain C SHA-256 instead of the
 * CPU's SHA extensions.
 *
 * The synthetic trace mixes, on NCPUS CPUs (default 4), fault groups as
 * the patches emit them (FAULT, INSN, one or two WRITEs, one in eight with
 * DATA, DONE) with records of other classes between groups (scheduler- and
 * HVM-like, with and without TSC), a TRC_LOST_RECORDS now and then, and
 * windows of up to 64 KiB flushed in random CPU order, as xentrace does.
 * It is written with trace/writer.c, so it is exactly the ABI.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/assemble.h"
#include "trace/reader.h"
#include "trace/writer.h"
#include "util/sha256.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static int gen(const char *path, uint64_t mib, unsigned int ncpus)
{
    FILE *out = fopen(path, "wb");
    struct sro_writer *w;
    uint64_t tsc = 1000000, target = mib << 20;
    uint64_t groups = 0;

    if ( !out || !(w = sro_writer_new(out, ncpus)) )
    {
        perror(path);
        return 1;
    }
    sro_writer_set_window_max(w, 64 * 1024);
    while ( sro_writer_bytes(w) < target )
    {
        unsigned int cpu = rnd() % ncpus;
        uint64_t gpa = 0xf0100000ull + (rnd() & 0xff8);
        struct sro_fault f = {
            .cpu = cpu, .tsc = tsc, .domain = 1, .vcpu = (uint16_t)cpu,
            .path = SRO_PATH_HVM_421, .code_size = SRO_CODE_64,
            .gla = ~0ull, .gpa = gpa, .mfn = 0xfe100, .has_insn = true,
            .insn_len = 2, .insn = { 0x89, 0x07 }, .rip = 0xffffffff81234567,
        };
        struct sro_write wr[2] = {
            { .mfn = 0xfe100, .offset = gpa & 0xfff, .dev_offset = gpa & 0xfff,
              .len = 4, .result = SRO_WRITTEN, .data_len = 4,
              .data = { 1, 2, 3, 4 } },
            { .mfn = 0xfe100, .offset = (gpa + 8) & 0xfff, .len = 4,
              .result = SRO_DROPPED_RO, .data_len = 4 },
        };
        unsigned int nw = rnd() % 4 == 0 ? 2 : 1;
        struct sro_done d = { .nwrites = nw, .store_size = 4 };
        uint32_t x[3] = { rnd(), rnd(), rnd() };

        if ( groups % 8 == 0 )
        {
            wr[0].len = 16;
            wr[0].data_len = 16;
            d.store_size = 16;
        }
        if ( sro_write_group(w, &f, wr, nw, &d) ||
             sro_writer_rec(w, cpu, 0x00028004, true, tsc + 5, x, 3) ||
             sro_writer_rec(w, cpu, 0x0008f001, false, 0, x, 2) )
            return 1;
        if ( groups % 100000 == 99999 )
            sro_write_lost(w, cpu, tsc + 7, 3, 1, 0, tsc + 6);
        if ( rnd() % 64 == 0 )
            sro_writer_flush_cpu(w, rnd() % ncpus, false);
        tsc += 100 + rnd() % 100;
        groups++;
    }
    if ( sro_writer_close(w) || fclose(out) )
    {
        perror(path);
        return 1;
    }
    printf("%s: %" PRIu64 " groups\n", path, groups);
    return 0;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_group(void *ctx, const struct sro_group *g)
{
    (void)g;
    (*(uint64_t *)ctx)++;
    return 0;
}

/* One timed pass; assemble: feed the assembler too. */
static int parse(const char *path, bool assemble)
{
    const struct sro_assemble_ops ops = { .group = count_group };
    uint64_t groups = 0, records = 0, bytes;
    FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    struct sro_reader *r;
    struct sro_assembler *a;
    struct sro_rec rec;
    double t0, dt;
    int rc;
    char hex[65];

    if ( !in )
    {
        perror(path);
        return 1;
    }
    r = sro_reader_new(in, path);
    a = sro_assembler_new(&ops, &groups);
    t0 = now();
    while ( (rc = sro_reader_next(r, &rec)) != 0 )
    {
        if ( rc < 0 )
            continue;
        records++;
        if ( assemble )
            sro_assembler_feed(a, &rec);
    }
    sro_assembler_finish(a);
    dt = now() - t0;
    bytes = sro_reader_bytes_read(r);
    sro_reader_sha256(r, hex);
    printf("%-18s %8.1f MB in %6.3f s: %7.1f MB/s, %6.2f M records/s",
           assemble ? "reader+assembler" : "reader", bytes / 1e6, dt,
           bytes / 1e6 / dt, records / 1e6 / dt);
    if ( assemble )
        printf(", %" PRIu64 " groups (%.2f M/s)", groups, groups / 1e6 / dt);
    printf("\n");
    if ( assemble )
        printf("  sha256 %s (%s)\n", hex,
               sha256_current() == SHA256_IMPL_SHANI ? "SHA extensions"
                                                     : "portable C");
    if ( sro_reader_error(r) )
        printf("  %s\n", sro_reader_error(r));
    sro_assembler_free(a);
    sro_reader_free(r);
    if ( in != stdin )
        fclose(in);
    return 0;
}

int main(int argc, char **argv)
{
    if ( argc >= 4 && strcmp(argv[1], "gen") == 0 )
        return gen(argv[2], strtoull(argv[3], NULL, 0),
                   argc > 4 ? (unsigned int)atoi(argv[4]) : 4);
    if ( argc == 3 && strcmp(argv[2], "--portable-sha") == 0 )
        sha256_select(SHA256_IMPL_PORTABLE);
    else if ( argc != 2 )
    {
        fprintf(stderr, "usage: trace-parse gen FILE MIB [NCPUS]\n"
                        "       trace-parse FILE [--portable-sha]\n");
        return 2;
    }
    if ( strcmp(argv[1], "-") == 0 )
        return parse(argv[1], true);
    return parse(argv[1], false) || parse(argv[1], true);
}
