/*
 * report-text.c - the report for a terminal.
 *
 * Per run: a header (source, Xen, status, length, counters, which replay
 * judged it), the wrong verdicts first, the totals, then tables per
 * domain and vCPU, per page and per instruction. Verdict and outcome
 * columns appear only for the codes the run has, under short names that
 * a legend at the end spells out.
 */
#include <inttypes.h>
#include <string.h>

#include "util/escape.h"
#include "report.h"
#include "table.h"

/* Which verdict / outcome slots have any fault in the run. */
struct cols {
    bool ver[REPORT_NVER];
    bool out[REPORT_NOUT];
};

static void pick_cols(const struct report_run *r, struct cols *c)
{
    report_columns(r, c->ver, c->out);
}

/* A cell holding a TSC as seconds since the start of the run. */
static void time_cell(struct table *t, const struct runinfo *ri,
                      uint64_t tsc)
{
    char buf[48];

    runinfo_time(ri, tsc, buf, sizeof(buf));
    table_str(t, buf);
}

/* The lines that introduce a run. */
static void header(FILE *out, const struct report_run *r)
{
    const struct runinfo *ri = &r->info;
    char buf[256], src[256];
    double span;

    term_clean(src, sizeof(src), ri->source);
    fprintf(out, "run %" PRId64 ": %s\n", ri->id, src);
    term_clean(buf, sizeof(buf), ri->xen_version ? ri->xen_version
                                                 : "version unknown");
    fprintf(out, "  Xen %s, %s", buf, ri->status);
    if ( runinfo_span(ri, &span) )
        fprintf(out, ", %.6f s (TSC %.3f GHz)\n", span, ri->tsc_hz / 1e9);
    else
        fprintf(out, ", length unknown (no TSC frequency)\n");
    fprintf(out, "  %" PRIu64 " fault%s (%" PRId64 " incomplete), %" PRId64
            " lost record%s in %" PRId64 " span%s, %" PRId64
            " orphan write%s\n", r->total.faults,
            r->total.faults == 1 ? "" : "s", ri->incomplete_groups,
            ri->lost_records, ri->lost_records == 1 ? "" : "s",
            ri->lost_spans, ri->lost_spans == 1 ? "" : "s",
            ri->orphan_writes, ri->orphan_writes == 1 ? "" : "s");
    if ( ri->replay )
    {
        term_clean(buf, sizeof(buf), ri->replay_model);
        term_clean(src, sizeof(src), ri->replay_created);
        fprintf(out, "  verdicts of replay %" PRId64 " (%s, %s)\n",
                ri->replay, buf, src);
    }
    else
        fprintf(out, "  not replayed: no verdicts (run 'srotrace replay')\n");
}

/* The wrong verdicts, first. */
static void wrong_list(FILE *out, const struct report_run *r)
{
    static const char *const heads[] = {
        "time", "dom", "vcpu", "page", "offset", "register", "instruction",
        "verdict", "outcome", NULL
    };
    struct table *t;

    if ( !r->info.replay )
        return;
    if ( !r->total.wrong )
    {
        fprintf(out, "\n  no wrong verdicts\n");
        return;
    }
    fprintf(out, "\n  %" PRIu64 " wrong verdict%s", r->total.wrong,
            r->total.wrong == 1 ? "" : "s");
    if ( r->total.wrong > r->nwrong )
        fprintf(out, " (the first %u)", r->nwrong);
    fputc('\n', out);
    t = table_new(heads, "rrrrrllll");
    for ( unsigned int i = 0; i < r->nwrong; i++ )
    {
        const struct report_wrong *w = &r->wrong[i];

        time_cell(t, &r->info, w->tsc);
        table_cell(t, "%u", w->domain);
        table_cell(t, "%u", w->vcpu);
        table_cell(t, "0x%" PRIx64, w->mfn);
        table_cell(t, "0x%03x", w->offset);
        table_str(t, w->reg[0] ? w->reg : "-");
        table_str(t, w->insn[0] ? w->insn : "-");
        table_str(t, report_verdict_name(w->verdict));
        table_str(t, report_outcome_name(w->outcome));
    }
    table_print(t, out, 4);
    table_free(t);
}

/* One line of verdict totals, one of outcome totals. */
static void totals(FILE *out, const struct report_run *r,
                   const struct cols *c)
{
    if ( r->info.replay )
    {
        fprintf(out, "\n  verdicts ");
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
            if ( c->ver[i] )
                fprintf(out, "  %s %" PRIu64, report_verdict_abbrev(i),
                        r->total.verdict[i]);
        fputc('\n', out);
    }
    fprintf(out, "%s  outcomes ", r->info.replay ? "" : "\n");
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
        if ( c->out[i] )
            fprintf(out, "  %s %" PRIu64, report_outcome_abbrev(i),
                    r->total.outcome[i]);
    fputc('\n', out);
}

/* The heads: fixed ones, then a column per verdict and outcome shown. */
static struct table *counts_table(const char *const *fixed, const char *align,
                                  const struct cols *c, bool replayed,
                                  const char *const *tail,
                                  const char *tail_align)
{
    const char *heads[48];
    char al[48];
    unsigned int n = 0;

    for ( unsigned int i = 0; fixed[i]; i++, n++ )
    {
        heads[n] = fixed[i];
        al[n] = align[i];
    }
    if ( replayed )
    {
        heads[n] = "wrong";
        al[n++] = 'r';
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
            if ( c->ver[i] )
            {
                heads[n] = report_verdict_abbrev(i);
                al[n++] = 'r';
            }
    }
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
        if ( c->out[i] )
        {
            heads[n] = report_outcome_abbrev(i);
            al[n++] = 'r';
        }
    for ( unsigned int i = 0; tail && tail[i]; i++, n++ )
    {
        heads[n] = tail[i];
        al[n] = tail_align[i];
    }
    heads[n] = NULL;
    al[n] = '\0';
    return table_new(heads, al);
}

/* The count cells of one row, for the columns c shows. */
static void counts_cells(struct table *t, const struct report_counts *k,
                         const struct cols *c, bool replayed)
{
    if ( replayed )
    {
        table_cell(t, "%" PRIu64, k->wrong);
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
            if ( c->ver[i] )
                table_cell(t, "%" PRIu64, k->verdict[i]);
    }
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
        if ( c->out[i] )
            table_cell(t, "%" PRIu64, k->outcome[i]);
}

/* Per domain and vCPU. */
static void vcpu_table(FILE *out, const struct report_run *r,
                       const struct cols *c)
{
    static const char *const fixed[] = { "dom", "vcpu", "faults", NULL };
    static const char *const tail[] = { "lost", "first", "last", NULL };
    struct table *t;
    bool rp = r->info.replay != 0;

    if ( !r->nvcpus )
        return;
    fprintf(out, "\n  per domain and vCPU\n");
    t = counts_table(fixed, "rrr", c, rp, tail, "rrr");
    for ( unsigned int i = 0; i < r->nvcpus; i++ )
    {
        const struct report_vcpu *v = &r->vcpus[i];

        if ( v->domain == 0xffff )
            table_str(t, "?");
        else
            table_cell(t, "%u%s", v->domain, v->hwdom ? "*" : "");
        if ( v->vcpu == 0xffff )
            table_str(t, "?");
        else
            table_cell(t, "%u", v->vcpu);
        table_cell(t, "%" PRIu64, v->c.faults);
        counts_cells(t, &v->c, c, rp);
        table_cell(t, "%" PRIu64, v->lost_records);
        if ( v->c.faults )
        {
            time_cell(t, &r->info, v->c.first_tsc);
            time_cell(t, &r->info, v->c.last_tsc);
        }
        else
        {
            table_str(t, "-");
            table_str(t, "-");
        }
    }
    table_print(t, out, 4);
    table_free(t);
    for ( unsigned int i = 0; i < r->nvcpus; i++ )
        if ( r->vcpus[i].hwdom )
        {
            fprintf(out, "    * the hardware domain\n");
            break;
        }
}

static const char *kind_name(unsigned int kind)
{
    switch ( kind )
    {
    case 1:  return "whole page";
    case 2:  return "sub-page";
    case 3:  return "sub-page entry";
    default: return "unknown";
    }
}

/* Per page. */
static void page_table(FILE *out, const struct report_run *r,
                       const struct cols *c)
{
    static const char *const fixed[] = {
        "page", "protection", "faults", "written", "dropped", NULL
    };
    static const char *const tail[] = { "device", NULL };
    struct table *t;
    bool rp = r->info.replay != 0;

    if ( !r->npages )
        return;
    fprintf(out, "\n  per page\n");
    t = counts_table(fixed, "rlrrr", c, rp, tail, "l");
    for ( unsigned int i = 0; i < r->npages; i++ )
    {
        const struct report_page *p = &r->pages[i];

        table_cell(t, "0x%" PRIx64, p->mfn);
        table_str(t, kind_name(p->kind));
        table_cell(t, "%" PRIu64, p->c.faults);
        table_cell(t, "%" PRIu64, p->written);
        table_cell(t, "%" PRIu64, p->dropped);
        counts_cells(t, &p->c, c, rp);
        table_str(t, p->device[0] ? p->device : "-");
    }
    table_print(t, out, 4);
    table_free(t);
}

/* The instructions that faulted most, with their RIPs. */
static void insn_table(FILE *out, const struct report_run *r)
{
    static const char *const heads[] = {
        "faults", "wrong", "width", "instruction", "bytes", "RIPs", NULL
    };
    struct table *t;

    if ( !r->ninsns )
        return;
    fprintf(out, "\n  top instructions\n");
    t = table_new(heads, "rrrlll");
    for ( unsigned int i = 0; i < r->ninsns; i++ )
    {
        const struct report_insn *in = &r->insns[i];
        char rips[160] = "";
        size_t used = 0;

        for ( unsigned int k = 0; k < in->nrips && used < sizeof(rips); k++ )
            used += (size_t)snprintf(rips + used, sizeof(rips) - used,
                                     "%s0x%" PRIx64 " (%" PRIu64 ")",
                                     k ? " " : "", in->rips[k].rip,
                                     in->rips[k].faults);
        table_cell(t, "%" PRIu64, in->faults);
        if ( r->info.replay )
            table_cell(t, "%" PRIu64, in->wrong);
        else
            table_str(t, "-");
        if ( in->width )
            table_cell(t, "%u", in->width);
        else
            table_str(t, "?");
        table_str(t, in->id ? (in->text[0] ? in->text : "?")
                            : "(not fetched)");
        table_str(t, in->hex[0] ? in->hex : "-");
        table_str(t, rips[0] ? rips : "-");
    }
    table_print(t, out, 4);
    table_free(t);
}

/* What the short column names of all runs shown mean. */
static void legend(FILE *out, const struct report_run *runs, unsigned int n)
{
    bool ver[REPORT_NVER] = { false }, outc[REPORT_NOUT] = { false };
    bool any = false;

    for ( unsigned int k = 0; k < n; k++ )
    {
        struct cols c;

        pick_cols(&runs[k], &c);
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
            ver[i] = ver[i] || c.ver[i];
        for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
            outc[i] = outc[i] || c.out[i];
    }
    fprintf(out, "\nlegend:");
    for ( unsigned int i = 0; i < REPORT_NVER; i++ )
        if ( ver[i] )
        {
            fprintf(out, "%s %s %s", any ? "," : "", report_verdict_abbrev(i),
                    i == REPORT_VER_NONE ? "no verdict"
                                         : report_verdict_name(i));
            any = true;
        }
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
        if ( outc[i] )
        {
            fprintf(out, "%s %s %s", any ? "," : "", report_outcome_abbrev(i),
                    i == REPORT_OUT_NONE ? "no SRO_DONE (incomplete)"
                                         : report_outcome_name(i));
            any = true;
        }
    fprintf(out, "%s\ntimes in seconds since the start of the run\n",
            any ? "" : " (nothing to explain)");
}

void report_print_text(FILE *out, const struct report_run *runs,
                       unsigned int n)
{
    for ( unsigned int k = 0; k < n; k++ )
    {
        const struct report_run *r = &runs[k];
        struct cols c;

        pick_cols(r, &c);
        if ( k )
            fputc('\n', out);
        header(out, r);
        if ( !r->total.faults )
        {
            fprintf(out, "\n  no write faults\n");
            page_table(out, r, &c);
            continue;
        }
        wrong_list(out, r);
        totals(out, r, &c);
        vcpu_table(out, r, &c);
        page_table(out, r, &c);
        insn_table(out, r);
    }
    legend(out, runs, n);
}
