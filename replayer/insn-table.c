/*
 * insn-table.c - see insn-table.h.
 */
#include <stdlib.h>
#include <string.h>

#include "insn-table.h"

/* Ids above this are served from a small overflow decode (the decoder's
 * own cache) rather than growing the array without bound. */
#define INSN_TABLE_MAX_ID (1u << 22)

struct sro_insn_table {
    sqlite3               *db;
    sqlite3_stmt          *load;
    struct sro_decoder    *dec;
    struct sro_insn_entry *e;       /* indexed by id */
    uint64_t               cap;
    struct sro_insn_entry  spare;   /* for ids >= INSN_TABLE_MAX_ID */
    uint64_t               hits, misses;
};

struct sro_insn_table *sro_insn_table_new(sqlite3 *db, struct sro_db_err *e)
{
    struct sro_insn_table *t = calloc(1, sizeof(*t));

    if ( !t || !(t->dec = sro_decoder_new(0)) )
    {
        free(t);
        sro_db_fail(db, SQLITE_NOMEM, "creating the decoder", e);
        return NULL;
    }
    t->db = db;
    t->load = sro_db_prepare(db, "SELECT bytes, mode FROM instructions "
                                 "WHERE id = ?1", e);
    if ( !t->load )
    {
        sro_insn_table_free(t);
        return NULL;
    }
    return t;
}

void sro_insn_table_free(struct sro_insn_table *t)
{
    if ( !t )
        return;
    sqlite3_finalize(t->load);
    sro_decoder_free(t->dec);
    free(t->e);
    free(t);
}

/* Load and decode instruction id into *ent. 0, -1 (db), 1 (no such id). */
static int load(struct sro_insn_table *t, int64_t id,
                struct sro_insn_entry *ent, struct sro_db_err *e)
{
    const void *bytes;
    int rc, n;

    sqlite3_bind_int64(t->load, 1, id);
    rc = sqlite3_step(t->load);
    if ( rc != SQLITE_ROW )
    {
        sqlite3_reset(t->load);
        return rc == SQLITE_DONE ? 1 : sro_db_fail(t->db, rc,
                                                   "reading instructions", e);
    }
    memset(ent, 0, sizeof(*ent));
    bytes = sqlite3_column_blob(t->load, 0);
    n = sqlite3_column_bytes(t->load, 0);
    if ( n > (int)sizeof(ent->bytes) )
        n = sizeof(ent->bytes);
    if ( bytes && n > 0 )
        memcpy(ent->bytes, bytes, (size_t)n);
    ent->len = (uint8_t)(n > 0 ? n : 0);
    ent->decoded = ent->len > 0 &&
                   sro_decode(t->dec, ent->bytes, ent->len,
                              (unsigned int)sqlite3_column_int(t->load, 1),
                              &ent->insn) == 0 &&
                   ent->insn.valid;
    sqlite3_reset(t->load);
    ent->state = 1;
    return 0;
}

const struct sro_insn_entry *sro_insn_table_get(struct sro_insn_table *t,
                                                int64_t id,
                                                struct sro_db_err *e)
{
    struct sro_insn_entry *ent;

    if ( id <= 0 )
        return NULL;
    if ( (uint64_t)id >= INSN_TABLE_MAX_ID )
    {
        t->misses++;
        return load(t, id, &t->spare, e) == 0 ? &t->spare : NULL;
    }
    if ( (uint64_t)id >= t->cap )
    {
        uint64_t cap = t->cap ? t->cap : 256;
        struct sro_insn_entry *ne;

        while ( cap <= (uint64_t)id )
            cap *= 2;
        ne = realloc(t->e, cap * sizeof(*ne));
        if ( !ne )
        {
            sro_db_fail(t->db, SQLITE_NOMEM, "caching instructions", e);
            return NULL;
        }
        memset(ne + t->cap, 0, (cap - t->cap) * sizeof(*ne));
        t->e = ne;
        t->cap = cap;
    }
    ent = &t->e[id];
    if ( ent->state )
    {
        t->hits++;
        return ent;
    }
    t->misses++;
    return load(t, id, ent, e) == 0 ? ent : NULL;
}

void sro_insn_table_stats(const struct sro_insn_table *t, uint64_t *hits,
                          uint64_t *misses)
{
    *hits = t->hits;
    *misses = t->misses;
}
