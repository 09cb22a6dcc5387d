/*
 * report-whatif.c - see report-whatif.h.
 *
 * One replay of the run (nothing stored), one protection state built from
 * the plan alone, as the replayer's models see it. The per-qword counts
 * come from the changes, not from the groups: a change already counts its
 * groups by (page, offset, width).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replayer/plan.h"
#include "replayer/replay.h"
#include "report-whatif.h"

/* The changes' register names: the run's devices. */
static void name_register(void *ctx, uint64_t mfn, unsigned int off,
                          unsigned int len, char *buf, size_t buflen)
{
    devbind_register(ctx, (mfn << SRO_PAGE_SHIFT) | off, len, buf, buflen,
                     NULL, NULL);
}

/* The entry of page mfn, appended if new; NULL if out of memory. */
static struct report_whatif_page *page_add(struct report_whatif *w,
                                           uint64_t mfn, unsigned int *cap)
{
    struct report_whatif_page *p;

    for ( unsigned int i = w->npages; i-- > 0; )
        if ( w->pages[i].mfn == mfn )
            return &w->pages[i];
    if ( w->npages == *cap )
    {
        unsigned int n = *cap ? *cap * 2 : 8;

        p = realloc(w->pages, n * sizeof(*p));
        if ( !p )
            return NULL;
        w->pages = p;
        *cap = n;
    }
    p = &w->pages[w->npages++];
    memset(p, 0, sizeof(*p));
    p->mfn = mfn;
    return p;
}

struct collect {
    struct report_whatif *w;
    unsigned int          cap;      /* allocated entries of w->pages */
    bool                  oom;
};

static int on_group(void *ctx, const struct sro_group_result *r)
{
    struct collect *c = ctx;

    if ( !page_add(c->w, r->sg->g.fault.mfn, &c->cap) ||
         sro_whatif_add(&c->w->changes, r) )
    {
        c->oom = true;
        return 1;
    }
    return 0;
}

static int cmp_page(const void *a, const void *b)
{
    uint64_t x = ((const struct report_whatif_page *)a)->mfn;
    uint64_t y = ((const struct report_whatif_page *)b)->mfn;

    return x < y ? -1 : x > y;
}

/* Each page's protection under the plan, qword by qword. */
static void fill_protection(struct report_whatif *w, const struct sro_prot *p)
{
    struct sro_page_prot pp;

    for ( unsigned int i = 0; i < w->npages; i++ )
    {
        struct report_whatif_page *wp = &w->pages[i];

        wp->kind = sro_prot_page(p, wp->mfn, &pp);
        for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
        {
            unsigned int ro = 0;

            for ( unsigned int b = q * SRO_GRAN; b < (q + 1) * SRO_GRAN; b++ )
                ro += sro_page_byte_ro(&pp, b);
            if ( ro )
                wp->qro[q / 64] |= UINT64_C(1) << (q % 64);
            if ( ro && ro < SRO_GRAN )
                wp->qpart[q / 64] |= UINT64_C(1) << (q % 64);
        }
    }
}

/* Spread each change's groups over the qwords its stores touch. */
static void fill_changes(struct report_whatif *w)
{
    for ( unsigned int i = 0; i < w->changes.nchanges; i++ )
    {
        const struct sro_whatif_change *c = &w->changes.changes[i];
        struct report_whatif_page *wp =
            (struct report_whatif_page *)report_whatif_page(w, c->mfn);
        unsigned int end = c->offset + (c->length ? c->length : 1);

        if ( !wp )
            continue;
        if ( end > SRO_PAGE_SIZE )
            end = SRO_PAGE_SIZE;
        for ( unsigned int q = c->offset / SRO_GRAN; q * SRO_GRAN < end; q++ )
            wp->qchanged[q] += (uint32_t)c->groups;
    }
}

int report_whatif_build(sqlite3 *db, int64_t run, const char *plan_path,
                        const struct sro_model *model,
                        const struct devbind *b, struct report_whatif *out,
                        char *err, size_t errlen)
{
    struct sro_plan plan = { 0 };
    struct sro_prot *prot = NULL;
    struct sro_replay_opts o = { 0 };
    struct sro_replay_stats stats;
    struct sro_db_err e = { 0 };
    struct collect c = { .w = out };
    int rc = -1;

    memset(out, 0, sizeof(*out));
    out->plan = plan_path;
    sro_whatif_init(&out->changes, model, plan_path,
                    b ? name_register : NULL, (void *)b);
    if ( sro_plan_load(plan_path, &plan, err, errlen) )
        goto out;
    prot = sro_prot_new();
    if ( !prot )
    {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if ( sro_plan_apply(&plan, prot, err, errlen) )
        goto out;

    o.db = db;
    o.run = run;
    o.models[0] = model;
    o.nmodels = 1;
    o.what_if = &plan;
    if ( sro_replay_run(&o, on_group, &c, &stats, &e) != 0 )
    {
        snprintf(err, errlen, "%s", c.oom ? "out of memory" : e.msg);
        goto out;
    }
    if ( out->npages > 1 )
        qsort(out->pages, out->npages, sizeof(out->pages[0]), cmp_page);
    fill_protection(out, prot);
    fill_changes(out);
    sro_whatif_sort(&out->changes);
    rc = 0;
 out:
    sro_prot_free(prot);
    sro_plan_free(&plan);
    return rc;
}

void report_whatif_free(struct report_whatif *w)
{
    sro_whatif_free(&w->changes);
    free(w->pages);
    w->pages = NULL;
    w->npages = 0;
}

const struct report_whatif_page *report_whatif_page(
    const struct report_whatif *w, uint64_t mfn)
{
    unsigned int lo = 0, hi = w->npages;

    while ( lo < hi )
    {
        unsigned int mid = lo + (hi - lo) / 2;

        if ( w->pages[mid].mfn == mfn )
            return &w->pages[mid];
        if ( w->pages[mid].mfn < mfn )
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
