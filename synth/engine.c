/*
 * engine.c - set-up and the fault loop of the synthesis engine; see
 * engine.h. Records go out through emit.c, configuration through config.c.
 *
 * Set-up does everything that does not change per fault, once per store
 * line: encode its instruction, decode it (the model needs the decoded
 * form, and a scenario whose bytes the decoder does not take as a store is
 * rejected here), build its fault, check that the model can say what Xen
 * does with it. The loop then only picks, copies, predicts and writes.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"

/* Global time at boot and when the guests start faulting, in TSC cycles. */
#define BOOT_TIME   40000000ull
#define START_TIME  2000000000ull

int synth_fail(struct synth_engine *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->err, e->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

unsigned int sro_synth_hvm_path(const struct sro_model *model)
{
    return strncmp(model->name, "xen-4.20", 8) == 0 ? SRO_PATH_HVM_420
                                                    : SRO_PATH_HVM_421;
}

/* 16, 32 or 64 for an enum sro_code_size (never UNKNOWN here). */
static unsigned int mode_of(uint8_t code_size)
{
    return code_size == SRO_CODE_16 ? 16 : code_size == SRO_CODE_32 ? 32
                                                                     : 64;
}

/* The operands a compiler might have picked for store line i: the mapped
 * page in a base register, the register offset as displacement. */
static void operands(unsigned int i, unsigned int mode,
                     const struct sro_scn_store *st,
                     struct sro_enc_operands *ops)
{
    static const uint8_t bases[] = { 7, 0, 3, 6, 1, 2 }; /* di ax bx si
                                                            cx dx */
    static const uint8_t srcs[] = { 0, 2, 6, 1, 3, 7 };  /* not sp, bp */
    unsigned int b = bases[i % sizeof(bases)];
    unsigned int k = (i / sizeof(bases)) % sizeof(srcs);

    if ( srcs[k] == b )
        k = (k + 1) % sizeof(srcs);
    ops->base = mode == 16 ? i % 3 : b;
    ops->src = st->kind->form == SRO_ENC_VEC ? i % 8 : srcs[k];
    ops->disp = st->offset;
    ops->imm = st->value.a;
}

/* A guest RIP for store line i when the scenario gives none: in a Linux
 * module (64-bit), a 32-bit kernel, or low real-mode code. */
static uint64_t default_rip(uint8_t code_size, unsigned int i)
{
    switch ( code_size )
    {
    case SRO_CODE_16: return 0x0100 + 0x20 * i;
    case SRO_CODE_32: return 0xc0841000u + 0x1c4 * i;
    }
    return 0xffffffffc0a41000ull + 0x1c4 * i;
}

/* n bytes as lowercase hex into buf (2n + 1 bytes). */
static void hex(char *buf, const uint8_t *p, unsigned int n)
{
    for ( unsigned int i = 0; i < n; i++ )
        sprintf(buf + 2 * i, "%02x", p[i]);
    buf[2 * n] = '\0';
}

/*
 * Precompute store line i: its instruction bytes (encoded) and their
 * decoding, its fault minus cpu/tsc/vcpu, its cumulative weight; check
 * that the decoder takes it as a store and that the model can predict it.
 * Returns 0, or -1 with "FILE:LINE: what" in e->err.
 */
static int setup_template(struct synth_engine *e, unsigned int i)
{
    const struct sro_scenario *s = e->scn;
    const struct sro_scn_store *st = &s->stores[i];
    const struct sro_scn_page *pg = &s->pages[st->page];
    const struct sro_scn_guest *g = &s->guests[pg->guest];
    struct synth_tmpl *t = &e->tmpl[i];
    struct sro_fault *f = &t->fault;
    unsigned int mode = mode_of(g->code_size);
    struct sro_enc_operands ops;
    struct sro_model_input in;
    struct sro_prediction pred;
    char msg[160], bytes[40];
    int n;

    t->st = st;
    t->guest = pg->guest;
    t->page = st->page;
    t->seq = st->value.a;
    operands(i, mode, st, &ops);
    n = sro_encode(st->kind, mode, &ops, f->insn, msg, sizeof(msg));
    if ( n < 0 )
        return synth_fail(e, "%s:%u: %s", s->file, st->line, msg);
    f->domain = g->domain;
    f->path = g->path ? g->path
              : g->type == SRO_SCN_PV ? SRO_PATH_PV
              : (uint8_t)sro_synth_hvm_path(e->o->model);
    f->gla_valid = g->gla_valid;
    f->hwdom = g->hwdom;
    f->code_size = g->code_size;
    f->gla = g->gla_valid ? pg->va + st->offset : ~0ull;
    f->gpa = ((g->type == SRO_SCN_PV ? pg->mfn : pg->gfn) << SRO_PAGE_SHIFT)
             + st->offset;
    f->mfn = pg->mfn;
    f->has_insn = true;
    f->insn_len = (uint8_t)n;
    f->rip = st->rip ? st->rip : default_rip(g->code_size, i);

    hex(bytes, f->insn, (unsigned int)n);
    if ( sro_decode(e->dec, f->insn, (size_t)n, mode, &t->insn) < 0 ||
         !t->insn.store )
        return synth_fail(e, "%s:%u: the decoder does not take %s (%s) as "
                          "a store: %s", s->file, st->line, st->kind->name,
                          bytes, t->insn.text);

    memset(&pred, 0, sizeof(pred));
    in.fault = f;
    in.insn = &t->insn;
    in.page = &e->pages[st->page];
    in.reps = st->kind->rep ? st->reps : 0;
    if ( e->o->model->predict(e->o->model, &in, &pred) < 0 )
        return synth_fail(e, "%s:%u: model %s cannot say what Xen does "
                          "with %s (%s) on page %s", s->file, st->line,
                          e->o->model->name, st->kind->name, bytes,
                          pg->name);
    e->total_weight += st->weight;
    t->cum_weight = e->total_weight;
    return 0;
}

/* Pages must be read-only somehow, or their writes would never fault. */
static int setup_pages(struct synth_engine *e)
{
    const struct sro_scenario *s = e->scn;

    for ( unsigned int i = 0; i < s->npages; i++ )
    {
        enum sro_page_kind k = sro_prot_page(e->prot, s->pages[i].mfn,
                                             &e->pages[i]);

        if ( k != SRO_PAGE_RO_WHOLE && k != SRO_PAGE_SUBPAGE )
            return synth_fail(e, "%s:%u: page %s (mfn 0x%llx) is not "
                              "read-only: no successful protect line and "
                              "no ro-pages line covers it, so writes to "
                              "it would never fault", s->file,
                              s->pages[i].line, s->pages[i].name,
                              (unsigned long long)s->pages[i].mfn);
    }
    return 0;
}

/* Seed the streams, allocate everything a run needs (nothing is
 * allocated per fault), build the protection, the store lines, the vcpus
 * and the CPUs. Returns 0 or -1 with e->err set. */
static int setup(struct synth_engine *e)
{
    const struct sro_synth_opts *o = e->o;
    const struct sro_scenario *s = e->scn;
    unsigned int ncpus = o->cpus;

    sro_rng_seed(&e->rng_main, o->seed);
    sro_rng_seed(&e->rng_layout, o->seed ^ 0x6c61796f75740000ull);
    sro_rng_seed(&e->rng_value, o->seed ^ 0x76616c7565000000ull);
    sro_rng_seed(&e->rng_flush, o->seed ^ 0x666c757368000000ull);
    sro_rng_seed(&e->rng_loss, o->seed ^ 0x6c6f737400000000ull);
    sro_rng_seed(&e->rng_inject, o->seed ^ 0x696e6a6563740000ull);

    e->prot = sro_prot_new();
    e->add_rc = calloc(s->nprotects + 1, sizeof(*e->add_rc));
    e->pages = calloc(s->npages, sizeof(*e->pages));
    e->mapped = calloc(s->npages, sizeof(*e->mapped));
    e->tmpl = calloc(s->nstores, sizeof(*e->tmpl));
    e->vcpu_first = calloc(s->nguests, sizeof(*e->vcpu_first));
    e->cpu = calloc(ncpus, sizeof(*e->cpu));
    e->tail_recs = calloc(SRO_SYNTH_MAX_RECS + 2, sizeof(*e->tail_recs));
    e->dec = sro_decoder_new(0);
    e->split = sro_group_splitter_new();
    e->mirror = sro_mirror_new(ncpus, o->expect);
    e->w = sro_writer_new(o->out, ncpus);
    if ( !e->prot || !e->add_rc || !e->pages || !e->mapped || !e->tmpl ||
         !e->vcpu_first || !e->cpu || !e->tail_recs || !e->dec ||
         !e->split || !e->mirror || !e->w )
        return synth_fail(e, "out of memory");

    if ( synth_config_build(e) || setup_pages(e) )
        return -1;
    for ( unsigned int i = 0; i < s->nstores; i++ )
        if ( setup_template(e, i) )
            return -1;

    for ( unsigned int i = 0; i < s->nguests; i++ )
    {
        e->vcpu_first[i] = e->nvcpus;
        e->nvcpus += s->guests[i].vcpus;
    }
    e->vcpu_cpu = calloc(e->nvcpus, sizeof(*e->vcpu_cpu));
    if ( !e->vcpu_cpu )
        return synth_fail(e, "out of memory");
    for ( unsigned int v = 0; v < e->nvcpus; v++ )
        e->vcpu_cpu[v] = (unsigned int)sro_rng_below(&e->rng_main, ncpus);
    for ( unsigned int c = 0; c < ncpus; c++ )
    {
        e->cpu[c].tsc_base = sro_rng_range(&e->rng_main, 0, 6000);
        e->cpu[c].flush_at = (uint32_t)sro_rng_range(&e->rng_flush, 256,
                                                     24576) & ~3u;
    }
    return 0;
}

/* Free what setup() allocated (the writer is flushed, not closed: the
 * caller owns the stream). */
static void teardown(struct synth_engine *e)
{
    sro_writer_close(e->w);
    sro_mirror_free(e->mirror);
    sro_group_splitter_free(e->split);
    sro_decoder_free(e->dec);
    sro_prot_free(e->prot);
    free(e->add_rc);
    free(e->pages);
    free(e->mapped);
    free(e->tmpl);
    free(e->vcpu_first);
    free(e->vcpu_cpu);
    free(e->cpu);
    free(e->tail_recs);
}

/* The store line of the next fault, by weight. */
static struct synth_tmpl *pick_template(struct synth_engine *e)
{
    uint64_t x = sro_rng_below(&e->rng_main, e->total_weight);
    unsigned int lo = 0, hi = e->scn->nstores - 1;

    while ( lo < hi )
    {
        unsigned int mid = (lo + hi) / 2;

        if ( e->tmpl[mid].cum_weight > x )
            hi = mid;
        else
            lo = mid + 1;
    }
    return &e->tmpl[lo];
}

/* One element (width bytes) of a store's data into p. */
static void value_element(struct synth_engine *e, struct synth_tmpl *t,
                          uint8_t *p)
{
    const struct sro_scn_value *v = &t->st->value;
    unsigned int width = t->st->kind->width;
    uint64_t x = 0;

    for ( unsigned int k = 0; k < width; k++ )
    {
        if ( k % 8 == 0 )
        {
            switch ( v->kind )
            {
            case SRO_SCN_CONST:
                x = v->a;
                break;
            case SRO_SCN_RANDOM:
                x = sro_rng_next(&e->rng_value) & v->a;
                break;
            default:
                x = k == 0 ? t->seq : 0;
                break;
            }
        }
        p[k] = (uint8_t)(x >> (8 * (k % 8)));
    }
    if ( v->kind == SRO_SCN_SEQ )
        t->seq += v->b;
}

/*
 * The data of each write of e->g. The store's bytes (one element: the
 * iteration of a rep store that faulted) are made whatever the model
 * said, so that the faults and their data are the same under every
 * model; each piece takes the bytes at its offset (`base` is the page
 * offset this fault's element starts at), zeros beyond them.
 */
static void fill_data(struct synth_engine *e, struct synth_tmpl *t,
                      unsigned int base)
{
    struct sro_prediction *p = &e->g.pred;
    unsigned int width = t->st->kind->width;

    value_element(e, t, e->value);
    for ( unsigned int i = 0; i < p->nwrites; i++ )
    {
        struct sro_write *w = &p->writes[i];
        unsigned int n = w->len < SRO_WRITE_DATA_MAX ? w->len
                                                     : SRO_WRITE_DATA_MAX;
        unsigned int rel = w->offset - base;

        memset(w->data, 0, n);
        for ( unsigned int k = 0; k < n && w->offset >= base; k++ )
            if ( rel + k < width )
                w->data[k] = e->value[rel + k];
        w->data_len = (uint8_t)n;
        if ( w->result == SRO_WRITTEN )
            e->mapped[t->page] = true;
    }
}

/* The store line and vcpu of the next fault: the next iteration of a
 * rep store under way, or a new pick by weight. Advances the time. */
static struct synth_tmpl *next_store(struct synth_engine *e,
                                     unsigned int *vcpu)
{
    const struct sro_synth_opts *o = e->o;
    struct synth_tmpl *t;
    const struct sro_scn_guest *g;
    unsigned int *pcpu;
    uint64_t gap = e->scn->gap;

    if ( e->burst )
    {
        /* The guest re-executes at once: a VM entry and exit apart. */
        e->now += sro_rng_range(&e->rng_main, 800, 3000);
        *vcpu = e->burst_vcpu;
        return e->burst;
    }
    e->now += sro_rng_range(&e->rng_main, gap / 2, gap + gap / 2);
    t = pick_template(e);
    g = &e->scn->guests[t->guest];
    *vcpu = t->st->vcpu >= 0 ? (unsigned int)t->st->vcpu
                             : (unsigned int)sro_rng_below(&e->rng_main,
                                                           g->vcpus);
    pcpu = &e->vcpu_cpu[e->vcpu_first[t->guest] + *vcpu];
    if ( o->cpus > 1 && sro_rng_chance(&e->rng_main, e->scn->migrate) )
        *pcpu = (*pcpu + 1 + (unsigned int)sro_rng_below(&e->rng_main,
                                                         o->cpus - 1))
                % o->cpus;
    if ( t->st->kind->rep && t->st->reps > 1 )
    {
        e->burst = t;
        e->burst_i = 0;
        e->burst_vcpu = *vcpu;
    }
    return t;
}

/* Make e->g: the next fault, what Xen did with it, any deviation. */
static int make_group(struct synth_engine *e)
{
    const struct sro_synth_opts *o = e->o;
    unsigned int vcpu, pcpu, iter, width, delta;
    struct synth_tmpl *t = next_store(e, &vcpu);
    struct sro_model_input in;

    iter = e->burst ? e->burst_i : 0;
    width = t->st->kind->width;
    delta = iter * width;
    pcpu = e->vcpu_cpu[e->vcpu_first[t->guest] + vcpu];
    e->g.fault = t->fault;
    e->g.fault.cpu = pcpu;
    e->g.fault.vcpu = (uint16_t)vcpu;
    e->g.fault.tsc = e->now + e->cpu[pcpu].tsc_base;
    if ( e->g.fault.tsc <= e->cpu[pcpu].now )   /* TSCs rise */
        e->g.fault.tsc = e->cpu[pcpu].now + 1;
    e->g.fault.gpa += delta;
    if ( e->g.fault.gla_valid )
        e->g.fault.gla += delta;
    e->g.kind = t->insn.kind;
    e->g.target = t->st->target;
    e->g.line = t->st->line;
    e->g.deviations = 0;
    e->g.has_done = true;

    memset(&e->g.pred, 0, sizeof(e->g.pred));
    in.fault = &e->g.fault;
    in.insn = &t->insn;
    in.page = &e->pages[t->page];
    in.reps = t->st->kind->rep ? t->st->reps - iter : 0;
    if ( o->model->predict(o->model, &in, &e->g.pred) < 0 )
        return synth_fail(e, "%s:%u: model %s cannot say what Xen does "
                          "with this store", e->scn->file, t->st->line,
                          o->model->name);
    e->g.pred.done.nwrites = e->g.pred.nwrites;
    fill_data(e, t, t->st->offset + delta);

    /* The guest goes on with the next iteration only if the model says
     * this one retired. Deviations change the records, not the guest, so
     * that a run with --inject makes the same faults as one without. */
    if ( e->burst && (++e->burst_i == t->st->reps ||
                      e->g.pred.done.outcome != SRO_RETIRED) )
        e->burst = NULL;

    sro_inject_apply(&o->inject, &e->rng_inject, &e->g);
    for ( unsigned int d = 0; d < SRO_DEV_COUNT; d++ )
        if ( e->g.deviations & (1u << d) )
            e->res->deviations[d]++;
    return 0;
}

/* Records of other classes between two faults, on any CPU. */
static int emit_others(struct synth_engine *e)
{
    struct sro_rng *r = &e->rng_layout;
    double noise = e->scn->noise;
    unsigned int n = (unsigned int)noise;

    if ( sro_rng_chance(r, noise - n) )
        n++;
    for ( unsigned int i = 0; i < n; i++ )
    {
        unsigned int c = (unsigned int)sro_rng_below(r, e->o->cpus);

        if ( synth_emit_other(e, c, e->now + e->cpu[c].tsc_base -
                              sro_rng_below(r, 1000)) )
            return -1;
    }
    return 0;
}

/* The whole trace: boot configuration (or the late snapshot), then the
 * groups with what surrounds them, then the last windows. */
static int run(struct synth_engine *e)
{
    const struct sro_synth_opts *o = e->o;
    uint64_t late_at = o->groups / 20;

    e->now = BOOT_TIME;
    if ( !o->late_config && synth_config_boot(e) )
        return -1;
    e->now = START_TIME;
    for ( uint64_t i = 0; i < o->groups; i++ )
    {
        bool tail = o->cut && i + 1 == o->groups;

        if ( o->late_config && i == late_at && synth_config_snapshot(e) )
            return -1;
        if ( !tail && emit_others(e) )
            return -1;
        if ( make_group(e) )
            return -1;
        e->res->groups_made++;
        if ( tail )
            return synth_emit_tail(e);
        if ( synth_emit_group(e) || synth_drain(e) )
            return -1;
    }
    if ( o->late_config && o->groups <= late_at &&
         synth_config_snapshot(e) )
        return -1;
    if ( synth_flush_all(e) )
        return -1;
    e->res->bytes = sro_writer_bytes(e->w);
    return 0;
}

int sro_synth_run(const struct sro_synth_opts *o,
                  struct sro_synth_result *res, char *err, size_t errlen)
{
    struct synth_engine *e = calloc(1, sizeof(*e));
    int rc;

    memset(res, 0, sizeof(*res));
    if ( !e )
    {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e->o = o;
    e->scn = o->scn;
    e->res = res;
    e->err = err;
    e->errlen = errlen;
    err[0] = '\0';
    rc = setup(e);
    if ( rc == 0 )
        rc = run(e);
    if ( rc == 0 && fflush(o->out) )
        rc = synth_fail(e, "write error");
    if ( rc && !err[0] )
        snprintf(err, errlen, "write error");
    if ( rc == 0 &&
         sro_mirror_finish(e->mirror, res->bytes, res->bytes_unused) )
        rc = synth_fail(e, "cannot write the expect file");
    if ( e->mirror )
        res->seen = *sro_mirror_stats(e->mirror);
    teardown(e);
    free(e);
    return rc;
}
