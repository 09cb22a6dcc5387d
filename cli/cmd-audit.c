/*
 * cmd-audit.c - `srotrace audit`: which bytes of each protected page the
 * guests touched, with register names, as a table, JSON or CSV.
 *
 * Read only. The work is in analyzer/audit.c; this file turns options
 * into calls. `--fail-on-ro-reached` makes the command a CI gate: exit 3
 * when read-only bytes reached a device.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/audit.h"
#include "../analyzer/devbind.h"
#include "../analyzer/regmap.h"
#include "../analyzer/runinfo.h"
#include "../db/db.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const audit_usage[] = {
    "srotrace audit [DB] [--run N] [--maps FILE|DIR]... [--regmap NAME|FILE] "
    "[--json | --csv] [--fail-on-ro-reached]",
    NULL
};

int cmd_audit(int argc, const char **argv)
{
    const char *run_spec = NULL, *regmap = NULL, *path = SRO_DB_DEFAULT;
    bool json = false, csv = false, gate = false;
    struct string_list extra_maps = { 0 };
    const struct option options[] = {
        OPT_STRING(0, "run", &run_spec, "N",
                   "audit run N (default: the latest complete run)"),
        OPT_STRING_LIST(0, "maps", &extra_maps, "FILE|DIR",
                        "also load these register maps (repeatable)"),
        OPT_STRING(0, "regmap", &regmap, "NAME|FILE",
                   "name registers with this map, placed at the start of "
                   "every protected page, instead of the device list"),
        OPT_BOOL(0, "json", &json, "print JSON"),
        OPT_BOOL(0, "csv", &csv, "print CSV (RFC 4180), one row per range"),
        OPT_BOOL(0, "fail-on-ro-reached", &gate,
                 "exit 3 if read-only bytes reached a device"),
        OPT_END()
    };
    char err[640];
    struct sro_db_err e = { 0 };
    struct regmap_set *maps;
    struct devbind *b = NULL;
    struct runinfo r;
    struct audit a;
    int64_t *ids = NULL;
    unsigned int nids;
    sqlite3 *db;
    int n, rc = SRO_EXIT_ERROR;

    n = parse_options(argc, argv, options, audit_usage);
    if ( n > 1 || (json && csv) )
    {
        fprintf(stderr, "error: %s\n", n > 1 ? "one database at a time"
                                             : "--json and --csv exclude "
                                               "each other");
        usage_with_options_to(stderr, audit_usage, options);
        string_list_clear(&extra_maps);
        return 129;
    }
    if ( n == 1 )
        path = argv[0];

    maps = regmap_set_new();
    if ( regmap_set_load_standard(maps, extra_maps.items, extra_maps.n, err,
                                  sizeof(err)) )
    {
        fprintf(stderr, "srotrace audit: %s\n", err);
        regmap_set_free(maps);
        string_list_clear(&extra_maps);
        return SRO_EXIT_ERROR;
    }
    db = sro_db_open(path, SRO_DB_READ, &e);
    if ( !db )
    {
        fprintf(stderr, "srotrace audit: %s\n", e.msg);
        regmap_set_free(maps);
        string_list_clear(&extra_maps);
        return SRO_EXIT_ERROR;
    }
    if ( runinfo_select(db, run_spec, false, &ids, &nids, &e) ||
         runinfo_load(db, ids[0], &r, &e) )
    {
        fprintf(stderr, "srotrace audit: %s\n", e.msg);
        goto out;
    }
    b = devbind_load(db, r.id, maps, &e);
    if ( !b )
    {
        fprintf(stderr, "srotrace audit: %s\n", e.msg);
        goto out_run;
    }
    if ( regmap )
    {
        const struct regmap *m = regmap_set_resolve(maps, regmap, err,
                                                    sizeof(err));

        if ( !m )
        {
            fprintf(stderr, "srotrace audit: %s\n", err);
            goto out_run;
        }
        devbind_override(b, m);
    }
    if ( audit_build(db, &r, b, &a, &e) )
    {
        fprintf(stderr, "srotrace audit: %s\n", e.msg);
        goto out_run;
    }
    if ( json )
        audit_print_json(stdout, &r, &a);
    else if ( csv )
        audit_print_csv(stdout, &r, &a);
    else
        audit_print_text(stdout, &r, &a);
    rc = gate && audit_ro_reached(&a) ? SRO_EXIT_GATE : SRO_EXIT_OK;
    if ( fflush(stdout) )
    {
        perror("srotrace audit: writing the output");
        rc = SRO_EXIT_ERROR;
    }
    audit_free(&a);
out_run:
    runinfo_free(&r);
out:
    devbind_free(b);
    free(ids);
    sro_db_close(db);
    regmap_set_free(maps);
    string_list_clear(&extra_maps);
    return rc;
}
