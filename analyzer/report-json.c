/*
 * report-json.c - the report as JSON, with stable keys.
 *
 * { "runs": [ { "run", "source", "status", "xen_version", "tsc_hz",
 *   "span_seconds", "faults", "incomplete_groups", "lost_records",
 *   "lost_spans", "orphan_writes", "replay": {...} | null,
 *   "outcomes": {NAME: n}, "verdicts": {NAME: n} | null, "wrong": n,
 *   "wrong_verdicts": [...], "domains": [...], "pages": [...],
 *   "instructions": [...] } ] }
 *
 * Every key is always present (null when unknown); counts of every code
 * are listed, zero or not, so that consumers can index without checks.
 * Times are seconds since the start of the run, null without a TSC
 * frequency; addresses that may exceed 2^53 (RIPs) are hex strings.
 */
#include <string.h>

#include "report.h"
#include "util/json.h"

/* k: seconds since the start of the run, or null if unknown. */
static void kv_seconds(struct json *j, const char *k,
                       const struct runinfo *ri, uint64_t tsc, bool known)
{
    double s;

    json_key(j, k);
    if ( known && runinfo_seconds(ri, tsc, &s) )
        json_double(j, s);
    else
        json_null(j);
}

/* faults, outcomes, verdicts and wrong of one set of counts. */
static void counts(struct json *j, const struct report_counts *c,
                   bool replayed)
{
    json_kv_uint(j, "faults", c->faults);
    json_key(j, "outcomes");
    json_object_begin(j);
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
        json_kv_uint(j, report_outcome_name(i), c->outcome[i]);
    json_object_end(j);
    json_key(j, "verdicts");
    if ( replayed )
    {
        json_object_begin(j);
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
            json_kv_uint(j, report_verdict_name(i), c->verdict[i]);
        json_object_end(j);
        json_kv_uint(j, "wrong", c->wrong);
    }
    else
    {
        json_null(j);
        json_key(j, "wrong");
        json_null(j);
    }
}

/* One run object. */
static void one_run(struct json *j, const struct report_run *r)
{
    const struct runinfo *ri = &r->info;
    bool rp = ri->replay != 0;
    double span;

    json_object_begin(j);
    json_kv_int(j, "run", ri->id);
    json_kv_string(j, "source", ri->source);
    json_kv_string(j, "status", ri->status);
    json_kv_string(j, "xen_version", ri->xen_version);
    json_key(j, "tsc_hz");
    if ( ri->tsc_hz )
        json_uint(j, ri->tsc_hz);
    else
        json_null(j);
    json_key(j, "span_seconds");
    if ( runinfo_span(ri, &span) )
        json_double(j, span);
    else
        json_null(j);
    json_kv_int(j, "incomplete_groups", ri->incomplete_groups);
    json_kv_int(j, "lost_records", ri->lost_records);
    json_kv_int(j, "lost_spans", ri->lost_spans);
    json_kv_int(j, "orphan_writes", ri->orphan_writes);
    json_key(j, "replay");
    if ( rp )
    {
        json_object_begin(j);
        json_kv_int(j, "id", ri->replay);
        json_kv_string(j, "model", ri->replay_model);
        json_kv_string(j, "created_at", ri->replay_created);
        json_object_end(j);
    }
    else
        json_null(j);
    counts(j, &r->total, rp);

    json_key(j, "wrong_verdicts");
    json_array_begin(j);
    for ( unsigned int i = 0; i < r->nwrong; i++ )
    {
        const struct report_wrong *w = &r->wrong[i];

        json_object_begin(j);
        json_kv_int(j, "group", w->grp);
        kv_seconds(j, "time", ri, w->tsc, true);
        json_kv_uint(j, "tsc", w->tsc);
        json_kv_uint(j, "domain", w->domain);
        json_kv_uint(j, "vcpu", w->vcpu);
        json_kv_uint(j, "mfn", w->mfn);
        json_kv_uint(j, "offset", w->offset);
        json_key(j, "width");
        if ( w->width )
            json_uint(j, w->width);
        else
            json_null(j);
        json_kv_string(j, "register", w->reg[0] ? w->reg : NULL);
        json_kv_string(j, "verdict", report_verdict_name(w->verdict));
        json_kv_string(j, "outcome", report_outcome_name(w->outcome));
        json_key(j, "rip");
        if ( w->has_rip )
            json_hex(j, w->rip);
        else
            json_null(j);
        json_kv_string(j, "instruction", w->insn[0] ? w->insn : NULL);
        json_object_end(j);
    }
    json_array_end(j);

    json_key(j, "domains");
    json_array_begin(j);
    for ( unsigned int i = 0; i < r->nvcpus; i++ )
    {
        const struct report_vcpu *v = &r->vcpus[i];

        json_object_begin(j);
        json_key(j, "domain");
        if ( v->domain == 0xffff )
            json_null(j);
        else
            json_uint(j, v->domain);
        json_key(j, "vcpu");
        if ( v->vcpu == 0xffff )
            json_null(j);
        else
            json_uint(j, v->vcpu);
        json_kv_bool(j, "hardware_domain", v->hwdom);
        counts(j, &v->c, rp);
        json_kv_uint(j, "lost_records", v->lost_records);
        json_kv_uint(j, "lost_spans", v->lost_spans);
        kv_seconds(j, "first_time", ri, v->c.first_tsc, v->c.faults > 0);
        kv_seconds(j, "last_time", ri, v->c.last_tsc, v->c.faults > 0);
        json_object_end(j);
    }
    json_array_end(j);

    json_key(j, "pages");
    json_array_begin(j);
    for ( unsigned int i = 0; i < r->npages; i++ )
    {
        const struct report_page *p = &r->pages[i];
        static const char *const kinds[] = {
            "unknown", "whole", "subpage", "entry",
        };
        unsigned int ro = 0;

        for ( unsigned int q = 0; q < SRO_QWORDS / 64; q++ )
            ro += (unsigned int)__builtin_popcountll(p->qro[q]);
        json_object_begin(j);
        json_kv_uint(j, "mfn", p->mfn);
        json_kv_string(j, "protection", p->kind < 4 ? kinds[p->kind]
                                                    : "unknown");
        json_kv_uint(j, "ro_qwords", ro);
        json_kv_string(j, "device", p->device[0] ? p->device : NULL);
        counts(j, &p->c, rp);
        json_kv_uint(j, "written", p->written);
        json_kv_uint(j, "dropped", p->dropped);
        json_object_end(j);
    }
    json_array_end(j);

    json_key(j, "instructions");
    json_array_begin(j);
    for ( unsigned int i = 0; i < r->ninsns; i++ )
    {
        const struct report_insn *in = &r->insns[i];

        json_object_begin(j);
        json_kv_string(j, "text", in->text[0] ? in->text : NULL);
        json_kv_string(j, "bytes", in->hex[0] ? in->hex : NULL);
        json_key(j, "width");
        if ( in->width )
            json_uint(j, in->width);
        else
            json_null(j);
        json_kv_uint(j, "faults", in->faults);
        json_key(j, "wrong");
        if ( rp )
            json_uint(j, in->wrong);
        else
            json_null(j);
        json_key(j, "rips");
        json_array_begin(j);
        for ( unsigned int k = 0; k < in->nrips; k++ )
        {
            json_object_begin(j);
            json_key(j, "rip");
            json_hex(j, in->rips[k].rip);
            json_kv_uint(j, "faults", in->rips[k].faults);
            json_object_end(j);
        }
        json_array_end(j);
        json_object_end(j);
    }
    json_array_end(j);
    json_object_end(j);
}

void report_print_json(FILE *out, const struct report_run *runs,
                       unsigned int n)
{
    struct json j;

    json_init(&j, out, false);
    json_object_begin(&j);
    json_key(&j, "runs");
    json_array_begin(&j);
    for ( unsigned int i = 0; i < n; i++ )
        one_run(&j, &runs[i]);
    json_array_end(&j);
    json_object_end(&j);
    json_end(&j);
}
