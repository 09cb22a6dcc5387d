/*
 * runinfo.c - see runinfo.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runinfo.h"

static const char run_sql[] =
    "SELECT r.source, r.status, r.xen_version, r.host, r.tsc_hz, "
    "  coalesce(r.first_tsc, (SELECT min(tsc) FROM fault_groups "
    "                         WHERE run = r.id)), "
    "  coalesce(r.last_tsc, (SELECT max(tsc) FROM fault_groups "
    "                        WHERE run = r.id)), "
    "  r.records, r.groups_total, r.incomplete_groups, r.lost_records, "
    "  (SELECT count(*) FROM lost_spans WHERE run = r.id), r.orphan_writes, "
    "  p.id, p.model, p.created_at "
    "FROM runs r "
    "LEFT JOIN latest_replay lr ON lr.run = r.id "
    "LEFT JOIN replays p ON p.id = lr.replay "
    "WHERE r.id = ?1";

int runinfo_load(sqlite3 *db, int64_t id, struct runinfo *r,
                 struct sro_db_err *e)
{
    sqlite3_stmt *st;
    int rc;

    memset(r, 0, sizeof(*r));
    rc = sqlite3_prepare_v2(db, run_sql, -1, &st, NULL);
    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, "reading a run", e);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if ( rc != SQLITE_ROW )
    {
        sqlite3_finalize(st);
        if ( rc == SQLITE_DONE )
        {
            e->rc = SQLITE_NOTFOUND;
            snprintf(e->msg, sizeof(e->msg), "%s: no run %" PRId64,
                     sqlite3_db_filename(db, "main") ?
                     sqlite3_db_filename(db, "main") : "database", id);
            return -1;
        }
        return sro_db_fail(db, rc, "reading a run", e);
    }
    r->id = id;
    r->source = sro_db_column_strdup(st, 0);
    r->status = sro_db_column_strdup(st, 1);
    if ( !r->source )
        r->source = strdup("?");
    if ( !r->status )
        r->status = strdup("?");
    r->xen_version = sro_db_column_strdup(st, 2);
    r->host = sro_db_column_strdup(st, 3);
    if ( sqlite3_column_type(st, 4) != SQLITE_NULL &&
         sqlite3_column_int64(st, 4) > 0 )
        r->tsc_hz = (uint64_t)sqlite3_column_int64(st, 4);
    r->has_tsc = sqlite3_column_type(st, 5) != SQLITE_NULL &&
                 sqlite3_column_type(st, 6) != SQLITE_NULL;
    r->first_tsc = sro_db_column_u64(st, 5);
    r->last_tsc = sro_db_column_u64(st, 6);
    r->records = sqlite3_column_int64(st, 7);
    r->groups_total = sqlite3_column_int64(st, 8);
    r->incomplete_groups = sqlite3_column_int64(st, 9);
    r->lost_records = sqlite3_column_int64(st, 10);
    r->lost_spans = sqlite3_column_int64(st, 11);
    r->orphan_writes = sqlite3_column_int64(st, 12);
    if ( sqlite3_column_type(st, 13) != SQLITE_NULL )
    {
        r->replay = sqlite3_column_int64(st, 13);
        r->replay_model = sro_db_column_strdup(st, 14);
        r->replay_created = sro_db_column_strdup(st, 15);
    }
    sqlite3_finalize(st);
    if ( !r->source || !r->status )
    {
        fprintf(stderr, "srotrace: out of memory\n");
        exit(1);
    }
    return 0;
}

void runinfo_free(struct runinfo *r)
{
    free(r->source);
    free(r->status);
    free(r->xen_version);
    free(r->host);
    free(r->replay_model);
    free(r->replay_created);
    memset(r, 0, sizeof(*r));
}

int runinfo_select(sqlite3 *db, const char *spec, bool all, int64_t **ids,
                   unsigned int *n, struct sro_db_err *e)
{
    sqlite3_stmt *st;
    unsigned int cap = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    if ( spec || !all )
    {
        int64_t id;

        if ( sro_db_resolve_run(db, spec, &id, e) )
            return -1;
        *ids = malloc(sizeof(**ids));
        if ( !*ids )
            return sro_db_fail(db, SQLITE_NOMEM, "listing runs", e);
        (*ids)[0] = id;
        *n = 1;
        return 0;
    }
    rc = sqlite3_prepare_v2(db, "SELECT id FROM runs ORDER BY id", -1, &st,
                            NULL);
    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, "listing runs", e);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        if ( *n == cap )
        {
            int64_t *nids;

            cap = cap ? cap * 2 : 16;
            nids = realloc(*ids, cap * sizeof(**ids));
            if ( !nids )
            {
                rc = SQLITE_NOMEM;
                break;
            }
            *ids = nids;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if ( rc != SQLITE_DONE )
    {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return sro_db_fail(db, rc, "listing runs", e);
    }
    if ( *n == 0 )
    {
        e->rc = SQLITE_NOTFOUND;
        snprintf(e->msg, sizeof(e->msg), "%s: no runs",
                 sqlite3_db_filename(db, "main") ?
                 sqlite3_db_filename(db, "main") : "database");
        return -1;
    }
    return 0;
}

bool runinfo_seconds(const struct runinfo *r, uint64_t tsc, double *s)
{
    if ( !r->tsc_hz || !r->has_tsc )
        return false;
    if ( tsc >= r->first_tsc )
        *s = (double)(tsc - r->first_tsc) / (double)r->tsc_hz;
    else
        *s = -(double)(r->first_tsc - tsc) / (double)r->tsc_hz;
    return true;
}

bool runinfo_span(const struct runinfo *r, double *s)
{
    if ( !r->tsc_hz || !r->has_tsc || r->last_tsc < r->first_tsc )
        return false;
    *s = (double)(r->last_tsc - r->first_tsc) / (double)r->tsc_hz;
    return true;
}

void runinfo_time(const struct runinfo *r, uint64_t tsc, char *buf,
                  size_t buflen)
{
    double s;

    if ( runinfo_seconds(r, tsc, &s) )
        snprintf(buf, buflen, "%.6f", s);
    else if ( r->has_tsc && tsc >= r->first_tsc )
        snprintf(buf, buflen, "+%" PRIu64 " tsc", tsc - r->first_tsc);
    else
        snprintf(buf, buflen, "tsc %" PRIu64, tsc);
}
