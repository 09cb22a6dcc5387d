/*
 * replay-print.c - see replay-print.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "replay-print.h"
#include "util/escape.h"
#include "util/json.h"

/* The groups kept before the first divergence, per CPU. */
#define CONTEXT_GROUPS 3

/* One group, summarised as a printed line. */
struct line {
    char text[256];
};

struct cpu_context {
    uint32_t    cpu;
    unsigned int n;                        /* lines held (<= CONTEXT) */
    unsigned int head;                     /* next slot to write */
    struct line lines[CONTEXT_GROUPS];
};

struct sro_replay_print {
    struct sro_replay_print_opts o;
    struct json                  j;
    struct cpu_context          *cpus;     /* grown as CPUs appear */
    unsigned int                 ncpus;
    unsigned int                 cpus_cap;
    bool                         have_first;
    struct cpu_context           first_ctx; /* context of first divergence */
    struct line                  first_line, first_pred;
    char                         first_where[160];
    char                         first_field[200];
    char                         model_shown[128]; /* o.model, cleaned */
};

static const char *name_or_q(const char *s)
{
    return s ? s : "?";
}

void sro_json_behaviour(struct json *j, const char *key,
                        const struct sro_write *w, unsigned int n,
                        bool has_outcome, unsigned int outcome)
{
    json_key(j, key);
    json_object_begin(j);
    json_key(j, "outcome");
    if ( has_outcome )
        json_string(j, name_or_q(sro_outcome_name(outcome)));
    else
        json_null(j);
    json_key(j, "writes");
    json_array_begin(j);
    for ( unsigned int i = 0; i < n; i++ )
    {
        json_object_begin(j);
        json_kv_uint(j, "offset", w[i].offset);
        json_kv_uint(j, "length", w[i].len);
        json_kv_string(j, "result", name_or_q(sro_result_name(w[i].result)));
        json_kv_uint(j, "device_offset", w[i].dev_offset);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

void sro_json_group_fields(struct json *j, const struct sro_group_result *r)
{
    const struct sro_group *g = &r->sg->g;
    const struct sro_fault *f = &g->fault;

    json_kv_int(j, "id", r->sg->id);
    json_kv_uint(j, "cpu", f->cpu);
    json_kv_uint(j, "tsc", f->tsc);
    json_kv_uint(j, "domain", f->domain);
    json_kv_uint(j, "vcpu", f->vcpu);
    json_key(j, "mfn");
    json_hex(j, f->mfn);
    json_kv_uint(j, "off", f->gpa & (SRO_PAGE_SIZE - 1));
    json_kv_string(j, "path", name_or_q(sro_path_name(f->path)));
    json_kv_string(j, "insn", r->insn ? r->insn->kind : NULL);
    json_kv_string(j, "text", r->insn ? r->insn->text : NULL);
    json_kv_string(j, "verdict", sro_verdict_name(r->recorded.verdict));
    json_key(j, "intent");
    if ( r->recorded.verdict == SRO_V_UNDECIDABLE )
        json_null(j);
    else
        json_string(j, sro_intent_name(r->recorded.intent));
    json_kv_string(j, "why", r->recorded.why);
    json_kv_bool(j, "complete", g->incomplete == SRO_COMPLETE);
    json_kv_bool(j, "diverged", r->diverged);
    json_kv_string(j, "diverged_field",
                   r->diverged ? r->diverged_field : NULL);
    sro_json_behaviour(j, "recorded", g->writes, g->nwrites, g->has_done,
                       g->done.outcome);
}

/* "tsc 1020206  d1v0  mov dword ptr [rdi], eax  @0x68/4  <writes>  OUT" */
static void format_line(char *buf, size_t len, const struct sro_fault *f,
                        const struct sro_insn *insn,
                        const struct sro_write *w, unsigned int nw,
                        bool has_outcome, unsigned int outcome,
                        unsigned int verdict)
{
    char writes[128];

    sro_format_writes(w, nw, writes, sizeof(writes));
    snprintf(buf, len, "tsc %-12" PRIu64 " d%uv%u  %-30.30s  @%#05" PRIx64
             "  %-26s %-12s %s", f->tsc, f->domain, f->vcpu,
             insn ? insn->text : "(no instruction)",
             f->gpa & (SRO_PAGE_SIZE - 1), nw ? writes : "(no write)",
             has_outcome ? name_or_q(sro_outcome_name(outcome)) : "(no DONE)",
             name_or_q(sro_verdict_name(verdict)));
}

static struct cpu_context *context_of(struct sro_replay_print *p,
                                      uint32_t cpu)
{
    for ( unsigned int i = 0; i < p->ncpus; i++ )
        if ( p->cpus[i].cpu == cpu )
            return &p->cpus[i];
    if ( p->ncpus == p->cpus_cap )
    {
        unsigned int cap = p->cpus_cap ? p->cpus_cap * 2 : 8;
        struct cpu_context *n = realloc(p->cpus, cap * sizeof(*n));

        if ( !n )
            return NULL;
        p->cpus = n;
        p->cpus_cap = cap;
    }
    memset(&p->cpus[p->ncpus], 0, sizeof(p->cpus[0]));
    p->cpus[p->ncpus].cpu = cpu;
    return &p->cpus[p->ncpus++];
}

struct sro_replay_print *sro_replay_print_begin(
    const struct sro_replay_print_opts *o)
{
    struct sro_replay_print *p = calloc(1, sizeof(*p));

    if ( !p )
        return NULL;
    p->o = *o;
    /* A plugin names itself: keep its name off the terminal raw. */
    term_clean(p->model_shown, sizeof(p->model_shown), o->model);
    if ( o->json && !o->quiet )
    {
        json_init(&p->j, o->out, false);
        json_object_begin(&p->j);
        json_kv_int(&p->j, "run", o->run);
        json_key(&p->j, "replay");
        if ( o->replay )
            json_int(&p->j, o->replay);
        else
            json_null(&p->j);
        json_kv_string(&p->j, "model", o->model);
        if ( o->groups )
        {
            json_key(&p->j, "group_verdicts");
            json_array_begin(&p->j);
        }
    }
    return p;
}

void sro_replay_print_group(struct sro_replay_print *p,
                            const struct sro_group_result *r)
{
    const struct sro_group *g = &r->sg->g;
    struct cpu_context *ctx;
    struct line l;

    if ( !p || p->o.quiet )
        return;
    if ( p->o.json && p->o.groups )
    {
        json_object_begin(&p->j);
        sro_json_group_fields(&p->j, r);
        if ( r->predicted[0] )
        {
            sro_json_behaviour(&p->j, "predicted", r->pred[0].writes,
                               r->pred[0].nwrites, true,
                               r->pred[0].done.outcome);
            json_kv_string(&p->j, "predicted_verdict",
                           sro_verdict_name(r->pred_j[0].verdict));
        }
        else
        {
            json_key(&p->j, "predicted");
            json_null(&p->j);
        }
        json_object_end(&p->j);
    }
    if ( p->have_first )
        return;

    format_line(l.text, sizeof(l.text), &g->fault, r->insn, g->writes,
                g->nwrites, g->has_done, g->done.outcome,
                r->recorded.verdict);
    ctx = context_of(p, g->fault.cpu);
    if ( r->diverged )
    {
        p->have_first = true;
        if ( ctx )
            p->first_ctx = *ctx;
        p->first_line = l;
        if ( r->predicted[0] )
            format_line(p->first_pred.text, sizeof(p->first_pred.text),
                        &g->fault, r->insn, r->pred[0].writes,
                        r->pred[0].nwrites, true, r->pred[0].done.outcome,
                        r->pred_j[0].verdict);
        else
            snprintf(p->first_pred.text, sizeof(p->first_pred.text),
                     "(no prediction)");
        snprintf(p->first_where, sizeof(p->first_where),
                 "group %" PRId64 ", cpu %u, tsc %" PRIu64 ", file offset %"
                 PRIu64, r->sg->id, g->fault.cpu, g->fault.tsc,
                 g->file_offset);
        snprintf(p->first_field, sizeof(p->first_field), "%s: %s (recorded -> "
                 "predicted)", r->diverged_field, r->diverged_detail);
        return;
    }
    if ( ctx )
    {
        ctx->lines[ctx->head] = l;
        ctx->head = (ctx->head + 1) % CONTEXT_GROUPS;
        if ( ctx->n < CONTEXT_GROUPS )
            ctx->n++;
    }
}

static void print_human(struct sro_replay_print *p,
                        const struct sro_replay_stats *s)
{
    FILE *out = p->o.out;

    fprintf(out, "run %" PRId64 " replayed through %s", p->o.run,
            p->model_shown);
    if ( p->o.replay )
        fprintf(out, " (replay %" PRId64 ")", p->o.replay);
    fprintf(out, ": %" PRIu64 " groups\n\n", s->groups);
    fprintf(out, "  %-18s %10s %7s\n", "verdict", "groups", "share");
    for ( unsigned int v = 0; v < SRO_VERDICT_COUNT; v++ )
        fprintf(out, "  %-18s %10" PRIu64 " %6.1f%%\n", sro_verdict_name(v),
                s->verdicts[v],
                s->groups ? 100.0 * (double)s->verdicts[v] / (double)s->groups
                          : 0.0);
    fprintf(out, "\n  divergences from %s: %" PRIu64 "\n", p->model_shown,
            s->divergences);
    if ( s->config_refused )
        fprintf(out, "  configuration records Xen's rules refuse: %" PRIu64
                "\n", s->config_refused);
    if ( !p->have_first )
        return;
    fprintf(out, "\nfirst divergence: %s\n  %s\n", p->first_where,
            p->first_field);
    fprintf(out, "\n  before it on that cpu:\n");
    if ( p->first_ctx.n == 0 )
        fprintf(out, "     (nothing)\n");
    for ( unsigned int i = 0; i < p->first_ctx.n; i++ )
    {
        unsigned int k = (p->first_ctx.head + CONTEXT_GROUPS -
                          p->first_ctx.n + i) % CONTEXT_GROUPS;

        fprintf(out, "     %s\n", p->first_ctx.lines[k].text);
    }
    fprintf(out, "  >> %s\n", p->first_line.text);
    fprintf(out, "     predicted by %s:\n     %s\n", p->model_shown,
            p->first_pred.text);
}

void sro_replay_print_end(struct sro_replay_print *p,
                          const struct sro_replay_stats *s)
{
    if ( !p )
        return;
    if ( p->o.quiet )
        ;
    else if ( p->o.json )
    {
        if ( p->o.groups )
            json_array_end(&p->j);
        json_kv_uint(&p->j, "groups", s->groups);
        json_key(&p->j, "verdicts");
        json_object_begin(&p->j);
        for ( unsigned int v = 0; v < SRO_VERDICT_COUNT; v++ )
            json_kv_uint(&p->j, sro_verdict_name(v), s->verdicts[v]);
        json_object_end(&p->j);
        json_kv_uint(&p->j, "divergences", s->divergences);
        json_kv_uint(&p->j, "not_predicted", s->not_predicted);
        json_kv_uint(&p->j, "config_refused", s->config_refused);
        json_key(&p->j, "first_divergence");
        if ( p->have_first )
        {
            json_object_begin(&p->j);
            json_kv_string(&p->j, "where", p->first_where);
            json_kv_string(&p->j, "field", p->first_field);
            json_object_end(&p->j);
        }
        else
            json_null(&p->j);
        if ( p->o.extra )
            p->o.extra(p->o.extra_ctx, p->o.out, &p->j);
        json_object_end(&p->j);
        json_end(&p->j);
    }
    else
    {
        print_human(p, s);
        if ( p->o.extra )
            p->o.extra(p->o.extra_ctx, p->o.out, NULL);
    }
    free(p->cpus);
    free(p);
}
