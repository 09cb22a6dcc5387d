/*
 * capstone-raw.c - the raw capstone baseline for `srotrace replay`.
 *
 *   capstone-raw TRACE
 *
 * How fast can capstone itself decode the instructions of TRACE, once per
 * fault group, with no cache? The trace is parsed (reader + assembler,
 * untimed) into chunks of CHUNK_INSNS instruction byte strings; each chunk
 * is then decoded with cs_disasm(..., 1, ...) on a handle opened for x86
 * in the group's mode (64-bit for every 64-bit or unknown code size) with
 * CS_OPT_DETAIL on, and only that loop (cs_disasm and cs_free) is timed.
 * The same chunk is decoded a second time with cs_disasm_iter() into a
 * preallocated cs_insn, the cheaper call core/decode.c makes on a cache
 * miss, and reported beside it. Groups without an SRO_INSN or
 * with a failed fetch (no bytes) are not decoded.
 *
 * Prints one human line, then one JSON object as the last line:
 * {"groups", "decodes", "failed", "seconds", "cpu_seconds",
 *  "decodes_per_s", "cpu_decodes_per_s", "iter_decodes_per_s",
 *  "parse_seconds"}; cpu_ figures count the CPU time of the process over
 * the same loop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <capstone/capstone.h>

#include "core/decode.h"
#include "trace/assemble.h"
#include "trace/reader.h"

#define CHUNK_INSNS 65536u      /* byte strings parsed before decoding */

/* One instruction to decode. */
struct item {
    uint8_t  bytes[16];         /* as fetched */
    uint8_t  len;               /* 1..15 */
    uint8_t  handle;            /* index into bench.cs: 0 16-bit, 1 32, 2 64 */
    uint64_t rip;               /* address given to capstone */
};

struct bench {
    csh          cs[3];         /* opened lazily, detail on */
    bool         open[3];       /* cs[i] is open */
    cs_insn     *scratch[3];    /* for cs_disasm_iter(), per handle */
    struct item *items;         /* the chunk: CHUNK_INSNS entries */
    unsigned int nitems;        /* used */
    uint64_t     groups, decodes, failed; /* all chunks */
    double       seconds;       /* inside the cs_disasm() loop: wall */
    double       cpu_seconds;   /* the same, CPU time of the process */
    double       iter_seconds;  /* inside the cs_disasm_iter() loop */
};

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static double cpu_s(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* Open the handle for mode index h (0, 1, 2 = 16, 32, 64-bit). 0 or -1. */
static int open_handle(struct bench *b, unsigned int h)
{
    static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
    cs_err err = cs_open(CS_ARCH_X86, modes[h], &b->cs[h]);

    if ( err != CS_ERR_OK ||
         (err = cs_option(b->cs[h], CS_OPT_DETAIL, CS_OPT_ON)) != CS_ERR_OK )
    {
        fprintf(stderr, "capstone-raw: cs_open: %s\n", cs_strerror(err));
        return -1;
    }
    b->scratch[h] = cs_malloc(b->cs[h]);
    if ( !b->scratch[h] )
    {
        fprintf(stderr, "capstone-raw: cs_malloc: out of memory\n");
        return -1;
    }
    b->open[h] = true;
    return 0;
}

/* Decode the chunk held, timing only that: with cs_disasm() (the
 * baseline), then again with cs_disasm_iter() into one cs_insn per handle
 * (how core/decode.c calls capstone on a cache miss). */
static void flush(struct bench *b)
{
    double t0 = now_s(), c0 = cpu_s();

    for ( unsigned int i = 0; i < b->nitems; i++ )
    {
        const struct item *it = &b->items[i];
        cs_insn *insn;
        size_t n = cs_disasm(b->cs[it->handle], it->bytes, it->len, it->rip,
                             1, &insn);

        if ( n )
            cs_free(insn, n);
        else
            b->failed++;
    }
    b->seconds += now_s() - t0;
    b->cpu_seconds += cpu_s() - c0;

    t0 = now_s();
    for ( unsigned int i = 0; i < b->nitems; i++ )
    {
        const struct item *it = &b->items[i];
        const uint8_t *code = it->bytes;
        size_t size = it->len;
        uint64_t addr = it->rip;

        cs_disasm_iter(b->cs[it->handle], &code, &size, &addr,
                       b->scratch[it->handle]);
    }
    b->iter_seconds += now_s() - t0;
    b->decodes += b->nitems;
    b->nitems = 0;
}

/* Assembler callback: keep the group's instruction bytes. */
static int on_group(void *ctx, const struct sro_group *g)
{
    struct bench *b = ctx;
    const struct sro_fault *f = &g->fault;
    unsigned int h;
    struct item *it;

    b->groups++;
    if ( !f->has_insn || !f->insn_len )
        return 0;
    h = sro_mode_of_code_size(f->code_size) / 32;   /* 16, 32, 64 -> 0 1 2 */
    if ( !b->open[h] && open_handle(b, h) )
        return -1;
    it = &b->items[b->nitems++];
    memcpy(it->bytes, f->insn, sizeof(it->bytes));
    it->len = f->insn_len < 16 ? f->insn_len : 16;
    it->handle = (uint8_t)h;
    it->rip = f->rip;
    if ( b->nitems == CHUNK_INSNS )
        flush(b);
    return 0;
}

int main(int argc, char **argv)
{
    const struct sro_assemble_ops ops = { .group = on_group };
    struct bench b = { 0 };
    struct sro_reader *r;
    struct sro_assembler *a;
    struct sro_rec rec;
    double t_all;
    FILE *in;
    int rc = 0;

    if ( argc != 2 )
    {
        fprintf(stderr, "usage: capstone-raw TRACE\n");
        return 2;
    }
    if ( !(in = fopen(argv[1], "rb")) )
    {
        perror(argv[1]);
        return 1;
    }
    b.items = malloc(CHUNK_INSNS * sizeof(*b.items));
    r = sro_reader_new(in, argv[1]);
    a = sro_assembler_new(&ops, &b);
    if ( !b.items || !r || !a )
        return 1;

    t_all = now_s();
    while ( rc == 0 && sro_reader_next(r, &rec) != 0 )
        rc = sro_assembler_feed(a, &rec);
    if ( rc == 0 )
        rc = sro_assembler_finish(a);
    if ( rc )
        return 1;
    flush(&b);
    t_all = now_s() - t_all;

    printf("raw capstone: %" PRIu64 " groups, %" PRIu64 " decodes (%" PRIu64
           " failed) in %.3f s (cpu %.3f s): %.0f decodes/s (cs_disasm_iter: "
           "%.0f/s; parsing, untimed: %.3f s)\n", b.groups, b.decodes,
           b.failed, b.seconds, b.cpu_seconds, b.decodes / b.seconds,
           b.decodes / b.iter_seconds, t_all - b.seconds - b.iter_seconds);
    printf("{\"groups\":%" PRIu64 ",\"decodes\":%" PRIu64 ",\"failed\":%"
           PRIu64 ",\"seconds\":%.4f,\"cpu_seconds\":%.4f,"
           "\"decodes_per_s\":%.0f,\"cpu_decodes_per_s\":%.0f,"
           "\"iter_decodes_per_s\":%.0f,\"parse_seconds\":%.4f}\n",
           b.groups, b.decodes, b.failed, b.seconds, b.cpu_seconds,
           b.decodes / b.seconds, b.decodes / b.cpu_seconds,
           b.decodes / b.iter_seconds, t_all - b.seconds - b.iter_seconds);
    for ( unsigned int h = 0; h < 3; h++ )
        if ( b.open[h] )
        {
            cs_free(b.scratch[h], 1);
            cs_close(&b.cs[h]);
        }
    sro_assembler_free(a);
    sro_reader_free(r);
    fclose(in);
    free(b.items);
    return 0;
}
