/*
 * report-html.c - the report as one self-contained HTML page.
 *
 * Everything is inline: CSS in a <style> element, charts and heat maps as
 * SVG elements; no script, no font, no image, nothing fetched, so the
 * file can be mailed or attached to a bug and opened anywhere. Per run:
 * a row of key facts, bar charts of verdicts and outcomes, the wrong
 * verdicts, one heat map per protected page, and the tables of the text
 * report.
 *
 * A heat map shows a page as 512 qwords, 32 per row (256 bytes a row),
 * coloured by how many stores touched each qword on a perceptual scale
 * (viridis, reversed so that few stores are light and many dark, on a
 * logarithmic axis); qwords read-only at the end of the run are hatched,
 * qwords touched by a store with a wrong verdict are outlined in red, and
 * each qword's <title> (shown on hover) names its bytes, register and
 * counts. Every string that comes from the database or a register map
 * goes through html_escape().
 *
 * With a what-if plan (report-whatif.h) each page shows a second heat map
 * beside the recorded one: the same stores over the plan's protection
 * (qwords the plan makes read-only hatched, those it leaves read-only
 * only in part hatched lighter), the qwords whose stores would change
 * fate outlined in blue, and the list of those changes.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/prot.h"
#include "util/escape.h"
#include "report-whatif.h"
#include "report.h"

/* Heat map geometry, in SVG user units. */
#define HM_COLS    32
#define HM_ROWS    (SRO_QWORDS / HM_COLS)
#define HM_CELL    18
#define HM_LEFT    52
#define HM_TOP     22
#define HM_WIDTH   (HM_LEFT + HM_COLS * HM_CELL + 4)
#define HM_HEIGHT  (HM_TOP + HM_ROWS * HM_CELL + 4)

static const char css[] =
"*{box-sizing:border-box}"
"body{margin:0;background:#f6f7f9;color:#1d2330;"
"font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
"'Liberation Sans',sans-serif}"
"header.top{background:#1d2330;color:#fff;padding:18px 32px}"
"header.top h1{margin:0;font-size:22px;font-weight:600}"
"header.top p{margin:4px 0 0;color:#b8c0cc;font-size:13px}"
"nav{padding:8px 32px;background:#e9ecf1;font-size:13px}"
"nav a{margin-right:14px;color:#28508c;text-decoration:none}"
"main{padding:8px 32px 32px;max-width:1400px}"
"section.run{background:#fff;border:1px solid #dde1e7;border-radius:8px;"
"padding:18px 22px;margin:18px 0;box-shadow:0 1px 2px rgba(0,0,0,.04)}"
"h2{margin:0 0 12px;font-size:19px}"
"h2 .src{font-weight:400;color:#5b6575;font-family:ui-monospace,"
"'DejaVu Sans Mono',monospace;font-size:15px;margin-left:8px}"
"h3{font-size:15px;margin:22px 0 8px;color:#2b3445}"
".facts{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:6px}"
".fact{border:1px solid #e1e5eb;border-radius:6px;padding:7px 12px;"
"min-width:110px;background:#fafbfc}"
".fact b{display:block;font-size:18px;font-weight:600}"
".fact span{font-size:12px;color:#5b6575}"
".fact.bad{border-color:#f1b0ba;background:#fff3f5}"
".fact.bad b{color:#c8102e}"
".fact.good b{color:#1e7b34}"
".charts{display:flex;flex-wrap:wrap;gap:28px;margin-top:10px}"
".chart h4{margin:4px 0;font-size:13px;color:#5b6575;font-weight:600}"
"table{border-collapse:collapse;font-size:13px;margin:4px 0 6px}"
"th,td{padding:4px 10px;border-bottom:1px solid #e6e9ee;text-align:left;"
"vertical-align:top}"
"th{background:#f0f2f5;font-weight:600;color:#3a4354;white-space:nowrap}"
"tr:nth-child(even) td{background:#fafbfc}"
"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
"code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
"font-size:12.5px}"
".v{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;"
"font-weight:600;color:#fff;white-space:nowrap}"
".pages{display:flex;flex-wrap:wrap;gap:22px}"
"figure.page{margin:0;border:1px solid #e1e5eb;border-radius:6px;"
"padding:10px 12px;background:#fff;flex:0 1 560px;min-width:0}"
"table.touched{margin-top:8px;font-size:12px}"
"table.touched td,table.touched th{padding:2px 8px}"
"figure.page figcaption{font-size:13px;margin-bottom:6px}"
"figure.page figcaption b{font-family:ui-monospace,'DejaVu Sans Mono',"
"monospace}"
"figure.page .meta{color:#5b6575}"
".pair{display:flex;flex-wrap:wrap;gap:14px;flex:1 1 100%}"
".pair figure.page{flex:1 1 480px}"
"figure.page.plan{border-color:#9db8e0;background:#f8fbff}"
"p.whatif{margin:0 0 10px;font-size:13px}"
"svg.heatmap{display:block;width:100%;height:auto}"
"svg text{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
"font-size:10px;fill:#5b6575}"
"svg.heatmap rect.q:hover{stroke:#1d2330;stroke-width:2}"
".legend{display:flex;flex-wrap:wrap;align-items:center;gap:4px 12px;"
"font-size:12px;color:#3a4354;margin-top:4px}"
".legend svg{vertical-align:middle}"
".none{color:#5b6575;font-style:italic}"
"footer{color:#7b8494;font-size:12px;padding:0 32px 24px}";

/* Reversed viridis: t = 0 light yellow ... t = 1 dark purple. */
static void heat_colour(double t, char out[8], bool *dark)
{
    static const unsigned char stops[][3] = {
        { 0xfd, 0xe7, 0x25 }, { 0x6e, 0xce, 0x58 }, { 0x35, 0xb7, 0x79 },
        { 0x1f, 0x9e, 0x89 }, { 0x26, 0x82, 0x8e }, { 0x31, 0x68, 0x8e },
        { 0x3e, 0x49, 0x89 }, { 0x48, 0x28, 0x78 }, { 0x44, 0x01, 0x54 },
    };
    const unsigned int n = sizeof(stops) / sizeof(stops[0]);
    double x = (t < 0 ? 0 : t > 1 ? 1 : t) * (n - 1);
    unsigned int i = (unsigned int)x;
    double f = x - i;
    unsigned char c[3];

    if ( i >= n - 1 )
    {
        i = n - 2;
        f = 1;
    }
    for ( int k = 0; k < 3; k++ )
        c[k] = (unsigned char)lround(stops[i][k] +
                                     f * (stops[i + 1][k] - stops[i][k]));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
    /* Relative luminance, roughly: hatch and labels switch colour. */
    *dark = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] < 110;
}

/* Position of n on the colour axis: logarithmic from 1 to max. */
static double heat_pos(uint32_t n, uint32_t max)
{
    if ( max <= 1 )
        return 0;
    return log((double)n) / log((double)max);
}

/* Bar and badge colours: green for correct, warm for the wrong verdicts,
 * grey for undecidable and missing. */
static const char *verdict_colour(unsigned int v)
{
    static const char *const c[REPORT_NVER] = {
        "#2e8540", "#8b0000", "#e07b00", "#d6263c", "#7b3fa0", "#7b8494",
        "#b0b7c3",
    };

    return v < REPORT_NVER ? c[v] : "#b0b7c3";
}

static const char *outcome_colour(unsigned int o)
{
    static const char *const c[REPORT_NOUT] = {
        "#3a6fb0", "#5fa2d8", "#d6263c", "#b3122e", "#e07b00", "#6b0f1a",
        "#8a94a6", "#b0b7c3",
    };

    return o < REPORT_NOUT ? c[o] : "#b0b7c3";
}

/* A coloured pill with an escaped name. */
static void badge(FILE *out, const char *name, const char *colour)
{
    fprintf(out, "<span class=\"v\" style=\"background:%s\">", colour);
    html_escape(out, name);
    fputs("</span>", out);
}

/* A TSC as seconds since the start of the run (runinfo_time()). */
static void time_text(FILE *out, const struct runinfo *r, uint64_t tsc)
{
    char buf[48];

    runinfo_time(r, tsc, buf, sizeof(buf));
    html_escape(out, buf);
}

/* A horizontal bar chart: one bar per non-zero count. */
static void bar_chart(FILE *out, const char *title, const char *const *names,
                      const uint64_t *counts, const char *const *colours,
                      unsigned int n)
{
    const unsigned int label_w = 150, bar_w = 260, row_h = 22;
    unsigned int rows = 0, y = 4;
    uint64_t max = 0;

    for ( unsigned int i = 0; i < n; i++ )
    {
        rows += counts[i] > 0;
        if ( counts[i] > max )
            max = counts[i];
    }
    fputs("<div class=\"chart\"><h4>", out);
    html_escape(out, title);
    fputs("</h4>", out);
    if ( !rows )
    {
        fputs("<p class=\"none\">none</p></div>\n", out);
        return;
    }
    fprintf(out, "<svg class=\"bars\" width=\"%u\" height=\"%u\" viewBox=\"0 "
            "0 %u %u\" role=\"img\" aria-label=\"", label_w + bar_w + 70,
            rows * row_h + 8, label_w + bar_w + 70, rows * row_h + 8);
    html_escape(out, title);
    fputs("\">", out);
    for ( unsigned int i = 0; i < n; i++ )
    {
        double w;

        if ( !counts[i] )
            continue;
        w = (double)bar_w * (double)counts[i] / (double)max;
        fprintf(out, "<g><title>");
        html_escape(out, names[i]);
        fprintf(out, ": %" PRIu64 "</title>", counts[i]);
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\" "
                "style=\"font-size:11px;fill:#3a4354\">", label_w - 8,
                y + 14);
        html_escape(out, names[i]);
        fprintf(out, "</text><rect x=\"%u\" y=\"%u\" width=\"%.1f\" "
                "height=\"%u\" rx=\"3\" fill=\"%s\"/>", label_w, y + 2,
                w < 2 ? 2.0 : w, row_h - 6, colours[i]);
        fprintf(out, "<text x=\"%.1f\" y=\"%u\" style=\"font-size:11px;"
                "fill:#1d2330\">%" PRIu64 "</text></g>",
                label_w + (w < 2 ? 2.0 : w) + 6, y + 14, counts[i]);
        y += row_h;
    }
    fputs("</svg></div>\n", out);
}

/* The verdict chart (if replayed) and the outcome chart. */
static void charts(FILE *out, const struct report_run *r)
{
    const char *vn[REPORT_NVER], *vc[REPORT_NVER];
    const char *on[REPORT_NOUT], *oc[REPORT_NOUT];

    fputs("<div class=\"charts\">\n", out);
    if ( r->info.replay )
    {
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
        {
            vn[i] = i == REPORT_VER_NONE ? "no verdict"
                                         : report_verdict_name(i);
            vc[i] = verdict_colour(i);
        }
        bar_chart(out, "Verdicts (latest replay)", vn, r->total.verdict, vc,
                  REPORT_NVER);
    }
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
    {
        on[i] = i == REPORT_OUT_NONE ? "incomplete" : report_outcome_name(i);
        oc[i] = outcome_colour(i);
    }
    bar_chart(out, "Outcomes (what the guest saw)", on, r->total.outcome, oc,
              REPORT_NOUT);
    fputs("</div>\n", out);
}

/* One key-fact card: value over label; cls "bad"/"good" colours it. */
static void fact(FILE *out, const char *cls, const char *value,
                 const char *label)
{
    fprintf(out, "<div class=\"fact%s%s\"><b>", cls ? " " : "",
            cls ? cls : "");
    html_escape(out, value);
    fputs("</b><span>", out);
    html_escape(out, label);
    fputs("</span></div>", out);
}

/* The row of key facts of a run. */
static void facts(FILE *out, const struct report_run *r)
{
    const struct runinfo *ri = &r->info;
    char buf[160];
    double span;

    fputs("<div class=\"facts\">", out);
    fact(out, NULL, ri->xen_version ? ri->xen_version : "unknown", "Xen");
    fact(out, NULL, ri->status, "status");
    if ( runinfo_span(ri, &span) )
        snprintf(buf, sizeof(buf), "%.3f s", span);
    else
        snprintf(buf, sizeof(buf), "unknown");
    fact(out, NULL, buf, "length");
    snprintf(buf, sizeof(buf), "%" PRIu64, r->total.faults);
    fact(out, NULL, buf, "write faults");
    if ( ri->replay )
    {
        snprintf(buf, sizeof(buf), "%" PRIu64, r->total.wrong);
        fact(out, r->total.wrong ? "bad" : "good", buf, "wrong verdicts");
        snprintf(buf, sizeof(buf), "replay %" PRId64, ri->replay);
        fact(out, NULL, ri->replay_model ? ri->replay_model : "?", buf);
    }
    else
        fact(out, NULL, "not replayed", "verdicts");
    snprintf(buf, sizeof(buf), "%" PRId64, ri->lost_records);
    fact(out, ri->lost_records ? "bad" : NULL, buf, "lost records");
    snprintf(buf, sizeof(buf), "%" PRId64, ri->incomplete_groups);
    fact(out, NULL, buf, "incomplete groups");
    fputs("</div>\n", out);
}

/* The wrong verdicts, at most REPORT_MAX_WRONG, with coloured badges. */
static void wrong_table(FILE *out, const struct report_run *r)
{
    if ( !r->info.replay )
        return;
    fputs("<h3>Wrong verdicts</h3>\n", out);
    if ( !r->nwrong )
    {
        fputs("<p class=\"none\">none: every judged fault did what it "
              "should</p>\n", out);
        return;
    }
    if ( r->total.wrong > r->nwrong )
        fprintf(out, "<p>the first %u of %" PRIu64 "</p>\n", r->nwrong,
                r->total.wrong);
    fputs("<table><tr><th class=\"n\">time (s)</th><th class=\"n\">dom</th>"
          "<th class=\"n\">vcpu</th><th>page</th><th>offset</th>"
          "<th>register</th><th>instruction</th><th>RIP</th><th>verdict</th>"
          "<th>outcome</th></tr>\n", out);
    for ( unsigned int i = 0; i < r->nwrong; i++ )
    {
        const struct report_wrong *w = &r->wrong[i];

        fputs("<tr><td class=\"n\">", out);
        time_text(out, &r->info, w->tsc);
        fprintf(out, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td>"
                "<td class=\"mono\">0x%" PRIx64 "</td><td class=\"mono\">"
                "0x%03x</td><td class=\"mono\">", w->domain, w->vcpu, w->mfn,
                w->offset);
        html_escape(out, w->reg[0] ? w->reg : "-");
        fputs("</td><td><code>", out);
        html_escape(out, w->insn[0] ? w->insn : "-");
        fputs("</code></td><td class=\"mono\">", out);
        if ( w->has_rip )
            fprintf(out, "0x%" PRIx64, w->rip);
        else
            fputs("-", out);
        fputs("</td><td>", out);
        badge(out, report_verdict_name(w->verdict),
              verdict_colour(w->verdict));
        fputs("</td><td>", out);
        badge(out, report_outcome_name(w->outcome),
              outcome_colour(w->outcome));
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static const char *kind_text(unsigned int kind)
{
    switch ( kind )
    {
    case SRO_PAGE_RO_WHOLE:   return "read-only as a whole";
    case SRO_PAGE_SUBPAGE:    return "sub-page protected";
    case SRO_PAGE_ENTRY_ONLY: return "sub-page entry";
    default:                  return "protection unknown";
    }
}

static bool bit(const uint64_t *map, unsigned int i)
{
    return (map[i / 64] >> (i % 64)) & 1;
}

/* The legend under a heat map: empty, scale 1..max, hatch, outline (the
 * recorded map's wrong verdicts, or, under a plan, changed fates). */
static void heat_legend(FILE *out, uint32_t max, bool plan)
{
    fputs("<div class=\"legend\"><span><svg width=\"14\" height=\"14\">"
          "<rect width=\"14\" height=\"14\" fill=\"#eceff3\" "
          "stroke=\"#d3d8df\"/></svg> no store</span>", out);
    fprintf(out, "<span><svg width=\"96\" height=\"14\"><rect "
            "width=\"96\" height=\"14\" fill=\"url(#heat-scale)\"/></svg>"
            " 1 &#8230; %" PRIu32 " store%s (log scale)</span>", max,
            max == 1 ? "" : "s");
    fputs("<span><svg width=\"14\" height=\"14\"><rect width=\"14\" "
          "height=\"14\" fill=\"#eceff3\"/><rect width=\"14\" height=\"14\" "
          "fill=\"url(#hatch-dark)\"/></svg> read-only</span>", out);
    if ( plan )
    {
        fputs("<span><svg width=\"14\" height=\"14\"><rect width=\"14\" "
              "height=\"14\" fill=\"#eceff3\"/><rect width=\"14\" "
              "height=\"14\" fill=\"url(#hatch-dark)\" opacity=\"0.4\"/>"
              "</svg> read-only in part</span>", out);
        fputs("<span><svg width=\"14\" height=\"14\"><rect x=\"1.5\" "
              "y=\"1.5\" width=\"11\" height=\"11\" fill=\"none\" "
              "stroke=\"#1f5fbf\" stroke-width=\"2.5\"/></svg> fate would "
              "change</span></div>\n", out);
        return;
    }
    fputs("<span><svg width=\"14\" height=\"14\"><rect x=\"1.5\" y=\"1.5\" "
          "width=\"11\" height=\"11\" fill=\"none\" stroke=\"#e3173e\" "
          "stroke-width=\"2.5\"/></svg> wrong verdict</span></div>\n", out);
}

/* The hatch patterns, defined once per document (ids are global). */
static void heat_defs(FILE *out)
{
    fputs("<svg width=\"0\" height=\"0\" style=\"position:absolute\" "
          "aria-hidden=\"true\"><defs>"
          "<pattern id=\"hatch-dark\" width=\"5\" height=\"5\" "
          "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
          "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#4a5263\" "
          "stroke-width=\"1.6\" stroke-opacity=\"0.75\"/></pattern>"
          "<pattern id=\"hatch-light\" width=\"5\" height=\"5\" "
          "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
          "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#ffffff\" "
          "stroke-width=\"1.6\" stroke-opacity=\"0.85\"/></pattern>"
          "<linearGradient id=\"heat-scale\" x1=\"0\" x2=\"1\">", out);
    for ( unsigned int i = 0; i <= 8; i++ )
    {
        char c[8];
        bool dark;

        heat_colour(i / 8.0, c, &dark);
        fprintf(out, "<stop offset=\"%.3f\" stop-color=\"%s\"/>", i / 8.0, c);
    }
    fputs("</linearGradient></defs></svg>\n", out);
}

/* Under a heat map: the touched qwords, runs of neighbours with the same
 * register and protection merged, at most HM_LIST rows. */
#define HM_LIST 12
static void touched_list(FILE *out, const struct report_page *p,
                         const struct devbind *b)
{
    uint64_t base = p->mfn << SRO_PAGE_SHIFT;
    unsigned int rows = 0, more = 0;

    for ( unsigned int q = 0; q < SRO_QWORDS; )
    {
        unsigned int e = q + 1;
        uint64_t stores = p->qstores[q];
        bool wrong = bit(p->qwrong, q);
        char reg[96], next[96];

        if ( !p->qstores[q] )
        {
            q++;
            continue;
        }
        devbind_register(b, base + q * SRO_GRAN, SRO_GRAN, reg, sizeof(reg),
                         NULL, NULL);
        while ( e < SRO_QWORDS && p->qstores[e] &&
                bit(p->qro, e) == bit(p->qro, q) )
        {
            devbind_register(b, base + e * SRO_GRAN, SRO_GRAN, next,
                             sizeof(next), NULL, NULL);
            if ( strcmp(next, reg) || !reg[0] )
                break;
            stores += p->qstores[e];
            wrong = wrong || bit(p->qwrong, e);
            e++;
        }
        if ( rows == HM_LIST )
        {
            more++;
            q = e;
            continue;
        }
        if ( rows++ == 0 )
            fputs("<table class=\"touched\"><tr><th>bytes</th><th>register"
                  "</th><th class=\"n\">stores</th><th>read-only</th>"
                  "<th></th></tr>\n", out);
        fprintf(out, "<tr><td class=\"mono\">0x%03x..0x%03x</td>"
                "<td class=\"mono\">", q * SRO_GRAN, e * SRO_GRAN - 1);
        html_escape(out, reg[0] ? reg : "-");
        fprintf(out, "</td><td class=\"n\">%" PRIu64 "</td><td>%s</td><td>",
                stores, bit(p->qro, q) ? "yes" : "no");
        if ( wrong )
            badge(out, "wrong verdict", "#d6263c");
        fputs("</td></tr>\n", out);
        q = e;
    }
    if ( rows )
    {
        if ( more )
            fprintf(out, "<tr><td colspan=\"5\" class=\"none\">and %u more"
                    "</td></tr>\n", more);
        fputs("</table>\n", out);
    }
}

/* Under a plan's heat map: the changes on this page, at most HM_LIST. */
static void changes_list(FILE *out, const struct report_whatif *w,
                         uint64_t mfn)
{
    unsigned int rows = 0, more = 0;

    for ( unsigned int i = 0; i < w->changes.nchanges; i++ )
    {
        const struct sro_whatif_change *c = &w->changes.changes[i];

        if ( c->mfn != mfn )
            continue;
        if ( rows == HM_LIST )
        {
            more++;
            continue;
        }
        if ( rows++ == 0 )
            fputs("<table class=\"touched\"><tr><th>store</th><th>register"
                  "</th><th class=\"n\">domain</th><th class=\"n\">stores"
                  "</th><th>recorded</th><th>under the plan</th></tr>\n",
                  out);
        fprintf(out, "<tr><td class=\"mono\">0x%03x/%u</td><td class=\"mono"
                "\">", c->offset, c->length);
        html_escape(out, c->reg[0] ? c->reg : "-");
        fprintf(out, "</td><td class=\"n\">%u</td><td class=\"n\">%" PRIu64
                "</td><td>%s</td><td>%s%s</td></tr>\n", c->domain, c->groups,
                sro_fate_name(c->from), sro_fate_name(c->to),
                c->by_plan ? "" : " (also without the plan)");
    }
    if ( !rows )
        fputs("<p class=\"none\">no store on this page would change "
              "fate</p>\n", out);
    else
    {
        if ( more )
            fprintf(out, "<tr><td colspan=\"6\" class=\"none\">and %u more"
                    "</td></tr>\n", more);
        fputs("</table>\n", out);
    }
}

/* One page as 512 qword cells (class "q"), with hatch overlays (class
 * "ro") and wrong-verdict outlines (class "wrong"), its legend and the
 * list of touched qwords. With w, the same stores under w's plan: its
 * protection hatched, changed fates outlined (class "changed"), and the
 * list of changes. */
static void heatmap(FILE *out, const struct report_page *p,
                    const struct devbind *b, const struct report_whatif *w)
{
    uint64_t base = p->mfn << SRO_PAGE_SHIFT;
    struct report_whatif_page *wp = NULL;
    const uint64_t *qro = p->qro;
    uint32_t max = 0;
    uint64_t changed = 0;
    unsigned int ro = 0, kind = p->kind;

    if ( w && (wp = malloc(sizeof(*wp))) == NULL )
        return;
    if ( wp )
    {
        report_whatif_page(w, p->mfn, wp);
        qro = wp->qro;
        kind = wp->kind;
    }
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
    {
        if ( p->qstores[q] > max )
            max = p->qstores[q];
        ro += bit(qro, q);
    }
    for ( unsigned int i = 0; wp && i < w->changes.nchanges; i++ )
        if ( w->changes.changes[i].mfn == p->mfn )
            changed += w->changes.changes[i].groups;
    fprintf(out, "<figure class=\"page%s\"><figcaption><b>page 0x%" PRIx64
            "</b> <span class=\"meta\">&#183; ", wp ? " plan" : "", p->mfn);
    if ( wp )
    {
        fputs("under ", out);
        html_escape(out, w->plan);
        fputs(" (", out);
        html_escape(out, w->changes.model->name);
        fputs(") &#183; ", out);
    }
    else if ( p->device[0] )
    {
        html_escape(out, p->device);
        fputs(" &#183; ", out);
    }
    fprintf(out, "%s", kind_text(kind));
    if ( kind == SRO_PAGE_SUBPAGE || kind == SRO_PAGE_ENTRY_ONLY )
        fprintf(out, ", %u read-only qword%s", ro, ro == 1 ? "" : "s");
    if ( wp )
        fprintf(out, " &#183; %" PRIu64 " store%s would change fate</span>"
                "</figcaption>\n", changed, changed == 1 ? "" : "s");
    else
        fprintf(out, " &#183; %" PRIu64 " fault%s</span></figcaption>\n",
                p->c.faults, p->c.faults == 1 ? "" : "s");
    fprintf(out, "<svg class=\"heatmap\" data-mfn=\"0x%" PRIx64 "\" "
            "viewBox=\"0 0 %u %u\" width=\"%u\" height=\"%u\" role=\"img\" "
            "aria-label=\"stores per qword of page 0x%" PRIx64 "\">\n",
            p->mfn, HM_WIDTH, HM_HEIGHT, HM_WIDTH, HM_HEIGHT, p->mfn);
    for ( unsigned int c = 0; c < HM_COLS; c += 8 )
        fprintf(out, "<text x=\"%u\" y=\"%u\">+0x%02x</text>",
                HM_LEFT + c * HM_CELL, HM_TOP - 7, c * SRO_GRAN);
    for ( unsigned int row = 0; row < HM_ROWS; row++ )
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">0x%03x"
                "</text>", HM_LEFT - 6, HM_TOP + row * HM_CELL + 13,
                row * HM_COLS * SRO_GRAN);
    fputc('\n', out);
    for ( unsigned int q = 0; q < SRO_QWORDS; q++ )
    {
        unsigned int x = HM_LEFT + (q % HM_COLS) * HM_CELL;
        unsigned int y = HM_TOP + (q / HM_COLS) * HM_CELL;
        char colour[8] = "#eceff3", reg[96];
        bool dark = false, is_ro = bit(qro, q);
        bool part = wp && bit(wp->qpart, q);
        bool wrong = !wp && bit(p->qwrong, q);

        if ( p->qstores[q] )
            heat_colour(heat_pos(p->qstores[q], max), colour, &dark);
        devbind_register(b, base + q * SRO_GRAN, SRO_GRAN, reg, sizeof(reg),
                         NULL, NULL);
        fprintf(out, "<rect class=\"q\" x=\"%u\" y=\"%u\" width=\"%u\" "
                "height=\"%u\" fill=\"%s\" stroke=\"#fff\"><title>0x%03x.."
                "0x%03x", x, y, HM_CELL, HM_CELL, colour, q * SRO_GRAN,
                q * SRO_GRAN + SRO_GRAN - 1);
        if ( reg[0] )
        {
            fputs(" ", out);
            html_escape(out, reg);
        }
        fprintf(out, ": %" PRIu32 " store%s%s%s", p->qstores[q],
                p->qstores[q] == 1 ? "" : "s",
                part ? ", read-only in part" : is_ro ? ", read-only" : "",
                wrong ? ", wrong verdict" : "");
        if ( wp && wp->qchanged[q] )
            fprintf(out, ", %" PRIu32 " would change fate", wp->qchanged[q]);
        fputs("</title></rect>", out);
        if ( is_ro )
            fprintf(out, "<rect class=\"ro\" x=\"%u\" y=\"%u\" width=\"%u\" "
                    "height=\"%u\" fill=\"url(#hatch-%s)\"%s "
                    "pointer-events=\"none\"/>", x, y, HM_CELL, HM_CELL,
                    dark ? "light" : "dark",
                    part ? " opacity=\"0.4\"" : "");
        fputc('\n', out);
    }
    /* Outlines last, on top of every cell. */
    for ( unsigned int q = 0; wp && q < SRO_QWORDS; q++ )
        if ( wp->qchanged[q] )
            fprintf(out, "<rect class=\"changed\" x=\"%.1f\" y=\"%.1f\" "
                    "width=\"%u\" height=\"%u\" fill=\"none\" "
                    "stroke=\"#1f5fbf\" stroke-width=\"2.5\" "
                    "pointer-events=\"none\"/>\n",
                    HM_LEFT + (q % HM_COLS) * HM_CELL + 1.5,
                    HM_TOP + (q / HM_COLS) * HM_CELL + 1.5, HM_CELL - 3,
                    HM_CELL - 3);
    for ( unsigned int q = 0; !wp && q < SRO_QWORDS; q++ )
        if ( bit(p->qwrong, q) )
            fprintf(out, "<rect class=\"wrong\" x=\"%.1f\" y=\"%.1f\" "
                    "width=\"%u\" height=\"%u\" fill=\"none\" "
                    "stroke=\"#e3173e\" stroke-width=\"2.5\" "
                    "pointer-events=\"none\"/>\n",
                    HM_LEFT + (q % HM_COLS) * HM_CELL + 1.5,
                    HM_TOP + (q / HM_COLS) * HM_CELL + 1.5, HM_CELL - 3,
                    HM_CELL - 3);
    fputs("</svg>\n", out);
    heat_legend(out, max, wp != NULL);
    if ( wp )
        changes_list(out, w, p->mfn);
    else
        touched_list(out, p, b);
    fputs("</figure>\n", out);
    free(wp);
}

/* Which verdict and outcome columns a run's tables show. */
struct cols {
    bool ver[REPORT_NVER];
    bool out[REPORT_NOUT];
};

/* The count cells of one row, for the columns k shows. */
static void count_cells(FILE *out, const struct report_counts *c,
                        const struct cols *k, bool replayed)
{
    if ( replayed )
    {
        fprintf(out, "<td class=\"n\">%" PRIu64 "</td>", c->wrong);
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
            if ( k->ver[i] )
                fprintf(out, "<td class=\"n\">%" PRIu64 "</td>",
                        c->verdict[i]);
    }
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
        if ( k->out[i] )
            fprintf(out, "<td class=\"n\">%" PRIu64 "</td>", c->outcome[i]);
}

/* The heads of the count columns, full names on hover. */
static void count_heads(FILE *out, const struct cols *k, bool replayed)
{
    if ( replayed )
    {
        fputs("<th class=\"n\">wrong</th>", out);
        for ( unsigned int i = 0; i < REPORT_NVER; i++ )
        {
            if ( !k->ver[i] )
                continue;
            fputs("<th class=\"n\" title=\"", out);
            html_escape(out, i == REPORT_VER_NONE ? "no verdict"
                                                  : report_verdict_name(i));
            fprintf(out, "\">%s</th>", report_verdict_abbrev(i));
        }
    }
    for ( unsigned int i = 0; i < REPORT_NOUT; i++ )
    {
        if ( !k->out[i] )
            continue;
        fputs("<th class=\"n\" title=\"", out);
        html_escape(out, i == REPORT_OUT_NONE ? "no SRO_DONE (incomplete)"
                                              : report_outcome_name(i));
        fputs("\">", out);
        html_escape(out, report_outcome_abbrev(i));
        fputs("</th>", out);
    }
}

/* Per domain and vCPU. */
static void vcpu_table(FILE *out, const struct report_run *r)
{
    bool rp = r->info.replay != 0;
    struct cols k;

    report_columns(r, k.ver, k.out);
    fputs("<h3>Domains and vCPUs</h3>\n<table><tr><th class=\"n\">domain"
          "</th><th class=\"n\">vcpu</th><th class=\"n\">faults</th>", out);
    count_heads(out, &k, rp);
    fputs("<th class=\"n\">lost</th><th class=\"n\">first (s)</th>"
          "<th class=\"n\">last (s)</th></tr>\n", out);
    for ( unsigned int i = 0; i < r->nvcpus; i++ )
    {
        const struct report_vcpu *v = &r->vcpus[i];

        fputs("<tr><td class=\"n\">", out);
        if ( v->domain == 0xffff )
            fputs("?", out);
        else
            fprintf(out, "%u%s", v->domain, v->hwdom ? " (hw)" : "");
        fputs("</td><td class=\"n\">", out);
        if ( v->vcpu == 0xffff )
            fputs("?", out);
        else
            fprintf(out, "%u", v->vcpu);
        fprintf(out, "</td><td class=\"n\">%" PRIu64 "</td>", v->c.faults);
        count_cells(out, &v->c, &k, rp);
        fprintf(out, "<td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
                v->lost_records);
        if ( v->c.faults )
            time_text(out, &r->info, v->c.first_tsc);
        fputs("</td><td class=\"n\">", out);
        if ( v->c.faults )
            time_text(out, &r->info, v->c.last_tsc);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Per page. */
static void page_table(FILE *out, const struct report_run *r)
{
    bool rp = r->info.replay != 0;
    struct cols k;

    report_columns(r, k.ver, k.out);
    fputs("<h3>Pages</h3>\n<table><tr><th>page</th><th>protection</th>"
          "<th>device</th><th class=\"n\">faults</th><th class=\"n\">written"
          "</th><th class=\"n\">dropped</th>", out);
    count_heads(out, &k, rp);
    fputs("</tr>\n", out);
    for ( unsigned int i = 0; i < r->npages; i++ )
    {
        const struct report_page *p = &r->pages[i];

        fprintf(out, "<tr><td class=\"mono\">0x%" PRIx64 "</td><td>%s</td>"
                "<td>", p->mfn, kind_text(p->kind));
        html_escape(out, p->device[0] ? p->device : "-");
        fprintf(out, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%"
                PRIu64 "</td><td class=\"n\">%" PRIu64 "</td>", p->c.faults,
                p->written, p->dropped);
        count_cells(out, &p->c, &k, rp);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* The instructions that faulted most. */
static void insn_table(FILE *out, const struct report_run *r)
{
    if ( !r->ninsns )
        return;
    fputs("<h3>Top instructions</h3>\n<table><tr><th class=\"n\">faults</th>"
          "<th class=\"n\">wrong</th><th class=\"n\">width</th>"
          "<th>instruction</th><th>bytes</th><th>RIPs (faults)</th></tr>\n",
          out);
    for ( unsigned int i = 0; i < r->ninsns; i++ )
    {
        const struct report_insn *in = &r->insns[i];

        fprintf(out, "<tr><td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
                in->faults);
        if ( r->info.replay )
            fprintf(out, "%" PRIu64, in->wrong);
        else
            fputs("-", out);
        fputs("</td><td class=\"n\">", out);
        if ( in->width )
            fprintf(out, "%u", in->width);
        else
            fputs("?", out);
        fputs("</td><td><code>", out);
        html_escape(out, in->id ? (in->text[0] ? in->text : "?")
                                : "(not fetched)");
        fputs("</code></td><td class=\"mono\">", out);
        html_escape(out, in->hex[0] ? in->hex : "-");
        fputs("</td><td class=\"mono\">", out);
        for ( unsigned int k = 0; k < in->nrips; k++ )
            fprintf(out, "%s0x%" PRIx64 " (%" PRIu64 ")", k ? "<br>" : "",
                    in->rips[k].rip, in->rips[k].faults);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Everything about one run; with w, each page also under w's plan. */
static void run_section(FILE *out, const struct report_run *r,
                        const struct devbind *b,
                        const struct report_whatif *w)
{
    const struct runinfo *ri = &r->info;

    fprintf(out, "<section class=\"run\" id=\"run-%" PRId64 "\">\n"
            "<h2>Run %" PRId64 "<span class=\"src\">", ri->id, ri->id);
    html_escape(out, ri->source);
    fputs("</span></h2>\n", out);
    facts(out, r);
    if ( !r->total.faults && !r->npages )
    {
        fputs("<p class=\"none\">no write faults and no sub-page "
              "protection in this run</p>\n</section>\n", out);
        return;
    }
    charts(out, r);
    /* Pictures before tables: the heat maps answer "where on the page" at
     * a glance; the list of wrong verdicts is for reading after. */
    if ( r->npages )
    {
        fputs("<h3>Protected pages</h3>\n", out);
        if ( w )
        {
            fputs("<p class=\"whatif\">Each page as recorded (left) and "
                  "under the what-if plan ", out);
            html_escape(out, w->plan);
            fputs(" through ", out);
            html_escape(out, w->changes.model->name);
            fprintf(out, " (right): %" PRIu64 " of %" PRIu64 " stores would "
                    "change fate, %" PRIu64 " of them by the plan.</p>\n",
                    w->changes.changed, w->changes.groups,
                    w->changes.changed_by_plan);
        }
        fputs("<div class=\"pages\">\n", out);
        for ( unsigned int i = 0; i < r->npages; i++ )
        {
            if ( w )
                fputs("<div class=\"pair\">\n", out);
            heatmap(out, &r->pages[i], b, NULL);
            if ( w )
            {
                heatmap(out, &r->pages[i], b, w);
                fputs("</div>\n", out);
            }
        }
        fputs("</div>\n", out);
    }
    wrong_table(out, r);
    if ( r->nvcpus )
        vcpu_table(out, r);
    page_table(out, r);
    insn_table(out, r);
    fputs("</section>\n", out);
}

void report_print_html(FILE *out, const char *title,
                       const struct report_run *runs, unsigned int n,
                       const struct devbind *const *binds)
{
    report_print_html_whatif(out, title, runs, n, binds, NULL);
}

void report_print_html_whatif(FILE *out, const char *title,
                              const struct report_run *runs, unsigned int n,
                              const struct devbind *const *binds,
                              const struct report_whatif *const *whatifs)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8"
          "\">\n<meta name=\"viewport\" content=\"width=device-width, "
          "initial-scale=1\">\n<meta name=\"generator\" content=\"srotrace\">\n"
          "<title>srotrace report: ", out);
    html_escape(out, title);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
    fputs("<header class=\"top\"><h1>srotrace report</h1><p>database ", out);
    html_escape(out, title);
    fprintf(out, " &#183; %u run%s &#183; Xen sub-page read-only MMIO write "
            "faults</p></header>\n", n, n == 1 ? "" : "s");
    heat_defs(out);
    if ( n > 1 )
    {
        fputs("<nav>", out);
        for ( unsigned int i = 0; i < n; i++ )
        {
            fprintf(out, "<a href=\"#run-%" PRId64 "\">run %" PRId64 ": ",
                    runs[i].info.id, runs[i].info.id);
            html_escape(out, runs[i].info.source);
            fputs("</a>", out);
        }
        fputs("</nav>\n", out);
    }
    fputs("<main>\n", out);
    for ( unsigned int i = 0; i < n; i++ )
        run_section(out, &runs[i], binds[i], whatifs ? whatifs[i] : NULL);
    fputs("</main>\n<footer>Generated by srotrace report. Times are seconds since the start of each run. Verdicts are "
          "those of each run's latest complete replay. Hover a qword of a "
          "heat map for its bytes, register and counts.</footer>\n"
          "</body>\n</html>\n", out);
}
