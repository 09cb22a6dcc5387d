/*
 * cmd-replay.c - srotrace replay: judge every fault of a run and compare
 * it with what a Xen model says that Xen would have done.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/devbind.h"
#include "analyzer/summary.h"
#include "builtin.h"
#include "db/db.h"
#include "replayer/compare.h"
#include "replayer/model-choice.h"
#include "replayer/replay.h"
#include "replayer/replay-print.h"
#include "replayer/verdict-store.h"
#include "replayer/what-if-report.h"
#include "util/json.h"
#include "util/parse-options.h"
#include "util/progress.h"

static const char *const replay_usage[] = {
    "srotrace replay [DB] [--run N] [--model M|./plugin.so] [--ranges FILE] "
    "[--json [--groups]] [--fail-on VERDICT,...]",
    NULL,
};

struct replay_cmd {
    struct sro_verdict_store *store;
    struct sro_replay_print  *print;
    struct sro_db_err        *e;
    struct progress           progress;
    uint64_t                  done;
    struct sro_whatif_report *what_if;  /* with --what-if, else NULL */
    struct summary_acc       *sum;      /* with store: the replay's counts */
};

static int on_group(void *ctx, const struct sro_group_result *r)
{
    struct replay_cmd *c = ctx;

    if ( c->store && sro_verdict_store_add(c->store, r, c->e) )
        return -1;
    if ( c->sum )
        summary_acc_judged(c->sum, r);
    if ( c->what_if && sro_whatif_add(c->what_if, r) )
    {
        snprintf(c->e->msg, sizeof(c->e->msg), "out of memory");
        return -1;
    }
    sro_replay_print_group(c->print, r);
    /* A clock read per 4096 groups is noise even on 10M-group runs. */
    if ( (++c->done & 4095) == 0 )
        progress_update(&c->progress, 0, c->done);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    sro_replay_request_stop();
}

/* The what-if report's register names: the devices bound to the run. */
static void name_register(void *ctx, uint64_t mfn, unsigned int off,
                          unsigned int len, char *buf, size_t buflen)
{
    devbind_register(ctx, (mfn << SRO_PAGE_SHIFT) | off, len, buf, buflen,
                     NULL, NULL);
}

/* replay-print's extra section: the what-if report. */
static void print_what_if(void *ctx, FILE *out, struct json *j)
{
    if ( j )
        sro_whatif_print_json(ctx, j);
    else
        sro_whatif_print_text(ctx, out);
}

/* Parse "WRONGLY_DENIED,MISDIRECTED" into a bit mask; -1 if bad. */
static int parse_fail_on(const char *s, unsigned int *mask)
{
    char buf[256], *tok, *save;

    *mask = 0;
    if ( strlen(s) >= sizeof(buf) )
        return -1;
    strcpy(buf, s);
    for ( tok = strtok_r(buf, ",", &save); tok;
          tok = strtok_r(NULL, ",", &save) )
    {
        int v = sro_verdict_from_name(tok);

        if ( strcmp(tok, "WRONG") == 0 )
        {
            *mask |= (1u << SRO_V_WRONGLY_ACCEPTED) |
                     (1u << SRO_V_MISDIRECTED) |
                     (1u << SRO_V_WRONGLY_DENIED) | (1u << SRO_V_HARSH_DENY);
            continue;
        }
        if ( strcmp(tok, "DIVERGENCE") == 0 )
        {
            *mask |= 1u << SRO_VERDICT_COUNT;
            continue;
        }
        if ( v < 0 )
            return -1;
        *mask |= 1u << v;
    }
    return 0;
}

/* The number of groups the run holds (0 if unknown). */
static uint64_t run_groups(sqlite3 *db, int64_t run)
{
    sqlite3_stmt *st;
    uint64_t n = 0;

    if ( sqlite3_prepare_v2(db, "SELECT groups_total FROM runs WHERE id = ?1",
                            -1, &st, NULL) != SQLITE_OK )
        return 0;
    sqlite3_bind_int64(st, 1, run);
    if ( sqlite3_step(st) == SQLITE_ROW )
        n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The run's Xen version, or NULL. Caller frees. */
static char *run_xen_version(sqlite3 *db, int64_t run)
{
    sqlite3_stmt *st;
    char *v = NULL;

    if ( sqlite3_prepare_v2(db, "SELECT xen_version FROM runs WHERE id = ?1",
                            -1, &st, NULL) != SQLITE_OK )
        return NULL;
    sqlite3_bind_int64(st, 1, run);
    if ( sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) )
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int cmd_replay(int argc, const char **argv)
{
    const char *run_spec = NULL, *model_name = NULL, *ranges_path = NULL;
    const char *what_if_path = NULL, *fail_on = NULL;
    bool json = false, groups = false, no_store = false, quiet = false;
    const struct option options[] = {
        OPT_STRING('r', "run", &run_spec, "N",
                   "the run to replay (default: the latest complete run)"),
        OPT_STRING('m', "model", &model_name, "M",
                   "built-in model (srotrace models) or ./plugin.so "
                   "(default: the run's Xen version, else xen-4.21)"),
        OPT_STRING(0, "ranges", &ranges_path, "FILE",
                   "protection the capture never saw (start size lines), "
                   "applied first"),
        OPT_STRING(0, "what-if", &what_if_path, "FILE",
                   "the models see this protection plan instead of the "
                   "recorded one"),
        OPT_BOOL(0, "json", &json, "one JSON object on stdout"),
        OPT_BOOL(0, "groups", &groups,
                 "with --json: add group_verdicts, one object per group"),
        OPT_STRING(0, "fail-on", &fail_on, "VERDICT,...",
                   "exit 3 if one of these verdicts occurred (WRONG = the "
                   "four wrong ones; DIVERGENCE = any divergence)"),
        OPT_BOOL(0, "no-store", &no_store,
                 "do not keep the verdicts in the database"),
        OPT_BOOL('q', "quiet", &quiet, "print nothing but errors"),
        OPT_END(),
    };
    struct sro_replay_opts o = { 0 };
    struct sro_replay_stats stats;
    struct sro_plan ranges = { 0 }, what_if = { 0 };
    struct sro_db_err e = { 0 };
    struct replay_cmd c = { .e = &e };
    struct sro_replay_print_opts po = { 0 };
    struct sro_whatif_report what_if_report = { 0 };
    struct regmap_set *maps = NULL;
    struct devbind *names = NULL;
    const char *db_path;
    char err[512], *xen_version = NULL;
    unsigned int fail_mask = 0;
    int n, rc, status = SRO_EXIT_ERROR;

    n = parse_options(argc, argv, options, replay_usage);
    if ( n > 1 )
    {
        fprintf(stderr, "srotrace replay: one database at a time\n");
        return 129;
    }
    db_path = n ? argv[0] : SRO_DB_DEFAULT;
    if ( fail_on && parse_fail_on(fail_on, &fail_mask) )
    {
        fprintf(stderr, "srotrace replay: --fail-on: unknown verdict in "
                        "'%s'\n", fail_on);
        return 129;
    }
    if ( ranges_path )
    {
        if ( sro_plan_load(ranges_path, &ranges, err, sizeof(err)) )
        {
            fprintf(stderr, "srotrace replay: %s\n", err);
            return SRO_EXIT_ERROR;
        }
        for ( unsigned int i = 0; i < ranges.n; i++ )
            if ( ranges.lines[i].kind == SRO_PLAN_WRITABLE )
            {
                fprintf(stderr, "srotrace replay: %s:%u: 'writable' lines "
                        "belong in a --what-if plan\n", ranges_path,
                        ranges.lines[i].lineno);
                goto out;
            }
        o.ranges = &ranges;
    }
    if ( what_if_path )
    {
        if ( sro_plan_load(what_if_path, &what_if, err, sizeof(err)) )
        {
            fprintf(stderr, "srotrace replay: %s\n", err);
            goto out;
        }
        o.what_if = &what_if;
    }

    o.db = sro_db_open(db_path, no_store ? SRO_DB_READ : SRO_DB_WRITE, &e);
    if ( !o.db || sro_db_resolve_run(o.db, run_spec, &o.run, &e) )
    {
        fprintf(stderr, "srotrace replay: %s\n", e.msg);
        goto out;
    }
    if ( !model_name )
    {
        xen_version = run_xen_version(o.db, o.run);
        model_name = sro_model_for_xen_version(xen_version);
        if ( !model_name )
        {
            fprintf(stderr, "srotrace replay: run %" PRId64 " is of Xen %s, "
                    "which has no sub-page protection; name a --model\n",
                    o.run, xen_version);
            goto out;
        }
    }
    o.models[0] = sro_model_find(model_name, err, sizeof(err));
    if ( !o.models[0] )
    {
        fprintf(stderr, "srotrace replay: %s\n", err);
        goto out;
    }
    o.nmodels = 1;

    if ( !no_store &&
         !(c.store = sro_verdict_store_begin(o.db, o.run, o.models[0]->name,
                                             what_if_path, &e)) )
    {
        fprintf(stderr, "srotrace replay: %s\n", e.msg);
        goto out;
    }
    if ( c.store )
        c.sum = summary_acc_new();
    po.out = stdout;
    po.json = json;
    po.groups = groups;
    po.quiet = quiet;
    po.run = o.run;
    po.replay = c.store ? sro_verdict_store_id(c.store) : 0;
    po.model = o.models[0]->name;
    po.db_path = db_path;
    if ( what_if_path )
    {
        /* Register names are a nicety: without maps, offsets only. */
        maps = regmap_set_new();
        if ( maps && regmap_set_load_standard(maps, NULL, 0, err,
                                              sizeof(err)) )
            fprintf(stderr, "srotrace replay: no register names: %s\n",
                    err);
        else if ( maps && !(names = devbind_load(o.db, o.run, maps, &e)) )
            fprintf(stderr, "srotrace replay: no register names: %s\n",
                    e.msg);
        sro_whatif_init(&what_if_report, o.models[0], what_if_path,
                        names ? name_register : NULL, names);
        c.what_if = &what_if_report;
        po.extra = print_what_if;
        po.extra_ctx = &what_if_report;
    }
    c.print = sro_replay_print_begin(&po);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    progress_start_groups(&c.progress, "replay", run_groups(o.db, o.run));
    rc = sro_replay_run(&o, on_group, &c, &stats, &e);
    progress_end(&c.progress);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);

    if ( c.store )
    {
        bool complete = rc == 0 && !sro_replay_stop_requested();
        struct sro_db_err e2 = { 0 };
        int64_t replay_id = sro_verdict_store_id(c.store), sid;

        if ( rc != 0 )
            sro_db_rollback(o.db);
        if ( sro_verdict_store_end(c.store, &stats, complete,
                                   rc ? &e2 : &e) && rc == 0 )
            rc = -1;
        /* The replay's summary for the report (analyzer/summary.h). */
        if ( rc == 0 && complete &&
             summary_acc_store_replay(o.db, o.run, replay_id, c.sum, &sid,
                                      &e) )
            rc = -1;
        c.store = NULL;
    }
    sro_replay_print_end(c.print, &stats);
    if ( rc != 0 )
    {
        fprintf(stderr, "srotrace replay: %s\n", e.msg);
        goto out;
    }
    if ( sro_replay_stop_requested() )
    {
        fprintf(stderr, "srotrace replay: interrupted after %" PRIu64
                " groups; the replay is kept as interrupted\n", stats.groups);
        status = 130;
        goto out;
    }
    status = SRO_EXIT_OK;
    for ( unsigned int v = 0; v < SRO_VERDICT_COUNT; v++ )
        if ( (fail_mask & (1u << v)) && stats.verdicts[v] )
            status = SRO_EXIT_GATE;
    if ( (fail_mask & (1u << SRO_VERDICT_COUNT)) && stats.divergences )
        status = SRO_EXIT_GATE;
 out:
    summary_acc_free(c.sum);
    sro_whatif_free(&what_if_report);
    devbind_free(names);
    regmap_set_free(maps);
    free(xen_version);
    sro_plan_free(&ranges);
    sro_plan_free(&what_if);
    sro_db_close(o.db);
    return status;
}
