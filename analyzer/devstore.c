/*
 * devstore.c - see devstore.h.
 */
#include "devstore.h"

/* Place DbC regions from the ranges Xen protected in the database. */
int devstore_place_dbc(sqlite3 *db, int64_t run, struct dev_list *l,
                           unsigned int *added, struct sro_db_err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db,
        "SELECT DISTINCT start, size FROM range_adds WHERE rc = 0 "
        "AND (?1 = 0 OR run = ?1) ORDER BY start", -1, &st, NULL);

    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, "reading the protected ranges", e);
    sqlite3_bind_int64(st, 1, run);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
        *added += devlist_add_dbc_range(l, sro_db_column_u64(st, 0),
                                        sro_db_column_u64(st, 1));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0
                             : sro_db_fail(db, rc, "reading the protected "
                                           "ranges", e);
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT)
             : sqlite3_bind_null(st, i);
}

static int bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    return v >= 0 ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

/* Replace the rows of l's devices with l's regions, in one transaction. */
int devstore_save(sqlite3 *db, int64_t run, const struct dev_list *l,
                 unsigned int *rows, struct sro_db_err *e)
{
    sqlite3_stmt *del = NULL, *ins = NULL;

    if ( sro_db_begin(db, e) )
        return -1;
    del = sro_db_prepare(db,
        "DELETE FROM devices WHERE run IS ?1 AND "
        "(CASE WHEN ?2 IS NOT NULL THEN sbdf = ?2 "
        " ELSE sbdf IS NULL AND name IS ?3 END)", e);
    ins = del ? sro_db_prepare(db,
        "INSERT INTO devices (run, sbdf, name, vendor, device, class, regmap,"
        " base, size, map_base) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10)", e) : NULL;
    if ( !ins )
        goto fail;
    for ( unsigned int i = 0; i < l->n; i++ )
    {
        const struct dev_entry *d = &l->devs[i];

        if ( run )
            sqlite3_bind_int64(del, 1, run);
        else
            sqlite3_bind_null(del, 1);
        bind_text_or_null(del, 2, d->sbdf);
        bind_text_or_null(del, 3, d->name);
        if ( sro_db_step_done(del, "replacing a device", e) )
            goto fail;
        for ( unsigned int k = 0; k < d->nregions; k++ )
        {
            const struct dev_region *r = &d->regions[k];

            if ( run )
                sqlite3_bind_int64(ins, 1, run);
            else
                sqlite3_bind_null(ins, 1);
            bind_text_or_null(ins, 2, d->sbdf);
            bind_text_or_null(ins, 3, d->name);
            bind_int_or_null(ins, 4, d->vendor);
            bind_int_or_null(ins, 5, d->device);
            bind_int_or_null(ins, 6, d->class_);
            bind_text_or_null(ins, 7, r->regmap);
            sro_db_bind_u64(ins, 8, r->base);
            sro_db_bind_u64(ins, 9, r->size);
            sro_db_bind_u64(ins, 10, r->map_base);
            if ( sro_db_step_done(ins, "storing a device region", e) )
                goto fail;
            (*rows)++;
        }
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return sro_db_commit(db, e);
fail:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sro_db_rollback(db);
    return -1;
}

