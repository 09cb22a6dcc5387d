/*
 * report.c - collect the report of one run (see report.h).
 *
 * Each part is one aggregate query; its rows are folded into the
 * per-vCPU and per-page arrays, which stay small (a host has a few
 * hundred vCPUs and protected pages at most).
 */
#include <stdlib.h>
#include <string.h>

#include "core/prot.h"
#include "util/xalloc.h"
#include "report.h"
#include "storeinfo.h"
#include "summary.h"

/* Outcome and verdict slots of a row: NULL becomes the "none" slot. */
static unsigned int out_slot(sqlite3_stmt *st, int col)
{
    int v;

    if ( sqlite3_column_type(st, col) == SQLITE_NULL )
        return REPORT_OUT_NONE;
    v = sqlite3_column_int(st, col);
    return v >= 0 && v < SRO_OUTCOME_COUNT ? (unsigned int)v
                                           : REPORT_OUT_NONE;
}

static unsigned int ver_slot(sqlite3_stmt *st, int col)
{
    int v;

    if ( sqlite3_column_type(st, col) == SQLITE_NULL )
        return REPORT_VER_NONE;
    v = sqlite3_column_int(st, col);
    return v >= 0 && v < SRO_VERDICT_COUNT ? (unsigned int)v
                                           : REPORT_VER_NONE;
}

bool report_is_wrong(unsigned int v)
{
    return v == SRO_V_WRONGLY_ACCEPTED || v == SRO_V_MISDIRECTED ||
           v == SRO_V_WRONGLY_DENIED || v == SRO_V_HARSH_DENY;
}

/* Fold one (outcome, verdict, count, min tsc, max tsc) row into c. */
static void fold(struct report_counts *c, unsigned int o, unsigned int v,
                 uint64_t n, uint64_t tmin, uint64_t tmax)
{
    if ( !c->faults || tmin < c->first_tsc )
        c->first_tsc = tmin;
    if ( !c->faults || tmax > c->last_tsc )
        c->last_tsc = tmax;
    c->faults += n;
    c->outcome[o] += n;
    c->verdict[v] += n;
    if ( report_is_wrong(v) )
        c->wrong += n;
}

/* The row of (dom, vcpu), appended if new. */
static struct report_vcpu *get_vcpu(struct report_run *r, unsigned int dom,
                                    unsigned int vcpu)
{
    struct report_vcpu *v;

    for ( unsigned int i = 0; i < r->nvcpus; i++ )
        if ( r->vcpus[i].domain == dom && r->vcpus[i].vcpu == vcpu )
            return &r->vcpus[i];
    r->vcpus = xrealloc(r->vcpus, (r->nvcpus + 1) * sizeof(*r->vcpus));
    v = &r->vcpus[r->nvcpus++];
    memset(v, 0, sizeof(*v));
    v->domain = (uint16_t)dom;
    v->vcpu = (uint16_t)vcpu;
    return v;
}

/* The row of page mfn, appended if new. */
static struct report_page *get_page(struct report_run *r, uint64_t mfn)
{
    struct report_page *p;

    for ( unsigned int i = r->npages; i-- > 0; )
        if ( r->pages[i].mfn == mfn )
            return &r->pages[i];
    r->pages = xrealloc(r->pages, (r->npages + 1) * sizeof(*r->pages));
    p = &r->pages[r->npages++];
    memset(p, 0, sizeof(*p));
    p->mfn = mfn;
    return p;
}

/* The run's summary (summary.h), 0 if it has none: the queries below
 * then ask the per-group tables. */
static int64_t summary_id;

/* Prepare sql with ?1 = run, ?2 = replay (0 if none), ?4 = summary. */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql,
                          const struct report_run *r, struct sro_db_err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    if ( rc != SQLITE_OK )
    {
        sro_db_fail(db, rc, "summarising a run", e);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, r->info.id);
    if ( sqlite3_bind_parameter_count(st) >= 2 )
        sqlite3_bind_int64(st, 2, r->info.replay);
    if ( sqlite3_bind_parameter_count(st) >= 4 )
        sqlite3_bind_int64(st, 4, summary_id);
    return st;
}

/* Finalize st after stepping ended with rc: 0 if it was SQLITE_DONE. */
static int done(sqlite3 *db, sqlite3_stmt *st, int rc, struct sro_db_err *e)
{
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sro_db_fail(db, rc, "summarising a run",
                                               e);
}

/* Counts per domain and vCPU (and the run totals), lost records. */
static int by_vcpu(sqlite3 *db, struct report_run *r, struct sro_db_err *e)
{
    sqlite3_stmt *st = prep(db, summary_id ?
        "SELECT domain, vcpu, max(hwdom), outcome, verdict, sum(faults), "
        "min(first_tsc), max(last_tsc) FROM sum_groups WHERE summary = ?4 "
        "GROUP BY 1, 2, 4, 5" :
        "SELECT g.domain, g.vcpu, max(g.hwdom), g.outcome, v.verdict, "
        "count(*), min(g.tsc), max(g.tsc) FROM fault_groups g "
        "LEFT JOIN verdicts v ON v.replay = ?2 AND v.grp = g.id "
        "WHERE g.run = ?1 GROUP BY 1, 2, 4, 5", r, e);
    int rc;

    if ( !st )
        return -1;
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        struct report_vcpu *v = get_vcpu(r, sqlite3_column_int(st, 0),
                                         sqlite3_column_int(st, 1));
        unsigned int o = out_slot(st, 3), ver = ver_slot(st, 4);
        uint64_t n = (uint64_t)sqlite3_column_int64(st, 5);
        uint64_t t0 = sro_db_column_u64(st, 6), t1 = sro_db_column_u64(st, 7);

        v->hwdom = v->hwdom || sqlite3_column_int(st, 2);
        fold(&v->c, o, ver, n, t0, t1);
        fold(&r->total, o, ver, n, t0, t1);
    }
    if ( done(db, st, rc, e) )
        return -1;

    st = prep(db, "SELECT domain, vcpu, sum(count), count(*) FROM lost_spans "
                  "WHERE run = ?1 GROUP BY 1, 2", r, e);
    if ( !st )
        return -1;
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        /* A loss with no domain recorded is filed under domain 0xffff. */
        struct report_vcpu *v = get_vcpu(r,
            sqlite3_column_type(st, 0) == SQLITE_NULL ? 0xffff
                                                      : sqlite3_column_int(st, 0),
            sqlite3_column_type(st, 1) == SQLITE_NULL ? 0xffff
                                                      : sqlite3_column_int(st, 1));

        v->lost_records += (uint64_t)sqlite3_column_int64(st, 2);
        v->lost_spans += (uint64_t)sqlite3_column_int64(st, 3);
    }
    return done(db, st, rc, e);
}

/* Counts per page, pieces written and dropped. */
static int by_page(sqlite3 *db, struct report_run *r, struct sro_db_err *e)
{
    sqlite3_stmt *st = prep(db, summary_id ?
        "SELECT mfn, outcome, verdict, sum(faults), min(first_tsc), "
        "max(last_tsc) FROM sum_groups WHERE summary = ?4 GROUP BY 1, 2, 3" :
        "SELECT g.mfn, g.outcome, v.verdict, count(*), min(g.tsc), "
        "max(g.tsc) FROM fault_groups g "
        "LEFT JOIN verdicts v ON v.replay = ?2 AND v.grp = g.id "
        "WHERE g.run = ?1 GROUP BY 1, 2, 3", r, e);
    int rc;

    if ( !st )
        return -1;
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
        fold(&get_page(r, sro_db_column_u64(st, 0))->c, out_slot(st, 1),
             ver_slot(st, 2), (uint64_t)sqlite3_column_int64(st, 3),
             sro_db_column_u64(st, 4), sro_db_column_u64(st, 5));
    if ( done(db, st, rc, e) )
        return -1;

    st = prep(db, summary_id ?
                  "SELECT mfn, sum(CASE WHEN result = 0 THEN pieces ELSE 0 "
                  "END), sum(CASE WHEN result <> 0 THEN pieces ELSE 0 END) "
                  "FROM sum_pieces WHERE summary = ?4 AND grouped <> 0 "
                  "GROUP BY 1" :
                  "SELECT mfn, sum(result = 0), sum(result <> 0) "
                  "FROM dev_writes WHERE run = ?1 AND grp IS NOT NULL "
                  "GROUP BY 1", r, e);
    if ( !st )
        return -1;
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        struct report_page *p = get_page(r, sro_db_column_u64(st, 0));

        p->written += (uint64_t)sqlite3_column_int64(st, 1);
        p->dropped += (uint64_t)sqlite3_column_int64(st, 2);
    }
    return done(db, st, rc, e);
}

/* Per-qword store counts and wrong marks, from (offset, width) rows. */
static int heat(sqlite3 *db, struct report_run *r,
                struct sro_insn_table *it, struct sro_db_err *e)
{
    sqlite3_stmt *st = prep(db, summary_id ?
        "SELECT mfn, page_offset, insn, store_size, first_len, sum(faults), "
        "  sum(CASE WHEN verdict IN (1, 2, 3, 4) THEN faults ELSE 0 END) "
        "FROM sum_groups WHERE summary = ?4 GROUP BY 1, 2, 3, 4, 5" :
        "SELECT g.mfn, g.page_offset, g.insn, coalesce(g.store_size, 0), "
        "  (SELECT w.length FROM dev_writes w WHERE w.grp = g.id "
        "   ORDER BY w.piece LIMIT 1), count(*), "
        "  sum(coalesce(v.verdict IN (1, 2, 3, 4), 0)) "
        "FROM fault_groups g "
        "LEFT JOIN verdicts v ON v.replay = ?2 AND v.grp = g.id "
        "WHERE g.run = ?1 GROUP BY 1, 2, 3, 4, 5", r, e);
    int rc;

    if ( !st )
        return -1;
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        struct report_page *p = get_page(r, sro_db_column_u64(st, 0));
        unsigned int off = (unsigned int)sqlite3_column_int(st, 1) & 0xfff;
        unsigned int w, last;
        uint64_t n = (uint64_t)sqlite3_column_int64(st, 5);
        bool wrong = sqlite3_column_int64(st, 6) > 0;

        if ( storeinfo_width(it, sqlite3_column_type(st, 2) == SQLITE_NULL
                                 ? 0 : sqlite3_column_int64(st, 2),
                             (unsigned int)sqlite3_column_int(st, 3),
                             (unsigned int)sqlite3_column_int(st, 4),
                             &w, e) )
        {
            sqlite3_finalize(st);
            return -1;
        }
        last = (off + (w ? w : 1) - 1) / SRO_GRAN;
        if ( last >= SRO_QWORDS )
            last = SRO_QWORDS - 1;
        for ( unsigned int q = off / SRO_GRAN; q <= last; q++ )
        {
            p->qstores[q] = p->qstores[q] + n > UINT32_MAX
                            ? UINT32_MAX : (uint32_t)(p->qstores[q] + n);
            if ( wrong )
                p->qwrong[q / 64] |= UINT64_C(1) << (q % 64);
        }
    }
    return done(db, st, rc, e);
}

/* The REPORT_MAX_INSNS instructions that faulted most, decoded, with
 * their REPORT_MAX_RIPS commonest RIPs. */
static int insns(sqlite3 *db, struct report_run *r,
                 struct sro_insn_table *it, struct sro_db_err *e)
{
    sqlite3_stmt *st = prep(db, summary_id ?
        "SELECT coalesce(insn, 0), sum(faults), "
        "  sum(CASE WHEN verdict IN (1, 2, 3, 4) THEN faults ELSE 0 END) "
        "FROM sum_groups WHERE summary = ?4 "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10" :
        "SELECT coalesce(g.insn, 0), count(*), "
        "  sum(coalesce(v.verdict IN (1, 2, 3, 4), 0)) "
        "FROM fault_groups g "
        "LEFT JOIN verdicts v ON v.replay = ?2 AND v.grp = g.id "
        "WHERE g.run = ?1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10", r, e);
    sqlite3_stmt *rips;
    int rc;

    if ( !st )
        return -1;
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW &&
            r->ninsns < REPORT_MAX_INSNS )
    {
        struct report_insn *in = &r->insns[r->ninsns++];

        memset(in, 0, sizeof(*in));
        in->id = sqlite3_column_int64(st, 0);
        in->faults = (uint64_t)sqlite3_column_int64(st, 1);
        in->wrong = (uint64_t)sqlite3_column_int64(st, 2);
        if ( storeinfo_text(it, in->id, in->text, sizeof(in->text), in->hex,
                            sizeof(in->hex), e) ||
             storeinfo_width(it, in->id, 0, 0, &in->width, e) )
        {
            sqlite3_finalize(st);
            return -1;
        }
    }
    if ( rc != SQLITE_ROW && done(db, st, rc, e) )
        return -1;
    if ( rc == SQLITE_ROW )
        sqlite3_finalize(st);

    rips = prep(db, summary_id ?
                    "SELECT rip, sum(faults) FROM sum_rips WHERE summary = ?4 "
                    "AND insn = ?3 AND rip IS NOT NULL "
                    "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3" :
                    "SELECT rip, count(*) FROM fault_groups WHERE run = ?1 "
                    "AND coalesce(insn, 0) = ?3 AND rip IS NOT NULL "
                    "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3", r, e);
    if ( !rips )
        return -1;
    for ( unsigned int i = 0; i < r->ninsns; i++ )
    {
        struct report_insn *in = &r->insns[i];

        sqlite3_bind_int64(rips, 3, in->id);
        while ( (rc = sqlite3_step(rips)) == SQLITE_ROW &&
                in->nrips < REPORT_MAX_RIPS )
        {
            in->rips[in->nrips].rip = sro_db_column_u64(rips, 0);
            in->rips[in->nrips++].faults =
                (uint64_t)sqlite3_column_int64(rips, 1);
        }
        if ( rc != SQLITE_ROW && rc != SQLITE_DONE )
            return done(db, rips, rc, e);
        sqlite3_reset(rips);
    }
    sqlite3_finalize(rips);
    return 0;
}

/* The first REPORT_MAX_WRONG wrong verdicts, with register names. */
static int wrongs(sqlite3 *db, struct report_run *r,
                  struct sro_insn_table *it, const struct devbind *b,
                  struct sro_db_err *e)
{
    sqlite3_stmt *st;
    char sql[1024];
    int rc;

    if ( !r->info.replay )
        return 0;
    /* With a summary, only its sample of wrong verdicts is looked at. */
    snprintf(sql, sizeof(sql),
        "SELECT g.id, g.tsc, g.domain, g.vcpu, g.mfn, g.page_offset, "
        "  coalesce(g.insn, 0), g.rip, g.outcome, v.verdict, "
        "  coalesce(g.store_size, 0), "
        "  (SELECT w.length FROM dev_writes w WHERE w.grp = g.id "
        "   ORDER BY w.piece LIMIT 1) "
        "FROM %s JOIN verdicts v ON v.replay = ?2 "
        "  AND v.grp = g.id "
        "WHERE g.run = ?1 AND v.verdict IN (1, 2, 3, 4) "
        "ORDER BY v.verdict, g.tsc, g.id LIMIT 50",
        summary_id ? "sum_wrong s CROSS JOIN fault_groups g "
                     "ON g.id = s.grp AND s.summary = ?4"
                   : "fault_groups g");
    st = prep(db, sql, r, e);
    if ( !st )
        return -1;
    r->wrong = xrealloc(NULL, REPORT_MAX_WRONG * sizeof(*r->wrong));
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW &&
            r->nwrong < REPORT_MAX_WRONG )
    {
        struct report_wrong *w = &r->wrong[r->nwrong++];

        memset(w, 0, sizeof(*w));
        w->grp = sqlite3_column_int64(st, 0);
        w->tsc = sro_db_column_u64(st, 1);
        w->domain = (uint16_t)sqlite3_column_int(st, 2);
        w->vcpu = (uint16_t)sqlite3_column_int(st, 3);
        w->mfn = sro_db_column_u64(st, 4);
        w->offset = (uint16_t)(sqlite3_column_int(st, 5) & 0xfff);
        w->has_rip = sqlite3_column_type(st, 7) != SQLITE_NULL;
        w->rip = sro_db_column_u64(st, 7);
        w->outcome = (uint8_t)out_slot(st, 8);
        w->verdict = (uint8_t)ver_slot(st, 9);
        if ( storeinfo_text(it, sqlite3_column_int64(st, 6), w->insn,
                            sizeof(w->insn), NULL, 0, e) ||
             storeinfo_width(it, sqlite3_column_int64(st, 6),
                             (unsigned int)sqlite3_column_int(st, 10),
                             (unsigned int)sqlite3_column_int(st, 11),
                             &w->width, e) )
        {
            sqlite3_finalize(st);
            return -1;
        }
        devbind_register(b, (w->mfn << SRO_PAGE_SHIFT) + w->offset,
                         w->width ? w->width : 1, w->reg, sizeof(w->reg),
                         NULL, NULL);
    }
    if ( rc == SQLITE_ROW )
    {
        sqlite3_finalize(st);
        return 0;
    }
    return done(db, st, rc, e);
}

static int cmp_vcpu(const void *a, const void *b)
{
    const struct report_vcpu *x = a, *y = b;

    if ( x->domain != y->domain )
        return x->domain < y->domain ? -1 : 1;
    return (x->vcpu > y->vcpu) - (x->vcpu < y->vcpu);
}

static int cmp_page(const void *a, const void *b)
{
    const struct report_page *x = a, *y = b;

    return (x->mfn > y->mfn) - (x->mfn < y->mfn);
}

/* Protection at the end of the run, device names; sub-page protected
 * pages nobody wrote join the list (their heat map shows the guard). */
static int pages_finish(sqlite3 *db, struct report_run *r,
                        const struct devbind *b, struct sro_db_err *e)
{
    struct sro_prot *prot = storeinfo_final_prot(db, r->info.id, e);
    struct sro_page_prot pp;
    uint64_t cursor = 0;

    if ( !prot )
        return -1;
    while ( sro_prot_next_page(prot, &cursor, &pp) )
        if ( pp.kind == SRO_PAGE_SUBPAGE || pp.kind == SRO_PAGE_ENTRY_ONLY )
            get_page(r, pp.mfn);
    for ( unsigned int i = 0; i < r->npages; i++ )
    {
        struct report_page *p = &r->pages[i];

        p->kind = sro_prot_page(prot, p->mfn, &pp);
        for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
            if ( p->kind != SRO_PAGE_UNKNOWN && sro_page_qword_ro(&pp, q) )
                p->qro[q / 64] |= UINT64_C(1) << (q % 64);
        devbind_label(devbind_device(b, p->mfn << SRO_PAGE_SHIFT),
                      p->device, sizeof(p->device));
    }
    sro_prot_free(prot);
    if ( r->npages )
        qsort(r->pages, r->npages, sizeof(*r->pages), cmp_page);
    if ( r->nvcpus )
        qsort(r->vcpus, r->nvcpus, sizeof(*r->vcpus), cmp_vcpu);
    return 0;
}

int report_build(sqlite3 *db, int64_t id, const struct devbind *b,
                 struct report_run *out, struct sro_db_err *e)
{
    struct sro_insn_table *it;
    int rc;

    memset(out, 0, sizeof(*out));
    if ( runinfo_load(db, id, &out->info, e) )
        return -1;
    if ( summary_get(db, id, out->info.replay, false, &summary_id, e) )
    {
        report_free(out);
        return -1;
    }
    it = sro_insn_table_new(db, e);
    if ( !it )
    {
        report_free(out);
        return -1;
    }
    rc = by_vcpu(db, out, e) || by_page(db, out, e) ||
         heat(db, out, it, e) || insns(db, out, it, e) ||
         wrongs(db, out, it, b, e) || pages_finish(db, out, b, e);
    sro_insn_table_free(it);
    if ( rc )
    {
        report_free(out);
        return -1;
    }
    return 0;
}

void report_free(struct report_run *r)
{
    runinfo_free(&r->info);
    free(r->vcpus);
    free(r->pages);
    free(r->wrong);
    memset(r, 0, sizeof(*r));
}

void report_columns(const struct report_run *r, bool ver[REPORT_NVER],
                    bool out[REPORT_NOUT])
{
    for ( unsigned int i = 0; i < REPORT_NVER; i++ )
        ver[i] = r->info.replay && r->total.verdict[i];
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
        out[i] = r->total.outcome[i] > 0;
}

const char *report_verdict_abbrev(unsigned int slot)
{
    static const char *const a[REPORT_NVER] = {
        "ok", "acc", "mis", "den", "harsh", "undec", "-",
    };

    return slot < REPORT_NVER ? a[slot] : "?";
}

const char *report_outcome_abbrev(unsigned int slot)
{
    static const char *const a[REPORT_NOUT] = {
        "ret", "retry", "#PF", "#GP", "exc", "crash", "n/h", "open",
    };

    return slot < REPORT_NOUT ? a[slot] : "?";
}

const char *report_verdict_name(unsigned int slot)
{
    return slot < SRO_VERDICT_COUNT ? sro_verdict_name(slot) : "NONE";
}

const char *report_outcome_name(unsigned int slot)
{
    return slot < SRO_OUTCOME_COUNT ? sro_outcome_name(slot) : "NONE";
}
