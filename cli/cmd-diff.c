/*
 * cmd-diff.c - srotrace diff: replay one run through two models and list
 * every kind of change in predicted behaviour or verdict.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "db/db.h"
#include "replayer/diff.h"
#include "replayer/replay.h"
#include "util/escape.h"
#include "util/json.h"
#include "util/parse-options.h"

static const char *const diff_usage[] = {
    "srotrace diff [DB] --model A --model B [--run N] [--ranges FILE] "
    "[--what-if FILE] [--json]",
    NULL,
};

static int on_group(void *ctx, const struct sro_group_result *r)
{
    return sro_diff_add(ctx, r);
}

static void print_human(const struct sro_diff *d, const char *model_a,
                        const char *model_b, int64_t run)
{
    /* Plugins name themselves: clean the names for the terminal. */
    char a[128], b[128];

    term_clean(a, sizeof(a), model_a);
    term_clean(b, sizeof(b), model_b);
    printf("run %" PRId64 ": %s -> %s: %" PRIu64 " of %" PRIu64
           " groups change\n", run, a, b, d->changed, d->groups);
    for ( unsigned int i = 0; i < d->nkinds; i++ )
    {
        const struct sro_diff_kind *k = &d->kinds[i];

        printf("  %" PRIu64 " group%s: %s -> %s", k->groups,
               k->groups == 1 ? "" : "s", k->from, k->to);
        if ( k->verdict_from != k->verdict_to )
            printf(", verdict %s -> %s", sro_verdict_name(k->verdict_from),
                   sro_verdict_name(k->verdict_to));
        else
            printf(", verdict stays %s", sro_verdict_name(k->verdict_from));
        printf("\n      e.g. group %" PRId64 " (cpu %u, tsc %" PRIu64 "): %s"
               "\n", k->example_group, k->example_cpu, k->example_tsc,
               k->example_field);
    }
    if ( d->not_predicted[0] || d->not_predicted[1] )
        printf("  groups without a prediction: %" PRIu64 " from %s, %"
               PRIu64 " from %s\n", d->not_predicted[0], a,
               d->not_predicted[1], b);
}

static void print_json(const struct sro_diff *d, const char *a,
                       const char *b, int64_t run)
{
    struct json j;

    json_init(&j, stdout, false);
    json_object_begin(&j);
    json_kv_int(&j, "run", run);
    json_kv_string(&j, "model_a", a);
    json_kv_string(&j, "model_b", b);
    json_kv_uint(&j, "groups", d->groups);
    json_kv_uint(&j, "changed", d->changed);
    json_kv_uint(&j, "not_predicted_a", d->not_predicted[0]);
    json_kv_uint(&j, "not_predicted_b", d->not_predicted[1]);
    json_key(&j, "changes");
    json_array_begin(&j);
    for ( unsigned int i = 0; i < d->nkinds; i++ )
    {
        const struct sro_diff_kind *k = &d->kinds[i];

        json_object_begin(&j);
        json_kv_uint(&j, "groups", k->groups);
        json_kv_string(&j, "from", k->from);
        json_kv_string(&j, "to", k->to);
        json_kv_string(&j, "verdict_from", sro_verdict_name(k->verdict_from));
        json_kv_string(&j, "verdict_to", sro_verdict_name(k->verdict_to));
        json_key(&j, "domains");
        json_array_begin(&j);
        for ( unsigned int dom = 0; dom < 64; dom++ )
            if ( k->domains_mask & (UINT64_C(1) << dom) )
                json_uint(&j, dom);
        json_array_end(&j);
        json_key(&j, "example");
        json_object_begin(&j);
        json_kv_int(&j, "group", k->example_group);
        json_kv_uint(&j, "cpu", k->example_cpu);
        json_kv_uint(&j, "tsc", k->example_tsc);
        json_kv_string(&j, "field", k->example_field);
        json_object_end(&j);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    json_end(&j);
}

int cmd_diff(int argc, const char **argv)
{
    struct string_list models = { 0 };
    const char *run_spec = NULL, *ranges_path = NULL, *what_if_path = NULL;
    bool json = false, fail_on_change = false;
    const struct option options[] = {
        OPT_STRING_LIST('m', "model", &models, "M",
                        "a model (built-in name or ./plugin.so); give two"),
        OPT_STRING('r', "run", &run_spec, "N",
                   "the run (default: the latest complete run)"),
        OPT_STRING(0, "ranges", &ranges_path, "FILE",
                   "protection the capture never saw, applied first"),
        OPT_STRING(0, "what-if", &what_if_path, "FILE",
                   "both models see this protection plan"),
        OPT_BOOL(0, "json", &json, "one JSON object on stdout"),
        OPT_BOOL(0, "fail-on-change", &fail_on_change,
                 "exit 3 if any group changes"),
        OPT_END(),
    };
    struct sro_replay_opts o = { 0 };
    struct sro_replay_stats stats;
    struct sro_plan ranges = { 0 }, what_if = { 0 };
    struct sro_db_err e = { 0 };
    struct sro_diff d = { 0 };
    char err[512];
    int n, status = SRO_EXIT_ERROR;

    n = parse_options(argc, argv, options, diff_usage);
    if ( models.n != 2 || n > 1 )
    {
        fprintf(stderr, "srotrace diff: give one database and exactly two "
                        "--model\n");
        string_list_clear(&models);
        return 129;
    }
    for ( unsigned int i = 0; i < 2; i++ )
        if ( !(o.models[i] = sro_model_find(models.items[i], err,
                                            sizeof(err))) )
        {
            fprintf(stderr, "srotrace diff: %s\n", err);
            goto out;
        }
    o.nmodels = 2;
    if ( ranges_path )
    {
        if ( sro_plan_load(ranges_path, &ranges, err, sizeof(err)) )
        {
            fprintf(stderr, "srotrace diff: %s\n", err);
            goto out;
        }
        o.ranges = &ranges;
    }
    if ( what_if_path )
    {
        if ( sro_plan_load(what_if_path, &what_if, err, sizeof(err)) )
        {
            fprintf(stderr, "srotrace diff: %s\n", err);
            goto out;
        }
        o.what_if = &what_if;
    }
    o.db = sro_db_open(n ? argv[0] : SRO_DB_DEFAULT, SRO_DB_READ, &e);
    if ( !o.db || sro_db_resolve_run(o.db, run_spec, &o.run, &e) )
    {
        fprintf(stderr, "srotrace diff: %s\n", e.msg);
        goto out;
    }
    if ( sro_replay_run(&o, on_group, &d, &stats, &e) )
    {
        fprintf(stderr, "srotrace diff: %s\n", e.msg[0] ? e.msg
                                                        : "out of memory");
        goto out;
    }
    sro_diff_sort(&d);
    if ( json )
        print_json(&d, o.models[0]->name, o.models[1]->name, o.run);
    else
        print_human(&d, o.models[0]->name, o.models[1]->name, o.run);
    status = fail_on_change && d.changed ? SRO_EXIT_GATE : SRO_EXIT_OK;
 out:
    sro_diff_free(&d);
    sro_plan_free(&ranges);
    sro_plan_free(&what_if);
    sro_db_close(o.db);
    string_list_clear(&models);
    return status;
}
