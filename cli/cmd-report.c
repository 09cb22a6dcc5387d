/*
 * cmd-report.c - `srotrace report`: summarise runs for a terminal, as
 * JSON, or as one self-contained HTML page.
 *
 * Read only. analyzer/report.c collects, analyzer/report-{text,json,html}.c
 * render. Without --run every run of the database is reported. With
 * --what-if the HTML shows each page also under a protection plan
 * (analyzer/report-whatif.c replays each run through a model first).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../analyzer/devbind.h"
#include "../analyzer/regmap.h"
#include "../analyzer/report-whatif.h"
#include "../analyzer/report.h"
#include "../analyzer/runinfo.h"
#include "../db/db.h"
#include "../replayer/model-choice.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const report_usage[] = {
    "srotrace report [DB] [--run N] [--maps FILE|DIR]... [--json] "
    "[--html FILE [--what-if PLAN [--model M]]]",
    NULL
};

/* Replay run r through the model (named, or the run's Xen version's)
 * under the plan: a new report_whatif, or NULL after a message. */
static struct report_whatif *what_if_of(sqlite3 *db,
                                        const struct report_run *r,
                                        const char *plan,
                                        const char *model_name,
                                        const struct devbind *b)
{
    struct report_whatif *w = calloc(1, sizeof(*w));
    const struct sro_model *m;
    char err[512];

    if ( !w )
    {
        fprintf(stderr, "srotrace report: out of memory\n");
        return NULL;
    }
    if ( !model_name &&
         !(model_name = sro_model_for_xen_version(r->info.xen_version)) )
    {
        fprintf(stderr, "srotrace report: run %" PRId64 " is of a Xen "
                "without sub-page protection; name a --model\n", r->info.id);
        free(w);
        return NULL;
    }
    m = sro_model_find(model_name, err, sizeof(err));
    if ( !m || report_whatif_build(db, r->info.id, plan, m, b, w, err,
                                   sizeof(err)) )
    {
        fprintf(stderr, "srotrace report: %s\n", err);
        report_whatif_free(w);
        free(w);
        return NULL;
    }
    return w;
}

/* Write the HTML page to a temporary file beside `path`, then rename it
 * into place, so that a reader never sees half a page. 0 or -1. */
static int write_html(const char *path, const char *title,
                      const struct report_run *runs, unsigned int n,
                      const struct devbind *const *binds,
                      const struct report_whatif *const *whatifs)
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
    report_print_html_whatif(f, title, runs, n, binds, whatifs);
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
    const char *what_if = NULL, *model = NULL;
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
        OPT_STRING(0, "what-if", &what_if, "PLAN",
                   "with --html: each heat map also under this protection "
                   "plan, side by side"),
        OPT_STRING('m', "model", &model, "M",
                   "with --what-if: the model to replay through (default: "
                   "the run's Xen version's)"),
        OPT_END()
    };
    char err[640];
    struct sro_db_err e = { 0 };
    struct regmap_set *maps;
    struct report_run *runs = NULL;
    struct devbind **binds = NULL;
    struct report_whatif **whatifs = NULL;
    int64_t *ids = NULL;
    unsigned int nids = 0, built = 0;
    sqlite3 *db;
    int n, rc = SRO_EXIT_ERROR;

    n = parse_options(argc, argv, options, report_usage);
    if ( n > 1 || (what_if && !html) || (model && !what_if) )
    {
        fprintf(stderr, "error: %s\n", n > 1 ? "one database at a time" :
                what_if && !html ? "--what-if needs --html"
                                 : "--model needs --what-if");
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
    whatifs = calloc(nids, sizeof(*whatifs));
    if ( !runs || !binds || !whatifs )
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
        if ( what_if &&
             !(whatifs[built] = what_if_of(db, &runs[built], what_if, model,
                                           binds[built])) )
        {
            built++;
            goto out;
        }
    }
    /* The page first: a reader of stdout that goes away early (| head)
     * must not cost the HTML file. */
    rc = SRO_EXIT_OK;
    if ( html && write_html(html, path, runs, nids,
                            (const struct devbind *const *)binds,
                            (const struct report_whatif *const *)whatifs) )
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
        if ( whatifs[i] )
            report_whatif_free(whatifs[i]);
        free(whatifs[i]);
        report_free(&runs[i]);
        devbind_free(binds[i]);
    }
    free(whatifs);
    free(runs);
    free(binds);
    free(ids);
    sro_db_close(db);
    regmap_set_free(maps);
    string_list_clear(&extra_maps);
    return rc;
}
