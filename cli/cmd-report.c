/*
 * cmd-report.c - `srotrace report`: summarise runs for a terminal, as
 * JSON, or as one self-contained HTML page.
 *
 * Read only. analyzer/report.c collects, analyzer/report-{text,json,html}.c
 * render. Without --run every run of the database is reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../analyzer/devbind.h"
#include "../analyzer/regmap.h"
#include "../analyzer/report.h"
#include "../analyzer/runinfo.h"
#include "../db/db.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const report_usage[] = {
    "srotrace report [DB] [--run N] [--maps FILE|DIR]... [--json] "
    "[--html FILE]",
    NULL
};

/* Write the HTML page to a temporary file beside `path`, then rename it
 * into place, so that a reader never sees half a page. 0 or -1. */
static int write_html(const char *path, const char *title,
                      const struct report_run *runs, unsigned int n,
                      const struct devbind *const *binds)
{
    size_t len = strlen(path) + 16;
    char *tmp = malloc(len);
    FILE *f;
    int rc = 0;

    if ( !tmp )
        return -1;
    snprintf(tmp, len, "%s.tmp%ld", path, (long)getpid());
    f = fopen(tmp, "w");
    if ( !f )
    {
        fprintf(stderr, "srotrace report: %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    report_print_html(f, title, runs, n, binds);
    if ( ferror(f) | fclose(f) )
    {
        fprintf(stderr, "srotrace report: %s: %s\n", tmp, strerror(errno));
        rc = -1;
    }
    else if ( rename(tmp, path) )
    {
        fprintf(stderr, "srotrace report: %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    if ( rc )
        remove(tmp);
    free(tmp);
    return rc;
}

int cmd_report(int argc, const char **argv)
{
    const char *run_spec = NULL, *html = NULL, *path = SRO_DB_DEFAULT;
    bool json = false;
    struct string_list extra_maps = { 0 };
    const struct option options[] = {
        OPT_STRING(0, "run", &run_spec, "N",
                   "report run N only (default: every run)"),
        OPT_STRING_LIST(0, "maps", &extra_maps, "FILE|DIR",
                        "also load these register maps (repeatable)"),
        OPT_BOOL(0, "json", &json, "print JSON instead of tables"),
        OPT_STRING(0, "html", &html, "FILE",
                   "also write a self-contained HTML report with heat maps"),
        OPT_END()
    };
    char err[640];
    struct sro_db_err e = { 0 };
    struct regmap_set *maps;
    struct report_run *runs = NULL;
    struct devbind **binds = NULL;
    int64_t *ids = NULL;
    unsigned int nids = 0, built = 0;
    sqlite3 *db;
    int n, rc = SRO_EXIT_ERROR;

    n = parse_options(argc, argv, options, report_usage);
    if ( n > 1 )
    {
        fprintf(stderr, "error: one database at a time\n");
        usage_with_options_to(stderr, report_usage, options);
        string_list_clear(&extra_maps);
        return 129;
    }
    if ( n == 1 )
        path = argv[0];
    maps = regmap_set_new();
    if ( regmap_set_load_standard(maps, extra_maps.items, extra_maps.n, err,
                                  sizeof(err)) )
    {
        fprintf(stderr, "srotrace report: %s\n", err);
        regmap_set_free(maps);
        string_list_clear(&extra_maps);
        return SRO_EXIT_ERROR;
    }
    db = sro_db_open(path, SRO_DB_READ, &e);
    if ( !db )
    {
        fprintf(stderr, "srotrace report: %s\n", e.msg);
        regmap_set_free(maps);
        string_list_clear(&extra_maps);
        return SRO_EXIT_ERROR;
    }
    if ( runinfo_select(db, run_spec, true, &ids, &nids, &e) )
    {
        fprintf(stderr, "srotrace report: %s\n", e.msg);
        goto out;
    }
    runs = calloc(nids, sizeof(*runs));
    binds = calloc(nids, sizeof(*binds));
    if ( !runs || !binds )
    {
        fprintf(stderr, "srotrace report: out of memory\n");
        goto out;
    }
    for ( built = 0; built < nids; built++ )
    {
        binds[built] = devbind_load(db, ids[built], maps, &e);
        if ( !binds[built] ||
             report_build(db, ids[built], binds[built], &runs[built], &e) )
        {
            fprintf(stderr, "srotrace report: %s\n", e.msg);
            devbind_free(binds[built]);
            binds[built] = NULL;
            goto out;
        }
    }
    /* The page first: a reader of stdout that goes away early (| head)
     * must not cost the HTML file. */
    rc = SRO_EXIT_OK;
    if ( html && write_html(html, path, runs, nids,
                            (const struct devbind *const *)binds) )
        rc = SRO_EXIT_ERROR;
    if ( json )
        report_print_json(stdout, runs, nids);
    else
        report_print_text(stdout, runs, nids);
    if ( fflush(stdout) )
    {
        perror("srotrace report: writing the output");
        rc = SRO_EXIT_ERROR;
    }
out:
    for ( unsigned int i = 0; i < built; i++ )
    {
        report_free(&runs[i]);
        devbind_free(binds[i]);
    }
    free(runs);
    free(binds);
    free(ids);
    sro_db_close(db);
    regmap_set_free(maps);
    string_list_clear(&extra_maps);
    return rc;
}
