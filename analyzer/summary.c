/*
 * summary.c - make and find per-run summaries (see summary.h).
 *
 * Each group is counted into small in-memory hash tables (few distinct
 * keys: a capture has tens of instructions and pages), written to the
 * sum_* tables in one transaction. The groups come from the recorder's
 * sink, from the replay's callback, or from the database pass: the run's
 * groups in id order (a rowid scan), its pieces in (grp, piece) order and
 * the replay's verdicts in grp order, merged on the group id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replayer/replay.h"
#include "util/xalloc.h"
#include "summary.h"

#define NK 10                   /* key columns at most */

struct ent {
    int64_t  k[NK];
    uint32_t nulls;             /* bit i: key column i is NULL */
    bool     used;
    int64_t  v[6];
};

/* An open-addressing table of keys with NK columns at most. */
struct agg {
    struct ent *e;
    size_t      cap, n;
};

struct key {
    int64_t  k[NK];
    uint32_t nulls;
};

/* FNV-style hash of every column and the NULL mask. */
static uint64_t hash_key(const struct key *k)
{
    uint64_t h = 1469598103934665603ull ^ k->nulls;

    for ( unsigned int i = 0; i < NK; i++ )
    {
        h ^= (uint64_t)k->k[i];
        h *= 1099511628211ull;
        h ^= h >> 29;
    }
    return h;
}

/* The entry of k in a, added (values zero, used false) if new. */
static struct ent *agg_get(struct agg *a, const struct key *k)
{
    size_t i;

    if ( (a->n + 1) * 2 > a->cap )
    {
        struct agg b = { .cap = a->cap ? a->cap * 2 : 256 };

        b.e = xcalloc(b.cap, sizeof(*b.e));
        for ( size_t j = 0; j < a->cap; j++ )
            if ( a->e[j].used )
            {
                struct key t;

                memcpy(t.k, a->e[j].k, sizeof(t.k));
                t.nulls = a->e[j].nulls;
                i = hash_key(&t) & (b.cap - 1);
                while ( b.e[i].used )
                    i = (i + 1) & (b.cap - 1);
                b.e[i] = a->e[j];
            }
        free(a->e);
        a->e = b.e;
        a->cap = b.cap;
    }
    i = hash_key(k) & (a->cap - 1);
    while ( a->e[i].used )
    {
        if ( a->e[i].nulls == k->nulls &&
             !memcmp(a->e[i].k, k->k, sizeof(k->k)) )
            return &a->e[i];
        i = (i + 1) & (a->cap - 1);
    }
    memset(&a->e[i], 0, sizeof(a->e[i]));
    memcpy(a->e[i].k, k->k, sizeof(k->k));
    a->e[i].nulls = k->nulls;
    a->e[i].used = true;
    a->n++;
    return &a->e[i];
}

/* Column col of st into key column i (NULL marked). */
static void kcol(struct key *k, unsigned int i, sqlite3_stmt *st, int col)
{
    if ( sqlite3_column_type(st, col) == SQLITE_NULL )
    {
        k->k[i] = 0;
        k->nulls |= 1u << i;
    }
    else
        k->k[i] = sqlite3_column_int64(st, col);
}

/* Bind key column i of e to parameter p. */
static void kbind(sqlite3_stmt *st, int p, const struct ent *e, unsigned int i)
{
    if ( e->nulls & (1u << i) )
        sqlite3_bind_null(st, p);
    else
        sqlite3_bind_int64(st, p, e->k[i]);
}

/* A wrong verdict's sample: the first SUMMARY_MAX_WRONG by (tsc, id). */
struct sample {
    int64_t      tsc[SUMMARY_MAX_WRONG], id[SUMMARY_MAX_WRONG];
    unsigned int n;
};

static void sample_add(struct sample *s, int64_t tsc, int64_t id)
{
    unsigned int i;

    if ( s->n == SUMMARY_MAX_WRONG &&
         (tsc > s->tsc[s->n - 1] ||
          (tsc == s->tsc[s->n - 1] && id > s->id[s->n - 1])) )
        return;
    if ( s->n < SUMMARY_MAX_WRONG )
        s->n++;
    for ( i = s->n - 1; i > 0 && (s->tsc[i - 1] > tsc ||
                                  (s->tsc[i - 1] == tsc &&
                                   s->id[i - 1] > id)); i-- )
    {
        s->tsc[i] = s->tsc[i - 1];
        s->id[i] = s->id[i - 1];
    }
    s->tsc[i] = tsc;
    s->id[i] = id;
}

struct pass {
    struct agg    groups, pieces, rips;
    struct sample wrong[5];
};

/* Count one piece: grouped 0/1/2, g the group's row (grouped 1 only). */
static void add_piece(struct pass *p, sqlite3_stmt *w, int grouped,
                      const struct key *g)
{
    struct key k = { .nulls = 0 };
    struct ent *e;

    if ( grouped == 1 )
    {
        memcpy(k.k, g->k, 5 * sizeof(k.k[0]));
        k.nulls = g->nulls & 0x1fu;
    }
    else
        k.nulls = 0x1fu;
    kcol(&k, 5, w, 5);          /* mfn */
    kcol(&k, 6, w, 4);          /* dev_offset */
    kcol(&k, 7, w, 1);          /* length */
    kcol(&k, 8, w, 2);          /* result */
    k.k[9] = grouped;
    e = agg_get(&p->pieces, &k);
    e->v[0]++;
}

static const char groups_sql[] =
    "SELECT id, domain, vcpu, hwdom, mfn, page_offset, insn, "
    "  coalesce(store_size, 0), outcome, tsc, rip "
    "FROM fault_groups WHERE +run = ?1 ORDER BY id";
static const char writes_sql[] =
    "SELECT grp, length, result, offset, dev_offset, mfn FROM dev_writes "
    "WHERE run = ?1 ORDER BY grp, piece";
static const char verdicts_sql[] =
    "SELECT grp, verdict FROM verdicts WHERE replay = ?1 ORDER BY grp";

/* The pass over run (verdicts of replay, if not 0) into p. */
static int count_run(sqlite3 *db, int64_t run, int64_t replay,
                     struct pass *p, struct sro_db_err *e)
{
    sqlite3_stmt *g = sro_db_prepare(db, groups_sql, e);
    sqlite3_stmt *w = g ? sro_db_prepare(db, writes_sql, e) : NULL;
    sqlite3_stmt *v = w ? sro_db_prepare(db, verdicts_sql, e) : NULL;
    int grc, wrc, vrc = SQLITE_DONE, ret = -1;

    if ( !v )
        goto out;
    sqlite3_bind_int64(g, 1, run);
    sqlite3_bind_int64(w, 1, run);
    sqlite3_bind_int64(v, 1, replay);
    wrc = sqlite3_step(w);
    if ( replay )
        vrc = sqlite3_step(v);
    /* Orphans (grp NULL) sort first. */
    while ( wrc == SQLITE_ROW && sqlite3_column_type(w, 0) == SQLITE_NULL )
    {
        add_piece(p, w, 0, NULL);
        wrc = sqlite3_step(w);
    }
    while ( (grc = sqlite3_step(g)) == SQLITE_ROW )
    {
        int64_t id = sqlite3_column_int64(g, 0);
        int64_t tsc = sqlite3_column_int64(g, 9);
        struct key gk = { .nulls = 0 }, k = { .nulls = 0 };
        bool first = true, reached = false, mis = false;
        struct ent *en;

        kcol(&gk, 0, g, 4);     /* mfn */
        kcol(&gk, 1, g, 5);     /* page_offset */
        kcol(&gk, 2, g, 6);     /* insn */
        kcol(&gk, 3, g, 7);     /* store_size */
        gk.k[4] = 0;
        gk.nulls |= 1u << 4;    /* first_len: none yet */
        while ( wrc == SQLITE_ROW && sqlite3_column_int64(w, 0) < id )
        {
            add_piece(p, w, 2, NULL);
            wrc = sqlite3_step(w);
        }
        while ( wrc == SQLITE_ROW && sqlite3_column_int64(w, 0) == id )
        {
            if ( first )
            {
                kcol(&gk, 4, w, 1);
                gk.nulls &= ~(1u << 4);
                if ( sqlite3_column_type(w, 1) == SQLITE_NULL )
                    gk.nulls |= 1u << 4;
                first = false;
            }
            if ( sqlite3_column_type(w, 2) != SQLITE_NULL &&
                 sqlite3_column_int64(w, 2) == 0 &&
                 sqlite3_column_type(w, 3) != SQLITE_NULL &&
                 sqlite3_column_type(w, 4) != SQLITE_NULL )
            {
                if ( sqlite3_column_int64(w, 3) == sqlite3_column_int64(w, 4) )
                    reached = true;
                else
                    mis = true;
            }
            add_piece(p, w, 1, &gk);
            wrc = sqlite3_step(w);
        }
        while ( vrc == SQLITE_ROW && sqlite3_column_int64(v, 0) < id )
            vrc = sqlite3_step(v);

        kcol(&k, 0, g, 1);      /* domain */
        kcol(&k, 1, g, 2);      /* vcpu */
        memcpy(&k.k[2], gk.k, 5 * sizeof(k.k[0]));
        k.nulls |= (gk.nulls & 0x1fu) << 2;
        kcol(&k, 7, g, 8);      /* outcome */
        if ( vrc == SQLITE_ROW && sqlite3_column_int64(v, 0) == id )
        {
            kcol(&k, 8, v, 1);
            if ( !(k.nulls & (1u << 8)) && k.k[8] >= 1 && k.k[8] <= 4 )
                sample_add(&p->wrong[k.k[8]], tsc, id);
        }
        else
        {
            k.k[8] = 0;
            k.nulls |= 1u << 8;
        }
        en = agg_get(&p->groups, &k);
        if ( !en->v[1] || sqlite3_column_int64(g, 3) > en->v[0] )
            en->v[0] = sqlite3_column_int64(g, 3);
        if ( !en->v[1] || tsc < en->v[4] )
            en->v[4] = tsc;
        if ( !en->v[1] || tsc > en->v[5] )
            en->v[5] = tsc;
        en->v[1]++;
        en->v[2] += reached;
        en->v[3] += mis;

        memset(&k, 0, sizeof(k));
        k.k[0] = gk.nulls & (1u << 2) ? 0 : gk.k[2];     /* coalesce(insn, 0) */
        kcol(&k, 1, g, 10);
        agg_get(&p->rips, &k)->v[0]++;
    }
    if ( grc != SQLITE_DONE )
    {
        sro_db_fail(db, grc, "summarising a run", e);
        goto out;
    }
    while ( wrc == SQLITE_ROW )
    {
        add_piece(p, w, 2, NULL);
        wrc = sqlite3_step(w);
    }
    if ( wrc != SQLITE_DONE || (vrc != SQLITE_DONE && vrc != SQLITE_ROW) )
    {
        sro_db_fail(db, wrc != SQLITE_DONE ? wrc : vrc, "summarising a run",
                    e);
        goto out;
    }
    ret = 0;
 out:
    sqlite3_finalize(g);
    sqlite3_finalize(w);
    sqlite3_finalize(v);
    return ret;
}

/* Insert every entry of a with `sql` (?1 the summary, then the nk key
 * columns, then the nv values). */
static int store_agg(sqlite3 *db, const char *sql, int64_t sid,
                     const struct agg *a, unsigned int nk, unsigned int nv,
                     struct sro_db_err *e)
{
    sqlite3_stmt *st = sro_db_prepare(db, sql, e);

    if ( !st )
        return -1;
    for ( size_t i = 0; i < a->cap; i++ )
    {
        const struct ent *en = &a->e[i];

        if ( !en->used )
            continue;
        sqlite3_bind_int64(st, 1, sid);
        for ( unsigned int c = 0; c < nk; c++ )
            kbind(st, 2 + (int)c, en, c);
        for ( unsigned int c = 0; c < nv; c++ )
            sqlite3_bind_int64(st, 2 + (int)nk + (int)c, en->v[c]);
        if ( sro_db_step_done(st, "storing a summary", e) )
        {
            sqlite3_finalize(st);
            return -1;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return 0;
}

/* Write p as the summary of (run, replay). */
static int store(sqlite3 *db, int64_t run, int64_t replay,
                 const struct pass *p, int64_t *sid, struct sro_db_err *e)
{
    sqlite3_stmt *st;

    st = sro_db_prepare(db, "DELETE FROM summaries WHERE run = ?1 "
                            "AND replay IS ?2", e);
    if ( !st )
        return -1;
    sqlite3_bind_int64(st, 1, run);
    if ( replay )
        sqlite3_bind_int64(st, 2, replay);
    if ( sro_db_step_done(st, "storing a summary", e) )
    {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    st = sro_db_prepare(db, "INSERT INTO summaries (run, replay) "
                            "VALUES (?1, ?2)", e);
    if ( !st )
        return -1;
    sqlite3_bind_int64(st, 1, run);
    if ( replay )
        sqlite3_bind_int64(st, 2, replay);
    if ( sro_db_step_done(st, "storing a summary", e) )
    {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    *sid = sqlite3_last_insert_rowid(db);

    if ( store_agg(db, "INSERT INTO sum_groups (summary, domain, vcpu, mfn, "
                       "page_offset, insn, store_size, first_len, outcome, "
                       "verdict, hwdom, faults, reached, misdirected, "
                       "first_tsc, last_tsc) VALUES (?1, ?2, ?3, ?4, ?5, "
                       "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                   *sid, &p->groups, 9, 6, e) ||
         store_agg(db, "INSERT INTO sum_pieces (summary, g_mfn, "
                       "g_page_offset, g_insn, g_store_size, g_first_len, "
                       "mfn, dev_offset, length, result, grouped, pieces) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                       "?11, ?12)", *sid, &p->pieces, 10, 1, e) ||
         store_agg(db, "INSERT INTO sum_rips (summary, insn, rip, faults) "
                       "VALUES (?1, ?2, ?3, ?4)", *sid, &p->rips, 2, 1, e) )
        return -1;
    st = sro_db_prepare(db, "INSERT INTO sum_wrong (summary, grp) "
                            "VALUES (?1, ?2)", e);
    if ( !st )
        return -1;
    for ( unsigned int v = 1; v <= 4; v++ )
        for ( unsigned int i = 0; i < p->wrong[v].n; i++ )
        {
            sqlite3_bind_int64(st, 1, *sid);
            sqlite3_bind_int64(st, 2, p->wrong[v].id[i]);
            if ( sro_db_step_done(st, "storing a summary", e) )
            {
                sqlite3_finalize(st);
                return -1;
            }
            sqlite3_reset(st);
        }
    sqlite3_finalize(st);
    return 0;
}

struct summary_acc {
    struct pass p;
};

struct summary_acc *summary_acc_new(void)
{
    return xcalloc(1, sizeof(struct summary_acc));
}

void summary_acc_free(struct summary_acc *a)
{
    if ( !a )
        return;
    free(a->p.groups.e);
    free(a->p.pieces.e);
    free(a->p.rips.e);
    free(a);
}

/* One piece into the pieces table; g: the group's first five key
 * columns (NULL: an orphan). */
static void acc_piece(struct pass *p, const struct summary_piece *w,
                      const struct key *g)
{
    struct key k = { .nulls = 0x1fu };

    if ( g )
    {
        memcpy(k.k, g->k, 5 * sizeof(k.k[0]));
        k.nulls = g->nulls & 0x1fu;
    }
    k.k[5] = w->mfn;
    k.k[6] = w->dev_offset;
    k.k[7] = w->length;
    k.k[8] = w->result;
    k.k[9] = g ? 1 : 0;
    agg_get(&p->pieces, &k)->v[0]++;
}

void summary_acc_orphan(struct summary_acc *a, const struct summary_piece *w)
{
    acc_piece(&a->p, w, NULL);
}

/* Count a group; verdict < 0: none. Pieces and RIPs only if `all`. */
static void acc_group(struct summary_acc *a, const struct summary_group *g,
                      const struct summary_piece *w, unsigned int n,
                      int64_t grp, int verdict, bool all)
{
    struct key gk = { .nulls = 0 }, k = { .nulls = 0 };
    bool reached = false, mis = false;
    struct ent *en;

    gk.k[0] = g->mfn;
    gk.k[1] = g->page_offset;
    gk.k[2] = g->has_insn ? g->insn : 0;
    gk.nulls |= g->has_insn ? 0 : 1u << 2;
    gk.k[3] = g->store_size;
    gk.k[4] = n ? w[0].length : 0;
    gk.nulls |= n ? 0 : 1u << 4;
    for ( unsigned int i = 0; i < n; i++ )
    {
        if ( w[i].result == 0 )
        {
            if ( w[i].dev_offset == w[i].offset )
                reached = true;
            else
                mis = true;
        }
        if ( all )
            acc_piece(&a->p, &w[i], &gk);
    }
    k.k[0] = g->domain;
    k.k[1] = g->vcpu;
    memcpy(&k.k[2], gk.k, 5 * sizeof(k.k[0]));
    k.nulls = (gk.nulls & 0x1fu) << 2;
    k.k[7] = g->has_outcome ? g->outcome : 0;
    k.nulls |= g->has_outcome ? 0 : 1u << 7;
    k.k[8] = verdict < 0 ? 0 : verdict;
    k.nulls |= verdict < 0 ? 1u << 8 : 0;
    if ( verdict >= 1 && verdict <= 4 )
        sample_add(&a->p.wrong[verdict], g->tsc, grp);
    en = agg_get(&a->p.groups, &k);
    if ( !en->v[1] || g->hwdom > en->v[0] )
        en->v[0] = g->hwdom;
    if ( !en->v[1] || g->tsc < en->v[4] )
        en->v[4] = g->tsc;
    if ( !en->v[1] || g->tsc > en->v[5] )
        en->v[5] = g->tsc;
    en->v[1]++;
    en->v[2] += reached;
    en->v[3] += mis;
    if ( !all )
        return;

    memset(&k, 0, sizeof(k));
    k.k[0] = g->has_insn ? g->insn : 0;
    k.k[1] = g->has_insn ? g->rip : 0;
    k.nulls = g->has_insn ? 0 : 1u << 1;
    agg_get(&a->p.rips, &k)->v[0]++;
}


/* The schema above the "@indexes" marker: creates the summary tables in
 * a database made before they existed (everything in it is idempotent). */
static int ensure_tables(sqlite3 *db, struct sro_db_err *e)
{
    const char *mark = strstr(sro_schema_sql, "\n-- @indexes");
    size_t n = mark ? (size_t)(mark - sro_schema_sql) : strlen(sro_schema_sql);
    char *sql = strndup(sro_schema_sql, n);
    int rc;

    if ( !sql )
        return sro_db_fail(db, SQLITE_NOMEM, "storing a summary", e);
    rc = sro_db_exec(db, sql, e);
    free(sql);
    return rc;
}

void summary_acc_group(struct summary_acc *a, const struct summary_group *g,
                       const struct summary_piece *w, unsigned int n)
{
    acc_group(a, g, w, n, 0, -1, true);
}

void summary_acc_judged(struct summary_acc *a,
                        const struct sro_group_result *r)
{
    const struct sro_group *sg = &r->sg->g;
    const struct sro_fault *f = &sg->fault;
    struct summary_group g = {
        .domain = f->domain, .vcpu = f->vcpu, .hwdom = f->hwdom,
        .mfn = sro_db_i64(f->mfn),
        .page_offset = (int64_t)(f->gpa & 0xfff), .tsc = sro_db_i64(f->tsc),
        .has_insn = r->sg->insn_id != 0, .insn = r->sg->insn_id,
        .store_size = sg->has_done ? (int64_t)sg->done.store_size : 0,
        .has_outcome = sg->has_done, .outcome = sg->done.outcome,
    };
    struct summary_piece w[16] = { { 0 } }, *pw = w;

    if ( sg->nwrites > 16 )
        pw = xcalloc(sg->nwrites, sizeof(*pw));
    for ( unsigned int i = 0; i < sg->nwrites; i++ )
        pw[i] = (struct summary_piece){
            .mfn = sro_db_i64(sg->writes[i].mfn),
            .offset = sg->writes[i].offset, .length = sg->writes[i].len,
            .result = sg->writes[i].result,
            .dev_offset = sg->writes[i].dev_offset,
        };
    acc_group(a, &g, pw, sg->nwrites, r->sg->id, r->recorded.verdict, false);
    if ( pw != w )
        free(pw);
}

/* Do the groups of a, verdicts aside, equal sum_groups of summary base? */
static int same_groups(sqlite3 *db, int64_t base, const struct agg *a,
                       bool *same, struct sro_db_err *e)
{
    struct agg proj = { 0 };
    sqlite3_stmt *st = sro_db_prepare(db,
        "SELECT domain, vcpu, mfn, page_offset, insn, store_size, first_len, "
        "  outcome, hwdom, faults, reached, misdirected, first_tsc, last_tsc "
        "FROM sum_groups WHERE summary = ?1 AND verdict IS NULL", e);
    size_t rows = 0;
    int rc;

    if ( !st )
        return -1;
    for ( size_t i = 0; i < a->cap; i++ )
    {
        struct key k;
        struct ent *en;
        const struct ent *x = &a->e[i];

        if ( !x->used )
            continue;
        memcpy(k.k, x->k, sizeof(k.k));
        k.k[8] = 0;
        k.nulls = x->nulls | 1u << 8;
        en = agg_get(&proj, &k);
        if ( !en->v[1] || x->v[0] > en->v[0] )
            en->v[0] = x->v[0];
        if ( !en->v[1] || x->v[4] < en->v[4] )
            en->v[4] = x->v[4];
        if ( !en->v[1] || x->v[5] > en->v[5] )
            en->v[5] = x->v[5];
        en->v[1] += x->v[1];
        en->v[2] += x->v[2];
        en->v[3] += x->v[3];
    }
    *same = true;
    sqlite3_bind_int64(st, 1, base);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW && *same )
    {
        struct key k = { .nulls = 1u << 8 };
        struct ent *en;
        size_t n0 = proj.n;

        for ( unsigned int c = 0; c < 8; c++ )
            kcol(&k, c, st, (int)c);
        rows++;
        en = agg_get(&proj, &k);
        *same = proj.n == n0;
        for ( unsigned int c = 0; c < 6 && *same; c++ )
            *same = sqlite3_column_type(st, 8 + (int)c) != SQLITE_NULL &&
                    en->v[c] == sqlite3_column_int64(st, 8 + (int)c);
    }
    sqlite3_finalize(st);
    free(proj.e);
    if ( rc != SQLITE_DONE && rc != SQLITE_ROW )
        return sro_db_fail(db, rc, "checking a summary", e);
    *same = *same && rows == proj.n;
    return 0;
}

int summary_acc_store_replay(sqlite3 *db, int64_t run, int64_t replay,
                             const struct summary_acc *a, int64_t *sid,
                             struct sro_db_err *e)
{
    sqlite3_stmt *st = NULL;
    int64_t base = 0;
    bool same = false;

    if ( sqlite3_prepare_v2(db, "SELECT id FROM summaries WHERE run = ?1 "
                            "AND replay IS NULL", -1, &st, NULL) == SQLITE_OK )
    {
        sqlite3_bind_int64(st, 1, run);
        if ( sqlite3_step(st) == SQLITE_ROW )
            base = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if ( base && same_groups(db, base, &a->p.groups, &same, e) )
        return -1;
    if ( !same )
        return summary_build(db, run, replay, sid, e);
    if ( sro_db_begin(db, e) )
        return -1;
    if ( store(db, run, replay, &a->p, sid, e) )
        goto fail;
    st = sro_db_prepare(db,
        "INSERT INTO sum_pieces (summary, grouped, g_mfn, g_page_offset, "
        "  g_insn, g_store_size, g_first_len, mfn, dev_offset, length, "
        "  result, pieces) "
        "SELECT ?1, grouped, g_mfn, g_page_offset, g_insn, g_store_size, "
        "  g_first_len, mfn, dev_offset, length, result, pieces "
        "FROM sum_pieces WHERE summary = ?2", e);
    if ( !st )
        goto fail;
    sqlite3_bind_int64(st, 1, *sid);
    sqlite3_bind_int64(st, 2, base);
    if ( sro_db_step_done(st, "storing a summary", e) )
        goto fail;
    sqlite3_finalize(st);
    st = sro_db_prepare(db,
        "INSERT INTO sum_rips (summary, insn, rip, faults) "
        "SELECT ?1, insn, rip, faults FROM sum_rips WHERE summary = ?2", e);
    if ( !st )
        goto fail;
    sqlite3_bind_int64(st, 1, *sid);
    sqlite3_bind_int64(st, 2, base);
    if ( sro_db_step_done(st, "storing a summary", e) )
        goto fail;
    sqlite3_finalize(st);
    return sro_db_commit(db, e);
 fail:
    sqlite3_finalize(st);
    sro_db_rollback(db);
    return -1;
}

int summary_acc_store(sqlite3 *db, int64_t run, const struct summary_acc *a,
                      struct sro_db_err *e)
{
    int64_t sid;

    return ensure_tables(db, e) ? -1 : store(db, run, 0, &a->p, &sid, e);
}

int summary_build(sqlite3 *db, int64_t run, int64_t replay, int64_t *sid,
                  struct sro_db_err *e)
{
    struct pass *p = xcalloc(1, sizeof(*p));
    int rc;

    rc = ensure_tables(db, e) || sro_db_begin(db, e) ? -1 : 0;
    if ( rc == 0 )
    {
        rc = count_run(db, run, replay, p, e) ||
             store(db, run, replay, p, sid, e) || sro_db_commit(db, e)
             ? -1 : 0;
        if ( rc )
            sro_db_rollback(db);
    }
    free(p->groups.e);
    free(p->pieces.e);
    free(p->rips.e);
    free(p);
    return rc;
}

/* The text of column 0 of the one row of sql(?1 = id), "" if none. */
static int status_of(sqlite3 *db, const char *sql, int64_t id, char *buf,
                     size_t len, struct sro_db_err *e)
{
    sqlite3_stmt *st = sro_db_prepare(db, sql, e);
    int rc;

    if ( !st )
        return -1;
    buf[0] = '\0';
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if ( rc == SQLITE_ROW && sqlite3_column_text(st, 0) )
        snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
           : sro_db_fail(db, rc, "finding a summary", e);
}

int summary_get(sqlite3 *db, int64_t run, int64_t replay, bool any,
                int64_t *sid, struct sro_db_err *e)
{
    sqlite3_stmt *st = NULL;
    char status[32];

    *sid = 0;
    if ( sqlite3_prepare_v2(db, any
             ? "SELECT id FROM summaries WHERE run = ?1 "
               "ORDER BY replay IS NOT NULL, id LIMIT 1"
             : "SELECT id FROM summaries WHERE run = ?1 AND replay IS ?2",
             -1, &st, NULL) == SQLITE_OK )
    {
        sqlite3_bind_int64(st, 1, run);
        if ( replay && !any )
            sqlite3_bind_int64(st, 2, replay);
        if ( sqlite3_step(st) == SQLITE_ROW )
            *sid = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);           /* no table: a database made before */
    if ( *sid || sqlite3_db_readonly(db, "main") != 0 )
        return 0;
    if ( status_of(db, "SELECT status FROM runs WHERE id = ?1", run, status,
                   sizeof(status), e) )
        return -1;
    if ( !strcmp(status, "recording") || !status[0] )
        return 0;
    if ( replay && !any )
    {
        if ( status_of(db, "SELECT status FROM replays WHERE id = ?1",
                       replay, status, sizeof(status), e) )
            return -1;
        if ( strcmp(status, "complete") )
            return 0;
    }
    return summary_build(db, run, any ? 0 : replay, sid, e);
}

int summary_build_missing(sqlite3 *db, struct sro_db_err *e)
{
    sqlite3_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0;
    int rc;

    if ( ensure_tables(db, e) )
        return -1;
    /* Pairs (run, replay): runs without a plain summary, then complete
     * replays without theirs. */
    st = sro_db_prepare(db,
        "SELECT r.id, 0 FROM runs r WHERE r.status <> 'recording' "
        "  AND NOT EXISTS (SELECT 1 FROM summaries s WHERE s.run = r.id "
        "                  AND s.replay IS NULL) "
        "UNION ALL "
        "SELECT p.run, p.id FROM replays p JOIN runs r ON r.id = p.run "
        "WHERE p.status = 'complete' AND r.status <> 'recording' "
        "  AND NOT EXISTS (SELECT 1 FROM summaries s WHERE s.replay = p.id)",
        e);
    if ( !st )
        return -1;
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        ids = xrealloc(ids, (n + 2) * sizeof(*ids));
        ids[n++] = sqlite3_column_int64(st, 0);
        ids[n++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if ( rc != SQLITE_DONE )
    {
        free(ids);
        return sro_db_fail(db, rc, "finding runs to summarise", e);
    }
    for ( size_t i = 0; i < n; i += 2 )
    {
        int64_t sid;

        if ( summary_build(db, ids[i], ids[i + 1], &sid, e) )
        {
            free(ids);
            return -1;
        }
    }
    free(ids);
    return 0;
}
