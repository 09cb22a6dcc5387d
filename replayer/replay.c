/*
 * replay.c - see replay.h.
 *
 * Two protection states are kept: `judged`, the run's own configuration
 * (plus --ranges), by which the oracle judges what was recorded; and
 * `proposed`, which the models see: the same state, or a what-if plan.
 * Page snapshots are cached per mfn until the configuration changes.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "config-timeline.h"
#include "insn-table.h"
#include "replay.h"

static volatile sig_atomic_t stop_requested;

void sro_replay_request_stop(void)
{
    stop_requested = 1;
}

bool sro_replay_stop_requested(void)
{
    return stop_requested != 0;
}

/* The last page snapshot taken, valid while the configuration stands. */
struct page_cache {
    bool                 valid;
    uint64_t             generation;
    struct sro_page_prot page;
};

static const struct sro_page_prot *page_of(const struct sro_prot *p,
                                           struct page_cache *c,
                                           uint64_t generation, uint64_t mfn)
{
    if ( !c->valid || c->generation != generation || c->page.mfn != mfn )
    {
        sro_prot_page(p, mfn, &c->page);
        c->page.mfn = mfn;
        c->generation = generation;
        c->valid = true;
    }
    return &c->page;
}

void sro_result_recorded(const struct sro_group_result *r,
                         struct sro_behaviour *b)
{
    b->writes = r->sg->g.writes;
    b->nwrites = r->sg->g.nwrites;
    b->has_done = r->sg->g.has_done;
    b->outcome = r->sg->g.done.outcome;
}

void sro_result_predicted(const struct sro_group_result *r, unsigned int m,
                          struct sro_behaviour *b)
{
    b->writes = r->pred[m].writes;
    b->nwrites = r->pred[m].nwrites;
    b->has_done = true;
    b->outcome = r->pred[m].done.outcome;
}

/* Judge a behaviour (recorded or predicted) of group g. */
static void judge(const struct sro_group *g, const struct sro_insn *insn,
                  const struct sro_page_prot *page, bool complete,
                  const struct sro_write *w, unsigned int nw,
                  const struct sro_done *done, struct sro_judgement *out)
{
    struct sro_judge_input in = {
        .fault = &g->fault,
        .insn = insn,
        .page = page,
        .complete = complete,
        .writes = w,
        .nwrites = nw,
        .done = done,
    };

    sro_oracle_judge(&in, out);
}

/* Ask model m for its prediction of r's group. */
static void predict(const struct sro_model *m, struct sro_group_result *r,
                    unsigned int i, const struct sro_page_prot *page)
{
    const struct sro_group *g = &r->sg->g;
    struct sro_insn none = { .valid = false };
    struct sro_model_input in = {
        .fault = &g->fault,
        .insn = r->insn ? r->insn : &none,
        .page = page,
        /* A string store's iterations are not in the trace; the recorded
         * pieces say how many this emulation performed. */
        .reps = r->insn && r->insn->string && g->nwrites ? g->nwrites : 1,
    };

    /* The model ABI hands models a zeroed prediction. A whole one is 5 KiB:
     * zero what the previous group's prediction used, not all of it. */
    memset(r->pred[i].writes, 0,
           r->pred[i].nwrites * sizeof(r->pred[i].writes[0]));
    memset(&r->pred[i].done, 0, sizeof(r->pred[i].done));
    r->pred[i].nwrites = 0;
    r->predicted[i] = m->predict(m, &in, &r->pred[i]) == 0 &&
                      r->pred[i].nwrites <= SRO_PRED_MAX_WRITES;
    if ( r->predicted[i] )
        judge(g, r->insn, page, true, r->pred[i].writes, r->pred[i].nwrites,
              &r->pred[i].done, &r->pred_j[i]);
    else
        memset(&r->pred_j[i], 0, sizeof(r->pred_j[i]));
}

struct replay_state {
    const struct sro_replay_opts *o;
    struct sro_prot              *judged;     /* run's config (+ranges) */
    struct sro_prot              *proposed;   /* what the models see */
    struct sro_config_timeline    tl;
    struct sro_insn_table        *insns;
    struct page_cache             judged_page, proposed_page;
};

static void state_free(struct replay_state *s)
{
    sro_prot_free(s->judged);
    if ( s->proposed != s->judged )
        sro_prot_free(s->proposed);
    sro_config_timeline_free(&s->tl);
    sro_insn_table_free(s->insns);
}

static int state_init(struct replay_state *s,
                      const struct sro_replay_opts *o, struct sro_db_err *e)
{
    char err[256];

    memset(s, 0, sizeof(*s));
    s->o = o;
    s->judged = sro_prot_new();
    s->proposed = o->what_if ? sro_prot_new() : s->judged;
    if ( !s->judged || !s->proposed )
        return sro_db_fail(o->db, SQLITE_NOMEM, "replaying", e);
    if ( o->ranges && sro_plan_apply(o->ranges, s->judged, err, sizeof(err)) )
        goto plan_error;
    if ( o->what_if &&
         sro_plan_apply(o->what_if, s->proposed, err, sizeof(err)) )
        goto plan_error;
    if ( sro_config_timeline_load(o->db, o->run, &s->tl, e) )
        return -1;
    s->insns = sro_insn_table_new(o->db, e);
    return s->insns ? 0 : -1;

 plan_error:
    e->rc = SQLITE_ERROR;
    snprintf(e->msg, sizeof(e->msg), "%s", err);
    return -1;
}

/* Everything the replay says about one stored group. */
static int replay_group(struct replay_state *s,
                        const struct sro_stored_group *sg,
                        struct sro_group_result *r, struct sro_db_err *e)
{
    const struct sro_replay_opts *o = s->o;
    const struct sro_group *g = &sg->g;
    const struct sro_page_prot *jp, *pp;
    struct sro_group *mg = (struct sro_group *)&sg->g;
    struct sro_behaviour rec, pred;

    r->sg = sg;
    r->insn = NULL;
    if ( sg->insn_id > 0 )
    {
        const struct sro_insn_entry *ent =
            sro_insn_table_get(s->insns, sg->insn_id, e);

        if ( !ent && e->msg[0] )
            return -1;
        if ( ent )
        {
            /* The stream leaves the bytes to us: fill them in so that
             * models and output see the instruction as fetched. */
            memcpy(mg->fault.insn, ent->bytes, ent->len);
            mg->fault.insn_len = ent->len;
            if ( ent->decoded )
                r->insn = &ent->insn;
        }
    }

    sro_config_timeline_advance(&s->tl, s->judged, g->fault.tsc);
    jp = page_of(s->judged, &s->judged_page, s->tl.generation, g->fault.mfn);
    pp = o->what_if ? page_of(s->proposed, &s->proposed_page, 0,
                              g->fault.mfn)
                    : jp;
    r->page = jp;

    judge(g, r->insn, jp, g->incomplete == SRO_COMPLETE, g->writes,
          g->nwrites, g->has_done ? &g->done : NULL, &r->recorded);

    for ( unsigned int i = 0; i < o->nmodels; i++ )
        predict(o->models[i], r, i, pp);

    r->diverged = false;
    r->diverged_field[0] = r->diverged_detail[0] = '\0';
    if ( o->nmodels == 0 || g->incomplete != SRO_COMPLETE )
        return 0;
    if ( !r->predicted[0] )
    {
        r->diverged = true;
        snprintf(r->diverged_field, sizeof(r->diverged_field), "model");
        snprintf(r->diverged_detail, sizeof(r->diverged_detail),
                 "%s makes no prediction for this fault", o->models[0]->name);
        return 0;
    }
    sro_result_recorded(r, &rec);
    sro_result_predicted(r, 0, &pred);
    r->diverged = sro_behaviour_differs(&rec, &pred, r->diverged_field,
                                        sizeof(r->diverged_field),
                                        r->diverged_detail,
                                        sizeof(r->diverged_detail));
    return 0;
}

int sro_replay_run(const struct sro_replay_opts *o, sro_replay_cb *cb,
                   void *ctx, struct sro_replay_stats *stats,
                   struct sro_db_err *e)
{
    struct replay_state s;
    struct sro_group_stream *gs = NULL;
    struct sro_group_result *r = NULL;
    const struct sro_stored_group *sg;
    int rc;

    memset(stats, 0, sizeof(*stats));
    e->msg[0] = '\0';
    if ( state_init(&s, o, e) )
    {
        state_free(&s);
        return -1;
    }
    /* A result holds predictions of up to 64 writes each: heap, not stack. */
    r = calloc(1, sizeof(*r));
    gs = r ? sro_group_stream_open(o->db, o->run, e) : NULL;
    if ( !gs )
    {
        if ( !r )
            sro_db_fail(o->db, SQLITE_NOMEM, "replaying", e);
        rc = -1;
        goto out;
    }
    while ( (rc = sro_group_stream_next(gs, &sg, e)) == 1 )
    {
        if ( replay_group(&s, sg, r, e) )
        {
            rc = -1;
            break;
        }
        stats->groups++;
        stats->verdicts[r->recorded.verdict]++;
        stats->divergences += r->diverged;
        for ( unsigned int i = 0; i < o->nmodels; i++ )
            stats->not_predicted += !r->predicted[i];
        if ( cb && (rc = cb(ctx, r)) != 0 )
            break;
        if ( stop_requested )
        {
            rc = 0;
            break;
        }
    }
    stats->config_refused = s.tl.refused;
    sro_insn_table_stats(s.insns, &stats->decode_hits, &stats->decode_misses);
 out:
    sro_group_stream_close(gs);
    free(r);
    state_free(&s);
    return rc;
}
