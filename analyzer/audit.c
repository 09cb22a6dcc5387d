/*
 * audit.c - collect the audit of one run (see audit.h).
 *
 * The database does the counting: one aggregate query over the run's
 * groups gives, per (page, offset, instruction, Xen's store size, first
 * piece length), how many stores there were and how many had a piece
 * written at, or away from, the offset they addressed. The width of a
 * store is then taken from its decoded instruction (the replayer's
 * instruction table decodes each distinct instruction once), else from
 * the store size Xen decoded, else from its first piece, and rows that
 * end up with the same (page, offset, width) are merged.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "util/xalloc.h"
#include "core/prot.h"
#include "replayer/insn-table.h"
#include "storeinfo.h"
#include "summary.h"

static const char groups_sql[] =
    "SELECT g.mfn, g.page_offset, g.insn, coalesce(g.store_size, 0), "
    "  (SELECT w.length FROM dev_writes w WHERE w.grp = g.id "
    "   ORDER BY w.piece LIMIT 1), "
    "  count(*), "
    "  sum(EXISTS (SELECT 1 FROM dev_writes w WHERE w.grp = g.id "
    "              AND w.result = 0 AND w.dev_offset = w.offset)), "
    "  sum(EXISTS (SELECT 1 FROM dev_writes w WHERE w.grp = g.id "
    "              AND w.result = 0 AND w.dev_offset <> w.offset)) "
    "FROM fault_groups g WHERE g.run = ?1 "
    "GROUP BY 1, 2, 3, 4, 5";

/* The same three from a summary (summary.h), ?2 its id. */
static const char sum_groups_sql[] =
    "SELECT mfn, page_offset, insn, store_size, first_len, sum(faults), "
    "  sum(reached), sum(misdirected) "
    "FROM sum_groups WHERE summary = ?2 GROUP BY 1, 2, 3, 4, 5";
static const char sum_written_sql[] =
    "SELECT g_mfn, g_page_offset, g_insn, g_store_size, g_first_len, "
    "  mfn, dev_offset, length, sum(pieces) "
    "FROM sum_pieces WHERE summary = ?2 AND grouped = 1 AND result = 0 "
    "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8";
static const char sum_orphans_sql[] =
    "SELECT mfn, dev_offset, length, sum(pieces) FROM sum_pieces "
    "WHERE summary = ?2 AND grouped = 0 AND result = 0 GROUP BY 1, 2, 3";

/* The run's summary, 0 if none (then the per-group tables are asked). */
static int64_t summary_id;

/* WRITTEN pieces by the row their store belongs to and where they
 * landed; orphan pieces (no group) by where they landed. */
static const char written_sql[] =
    "SELECT g.mfn, g.page_offset, g.insn, coalesce(g.store_size, 0), "
    "  (SELECT x.length FROM dev_writes x WHERE x.grp = g.id "
    "   ORDER BY x.piece LIMIT 1), "
    "  w.mfn, w.dev_offset, w.length, count(*) "
    "FROM dev_writes w JOIN fault_groups g ON g.id = w.grp "
    "WHERE g.run = ?1 AND w.result = 0 "
    "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8";

static const char orphans_sql[] =
    "SELECT mfn, dev_offset, length, count(*) FROM dev_writes "
    "WHERE run = ?1 AND grp IS NULL AND result = 0 GROUP BY 1, 2, 3";

/* A touch before it is placed on its page. */
struct flat {
    uint64_t           mfn;
    struct audit_touch t;
};

static int cmp_flat(const void *a, const void *b)
{
    const struct flat *x = a, *y = b;

    if ( x->mfn != y->mfn )
        return x->mfn < y->mfn ? -1 : 1;
    if ( x->t.offset != y->t.offset )
        return x->t.offset < y->t.offset ? -1 : 1;
    return (x->t.length > y->t.length) - (x->t.length < y->t.length);
}

static int cmp_page(const void *a, const void *b)
{
    const struct audit_page *x = a, *y = b;

    return (x->mfn > y->mfn) - (x->mfn < y->mfn);
}

/* The page mfn among the first n (sorted) pages of a, or NULL. */
static struct audit_page *find_page(struct audit *a, unsigned int n,
                                    uint64_t mfn)
{
    size_t lo = 0, hi = n;

    while ( lo < hi )
    {
        size_t mid = lo + (hi - lo) / 2;

        if ( a->pages[mid].mfn == mfn )
            return &a->pages[mid];
        if ( a->pages[mid].mfn < mfn )
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Append an empty page to a (the caller keeps the order). */
static struct audit_page *add_page(struct audit *a, uint64_t mfn)
{
    struct audit_page *p;

    if ( a->n == a->cap )
    {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->pages = xrealloc(a->pages, a->cap * sizeof(*a->pages));
    }
    p = &a->pages[a->n++];
    memset(p, 0, sizeof(*p));
    p->mfn = mfn;
    return p;
}

/* Read the groups into a sorted, merged flat array. */
static int read_touches(sqlite3 *db, int64_t run, struct flat **out,
                        unsigned int *nout, uint64_t *unknown_width,
                        struct sro_db_err *e)
{
    struct sro_insn_table *it = sro_insn_table_new(db, e);
    sqlite3_stmt *st = NULL;
    struct flat *f = NULL;
    unsigned int n = 0, cap = 0, m = 0;
    int rc, err = 0;

    if ( !it )
        return -1;
    rc = sqlite3_prepare_v2(db, summary_id ? sum_groups_sql : groups_sql, -1,
                            &st, NULL);
    if ( rc != SQLITE_OK )
    {
        sro_insn_table_free(it);
        return sro_db_fail(db, rc, "counting stores", e);
    }
    sqlite3_bind_int64(st, 1, run);
    if ( summary_id )
        sqlite3_bind_int64(st, 2, summary_id);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        struct flat *x;
        unsigned int w;

        if ( storeinfo_width(it, sqlite3_column_type(st, 2) == SQLITE_NULL
                                 ? 0 : sqlite3_column_int64(st, 2),
                             (unsigned int)sqlite3_column_int(st, 3),
                             (unsigned int)sqlite3_column_int(st, 4),
                             &w, e) )
        {
            err = 1;
            break;
        }
        if ( n == cap )
        {
            cap = cap ? cap * 2 : 64;
            f = xrealloc(f, cap * sizeof(*f));
        }
        x = &f[n++];
        memset(x, 0, sizeof(*x));
        x->mfn = sro_db_column_u64(st, 0);
        x->t.offset = (uint16_t)(sqlite3_column_int(st, 1) & 0xfff);
        x->t.length = (uint16_t)(w > 4096 ? 4096 : w);
        x->t.stores = (uint64_t)sqlite3_column_int64(st, 5);
        x->t.reached = (uint64_t)sqlite3_column_int64(st, 6);
        x->t.misdirected = (uint64_t)sqlite3_column_int64(st, 7);
        if ( !w )
            *unknown_width += x->t.stores;
    }
    sqlite3_finalize(st);
    sro_insn_table_free(it);
    if ( err || rc != SQLITE_DONE )
    {
        free(f);
        return err ? -1 : sro_db_fail(db, rc, "counting stores", e);
    }
    if ( n )
        qsort(f, n, sizeof(*f), cmp_flat);
    for ( unsigned int i = 0; i < n; i++ )
    {
        if ( m && f[m - 1].mfn == f[i].mfn &&
             f[m - 1].t.offset == f[i].t.offset &&
             f[m - 1].t.length == f[i].t.length )
        {
            f[m - 1].t.stores += f[i].t.stores;
            f[m - 1].t.reached += f[i].t.reached;
            f[m - 1].t.misdirected += f[i].t.misdirected;
            continue;
        }
        f[m++] = f[i];
    }
    *out = f;
    *nout = m;
    return 0;
}

/* Protection and names of one page's touches, and its untouched bytes. */
static void finish_page(struct audit_page *p, const struct sro_prot *prot,
                        const struct devbind *b)
{
    struct sro_page_prot pp;
    uint8_t touched[SRO_PAGE_SIZE] = { 0 };
    uint64_t base = p->mfn << SRO_PAGE_SHIFT;

    p->kind = sro_prot_page(prot, p->mfn, &pp);
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
        p->ro_qwords += p->kind != SRO_PAGE_UNKNOWN &&
                        sro_page_qword_ro(&pp, q);
    devbind_label(devbind_device(b, base), p->device, sizeof(p->device));
    for ( unsigned int i = 0; i < p->ntouch; i++ )
    {
        struct audit_touch *t = &p->touch[i];
        unsigned int len = t->length ? t->length : 1;
        unsigned int ro = 0, end = t->offset + len;

        if ( end > SRO_PAGE_SIZE )
            end = SRO_PAGE_SIZE;
        for ( unsigned int o = t->offset; o < end; o++ )
        {
            ro += sro_page_byte_ro(&pp, o);
            touched[o] = 1;
        }
        t->ro_bytes = (uint16_t)ro;
        if ( p->kind == SRO_PAGE_UNKNOWN )
            t->ro = AUDIT_RO_UNKNOWN;
        else
            t->ro = ro == 0 ? AUDIT_RO_NO : ro == end - t->offset
                  ? AUDIT_RO_YES : AUDIT_RO_PARTIAL;
        devbind_register(b, base + t->offset, len, t->reg, sizeof(t->reg),
                         &t->mapped, NULL);
    }
    if ( p->kind == SRO_PAGE_UNKNOWN )
        return;
    for ( unsigned int o = 0; o < SRO_PAGE_SIZE; )
    {
        unsigned int s = o;
        struct audit_range *r;

        if ( !sro_page_byte_ro(&pp, o) || touched[o] )
        {
            o++;
            continue;
        }
        while ( o < SRO_PAGE_SIZE && sro_page_byte_ro(&pp, o) && !touched[o] )
            o++;
        p->untouched = xrealloc(p->untouched,
                                (p->nuntouched + 1) * sizeof(*r));
        r = &p->untouched[p->nuntouched++];
        r->offset = (uint16_t)s;
        r->length = (uint16_t)(o - s);
        devbind_register(b, base + s, o - s, r->reg, sizeof(r->reg), NULL,
                         NULL);
    }
}

/* Does a write of len bytes at off of page mfn hit read-only bytes? */
static bool hits_ro(const struct sro_prot *prot, uint64_t mfn,
                    unsigned int off, unsigned int len)
{
    for ( unsigned int o = off; o < off + len && o < SRO_PAGE_SIZE; o++ )
        if ( sro_prot_byte_ro(prot, mfn, o) )
            return true;
    return false;
}

/* The touch of p at (off, len), or NULL. */
static struct audit_touch *find_touch(struct audit_page *p, unsigned int off,
                                      unsigned int len)
{
    for ( unsigned int i = 0; i < p->ntouch; i++ )
        if ( p->touch[i].offset == off && p->touch[i].length == len )
            return &p->touch[i];
    return NULL;
}

/* Count the WRITTEN pieces that put bytes on read-only ones. */
static int count_ro_written(sqlite3 *db, int64_t run, struct audit *a,
                            const struct sro_prot *prot,
                            struct sro_db_err *e)
{
    struct sro_insn_table *it = sro_insn_table_new(db, e);
    sqlite3_stmt *st;
    int rc;

    if ( !it )
        return -1;
    rc = sqlite3_prepare_v2(db, summary_id ? sum_written_sql : written_sql,
                            -1, &st, NULL);
    if ( rc != SQLITE_OK )
    {
        sro_insn_table_free(it);
        return sro_db_fail(db, rc, "counting written pieces", e);
    }
    sqlite3_bind_int64(st, 1, run);
    if ( summary_id )
        sqlite3_bind_int64(st, 2, summary_id);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        uint64_t mfn = sro_db_column_u64(st, 5);
        unsigned int off = (unsigned int)sqlite3_column_int(st, 6) & 0xfff;
        uint64_t n = (uint64_t)sqlite3_column_int64(st, 8);
        struct audit_page *p;
        struct audit_touch *t;
        unsigned int w;

        if ( !hits_ro(prot, mfn, off, (unsigned int)sqlite3_column_int(st, 7)) )
            continue;
        if ( storeinfo_width(it, sqlite3_column_type(st, 2) == SQLITE_NULL
                                 ? 0 : sqlite3_column_int64(st, 2),
                             (unsigned int)sqlite3_column_int(st, 3),
                             (unsigned int)sqlite3_column_int(st, 4),
                             &w, e) )
        {
            rc = SQLITE_ERROR;
            break;
        }
        p = find_page(a, a->n, mfn);
        if ( p )
            p->ro_written += n;
        p = find_page(a, a->n, sro_db_column_u64(st, 0));
        t = p ? find_touch(p, (unsigned int)sqlite3_column_int(st, 1) & 0xfff,
                           w > 4096 ? 4096 : w) : NULL;
        if ( t )
            t->ro_written += n;
    }
    sqlite3_finalize(st);
    sro_insn_table_free(it);
    if ( rc != SQLITE_DONE )
        return rc == SQLITE_ERROR ? -1
                                  : sro_db_fail(db, rc, "counting written "
                                                "pieces", e);

    rc = sqlite3_prepare_v2(db, summary_id ? sum_orphans_sql : orphans_sql,
                            -1, &st, NULL);
    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, "counting orphan writes", e);
    sqlite3_bind_int64(st, 1, run);
    if ( summary_id )
        sqlite3_bind_int64(st, 2, summary_id);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        uint64_t mfn = sro_db_column_u64(st, 0);
        struct audit_page *p = find_page(a, a->n, mfn);

        if ( p && hits_ro(prot, mfn,
                          (unsigned int)sqlite3_column_int(st, 1) & 0xfff,
                          (unsigned int)sqlite3_column_int(st, 2)) )
            p->ro_written += (uint64_t)sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0
                             : sro_db_fail(db, rc, "counting orphan writes",
                                           e);
}

int audit_build(sqlite3 *db, const struct runinfo *r,
                const struct devbind *b, struct audit *out,
                struct sro_db_err *e)
{
    struct sro_prot *prot;
    struct sro_page_prot pp;
    struct flat *f = NULL;
    unsigned int nf = 0;
    uint64_t cursor = 0;
    unsigned int nfault;

    memset(out, 0, sizeof(*out));
    if ( summary_get(db, r->id, 0, true, &summary_id, e) )
        return -1;
    prot = storeinfo_final_prot(db, r->id, e);
    if ( !prot )
        return -1;

    if ( read_touches(db, r->id, &f, &nf, &out->unknown_width, e) )
    {
        sro_prot_free(prot);
        return -1;
    }
    for ( unsigned int i = 0; i < nf; i++ )
    {
        struct audit_page *p;

        if ( !out->n || out->pages[out->n - 1].mfn != f[i].mfn )
            add_page(out, f[i].mfn);
        p = &out->pages[out->n - 1];
        if ( p->ntouch == p->captouch )
        {
            p->captouch = p->captouch ? p->captouch * 2 : 8;
            p->touch = xrealloc(p->touch, p->captouch * sizeof(*p->touch));
        }
        p->touch[p->ntouch++] = f[i].t;
    }
    free(f);

    /* Sub-page protected pages nobody wrote are audited too; whole
     * read-only pages nobody wrote are only counted. */
    nfault = out->n;
    while ( sro_prot_next_page(prot, &cursor, &pp) )
    {
        if ( find_page(out, nfault, pp.mfn) )
            continue;
        if ( pp.kind == SRO_PAGE_RO_WHOLE )
            out->untouched_whole++;
        else if ( pp.kind != SRO_PAGE_UNKNOWN )
            add_page(out, pp.mfn);
    }
    if ( out->n )
        qsort(out->pages, out->n, sizeof(*out->pages), cmp_page);
    for ( unsigned int i = 0; i < out->n; i++ )
        finish_page(&out->pages[i], prot, b);
    if ( count_ro_written(db, r->id, out, prot, e) )
    {
        sro_prot_free(prot);
        audit_free(out);
        return -1;
    }
    sro_prot_free(prot);
    return 0;
}

void audit_free(struct audit *a)
{
    for ( unsigned int i = 0; i < a->n; i++ )
    {
        free(a->pages[i].touch);
        free(a->pages[i].untouched);
    }
    free(a->pages);
    memset(a, 0, sizeof(*a));
}

bool audit_ro_reached(const struct audit *a)
{
    for ( unsigned int i = 0; i < a->n; i++ )
        if ( a->pages[i].ro_written )
            return true;
    return false;
}

const char *audit_ro_name(unsigned int ro)
{
    static const char *const names[] = { "no", "partial", "yes", "unknown" };

    return ro < 4 ? names[ro] : "?";
}
