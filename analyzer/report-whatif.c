/*
 * report-whatif.c - see report-whatif.h.
 *
 * One replay of the run (nothing stored) and one protection state built
 * from the plan alone, as the replayer's models see it. The per-qword
 * counts come from the changes, not from the groups: a change already
 * counts its groups by (page, offset, width).
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

static int on_group(void *ctx, const struct sro_group_result *r)
{
    return sro_whatif_add(ctx, r) ? 1 : 0;
}

/* The entry of page mfn, appended if new; NULL if out of memory. */
static struct report_whatif_page *page_add(struct report_whatif *w,
                                           uint64_t mfn, unsigned int *cap)
{
    struct report_whatif_page *p;

    for ( unsigned int i = 0; i < w->npages; i++ )
        if ( w->pages[i].mfn == mfn )
            return &w->pages[i];
    if ( w->npages == *cap )
    {
        unsigned int n = *cap ? *cap * 2 : 4;

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

static int cmp_page(const void *a, const void *b)
{
    uint64_t x = ((const struct report_whatif_page *)a)->mfn;
    uint64_t y = ((const struct report_whatif_page *)b)->mfn;

    return x < y ? -1 : x > y;
}

/* Spread each change's groups over the qwords its stores touch. 0 or -1
 * (out of memory). */
static int fill_changes(struct report_whatif *w)
{
    unsigned int cap = 0;

    for ( unsigned int i = 0; i < w->changes.nchanges; i++ )
    {
        const struct sro_whatif_change *c = &w->changes.changes[i];
        struct report_whatif_page *wp = page_add(w, c->mfn, &cap);
        unsigned int end = c->offset + (c->length ? c->length : 1);

        if ( !wp )
            return -1;
        if ( end > SRO_PAGE_SIZE )
            end = SRO_PAGE_SIZE;
        for ( unsigned int q = c->offset / SRO_GRAN; q * SRO_GRAN < end; q++ )
            wp->qchanged[q] += (uint32_t)c->groups;
    }
    if ( w->npages > 1 )
        qsort(w->pages, w->npages, sizeof(w->pages[0]), cmp_page);
    return 0;
}

int report_whatif_build(sqlite3 *db, int64_t run, const char *plan_path,
                        const struct sro_model *model,
                        const struct devbind *b, struct report_whatif *out,
                        char *err, size_t errlen)
{
    struct sro_plan plan = { 0 };
    struct sro_replay_opts o = { 0 };
    struct sro_replay_stats stats;
    struct sro_db_err e = { 0 };
    int rc = -1;

    memset(out, 0, sizeof(*out));
    out->plan = plan_path;
    sro_whatif_init(&out->changes, model, plan_path,
                    b ? name_register : NULL, (void *)b);
    if ( sro_plan_load(plan_path, &plan, err, errlen) )
        goto out;
    out->prot = sro_prot_new();
    if ( !out->prot )
    {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if ( sro_plan_apply(&plan, out->prot, err, errlen) )
        goto out;

    o.db = db;
    o.run = run;
    o.models[0] = model;
    o.nmodels = 1;
    o.what_if = &plan;
    rc = sro_replay_run(&o, on_group, &out->changes, &stats, &e);
    if ( rc != 0 || fill_changes(out) )
    {
        snprintf(err, errlen, "%s", rc < 0 ? e.msg : "out of memory");
        rc = -1;
        goto out;
    }
    sro_whatif_sort(&out->changes);
 out:
    sro_plan_free(&plan);
    return rc;
}

void report_whatif_free(struct report_whatif *w)
{
    sro_whatif_free(&w->changes);
    sro_prot_free(w->prot);
    free(w->pages);
    memset(w, 0, sizeof(*w));
}

void report_whatif_page(const struct report_whatif *w, uint64_t mfn,
                        struct report_whatif_page *out)
{
    struct sro_page_prot pp;
    unsigned int lo = 0, hi = w->npages;

    memset(out, 0, sizeof(*out));
    out->mfn = mfn;
    while ( lo < hi )
    {
        unsigned int mid = lo + (hi - lo) / 2;

        if ( w->pages[mid].mfn == mfn )
        {
            memcpy(out->qchanged, w->pages[mid].qchanged,
                   sizeof(out->qchanged));
            break;
        }
        if ( w->pages[mid].mfn < mfn )
            lo = mid + 1;
        else
            hi = mid;
    }
    if ( !w->prot )
        return;
    out->kind = sro_prot_page(w->prot, mfn, &pp);
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
    {
        unsigned int ro = 0;

        for ( unsigned int b = q * SRO_GRAN; b < (q + 1) * SRO_GRAN; b++ )
            ro += sro_page_byte_ro(&pp, b);
        if ( ro )
            out->qro[q / 64] |= UINT64_C(1) << (q % 64);
        if ( ro && ro < SRO_GRAN )
            out->qpart[q / 64] |= UINT64_C(1) << (q % 64);
    }
}
