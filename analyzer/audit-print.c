/*
 * audit-print.c - the audit as a terminal table, JSON and CSV.
 *
 * Text: one block per page (device, protection), a table of the ranges
 * guests addressed, then the read-only bytes nobody wrote and the
 * written bytes the bound map does not know. JSON and CSV carry the same
 * numbers with stable keys and columns (docs/man/srotrace-audit.1).
 */
#include <inttypes.h>
#include <string.h>

#include "audit.h"
#include "core/prot.h"
#include "util/escape.h"
#include "table.h"
#include "util/json.h"

/* A page's protection for people. */
static const char *kind_name(unsigned int kind)
{
    switch ( kind )
    {
    case SRO_PAGE_RO_WHOLE:   return "read-only page";
    case SRO_PAGE_SUBPAGE:    return "sub-page protected";
    case SRO_PAGE_ENTRY_ONLY: return "sub-page entry";
    default:                  return "protection unknown";
    }
}

/* JSON: "whole", "subpage", "entry", "unknown". */
static const char *kind_key(unsigned int kind)
{
    switch ( kind )
    {
    case SRO_PAGE_RO_WHOLE:   return "whole";
    case SRO_PAGE_SUBPAGE:    return "subpage";
    case SRO_PAGE_ENTRY_ONLY: return "entry";
    default:                  return "unknown";
    }
}

/* Writable bytes written that a bound map does not know. */
static bool unknown_writable(const struct audit_touch *t)
{
    return t->mapped && !t->reg[0] && t->ro != AUDIT_RO_YES;
}

void audit_print_text(FILE *out, const struct runinfo *r,
                      const struct audit *a)
{
    static const char *const heads[] = {
        "offset", "len", "register", "stores", "reached", "misdirected",
        "read-only", NULL
    };
    char src[256];

    term_clean(src, sizeof(src), r->source);
    fprintf(out, "run %" PRId64 ": %s", r->id, src);
    if ( r->xen_version )
    {
        term_clean(src, sizeof(src), r->xen_version);
        fprintf(out, " (Xen %s)", src);
    }
    fputc('\n', out);
    if ( a->n == 0 )
        fprintf(out, "\nno protected page was written and no sub-page "
                "protection is configured\n");
    for ( unsigned int i = 0; i < a->n; i++ )
    {
        const struct audit_page *p = &a->pages[i];
        struct table *t = table_new(heads, "rrlrrrl");
        bool any_unknown = false;

        term_clean(src, sizeof(src), p->device);
        fprintf(out, "\npage 0x%" PRIx64 "  %s", p->mfn, kind_name(p->kind));
        if ( p->kind == SRO_PAGE_SUBPAGE || p->kind == SRO_PAGE_ENTRY_ONLY )
            fprintf(out, ", %u read-only qword%s", p->ro_qwords,
                    p->ro_qwords == 1 ? "" : "s");
        if ( src[0] )
            fprintf(out, "  %s", src);
        fputc('\n', out);
        for ( unsigned int j = 0; j < p->ntouch; j++ )
        {
            const struct audit_touch *x = &p->touch[j];

            table_cell(t, "0x%03x", x->offset);
            if ( x->length )
                table_cell(t, "%u", x->length);
            else
                table_str(t, "?");
            table_str(t, x->reg[0] ? x->reg : "-");
            table_cell(t, "%" PRIu64, x->stores);
            table_cell(t, "%" PRIu64, x->reached);
            table_cell(t, "%" PRIu64, x->misdirected);
            table_str(t, audit_ro_name(x->ro));
            any_unknown = any_unknown || unknown_writable(x);
        }
        if ( p->ntouch )
            table_print(t, out, 2);
        else
            fprintf(out, "  no guest wrote to this page\n");
        table_free(t);
        if ( p->nuntouched )
        {
            fprintf(out, "  read-only, never written:\n");
            for ( unsigned int j = 0; j < p->nuntouched; j++ )
            {
                const struct audit_range *u = &p->untouched[j];

                term_clean(src, sizeof(src), u->reg);
                fprintf(out, "    0x%03x..0x%03x  %4u bytes  %s\n", u->offset,
                        u->offset + u->length - 1, u->length,
                        src[0] ? src : "-");
            }
        }
        if ( any_unknown )
        {
            fprintf(out, "  written, unknown to the register map:\n");
            for ( unsigned int j = 0; j < p->ntouch; j++ )
                if ( unknown_writable(&p->touch[j]) )
                    fprintf(out, "    0x%03x..0x%03x  %4u bytes  %" PRIu64
                            " store%s\n", p->touch[j].offset,
                            p->touch[j].offset +
                            (p->touch[j].length ? p->touch[j].length : 1) - 1,
                            p->touch[j].length, p->touch[j].stores,
                            p->touch[j].stores == 1 ? "" : "s");
        }
        if ( p->ro_written )
            fprintf(out, "  %" PRIu64 " write%s put bytes on read-only "
                    "ones\n", p->ro_written, p->ro_written == 1 ? "" : "s");
    }
    if ( a->untouched_whole )
        fprintf(out, "\n%" PRIu64 " whole read-only page%s nobody wrote\n",
                a->untouched_whole, a->untouched_whole == 1 ? "" : "s");
    if ( a->unknown_width )
        fprintf(out, "\n%" PRIu64 " store%s of unknown width (counted at "
                "length ?)\n", a->unknown_width,
                a->unknown_width == 1 ? "" : "s");
    fprintf(out, "\nread-only bytes reached the device: %s\n",
            audit_ro_reached(a) ? "YES" : "no");
}

/* One {"offset", "length", "register"} object. */
static void json_range(struct json *j, unsigned int off, unsigned int len,
                       const char *reg)
{
    json_object_begin(j);
    json_kv_uint(j, "offset", off);
    json_kv_uint(j, "length", len);
    json_kv_string(j, "register", reg[0] ? reg : NULL);
    json_object_end(j);
}

void audit_print_json(FILE *out, const struct runinfo *r,
                      const struct audit *a)
{
    struct json j;

    json_init(&j, out, false);
    json_object_begin(&j);
    json_kv_int(&j, "run", r->id);
    json_kv_string(&j, "source", r->source);
    json_kv_bool(&j, "ro_reached", audit_ro_reached(a));
    json_kv_uint(&j, "untouched_whole_pages", a->untouched_whole);
    json_kv_uint(&j, "unknown_width_stores", a->unknown_width);
    json_key(&j, "pages");
    json_array_begin(&j);
    for ( unsigned int i = 0; i < a->n; i++ )
    {
        const struct audit_page *p = &a->pages[i];

        json_object_begin(&j);
        json_kv_uint(&j, "mfn", p->mfn);
        json_kv_string(&j, "protection", kind_key(p->kind));
        json_kv_uint(&j, "ro_qwords", p->ro_qwords);
        json_kv_string(&j, "device", p->device[0] ? p->device : NULL);
        json_kv_uint(&j, "ro_written", p->ro_written);
        json_key(&j, "touched");
        json_array_begin(&j);
        for ( unsigned int k = 0; k < p->ntouch; k++ )
        {
            const struct audit_touch *t = &p->touch[k];

            json_object_begin(&j);
            json_kv_uint(&j, "offset", t->offset);
            json_key(&j, "length");
            if ( t->length )
                json_uint(&j, t->length);
            else
                json_null(&j);
            json_kv_uint(&j, "stores", t->stores);
            json_kv_uint(&j, "reached", t->reached);
            json_kv_uint(&j, "misdirected", t->misdirected);
            json_key(&j, "read_only");
            if ( t->ro == AUDIT_RO_UNKNOWN )
                json_null(&j);
            else
                json_bool(&j, t->ro_bytes > 0);
            json_kv_uint(&j, "ro_bytes", t->ro_bytes);
            json_kv_uint(&j, "ro_written", t->ro_written);
            json_kv_string(&j, "register", t->reg[0] ? t->reg : NULL);
            json_kv_bool(&j, "unknown_to_map", unknown_writable(t));
            json_object_end(&j);
        }
        json_array_end(&j);
        json_key(&j, "untouched_read_only");
        json_array_begin(&j);
        for ( unsigned int k = 0; k < p->nuntouched; k++ )
            json_range(&j, p->untouched[k].offset, p->untouched[k].length,
                       p->untouched[k].reg);
        json_array_end(&j);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    json_end(&j);
}

void audit_print_csv(FILE *out, const struct runinfo *r,
                     const struct audit *a)
{
    fputs("run,mfn,offset,length,register,stores,reached,misdirected,"
          "read_only,ro_bytes,ro_written,device\r\n", out);
    for ( unsigned int i = 0; i < a->n; i++ )
    {
        const struct audit_page *p = &a->pages[i];

        for ( unsigned int k = 0; k < p->ntouch; k++ )
        {
            const struct audit_touch *t = &p->touch[k];

            fprintf(out, "%" PRId64 ",0x%" PRIx64 ",0x%03x,", r->id, p->mfn,
                    t->offset);
            if ( t->length )
                fprintf(out, "%u", t->length);
            fputc(',', out);
            csv_field(out, t->reg);
            fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%u,%"
                    PRIu64 ",", t->stores, t->reached, t->misdirected,
                    audit_ro_name(t->ro), t->ro_bytes, t->ro_written);
            csv_field(out, p->device);
            fputs("\r\n", out);
        }
    }
}
