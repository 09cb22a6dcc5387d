/*
 * what-if-report.c - see what-if-report.h.
 *
 * Changes are kept in a small array searched linearly, with the entry hit
 * last tried first: a run repeats the same few stores, so the distinct
 * changes are few (tens to hundreds) and consecutive groups mostly hit
 * the same one.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "what-if-report.h"

/* JSON name, the recorded fate in words, the fate under the plan. */
static const struct {
    const char *name;
    const char *was;
    const char *would;
} fates[SRO_FATE_COUNT] = {
    [SRO_FATE_WRITTEN]     = { "written", "they reached the device",
                               "would now reach the device" },
    [SRO_FATE_PARTLY]      = { "partly_written",
                               "they reached the device in part",
                               "would reach the device only in part" },
    [SRO_FATE_MISDIRECTED] = { "misdirected",
                               "they were written at another offset",
                               "would be written at another offset" },
    [SRO_FATE_DROPPED]     = { "dropped", "they were dropped",
                               "would be dropped" },
    [SRO_FATE_PF]          = { "pf", "the guest got a #PF",
                               "would fault the guest (#PF)" },
    [SRO_FATE_GP]          = { "gp", "the guest got a #GP",
                               "would fault the guest (#GP)" },
    [SRO_FATE_EXCEPTION]   = { "exception", "the guest got an exception",
                               "would raise an exception in the guest" },
    [SRO_FATE_CRASH]       = { "crash", "they crashed the domain",
                               "would crash the domain" },
    [SRO_FATE_RETRY]       = { "retry", "they were retried",
                               "would be retried" },
    [SRO_FATE_NOT_HANDLED] = { "not_handled", "another handler took them",
                               "would go to another handler" },
};

const char *sro_fate_name(unsigned int fate)
{
    return fate < SRO_FATE_COUNT ? fates[fate].name : NULL;
}

enum sro_fate sro_fate_of(uint64_t mfn, unsigned int off, unsigned int len,
                          const struct sro_write *w, unsigned int nw,
                          unsigned int outcome)
{
    uint64_t covered[4] = { 0 };        /* bytes of the store, len <= 255 */
    unsigned int n = 0;
    bool any = false;

    switch ( outcome )
    {
    case SRO_RETIRED:          break;
    case SRO_RETRY:            return SRO_FATE_RETRY;
    case SRO_PF_TO_GUEST:      return SRO_FATE_PF;
    case SRO_GP_TO_GUEST:      return SRO_FATE_GP;
    case SRO_EXCEPTION:        return SRO_FATE_EXCEPTION;
    case SRO_DOMAIN_CRASH:     return SRO_FATE_CRASH;
    default:                   return SRO_FATE_NOT_HANDLED;
    }

    for ( unsigned int i = 0; i < nw; i++ )
    {
        unsigned int a = w[i].offset, b = w[i].offset + w[i].len;

        if ( w[i].result != SRO_WRITTEN || !w[i].len )
            continue;
        if ( w[i].mfn != mfn || w[i].dev_offset != w[i].offset )
            return SRO_FATE_MISDIRECTED;
        any = true;
        if ( a < off )
            a = off;
        if ( b > off + len )
            b = off + len;
        for ( unsigned int k = a; k < b; k++ )
            covered[(k - off) / 64] |= UINT64_C(1) << ((k - off) % 64);
    }
    if ( !len )
        return any ? SRO_FATE_WRITTEN : SRO_FATE_DROPPED;
    for ( unsigned int k = 0; k < 4; k++ )
        n += (unsigned int)__builtin_popcountll(covered[k]);
    if ( n == len )
        return SRO_FATE_WRITTEN;
    return n || any ? SRO_FATE_PARTLY : SRO_FATE_DROPPED;
}

void sro_whatif_init(struct sro_whatif_report *w,
                     const struct sro_model *model, const char *plan,
                     sro_whatif_namer *namer, void *namer_ctx)
{
    memset(w, 0, sizeof(*w));
    w->model = model;
    w->plan = plan;
    w->namer = namer;
    w->namer_ctx = namer_ctx;
}

/* The store's width on its page (0 when the instruction is unknown). */
static unsigned int store_len(const struct sro_group_result *r,
                              unsigned int off)
{
    unsigned int len = r->insn && r->insn->store ? r->insn->width : 0;

    return off + len > SRO_PAGE_SIZE ? SRO_PAGE_SIZE - off : len;
}

/* The change matching the key, created if new; NULL if out of memory. */
static struct sro_whatif_change *change_of(struct sro_whatif_report *w,
                                           const struct sro_whatif_change *k)
{
    struct sro_whatif_change *c;

#define SAME(c) ((c)->domain == k->domain && (c)->mfn == k->mfn &&       \
                 (c)->offset == k->offset && (c)->length == k->length && \
                 (c)->from == k->from && (c)->to == k->to &&             \
                 (c)->by_plan == k->by_plan)
    if ( w->last < w->nchanges && SAME(&w->changes[w->last]) )
        return &w->changes[w->last];
    for ( unsigned int i = 0; i < w->nchanges; i++ )
        if ( SAME(&w->changes[i]) )
        {
            w->last = i;
            return &w->changes[i];
        }
#undef SAME

    if ( w->nchanges == w->cap )
    {
        unsigned int cap = w->cap ? w->cap * 2 : 16;
        struct sro_whatif_change *n = realloc(w->changes, cap * sizeof(*n));

        if ( !n )
            return NULL;
        w->changes = n;
        w->cap = cap;
    }
    c = &w->changes[w->nchanges];
    *c = *k;
    c->reg[0] = '\0';
    if ( w->namer )
    {
        w->namer(w->namer_ctx, k->mfn, k->offset, k->length ? k->length : 1,
                 c->reg, sizeof(c->reg));
        if ( c->reg[0] )
            w->names_bound = true;
    }
    w->last = w->nchanges++;
    return c;
}

/* What the model says of this fault under the recorded protection. False
 * if it declines or memory runs out. */
static bool baseline_fate(struct sro_whatif_report *w,
                          const struct sro_group_result *r, unsigned int off,
                          unsigned int len, enum sro_fate *fate)
{
    const struct sro_group *g = &r->sg->g;
    struct sro_insn none = { .valid = false };
    struct sro_model_input in = {
        .fault = &g->fault,
        .insn = r->insn ? r->insn : &none,
        .page = r->page,
        .reps = r->insn && r->insn->string && g->nwrites ? g->nwrites : 1,
    };

    if ( !w->scratch && !(w->scratch = malloc(sizeof(*w->scratch))) )
        return false;
    memset(w->scratch, 0, sizeof(*w->scratch));
    if ( w->model->predict(w->model, &in, w->scratch) != 0 )
        return false;
    *fate = sro_fate_of(g->fault.mfn, off, len, w->scratch->writes,
                        w->scratch->nwrites, w->scratch->done.outcome);
    return true;
}

int sro_whatif_add(struct sro_whatif_report *w,
                   const struct sro_group_result *r)
{
    const struct sro_group *g = &r->sg->g;
    unsigned int off = g->fault.gpa & (SRO_PAGE_SIZE - 1);
    unsigned int len = store_len(r, off);
    struct sro_whatif_change k, *c;
    enum sro_fate from, to, base;

    if ( g->incomplete != SRO_COMPLETE || !g->has_done ||
         g->done.outcome >= SRO_OUTCOME_COUNT )
    {
        w->incomplete++;
        return 0;
    }
    if ( !r->predicted[0] )
    {
        w->not_predicted++;
        return 0;
    }
    w->groups++;
    from = sro_fate_of(g->fault.mfn, off, len, g->writes, g->nwrites,
                       g->done.outcome);
    to = sro_fate_of(g->fault.mfn, off, len, r->pred[0].writes,
                     r->pred[0].nwrites, r->pred[0].done.outcome);
    if ( from == to )
        return 0;

    memset(&k, 0, sizeof(k));
    k.domain = g->fault.domain;
    k.mfn = g->fault.mfn;
    k.offset = (uint16_t)off;
    k.length = (uint8_t)len;
    k.from = (uint8_t)from;
    k.to = (uint8_t)to;
    k.by_plan = baseline_fate(w, r, off, len, &base) && base == from;
    k.example_group = r->sg->id;
    if ( !(c = change_of(w, &k)) )
        return -1;
    c->groups++;
    w->changed++;
    w->changed_by_plan += k.by_plan;
    return 0;
}

static int cmp_change(const void *pa, const void *pb)
{
    const struct sro_whatif_change *a = pa, *b = pb;

    if ( a->by_plan != b->by_plan )
        return a->by_plan ? -1 : 1;
    if ( a->groups != b->groups )
        return a->groups > b->groups ? -1 : 1;
    if ( a->domain != b->domain )
        return a->domain < b->domain ? -1 : 1;
    if ( a->mfn != b->mfn )
        return a->mfn < b->mfn ? -1 : 1;
    if ( a->offset != b->offset )
        return a->offset < b->offset ? -1 : 1;
    if ( a->length != b->length )
        return a->length < b->length ? -1 : 1;
    if ( a->from != b->from )
        return a->from < b->from ? -1 : 1;
    if ( a->to != b->to )
        return a->to < b->to ? -1 : 1;
    return 0;
}

void sro_whatif_sort(struct sro_whatif_report *w)
{
    if ( w->nchanges > 1 )
        qsort(w->changes, w->nchanges, sizeof(w->changes[0]), cmp_change);
    w->last = 0;
}

/* Copy s into buf with control characters as '?': plan paths, plugin
 * model names and map names reach a terminal. */
static const char *clean(const char *s, char *buf, size_t len)
{
    size_t i = 0;

    for ( ; s && *s && i + 1 < len; s++ )
        buf[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    buf[i] = '\0';
    return buf;
}

/* One line of the text report: "N 4-byte stores by domain D to REG (mfn
 * M offset 0xO) would be dropped (they reached the device)". */
static void print_change(FILE *out, const struct sro_whatif_change *c,
                         const char *indent)
{
    char where[112], width[16], reg[sizeof(c->reg)];

    if ( c->reg[0] )
        snprintf(where, sizeof(where), "%s (mfn 0x%" PRIx64 " offset 0x%x)",
                 clean(c->reg, reg, sizeof(reg)), c->mfn, c->offset);
    else
        snprintf(where, sizeof(where), "mfn 0x%" PRIx64 " offset 0x%x",
                 c->mfn, c->offset);
    if ( c->length )
        snprintf(width, sizeof(width), "%u-byte ", c->length);
    else
        width[0] = '\0';
    fprintf(out, "%s%" PRIu64 " %sstore%s by domain %u to %s %s (%s)\n",
            indent, c->groups, width, c->groups == 1 ? "" : "s", c->domain,
            where, fates[c->to].would, fates[c->from].was);
}

void sro_whatif_print_text(struct sro_whatif_report *w, FILE *out)
{
    char plan[256], model[128];

    sro_whatif_sort(w);
    fprintf(out, "\nwhat-if %s, through %s: %" PRIu64 " of %" PRIu64
            " groups would change fate (%" PRIu64 " by the plan)\n",
            clean(w->plan ? w->plan : "plan", plan, sizeof(plan)),
            clean(w->model->name, model, sizeof(model)), w->changed,
            w->groups, w->changed_by_plan);
    for ( unsigned int i = 0; i < w->nchanges; i++ )
        if ( w->changes[i].by_plan )
            print_change(out, &w->changes[i], "  ");
    if ( w->changed > w->changed_by_plan )
    {
        fprintf(out, "  %" PRIu64 " more would change without the plan "
                "too (the model differs from the recording):\n",
                w->changed - w->changed_by_plan);
        for ( unsigned int i = 0; i < w->nchanges; i++ )
            if ( !w->changes[i].by_plan )
                print_change(out, &w->changes[i], "    ");
    }
    if ( w->incomplete || w->not_predicted )
        fprintf(out, "  not compared: %" PRIu64 " incomplete group%s, %"
                PRIu64 " without a prediction\n", w->incomplete,
                w->incomplete == 1 ? "" : "s", w->not_predicted);
    if ( w->nchanges && !w->names_bound )
        fprintf(out, "  (no register map is bound to these pages: "
                "`srotrace devices import` names them)\n");
}

void sro_whatif_print_json(struct sro_whatif_report *w, struct json *j)
{
    sro_whatif_sort(w);
    json_key(j, "what_if");
    json_object_begin(j);
    json_kv_string(j, "plan", w->plan);
    json_kv_string(j, "model", w->model->name);
    json_kv_uint(j, "groups", w->groups);
    json_kv_uint(j, "changed", w->changed);
    json_kv_uint(j, "changed_by_plan", w->changed_by_plan);
    json_kv_uint(j, "incomplete", w->incomplete);
    json_kv_uint(j, "not_predicted", w->not_predicted);
    json_key(j, "changes");
    json_array_begin(j);
    for ( unsigned int i = 0; i < w->nchanges; i++ )
    {
        const struct sro_whatif_change *c = &w->changes[i];

        json_object_begin(j);
        json_kv_uint(j, "domain", c->domain);
        json_key(j, "mfn");
        json_hex(j, c->mfn);
        json_kv_uint(j, "offset", c->offset);
        json_kv_uint(j, "length", c->length);
        json_kv_string(j, "register", c->reg[0] ? c->reg : NULL);
        json_kv_string(j, "from", fates[c->from].name);
        json_kv_string(j, "to", fates[c->to].name);
        json_kv_string(j, "cause", c->by_plan ? "plan" : "model");
        json_kv_uint(j, "groups", c->groups);
        json_kv_int(j, "example_group", c->example_group);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

void sro_whatif_free(struct sro_whatif_report *w)
{
    free(w->changes);
    free(w->scratch);
    memset(w, 0, sizeof(*w));
}
