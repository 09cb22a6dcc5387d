/*
 * config.c - the protection configuration of a synthesized host.
 *
 * Boot: each `protect` line is one subpage_mmio_ro_add() call, applied to
 * core/prot.c (which follows Xen's function, return codes included) and
 * traced as SRO_RANGE_ADD with that return code and the flags Xen's
 * function computes (which end pages got a sub-page entry). The `ro-pages`
 * lines are whole pages other code adds to mmio_ro_ranges (MSI-X tables,
 * a device Xen hides). Then mmio_ro_ranges is traced as SRO_RO_PAGES runs.
 *
 * A capture that starts after boot has none of that; instead a debug key
 * dumps every sub-page entry (SRO_RANGE_STATE, four quarters each) and
 * mmio_ro_ranges again (--late-config).
 *
 * Configuration records are never lost: the engine writes them directly.
 */
#include <stdio.h>

#include "engine-int.h"

int synth_config_build(struct synth_engine *e)
{
    const struct sro_scenario *s = e->scn;

    for ( unsigned int i = 0; i < s->nprotects; i++ )
        e->add_rc[i] = sro_prot_add(e->prot, s->protects[i].start,
                                    s->protects[i].size);
    for ( unsigned int i = 0; i < s->nro_pages; i++ )
        if ( sro_prot_add_ro_pages(e->prot, s->ro_pages[i].first,
                                   s->ro_pages[i].last) )
            return synth_fail(e, "%s:%u: cannot add ro-pages 0x%llx..0x%llx",
                              s->file, s->ro_pages[i].line,
                              (unsigned long long)s->ro_pages[i].first,
                              (unsigned long long)s->ro_pages[i].last);
    return 0;
}

/* SRO_RANGE_ADD w4 for a call that returned rc: which end pages got a
 * sub-page entry (subpage_start/subpage_end of subpage_mmio_ro_add()),
 * and the granularity. */
static uint32_t add_flags(uint64_t start, uint64_t size, int rc)
{
    uint32_t flags = SRO_GRAN << 8;
    uint64_t end = start + size - 1;
    bool first, last;

    if ( rc != 0 || size == 0 )
        return flags;
    if ( start >> SRO_PAGE_SHIFT == end >> SRO_PAGE_SHIFT )
    {
        first = (start & (SRO_PAGE_SIZE - 1)) ||
                (end & (SRO_PAGE_SIZE - 1)) != SRO_PAGE_SIZE - 1;
        last = false;
    }
    else
    {
        first = start & (SRO_PAGE_SIZE - 1);
        last = (end & (SRO_PAGE_SIZE - 1)) != SRO_PAGE_SIZE - 1;
    }
    return flags | (first ? SRO_ADD_FIRST_SUBPAGE : 0) |
           (last ? SRO_ADD_LAST_SUBPAGE : 0);
}

/* mmio_ro_ranges as SRO_RO_PAGES runs on cpu c. */
static int ro_page_runs(struct synth_engine *e, unsigned int c, uint64_t tsc)
{
    struct sro_page_prot pp;
    uint64_t cursor = 0, first = 0, last = 0;
    bool have = false;

    while ( sro_prot_next_page(e->prot, &cursor, &pp) )
    {
        if ( pp.kind != SRO_PAGE_RO_WHOLE && pp.kind != SRO_PAGE_SUBPAGE )
            continue;
        if ( have && pp.mfn == last + 1 )
        {
            last = pp.mfn;
            continue;
        }
        if ( have )
        {
            if ( sro_write_ro_pages(e->w, c, tsc, first, last) )
                return -1;
            sro_mirror_config(e->mirror);
        }
        first = last = pp.mfn;
        have = true;
    }
    if ( have )
    {
        if ( sro_write_ro_pages(e->w, c, tsc, first, last) )
            return -1;
        sro_mirror_config(e->mirror);
    }
    return 0;
}

int synth_config_boot(struct synth_engine *e)
{
    const struct sro_scenario *s = e->scn;
    uint64_t tsc = e->cpu[0].tsc_base + e->now;

    for ( unsigned int i = 0; i < s->nprotects; i++ )
    {
        const struct sro_scn_protect *p = &s->protects[i];

        if ( sro_write_range_add(e->w, 0, tsc, p->start, (uint32_t)p->size,
                                 e->add_rc[i],
                                 add_flags(p->start, p->size, e->add_rc[i])) )
            return -1;
        sro_mirror_config(e->mirror);
        tsc += 1200;                /* a few microseconds of boot apart */
    }
    if ( ro_page_runs(e, 0, tsc) )
        return -1;
    e->cpu[0].now = tsc;
    return sro_writer_flush_cpu(e->w, 0, false);
}

int synth_config_snapshot(struct synth_engine *e)
{
    const struct sro_scenario *s = e->scn;
    unsigned int c = (unsigned int)sro_rng_below(&e->rng_layout,
                                                 e->o->cpus);
    struct sro_page_prot pp;
    uint64_t cursor = 0, tsc;

    if ( synth_flush_all(e) )
        return -1;
    tsc = e->now + e->cpu[c].tsc_base;
    if ( tsc <= e->cpu[c].now )
        tsc = e->cpu[c].now + 1;
    while ( sro_prot_next_page(e->prot, &cursor, &pp) )
    {
        bool mapped = false;

        if ( pp.kind != SRO_PAGE_SUBPAGE )
            continue;
        for ( unsigned int i = 0; i < s->npages; i++ )
            if ( s->pages[i].mfn == pp.mfn && e->mapped[i] )
                mapped = true;
        for ( unsigned int q = 0; q < 4; q++ )
        {
            uint32_t bits[4] = {
                (uint32_t)pp.ro_qwords[2 * q],
                (uint32_t)(pp.ro_qwords[2 * q] >> 32),
                (uint32_t)pp.ro_qwords[2 * q + 1],
                (uint32_t)(pp.ro_qwords[2 * q + 1] >> 32),
            };

            if ( sro_write_range_state(e->w, c, tsc, pp.mfn, q, mapped,
                                       bits) )
                return -1;
            sro_mirror_config(e->mirror);
        }
    }
    if ( ro_page_runs(e, c, tsc) )
        return -1;
    e->cpu[c].now = tsc;
    return sro_writer_flush_cpu(e->w, c, false);
}
