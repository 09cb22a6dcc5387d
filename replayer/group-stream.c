/*
 * group-stream.c - see group-stream.h.
 */
#include <stdlib.h>
#include <string.h>

#include "group-stream.h"

struct sro_group_stream {
    sqlite3                *db;
    sqlite3_stmt           *groups;     /* fault_groups of the run by id */
    sqlite3_stmt           *writes;     /* dev_writes of the run by id */
    sqlite3_stmt           *lookup;     /* fallback: writes of one group */
    bool                    have_write; /* `writes` holds an unread row */
    bool                    writes_done;
    bool                    fallback;   /* rowid order broken: use lookup */
    int64_t                 run;
    struct sro_stored_group cur;
};

/* The unary + on `run` keeps sqlite from walking an index on run and then
 * sorting the whole run by id in a temporary b-tree (time, and memory that
 * grows with the run): a rowid scan is already in order. */
static const char groups_sql[] =
    "SELECT id, cpu, tsc, domain, vcpu, path, gla_valid, hwdom, code_size, "
    "       gla, gpa, mfn, rip, insn, outcome, reason, emul_rc, "
    "       done_nwrites, store_size, complete, incomplete, file_offset, "
    "       seq "
    "FROM fault_groups WHERE +run = ?1 ORDER BY id";

static const char writes_sql[] =
    "SELECT grp, mfn, offset, length, result, dev_offset, data "
    "FROM dev_writes WHERE +run = ?1 AND grp IS NOT NULL ORDER BY id";

static const char lookup_sql[] =
    "SELECT grp, mfn, offset, length, result, dev_offset, data "
    "FROM dev_writes WHERE grp = ?1 ORDER BY piece";

struct sro_group_stream *sro_group_stream_open(sqlite3 *db, int64_t run,
                                               struct sro_db_err *e)
{
    struct sro_group_stream *s = calloc(1, sizeof(*s));

    if ( !s )
    {
        sro_db_fail(db, SQLITE_NOMEM, "opening the group stream", e);
        return NULL;
    }
    s->db = db;
    s->run = run;
    s->groups = sro_db_prepare(db, groups_sql, e);
    s->writes = s->groups ? sro_db_prepare(db, writes_sql, e) : NULL;
    s->lookup = s->writes ? sro_db_prepare(db, lookup_sql, e) : NULL;
    if ( !s->lookup )
    {
        sro_group_stream_close(s);
        return NULL;
    }
    sqlite3_bind_int64(s->groups, 1, run);
    sqlite3_bind_int64(s->writes, 1, run);
    return s;
}

void sro_group_stream_close(struct sro_group_stream *s)
{
    if ( !s )
        return;
    sqlite3_finalize(s->groups);
    sqlite3_finalize(s->writes);
    sqlite3_finalize(s->lookup);
    free(s->cur.g.writes);
    free(s);
}

/* Append the write row at st to the current group. */
static int take_write(struct sro_group_stream *s, sqlite3_stmt *st)
{
    struct sro_group *g = &s->cur.g;
    struct sro_write *w;
    const void *data;
    int n;

    if ( g->nwrites == g->cap )
    {
        unsigned int cap = g->cap ? g->cap * 2 : 8;
        struct sro_write *nw = realloc(g->writes, cap * sizeof(*nw));

        if ( !nw )
            return -1;
        g->writes = nw;
        g->cap = cap;
    }
    w = &g->writes[g->nwrites++];
    memset(w, 0, sizeof(*w));
    w->mfn = sro_db_column_u64(st, 1);
    w->offset = (uint16_t)sqlite3_column_int(st, 2);
    w->len = (uint8_t)sqlite3_column_int(st, 3);
    w->result = (uint8_t)sqlite3_column_int(st, 4);
    w->dev_offset = (uint16_t)sqlite3_column_int(st, 5);
    data = sqlite3_column_blob(st, 6);
    n = sqlite3_column_bytes(st, 6);
    if ( n > SRO_WRITE_DATA_MAX )
        n = SRO_WRITE_DATA_MAX;
    if ( data && n > 0 )
        memcpy(w->data, data, (size_t)n);
    w->data_len = (uint8_t)(n > 0 ? n : 0);
    return 0;
}

/* Collect the writes of group id through the fallback lookup. */
static int lookup_writes(struct sro_group_stream *s, int64_t id,
                         struct sro_db_err *e)
{
    int rc;

    sqlite3_bind_int64(s->lookup, 1, id);
    while ( (rc = sqlite3_step(s->lookup)) == SQLITE_ROW )
        if ( take_write(s, s->lookup) )
        {
            sqlite3_reset(s->lookup);
            return sro_db_fail(s->db, SQLITE_NOMEM, "reading writes", e);
        }
    sqlite3_reset(s->lookup);
    return rc == SQLITE_DONE ? 0 : sro_db_fail(s->db, rc, "reading writes",
                                               e);
}

/* Collect the writes of group id from the merged cursor. */
static int merge_writes(struct sro_group_stream *s, int64_t id,
                        struct sro_db_err *e)
{
    for ( ;; )
    {
        int64_t grp;

        if ( !s->have_write && !s->writes_done )
        {
            int rc = sqlite3_step(s->writes);

            if ( rc == SQLITE_DONE )
                s->writes_done = true;
            else if ( rc != SQLITE_ROW )
                return sro_db_fail(s->db, rc, "reading writes", e);
            else
                s->have_write = true;
        }
        if ( !s->have_write )
            return 0;
        grp = sqlite3_column_int64(s->writes, 0);
        if ( grp > id )
            return 0;
        if ( grp < id )
        {
            /* A write of an earlier group after a later group: the
             * database is not in recorder order. Redo this group the slow
             * way and stay slow. */
            s->fallback = true;
            s->cur.g.nwrites = 0;
            return lookup_writes(s, id, e);
        }
        if ( take_write(s, s->writes) )
            return sro_db_fail(s->db, SQLITE_NOMEM, "reading writes", e);
        s->have_write = false;
    }
}

static uint8_t incomplete_code(const unsigned char *why)
{
    static const char *const names[] = {
        "", "lost", "new_fault", "eof", "count_mismatch",
    };

    if ( !why )
        return SRO_COMPLETE;
    for ( unsigned int i = 1; i < sizeof(names) / sizeof(names[0]); i++ )
        if ( strcmp((const char *)why, names[i]) == 0 )
            return (uint8_t)i;
    return SRO_INC_EOF;
}

int sro_group_stream_next(struct sro_group_stream *s,
                          const struct sro_stored_group **out,
                          struct sro_db_err *e)
{
    sqlite3_stmt *st = s->groups;
    struct sro_stored_group *c = &s->cur;
    struct sro_fault *f = &c->g.fault;
    int rc = sqlite3_step(st);

    if ( rc == SQLITE_DONE )
        return 0;
    if ( rc != SQLITE_ROW )
        return sro_db_fail(s->db, rc, "reading fault groups", e);

    c->id = sqlite3_column_int64(st, 0);
    c->g.nwrites = 0;
    memset(f, 0, sizeof(*f));
    f->cpu = (uint32_t)sqlite3_column_int64(st, 1);
    f->tsc = sro_db_column_u64(st, 2);
    f->domain = (uint16_t)sqlite3_column_int(st, 3);
    f->vcpu = (uint16_t)sqlite3_column_int(st, 4);
    f->path = (uint8_t)sqlite3_column_int(st, 5);
    f->gla_valid = sqlite3_column_int(st, 6) != 0;
    f->hwdom = sqlite3_column_int(st, 7) != 0;
    f->code_size = (uint8_t)sqlite3_column_int(st, 8);
    f->gla = sqlite3_column_type(st, 9) == SQLITE_NULL
             ? ~UINT64_C(0) : sro_db_column_u64(st, 9);
    f->gpa = sro_db_column_u64(st, 10);
    f->mfn = sro_db_column_u64(st, 11);
    f->rip = sro_db_column_u64(st, 12);
    c->insn_id = sqlite3_column_int64(st, 13);
    f->has_insn = sqlite3_column_type(st, 13) != SQLITE_NULL;
    /* insn[] and insn_len are the caller's to fill from insn_id: the
     * replayer's instruction cache holds each distinct byte string once. */

    c->g.has_done = sqlite3_column_type(st, 14) != SQLITE_NULL;
    memset(&c->g.done, 0, sizeof(c->g.done));
    if ( c->g.has_done )
    {
        c->g.done.outcome = (uint8_t)sqlite3_column_int(st, 14);
        c->g.done.reason = (uint8_t)sqlite3_column_int(st, 15);
        c->g.done.emul_rc = (uint8_t)sqlite3_column_int(st, 16);
        c->g.done.nwrites = (uint32_t)sqlite3_column_int64(st, 17);
        c->g.done.store_size = (uint32_t)sqlite3_column_int64(st, 18);
    }
    c->g.incomplete = SRO_COMPLETE;
    if ( !sqlite3_column_int(st, 19) )
    {
        c->g.incomplete = incomplete_code(sqlite3_column_text(st, 20));
        if ( c->g.incomplete == SRO_COMPLETE )
            c->g.incomplete = SRO_INC_EOF;
    }
    c->g.file_offset = sro_db_column_u64(st, 21);
    c->seq = sqlite3_column_int64(st, 22);

    rc = s->fallback ? lookup_writes(s, c->id, e) : merge_writes(s, c->id, e);
    if ( rc )
        return -1;
    *out = c;
    return 1;
}
