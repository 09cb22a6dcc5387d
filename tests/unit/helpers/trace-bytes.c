/*
 * trace-bytes.c - see trace-bytes.h.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trace-bytes.h"

void tb_init(struct tb *b)
{
    memset(b, 0, sizeof(*b));
}

void tb_free(struct tb *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void tb_bytes(struct tb *b, const void *p, size_t n)
{
    if ( b->len + n > b->cap )
    {
        size_t cap = b->cap ? b->cap : 256;

        while ( cap < b->len + n )
            cap *= 2;
        b->p = realloc(b->p, cap);
        if ( !b->p )
            abort();
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void tb_u32(struct tb *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 24) };

    tb_bytes(b, x, 4);
}

void tb_win_n(struct tb *b, uint32_t cpu, uint32_t nbytes)
{
    tb_u32(b, 0x2001f003u);
    tb_u32(b, cpu);
    tb_u32(b, nbytes);
}

void tb_win(struct tb *b, uint32_t cpu)
{
    b->win = b->len;
    b->open = true;
    tb_win_n(b, cpu, 0);
}

void tb_end(struct tb *b)
{
    uint32_t n = (uint32_t)(b->len - b->win - 12);

    if ( !b->open )
        abort();
    b->open = false;
    for ( unsigned int i = 0; i < 4; i++ )
        b->p[b->win + 8 + i] = (uint8_t)(n >> (8 * i));
}

uint64_t tb_rec(struct tb *b, uint32_t event, bool has_tsc, uint64_t tsc,
                unsigned int n, ...)
{
    uint64_t off = b->len;
    va_list ap;

    tb_u32(b, SRO_TREC_HDR(event, n, has_tsc));
    if ( has_tsc )
    {
        tb_u32(b, (uint32_t)tsc);
        tb_u32(b, (uint32_t)(tsc >> 32));
    }
    va_start(ap, n);
    for ( unsigned int i = 0; i < n; i++ )
        tb_u32(b, va_arg(ap, unsigned int));
    va_end(ap);
    return off;
}

uint64_t tb_fault(struct tb *b, uint64_t tsc, uint64_t gpa)
{
    uint64_t mfn = gpa >> 12;

    return tb_rec(b, SRO_FAULT, true, tsc, 7, 0x00010002u,
                  SRO_PATH_HVM_421 | (SRO_CODE_64 << 8) |
                  (unsigned int)((mfn >> 32) << 16),
                  0xffffffffu, 0xffffffffu, (unsigned int)gpa,
                  (unsigned int)(gpa >> 32), (unsigned int)mfn);
}

uint64_t tb_insn(struct tb *b)
{
    return tb_rec(b, SRO_INSN, false, 0, 7, 2u, 0x0789u, 0u, 0u, 0u,
                  0x81234567u, 0xffffffffu);
}

uint64_t tb_write(struct tb *b, uint64_t mfn, unsigned int off,
                  unsigned int len, unsigned int result, uint64_t data)
{
    return tb_rec(b, SRO_WRITE, false, 0, 6, (unsigned int)mfn,
                  (unsigned int)(mfn >> 32), SRO_WRITE_W2(off, len, result),
                  (unsigned int)data, (unsigned int)(data >> 32), off);
}

uint64_t tb_done(struct tb *b, unsigned int nwrites)
{
    return tb_rec(b, SRO_DONE, false, 0, 3, SRO_DONE_W0(SRO_RETIRED, 0, 0),
                  nwrites, 4u);
}

FILE *tb_open(const struct tb *b)
{
    FILE *f = tmpfile();

    if ( !f )
        abort();
    if ( b->len && fwrite(b->p, 1, b->len, f) != b->len )
        abort();
    rewind(f);
    return f;
}

static int on_group(void *ctx, const struct sro_group *g)
{
    struct tb_run *r = ctx;
    struct sro_group *c;

    if ( r->ngroups == TB_MAX )
        return 0;
    c = &r->groups[r->ngroups++];
    *c = *g;
    c->cap = g->nwrites;
    c->writes = NULL;
    if ( g->nwrites )
    {
        c->writes = malloc(g->nwrites * sizeof(*c->writes));
        if ( !c->writes )
            abort();
        memcpy(c->writes, g->writes, g->nwrites * sizeof(*c->writes));
    }
    return 0;
}

static int on_config(void *ctx, const struct sro_rec *rec)
{
    struct tb_run *r = ctx;

    if ( r->nconfigs < TB_MAX )
        r->configs[r->nconfigs++] = *rec;
    return 0;
}

static int on_orphan(void *ctx, const struct sro_rec *rec,
                     const struct sro_write *w)
{
    struct tb_run *r = ctx;

    if ( r->norphans < TB_MAX )
    {
        r->orphan_recs[r->norphans] = *rec;
        r->orphans[r->norphans++] = *w;
    }
    return 0;
}

static int on_lost(void *ctx, const struct sro_rec *rec)
{
    struct tb_run *r = ctx;

    if ( r->nlosts < TB_MAX )
        r->losts[r->nlosts++] = *rec;
    return 0;
}

static int on_unknown(void *ctx, const struct sro_rec *rec)
{
    struct tb_run *r = ctx;

    (void)rec;
    r->nunknown++;
    return 0;
}

struct tb_run *tb_collect_file(FILE *in, const char *name)
{
    static const struct sro_assemble_ops ops = {
        .group = on_group, .config = on_config, .orphan_write = on_orphan,
        .lost = on_lost, .unknown = on_unknown,
    };
    struct tb_run *r = calloc(1, sizeof(*r));
    struct sro_reader *rd = sro_reader_new(in, name);
    struct sro_assembler *a = sro_assembler_new(&ops, r);
    struct sro_rec rec;
    int rc;

    if ( !r || !rd || !a )
        abort();
    while ( (rc = sro_reader_next(rd, &rec)) != 0 )
    {
        if ( rc < 0 )
        {
            if ( r->nerrors < 16 )
                snprintf(r->errors[r->nerrors++], sizeof(r->errors[0]),
                         "%s", sro_reader_error(rd));
            continue;
        }
        if ( r->nrecs < TB_MAX )
            r->recs[r->nrecs] = rec;
        r->nrecs++;
        sro_assembler_feed(a, &rec);
        if ( sro_assembler_last_problem(a) && r->nproblems < 16 )
            snprintf(r->problems[r->nproblems++], sizeof(r->problems[0]),
                     "%s", sro_assembler_last_problem(a));
    }
    sro_assembler_finish(a);
    r->stats = *sro_assembler_stats(a);
    if ( sro_reader_error(rd) )
        snprintf(r->final_error, sizeof(r->final_error), "%s",
                 sro_reader_error(rd));
    r->bytes_read = sro_reader_bytes_read(rd);
    r->bytes_unused = sro_reader_bytes_unused(rd);
    r->bytes_skipped = sro_reader_bytes_skipped(rd);
    r->windows = sro_reader_windows(rd);
    r->tsc_resets = sro_reader_tsc_resets(rd);
    r->reader_errors = sro_reader_errors(rd);
    sro_reader_sha256(rd, r->sha);
    sro_assembler_free(a);
    sro_reader_free(rd);
    return r;
}

struct tb_run *tb_collect(const struct tb *b)
{
    FILE *f = tb_open(b);
    struct tb_run *r = tb_collect_file(f, "t.trace");

    fclose(f);
    return r;
}

void tb_run_free(struct tb_run *r)
{
    if ( !r )
        return;
    for ( unsigned int i = 0; i < r->ngroups; i++ )
        free(r->groups[i].writes);
    free(r);
}
