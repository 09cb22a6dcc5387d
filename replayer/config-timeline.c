/*
 * config-timeline.c - see config-timeline.h.
 *
 * The records are rebuilt into their trace words and applied with
 * sro_prot_apply_record(), so a replayed configuration goes through the
 * very code path a live trace's would.
 */
#include <stdlib.h>
#include <string.h>

#include "config-timeline.h"

/* One query for the three tables, in time order. Records without a TSC of
 * their own carry the inherited one (the recorder stores it). */
static const char config_sql[] =
    "SELECT 1, coalesce(tsc, 0), seq, start, size, rc, flags, NULL, NULL, "
    "       NULL FROM range_adds WHERE run = ?1 "
    "UNION ALL "
    "SELECT 2, coalesce(tsc, 0), seq, mfn, quarter, mapped, NULL, ro_bits, "
    "       NULL, NULL FROM range_states WHERE run = ?1 "
    "UNION ALL "
    "SELECT 3, coalesce(tsc, 0), seq, first_mfn, last_mfn, NULL, NULL, "
    "       NULL, NULL, NULL FROM ro_pages WHERE run = ?1 "
    "ORDER BY 2, 3";

static void put64(uint32_t *w, uint64_t v)
{
    w[0] = (uint32_t)v;
    w[1] = (uint32_t)(v >> 32);
}

static void rebuild(sqlite3_stmt *st, struct sro_config_event *ev)
{
    int kind = sqlite3_column_int(st, 0);

    memset(ev, 0, sizeof(*ev));
    ev->tsc = sro_db_column_u64(st, 1);
    ev->seq = sqlite3_column_int64(st, 2);
    switch ( kind )
    {
    case 1:
        ev->event = SRO_RANGE_ADD;
        ev->nwords = SRO_RANGE_ADD_WORDS;
        put64(ev->w, sro_db_column_u64(st, 3));
        ev->w[2] = (uint32_t)sqlite3_column_int64(st, 4);
        ev->w[3] = (uint32_t)sqlite3_column_int(st, 5);
        ev->w[4] = (uint32_t)sqlite3_column_int64(st, 6);
        break;
    case 2:
    {
        const unsigned char *bits = sqlite3_column_blob(st, 7);
        int nbits = sqlite3_column_bytes(st, 7);

        ev->event = SRO_RANGE_STATE;
        ev->nwords = SRO_RANGE_STATE_WORDS;
        put64(ev->w, sro_db_column_u64(st, 3));
        ev->w[2] = (uint32_t)(sqlite3_column_int(st, 4) & 3) |
                   (sqlite3_column_int(st, 5) ? SRO_STATE_MAPPED : 0);
        for ( int i = 0; i < 16 && i < nbits; i++ )
            ev->w[3 + i / 4] |= (uint32_t)bits[i] << (8 * (i % 4));
        break;
    }
    default:
        ev->event = SRO_RO_PAGES;
        ev->nwords = SRO_RO_PAGES_WORDS;
        put64(ev->w, sro_db_column_u64(st, 3));
        put64(ev->w + 2, sro_db_column_u64(st, 4));
        break;
    }
}

int sro_config_timeline_load(sqlite3 *db, int64_t run,
                             struct sro_config_timeline *tl,
                             struct sro_db_err *e)
{
    sqlite3_stmt *st = sro_db_prepare(db, config_sql, e);
    unsigned int cap = 0;
    int rc;

    memset(tl, 0, sizeof(*tl));
    if ( !st )
        return -1;
    sqlite3_bind_int64(st, 1, run);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        if ( tl->n == cap )
        {
            struct sro_config_event *nev;

            cap = cap ? cap * 2 : 64;
            nev = realloc(tl->ev, cap * sizeof(*nev));
            if ( !nev )
            {
                sqlite3_finalize(st);
                sro_config_timeline_free(tl);
                return sro_db_fail(db, SQLITE_NOMEM,
                                   "loading the configuration", e);
            }
            tl->ev = nev;
        }
        rebuild(st, &tl->ev[tl->n++]);
    }
    sqlite3_finalize(st);
    if ( rc != SQLITE_DONE )
    {
        sro_config_timeline_free(tl);
        return sro_db_fail(db, rc, "loading the configuration", e);
    }
    return 0;
}

void sro_config_timeline_free(struct sro_config_timeline *tl)
{
    free(tl->ev);
    memset(tl, 0, sizeof(*tl));
}

void sro_config_timeline_advance(struct sro_config_timeline *tl,
                                 struct sro_prot *p, uint64_t tsc)
{
    while ( tl->next < tl->n && tl->ev[tl->next].tsc <= tsc )
    {
        const struct sro_config_event *ev = &tl->ev[tl->next++];
        int rc = sro_prot_apply_record(p, ev->event, ev->w, ev->nwords);

        if ( rc < 0 )
            tl->refused++;
        tl->generation++;
    }
}
