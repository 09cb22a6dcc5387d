/*
 * core-replay.c - the replay core beside raw capstone, in one process.
 *
 *   core-replay TRACE [MODEL]
 *
 * Issue 8's target "replay at least 1.0 of the raw capstone decode rate"
 * is about the core: replaying a group through the decode cache, a model
 * and the oracle must cost less than decoding its instruction with
 * capstone. End-to-end `srotrace replay` also reads every group back from
 * sqlite, which alone costs more than capstone (docs/performance.md);
 * this benchmark leaves sqlite out.
 *
 * TRACE is parsed (reader + assembler, untimed) into memory: every group
 * with its writes. Its configuration records build one protection state
 * (sro_prot_apply_record, in trace order). Then, in chunks of CHUNK
 * groups, two loops are timed over the same groups:
 *
 *   core      per group, exactly the work of replay_group() in
 *             replayer/replay.c with one model: sro_decode() through one
 *             sro_decoder (cache keyed by the bytes and the mode), the
 *             page snapshot (sro_prot_page, cached for the last mfn),
 *             sro_oracle_judge() of the recording, model->predict() (MODEL,
 *             default xen-4.21, found with sro_model_find), the oracle on
 *             the prediction, and sro_behaviour_differs() of the two;
 *   capstone  as bench/capstone-raw: cs_disasm(..., 1, ...) of the group's
 *             instruction bytes on a handle opened for its mode with
 *             CS_OPT_DETAIL on, then cs_free; no cache. Groups without
 *             bytes are not decoded.
 *
 * The two loops alternate chunk by chunk, so that a change of machine
 * load falls on both alike. The decoder's cache lives across chunks, as
 * in a replay. The core rate counts every group; the capstone rate counts
 * decodes; core_replay_vs_capstone is their ratio (>= 1.0: replaying a
 * group costs less than decoding it).
 *
 * Prints one human line, then one JSON object as the last line:
 * {"groups", "decodes", "core_seconds", "core_cpu_seconds",
 *  "core_groups_per_s", "core_cpu_groups_per_s", "capstone_seconds",
 *  "capstone_cpu_seconds", "capstone_decodes_per_s",
 *  "capstone_cpu_decodes_per_s", "core_replay_vs_capstone",
 *  "core_replay_vs_capstone_cpu", "decode_hits", "decode_misses",
 *  "divergences", "not_predicted", "verdicts": {NAME: count}}.
 * Exit status 0, 1 on a bad trace or model, 2 on usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <capstone/capstone.h>

#include "core/decode.h"
#include "core/model.h"
#include "core/oracle.h"
#include "core/prot.h"
#include "replayer/compare.h"
#include "trace/assemble.h"
#include "trace/reader.h"

#define CHUNK 65536u            /* groups per alternation of the loops */

/* Everything parsed from the trace. */
struct bench {
    struct sro_group *groups;   /* ngroups; writes point into wpool */
    size_t            ngroups, gcap;
    struct sro_write *wpool;    /* every group's writes, in order */
    size_t            nwrites, wcap;
    struct sro_prot  *prot;     /* from the configuration records */
    uint64_t          config_refused; /* records apply_record refused */
};

/* The replay core's state: what replay.c keeps across groups. */
struct core {
    const struct sro_model *model;
    struct sro_decoder     *dec;
    const struct sro_prot  *prot;
    bool                    page_valid;
    struct sro_page_prot    page;       /* the last snapshot taken */
    struct sro_prediction  *pred;       /* heap: 5 KiB */
    uint64_t                verdicts[SRO_VERDICT_COUNT];
    uint64_t                divergences, not_predicted;
};

/* Raw capstone: one handle per mode, opened lazily, detail on. */
struct raw {
    csh      cs[3];             /* 16-, 32-, 64-bit */
    bool     open[3];
    uint64_t decodes, failed;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Assembler callback: keep the group, its writes appended to the pool
 * (the pointers are fixed once parsing is done). */
static int on_group(void *ctx, const struct sro_group *g)
{
    struct bench *b = ctx;
    struct sro_group *copy;

    if ( b->ngroups == b->gcap )
    {
        size_t cap = b->gcap ? b->gcap * 2 : 65536;
        struct sro_group *n = realloc(b->groups, cap * sizeof(*n));

        if ( !n )
            return -ENOMEM;
        b->groups = n;
        b->gcap = cap;
    }
    while ( b->nwrites + g->nwrites > b->wcap )
    {
        size_t cap = b->wcap ? b->wcap * 2 : 65536;
        struct sro_write *n = realloc(b->wpool, cap * sizeof(*n));

        if ( !n )
            return -ENOMEM;
        b->wpool = n;
        b->wcap = cap;
    }
    copy = &b->groups[b->ngroups++];
    *copy = *g;
    if ( g->nwrites )
        memcpy(&b->wpool[b->nwrites], g->writes,
               g->nwrites * sizeof(*g->writes));
    /* The index into wpool for now; made a pointer after parsing. */
    copy->writes = (struct sro_write *)(uintptr_t)b->nwrites;
    copy->cap = copy->nwrites;
    b->nwrites += g->nwrites;
    return 0;
}

/* Assembler callback: apply a configuration record. Records the rules
 * refuse (as the replayer's timeline does) are counted, not fatal. */
static int on_config(void *ctx, const struct sro_rec *rec)
{
    struct bench *b = ctx;
    int rc = sro_prot_apply_record(b->prot, rec->event, rec->w, rec->nwords);

    if ( rc == -ENOMEM )
        return rc;
    if ( rc != 0 && rc != SRO_PROT_NOT_CONFIG )
        b->config_refused++;
    return 0;
}

/* Parse path into *b. 0, or -1 with a message printed. */
static int load_trace(struct bench *b, const char *path)
{
    const struct sro_assemble_ops ops = {
        .group = on_group,
        .config = on_config,
    };
    struct sro_assembler *a;
    struct sro_reader *r;
    struct sro_rec rec;
    FILE *in = fopen(path, "rb");
    int rc = 0, got;

    if ( !in )
    {
        fprintf(stderr, "core-replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    r = sro_reader_new(in, path);
    a = sro_assembler_new(&ops, b);
    if ( !r || !a )
    {
        fprintf(stderr, "core-replay: out of memory\n");
        rc = -1;
        goto out;
    }
    while ( rc == 0 && (got = sro_reader_next(r, &rec)) != 0 )
        if ( got > 0 )
            rc = sro_assembler_feed(a, &rec);
    if ( rc == 0 )
        rc = sro_assembler_finish(a);
    if ( rc )
        fprintf(stderr, "core-replay: %s: out of memory\n", path);
    else if ( sro_reader_errors(r) )    /* a cut-off tail is not one */
    {
        fprintf(stderr, "core-replay: %s\n", sro_reader_error(r));
        rc = -1;
    }
    for ( size_t i = 0; rc == 0 && i < b->ngroups; i++ )
        b->groups[i].writes = b->wpool + (uintptr_t)b->groups[i].writes;
 out:
    sro_assembler_free(a);
    sro_reader_free(r);
    fclose(in);
    return rc ? -1 : 0;
}

/* Judge a behaviour of g, as replay.c's judge() does. */
static void judge(const struct sro_group *g, const struct sro_insn *insn,
                  const struct sro_page_prot *page, bool complete,
                  const struct sro_write *w, unsigned int nw,
                  const struct sro_done *done, struct sro_judgement *out)
{
    struct sro_judge_input in = {
        .fault = &g->fault,
        .insn = insn,
        .page = page,
        .complete = complete,
        .writes = w,
        .nwrites = nw,
        .done = done,
    };

    sro_oracle_judge(&in, out);
}

/* The per-group work of replay_group() (one model, no what-if plan). */
static void core_group(struct core *c, const struct sro_group *g)
{
    const struct sro_fault *f = &g->fault;
    struct sro_prediction *p = c->pred;
    struct sro_insn insn, none = { .valid = false };
    const struct sro_insn *ip = NULL;
    struct sro_judgement rj, pj;
    struct sro_behaviour rec, pred;
    char field[40], detail[96];
    bool predicted;

    if ( f->has_insn && f->insn_len &&
         sro_decode(c->dec, f->insn, f->insn_len,
                    sro_mode_of_code_size(f->code_size), &insn) == 0 &&
         insn.valid )
        ip = &insn;

    if ( !c->page_valid || c->page.mfn != f->mfn )
    {
        sro_prot_page(c->prot, f->mfn, &c->page);
        c->page.mfn = f->mfn;
        c->page_valid = true;
    }

    judge(g, ip, &c->page, g->incomplete == SRO_COMPLETE, g->writes,
          g->nwrites, g->has_done ? &g->done : NULL, &rj);
    c->verdicts[rj.verdict]++;

    {
        struct sro_model_input in = {
            .fault = f,
            .insn = ip ? ip : &none,
            .page = &c->page,
            .reps = ip && ip->string && g->nwrites ? g->nwrites : 1,
        };

        memset(p->writes, 0, p->nwrites * sizeof(p->writes[0]));
        memset(&p->done, 0, sizeof(p->done));
        p->nwrites = 0;
        predicted = c->model->predict(c->model, &in, p) == 0 &&
                    p->nwrites <= SRO_PRED_MAX_WRITES;
    }
    if ( predicted )
        judge(g, ip, &c->page, true, p->writes, p->nwrites, &p->done, &pj);
    else
        c->not_predicted++;

    if ( g->incomplete != SRO_COMPLETE || !predicted )
        return;
    rec = (struct sro_behaviour){ g->writes, g->nwrites, g->has_done,
                                  g->done.outcome };
    pred = (struct sro_behaviour){ p->writes, p->nwrites, true,
                                   p->done.outcome };
    c->divergences += sro_behaviour_differs(&rec, &pred, field,
                                            sizeof(field), detail,
                                            sizeof(detail));
}

/* Raw capstone on group g's bytes, as bench/capstone-raw.c: 0 or -1
 * (cs_open failed). */
static int raw_group(struct raw *w, const struct sro_group *g)
{
    static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
    const struct sro_fault *f = &g->fault;
    unsigned int h;
    cs_insn *insn;
    size_t n;

    if ( !f->has_insn || !f->insn_len )
        return 0;
    h = sro_mode_of_code_size(f->code_size) / 32;   /* 16, 32, 64 -> 0 1 2 */
    if ( !w->open[h] )
    {
        cs_err err = cs_open(CS_ARCH_X86, modes[h], &w->cs[h]);

        if ( err == CS_ERR_OK )
            err = cs_option(w->cs[h], CS_OPT_DETAIL, CS_OPT_ON);
        if ( err != CS_ERR_OK )
        {
            fprintf(stderr, "core-replay: cs_open: %s\n", cs_strerror(err));
            return -1;
        }
        w->open[h] = true;
    }
    n = cs_disasm(w->cs[h], f->insn, f->insn_len < 16 ? f->insn_len : 16,
                  f->rip, 1, &insn);
    if ( n )
        cs_free(insn, n);
    else
        w->failed++;
    w->decodes++;
    return 0;
}

int main(int argc, char **argv)
{
    const char *model_name = argc > 2 ? argv[2] : "xen-4.21";
    struct bench b = { 0 };
    struct core c = { 0 };
    struct raw w = { 0 };
    double core_s = 0, core_cpu = 0, cs_s = 0, cs_cpu = 0;
    uint64_t hits, misses;
    char err[256];
    int rc = 1;

    if ( argc < 2 || argc > 3 )
    {
        fprintf(stderr, "usage: core-replay TRACE [MODEL]\n");
        return 2;
    }
    if ( !(c.model = sro_model_find(model_name, err, sizeof(err))) )
    {
        fprintf(stderr, "core-replay: %s\n", err);
        return 1;
    }
    b.prot = sro_prot_new();
    c.dec = sro_decoder_new(0);
    c.pred = calloc(1, sizeof(*c.pred));
    if ( !b.prot || !c.dec || !c.pred )
    {
        fprintf(stderr, "core-replay: out of memory\n");
        goto out;
    }
    if ( load_trace(&b, argv[1]) )
        goto out;
    c.prot = b.prot;

    for ( size_t start = 0; start < b.ngroups; start += CHUNK )
    {
        size_t end = b.ngroups - start > CHUNK ? start + CHUNK : b.ngroups;
        double t0 = clock_s(CLOCK_MONOTONIC);
        double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

        for ( size_t i = start; i < end; i++ )
            if ( raw_group(&w, &b.groups[i]) )
                goto out;
        cs_s += clock_s(CLOCK_MONOTONIC) - t0;
        cs_cpu += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;

        t0 = clock_s(CLOCK_MONOTONIC);
        c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for ( size_t i = start; i < end; i++ )
            core_group(&c, &b.groups[i]);
        core_s += clock_s(CLOCK_MONOTONIC) - t0;
        core_cpu += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    if ( !b.ngroups || !w.decodes || core_s <= 0 || cs_s <= 0 )
    {
        fprintf(stderr, "core-replay: %s: no group with instruction bytes\n",
                argv[1]);
        goto out;
    }
    sro_decoder_stats(c.dec, &hits, &misses);

    {
        double core_gps = b.ngroups / core_s, core_cgps = b.ngroups / core_cpu;
        double cs_dps = w.decodes / cs_s, cs_cdps = w.decodes / cs_cpu;

        printf("core replay (%s): %zu groups in %.3f s: %.0f groups/s; raw "
               "capstone: %" PRIu64 " decodes in %.3f s: %.0f decodes/s; "
               "core_replay_vs_capstone %.3f (cpu-time %.3f); decode cache "
               "%" PRIu64 " hits, %" PRIu64 " misses; %" PRIu64
               " divergences\n", c.model->name, b.ngroups, core_s, core_gps,
               w.decodes, cs_s, cs_dps, core_gps / cs_dps,
               core_cgps / cs_cdps, hits, misses, c.divergences);
        printf("{\"groups\":%zu,\"decodes\":%" PRIu64 ",\"core_seconds\":%.4f,"
               "\"core_cpu_seconds\":%.4f,\"core_groups_per_s\":%.0f,"
               "\"core_cpu_groups_per_s\":%.0f,\"capstone_seconds\":%.4f,"
               "\"capstone_cpu_seconds\":%.4f,\"capstone_decodes_per_s\":%.0f,"
               "\"capstone_cpu_decodes_per_s\":%.0f,"
               "\"core_replay_vs_capstone\":%.3f,"
               "\"core_replay_vs_capstone_cpu\":%.3f,\"decode_hits\":%" PRIu64
               ",\"decode_misses\":%" PRIu64 ",\"divergences\":%" PRIu64
               ",\"not_predicted\":%" PRIu64 ",\"config_refused\":%" PRIu64
               ",\"verdicts\":{", b.ngroups, w.decodes, core_s, core_cpu,
               core_gps, core_cgps, cs_s, cs_cpu, cs_dps, cs_cdps,
               core_gps / cs_dps, core_cgps / cs_cdps, hits, misses,
               c.divergences, c.not_predicted, b.config_refused);
        for ( unsigned int v = 0; v < SRO_VERDICT_COUNT; v++ )
            printf("%s\"%s\":%" PRIu64, v ? "," : "",
                   sro_verdict_name(v) ? sro_verdict_name(v) : "?",
                   c.verdicts[v]);
        printf("}}\n");
    }
    rc = 0;
 out:
    for ( unsigned int h = 0; h < 3; h++ )
        if ( w.open[h] )
            cs_close(&w.cs[h]);
    sro_decoder_free(c.dec);
    sro_prot_free(b.prot);
    free(c.pred);
    free(b.groups);
    free(b.wpool);
    return rc;
}
