/*
 * verdict-store.c - see verdict-store.h.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/version.h"
#include "compare.h"
#include "verdict-store.h"

#define BATCH_ROWS 65536

struct sro_verdict_store {
    sqlite3      *db;
    sqlite3_stmt *ins;
    int64_t       id;
    unsigned int  in_batch;
};

const char *sro_core_build_id(void)
{
    return "srotrace " SROTRACE_VERSION " (" __DATE__ " " __TIME__ ")";
}

struct sro_verdict_store *sro_verdict_store_begin(sqlite3 *db, int64_t run,
                                                  const char *model_name,
                                                  const char *what_if,
                                                  struct sro_db_err *e)
{
    struct sro_verdict_store *vs = calloc(1, sizeof(*vs));
    sqlite3_stmt *st;
    char now[32];

    if ( !vs )
    {
        sro_db_fail(db, SQLITE_NOMEM, "starting the replay", e);
        return NULL;
    }
    vs->db = db;
    sro_db_now(now);
    st = sro_db_prepare(db, "INSERT INTO replays (run, model, core_build, "
                            "what_if, created_at, status) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, 'running')", e);
    if ( !st )
        goto fail;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, model_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, sro_core_build_id(), -1, SQLITE_STATIC);
    if ( what_if )
        sqlite3_bind_text(st, 4, what_if, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    if ( sro_db_step_done(st, "starting the replay", e) )
    {
        sqlite3_finalize(st);
        goto fail;
    }
    sqlite3_finalize(st);
    vs->id = sqlite3_last_insert_rowid(db);
    vs->ins = sro_db_prepare(db, "INSERT INTO verdicts (replay, grp, "
                                 "verdict, intent, piece, pred_verdict, "
                                 "diverged, diverged_field, pred_outcome, "
                                 "pred_writes) VALUES (?1, ?2, ?3, ?4, ?5, "
                                 "?6, ?7, ?8, ?9, ?10)", e);
    /* Every verdict names a group just read from this database: checking
     * the foreign key per row costs a quarter of the insert for nothing.
     * (The pragma is a no-op inside a transaction, so it goes first.) */
    if ( !vs->ins || sro_db_exec(db, "PRAGMA foreign_keys = OFF", e) ||
         sro_db_begin(db, e) )
        goto fail;
    return vs;
 fail:
    sqlite3_finalize(vs->ins);
    free(vs);
    return NULL;
}

int64_t sro_verdict_store_id(const struct sro_verdict_store *vs)
{
    return vs->id;
}

int sro_verdict_store_add(struct sro_verdict_store *vs,
                          const struct sro_group_result *r,
                          struct sro_db_err *e)
{
    sqlite3_stmt *st = vs->ins;

    sqlite3_bind_int64(st, 1, vs->id);
    sqlite3_bind_int64(st, 2, r->sg->id);
    sqlite3_bind_int(st, 3, r->recorded.verdict);
    if ( r->recorded.verdict != SRO_V_UNDECIDABLE )
        sqlite3_bind_int(st, 4, r->recorded.intent);
    else
        sqlite3_bind_null(st, 4);
    if ( r->recorded.piece >= 0 )
        sqlite3_bind_int(st, 5, r->recorded.piece);
    else
        sqlite3_bind_null(st, 5);
    if ( r->predicted[0] )
    {
        sqlite3_bind_int(st, 6, r->pred_j[0].verdict);
        sqlite3_bind_int(st, 9, r->pred[0].done.outcome);
    }
    else
    {
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 9);
    }
    sqlite3_bind_int(st, 7, r->diverged);
    if ( r->diverged )
    {
        char buf[1024];

        sqlite3_bind_text(st, 8, r->diverged_field, -1, SQLITE_TRANSIENT);
        sro_format_writes(r->pred[0].writes, r->pred[0].nwrites, buf,
                          sizeof(buf));
        sqlite3_bind_text(st, 10, buf, -1, SQLITE_TRANSIENT);
    }
    else
    {
        sqlite3_bind_null(st, 8);
        sqlite3_bind_null(st, 10);
    }
    if ( sro_db_step_done(st, "storing verdicts", e) )
        return -1;
    if ( ++vs->in_batch >= BATCH_ROWS )
    {
        vs->in_batch = 0;
        if ( sro_db_commit(vs->db, e) || sro_db_begin(vs->db, e) )
            return -1;
    }
    return 0;
}

int sro_verdict_store_end(struct sro_verdict_store *vs,
                          const struct sro_replay_stats *stats,
                          bool complete, struct sro_db_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    /* After an error the caller rolled the batch back: nothing to commit. */
    if ( !sqlite3_get_autocommit(vs->db) && sro_db_commit(vs->db, e) )
        goto out;
    st = sro_db_prepare(vs->db, "UPDATE replays SET status = ?2, "
                                "groups_total = ?3, divergences = ?4, "
                                "correct = ?5, wrongly_accepted = ?6, "
                                "misdirected = ?7, wrongly_denied = ?8, "
                                "harsh_deny = ?9, undecidable = ?10 "
                                "WHERE id = ?1", e);
    if ( !st )
        goto out;
    sqlite3_bind_int64(st, 1, vs->id);
    sqlite3_bind_text(st, 2, complete ? "complete" : "interrupted", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)stats->groups);
    sqlite3_bind_int64(st, 4, (int64_t)stats->divergences);
    for ( int v = 0; v < SRO_VERDICT_COUNT; v++ )
        sqlite3_bind_int64(st, 5 + v, (int64_t)stats->verdicts[v]);
    rc = sro_db_step_done(st, "finishing the replay", e);
    if ( rc == 0 )
        rc = sro_db_exec(vs->db, "PRAGMA foreign_keys = ON", e);
 out:
    sqlite3_finalize(st);
    sqlite3_finalize(vs->ins);
    free(vs);
    return rc;
}
