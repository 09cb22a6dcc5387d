/*
 * cmd-timeline.c - `srotrace timeline`: one guest's writes to protected
 * pages, in order, with the first wrong verdict before each fault or
 * crash of the guest marked.
 *
 * Read only. The work is in analyzer/timeline.c; guest symbols come from
 * a System.map (analyzer/symbols.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/devbind.h"
#include "../analyzer/regmap.h"
#include "../analyzer/runinfo.h"
#include "../analyzer/symbols.h"
#include "../analyzer/timeline.h"
#include "../db/db.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const timeline_usage[] = {
    "srotrace timeline [DB] --domain D [--vcpu V] [--run N] "
    "[--symbols System.map [--kaslr-offset HEX]] [--maps FILE|DIR]... "
    "[--regmap NAME|FILE] [--json] [--limit N]",
    NULL
};

/* HEX with or without 0x. */
static int parse_hex(const char *s, uint64_t *out)
{
    char *end;

    if ( !s || !*s || *s == '-' )
        return -1;
    *out = strtoull(s, &end, 16);
    return *end ? -1 : 0;
}

int cmd_timeline(int argc, const char **argv)
{
    const char *run_spec = NULL, *symfile = NULL, *kaslr = NULL;
    const char *regmap = NULL;
    const char *path = SRO_DB_DEFAULT;
    int domain = -1, vcpu = -1, limit = 0;
    bool json = false;
    struct string_list extra_maps = { 0 };
    const struct option options[] = {
        OPT_INT(0, "domain", &domain, "D", "the guest (domain id)"),
        OPT_INT(0, "vcpu", &vcpu, "V", "only this vCPU of the guest"),
        OPT_STRING(0, "run", &run_spec, "N",
                   "run N (default: the latest complete run)"),
        OPT_STRING(0, "symbols", &symfile, "System.map",
                   "name RIPs function+offset with the guest's System.map"),
        OPT_STRING(0, "kaslr-offset", &kaslr, "HEX",
                   "the guest kernel's KASLR slide (added to System.map)"),
        OPT_STRING_LIST(0, "maps", &extra_maps, "FILE|DIR",
                        "also load these register maps (repeatable)"),
        OPT_STRING(0, "regmap", &regmap, "NAME|FILE",
                   "name registers with this map, placed at the start of "
                   "every page, instead of the device list"),
        OPT_BOOL(0, "json", &json, "print JSON"),
        OPT_INT(0, "limit", &limit, "N", "show the first N writes only"),
        OPT_END()
    };
    char err[640];
    struct sro_db_err e = { 0 };
    struct regmap_set *maps = NULL;
    struct symtab *syms = NULL;
    struct devbind *b = NULL;
    struct runinfo r;
    struct timeline t;
    int64_t *ids = NULL;
    unsigned int nids;
    uint64_t slide = 0;
    sqlite3 *db = NULL;
    int n, rc = SRO_EXIT_ERROR;

    n = parse_options(argc, argv, options, timeline_usage);
    if ( n > 1 || domain < 0 || domain > 0xffff || vcpu < -1 ||
         vcpu > 0xffff || limit < 0 || (kaslr && !symfile) ||
         (kaslr && parse_hex(kaslr, &slide)) )
    {
        fprintf(stderr, "error: %s\n",
                n > 1 ? "one database at a time" :
                domain < 0 || domain > 0xffff ? "--domain D is required "
                                                "(0..65535)" :
                vcpu < -1 || vcpu > 0xffff ? "--vcpu must be 0..65535" :
                limit < 0 ? "--limit must not be negative" :
                !symfile ? "--kaslr-offset needs --symbols"
                         : "--kaslr-offset takes a hex number");
        usage_with_options_to(stderr, timeline_usage, options);
        string_list_clear(&extra_maps);
        return 129;
    }
    if ( n == 1 )
        path = argv[0];
    if ( symfile )
    {
        syms = symtab_load(symfile, err, sizeof(err));
        if ( !syms )
        {
            fprintf(stderr, "srotrace timeline: %s\n", err);
            goto out;
        }
        if ( slide )
            symtab_relocate(syms, slide);
    }
    maps = regmap_set_new();
    if ( regmap_set_load_standard(maps, extra_maps.items, extra_maps.n, err,
                                  sizeof(err)) )
    {
        fprintf(stderr, "srotrace timeline: %s\n", err);
        goto out;
    }
    db = sro_db_open(path, SRO_DB_READ, &e);
    if ( !db )
    {
        fprintf(stderr, "srotrace timeline: %s\n", e.msg);
        goto out;
    }
    if ( runinfo_select(db, run_spec, false, &ids, &nids, &e) ||
         runinfo_load(db, ids[0], &r, &e) )
    {
        fprintf(stderr, "srotrace timeline: %s\n", e.msg);
        goto out;
    }
    b = devbind_load(db, r.id, maps, &e);
    if ( b && regmap )
    {
        const struct regmap *m = regmap_set_resolve(maps, regmap, err,
                                                    sizeof(err));

        if ( !m )
        {
            fprintf(stderr, "srotrace timeline: %s\n", err);
            runinfo_free(&r);
            goto out;
        }
        devbind_override(b, m);
    }
    if ( !b || timeline_build(db, &r, (unsigned int)domain, vcpu, syms, b,
                              &t, &e) )
    {
        fprintf(stderr, "srotrace timeline: %s\n", e.msg);
        runinfo_free(&r);
        goto out;
    }
    if ( json )
        timeline_print_json(stdout, &r, &t, (unsigned int)limit);
    else
        timeline_print_text(stdout, &r, &t, (unsigned int)limit);
    rc = SRO_EXIT_OK;
    if ( fflush(stdout) )
    {
        perror("srotrace timeline: writing the output");
        rc = SRO_EXIT_ERROR;
    }
    timeline_free(&t);
    runinfo_free(&r);
out:
    devbind_free(b);
    free(ids);
    sro_db_close(db);
    regmap_set_free(maps);
    symtab_free(syms);
    string_list_clear(&extra_maps);
    return rc;
}
