/*
 * timeline-print.c - the timeline as a terminal table and as JSON.
 */
#include <inttypes.h>
#include <string.h>

#include "core/abi.h"
#include "util/escape.h"
#include "table.h"
#include "timeline.h"
#include "util/json.h"

static const char *verdict_text(unsigned int v)
{
    return v == TIMELINE_NONE ? "-" : sro_verdict_name(v)
                                      ? sro_verdict_name(v) : "?";
}

/* The line that says whose timeline this is. */
static void intro(FILE *out, const struct runinfo *r,
                  const struct timeline *t, unsigned int shown)
{
    char src[256], model[128];

    term_clean(src, sizeof(src), r->source);
    fprintf(out, "run %" PRId64 ": %s, domain %u, ", r->id, src, t->domain);
    if ( t->vcpu < 0 )
        fprintf(out, "all vCPUs");
    else
        fprintf(out, "vCPU %d", t->vcpu);
    fprintf(out, ": %u write fault%s", t->n, t->n == 1 ? "" : "s");
    if ( shown < t->n )
        fprintf(out, " (the first %u shown)", shown);
    if ( r->replay )
    {
        term_clean(model, sizeof(model), r->replay_model);
        fprintf(out, ", verdicts of replay %" PRId64 " (%s)\n", r->replay,
                model);
    }
    else
        fprintf(out, ", not replayed\n");
}

void timeline_print_text(FILE *out, const struct runinfo *r,
                         const struct timeline *t, unsigned int limit)
{
    static const char *const heads[] = {
        "time", "vcpu", "rip", "instruction", "page+offset", "register",
        "value", "what happened", "verdict", "", NULL
    };
    unsigned int shown = limit && limit < t->n ? limit : t->n;
    struct table *tab;

    intro(out, r, t, shown);
    if ( !t->n )
    {
        fprintf(out, "\nno write faults of this guest\n");
        return;
    }
    fputc('\n', out);
    tab = table_new(heads, "rrllllllll");
    for ( unsigned int i = 0; i < shown; i++ )
    {
        const struct timeline_event *ev = &t->ev[i];
        char buf[256], val[64];

        runinfo_time(r, ev->tsc, buf, sizeof(buf));
        table_str(tab, buf);
        table_cell(tab, "%u", ev->vcpu);
        table_str(tab, ev->has_rip ? ev->sym : "-");
        table_str(tab, ev->insn[0] ? ev->insn : "-");
        table_cell(tab, "%" PRIx64 "+0x%03x", ev->mfn, ev->offset);
        table_str(tab, ev->reg[0] ? ev->reg : "-");
        timeline_value(ev, val, sizeof(val));
        if ( ev->fields[0] )
            table_cell(tab, "%s (%s)", val, ev->fields);
        else
            table_str(tab, val[0] ? val : "-");
        timeline_what(ev, buf, sizeof(buf));
        table_str(tab, buf);
        table_str(tab, verdict_text(ev->verdict));
        if ( timeline_mark(r, t, i, buf, sizeof(buf)) )
            table_cell(tab, "<-- %s", buf);
        else
            table_str(tab, "");
    }
    table_print(tab, out, 2);
    table_free(tab);
}

void timeline_print_json(FILE *out, const struct runinfo *r,
                         const struct timeline *t, unsigned int limit)
{
    unsigned int shown = limit && limit < t->n ? limit : t->n;
    struct json j;

    json_init(&j, out, false);
    json_object_begin(&j);
    json_kv_int(&j, "run", r->id);
    json_kv_uint(&j, "domain", t->domain);
    json_key(&j, "vcpu");
    if ( t->vcpu < 0 )
        json_null(&j);
    else
        json_int(&j, t->vcpu);
    json_key(&j, "replay");
    if ( r->replay )
        json_int(&j, r->replay);
    else
        json_null(&j);
    json_kv_uint(&j, "total", t->n);
    json_key(&j, "events");
    json_array_begin(&j);
    for ( unsigned int i = 0; i < shown; i++ )
    {
        const struct timeline_event *ev = &t->ev[i];
        char buf[256];
        double s;

        json_object_begin(&j);
        json_kv_int(&j, "group", ev->grp);
        json_key(&j, "time");
        if ( runinfo_seconds(r, ev->tsc, &s) )
            json_double(&j, s);
        else
            json_null(&j);
        json_kv_uint(&j, "tsc", ev->tsc);
        json_kv_uint(&j, "vcpu", ev->vcpu);
        json_key(&j, "rip");
        if ( ev->has_rip )
            json_hex(&j, ev->rip);
        else
            json_null(&j);
        json_kv_string(&j, "symbol", ev->has_rip && ev->sym[0] != '0'
                                     ? ev->sym : NULL);
        json_kv_string(&j, "instruction", ev->insn[0] ? ev->insn : NULL);
        json_kv_string(&j, "bytes", ev->hex[0] ? ev->hex : NULL);
        json_kv_uint(&j, "mfn", ev->mfn);
        json_kv_uint(&j, "offset", ev->offset);
        json_key(&j, "width");
        if ( ev->width )
            json_uint(&j, ev->width);
        else
            json_null(&j);
        json_kv_string(&j, "register", ev->reg[0] ? ev->reg : NULL);
        timeline_value(ev, buf, sizeof(buf));
        json_kv_string(&j, "value", buf[0] ? buf : NULL);
        json_kv_string(&j, "fields", ev->fields[0] ? ev->fields : NULL);
        json_key(&j, "pieces");
        json_array_begin(&j);
        for ( unsigned int k = 0; k < ev->npieces && k < TIMELINE_MAX_PIECES;
              k++ )
        {
            const struct timeline_piece *p = &ev->pieces[k];

            json_object_begin(&j);
            json_kv_uint(&j, "offset", p->offset);
            json_kv_uint(&j, "length", p->length);
            json_kv_string(&j, "result", sro_result_name(p->result));
            json_kv_uint(&j, "dev_offset", p->dev_offset);
            json_object_end(&j);
        }
        json_array_end(&j);
        json_kv_uint(&j, "npieces", ev->npieces);
        json_kv_string(&j, "outcome", ev->outcome == TIMELINE_NONE ? NULL
                       : sro_outcome_name(ev->outcome));
        json_kv_string(&j, "incomplete", ev->incomplete[0] ? ev->incomplete
                                                           : NULL);
        json_kv_string(&j, "verdict", ev->verdict == TIMELINE_NONE ? NULL
                       : sro_verdict_name(ev->verdict));
        timeline_what(ev, buf, sizeof(buf));
        json_kv_string(&j, "what", buf);
        json_kv_string(&j, "mark", timeline_mark(r, t, i, buf, sizeof(buf))
                                   ? buf : NULL);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    json_end(&j);
}
