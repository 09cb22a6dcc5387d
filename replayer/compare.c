/*
 * compare.c - see compare.h.
 */
#include <stdio.h>
#include <string.h>

#include "compare.h"

static const char *result_str(unsigned int r)
{
    const char *s = sro_result_name(r);

    return s ? s : "?";
}

static const char *outcome_str(unsigned int o)
{
    const char *s = sro_outcome_name(o);

    return s ? s : "?";
}

bool sro_behaviour_differs(const struct sro_behaviour *a,
                           const struct sro_behaviour *b,
                           char *field, size_t fieldlen,
                           char *detail, size_t detaillen)
{
    unsigned int n = a->nwrites < b->nwrites ? a->nwrites : b->nwrites;

    for ( unsigned int i = 0; i < n; i++ )
    {
        const struct sro_write *x = &a->writes[i], *y = &b->writes[i];

        if ( x->offset != y->offset )
        {
            snprintf(field, fieldlen, "writes[%u].offset", i);
            snprintf(detail, detaillen, "%#x -> %#x", x->offset, y->offset);
            return true;
        }
        if ( x->len != y->len )
        {
            snprintf(field, fieldlen, "writes[%u].length", i);
            snprintf(detail, detaillen, "%u -> %u", x->len, y->len);
            return true;
        }
        if ( x->result != y->result )
        {
            snprintf(field, fieldlen, "writes[%u].result", i);
            snprintf(detail, detaillen, "%s -> %s", result_str(x->result),
                     result_str(y->result));
            return true;
        }
        /* The device offset means something only for a written piece. */
        if ( x->result == SRO_WRITTEN && x->dev_offset != y->dev_offset )
        {
            snprintf(field, fieldlen, "writes[%u].device_offset", i);
            snprintf(detail, detaillen, "%#x -> %#x", x->dev_offset,
                     y->dev_offset);
            return true;
        }
    }
    if ( a->nwrites != b->nwrites )
    {
        snprintf(field, fieldlen, "nwrites");
        snprintf(detail, detaillen, "%u -> %u", a->nwrites, b->nwrites);
        return true;
    }
    if ( a->has_done && b->has_done && a->outcome != b->outcome )
    {
        snprintf(field, fieldlen, "outcome");
        snprintf(detail, detaillen, "%s -> %s", outcome_str(a->outcome),
                 outcome_str(b->outcome));
        return true;
    }
    field[0] = detail[0] = '\0';
    return false;
}

void sro_format_writes(const struct sro_write *w, unsigned int n,
                       char *buf, size_t len)
{
    size_t pos = 0;

    buf[0] = '\0';
    for ( unsigned int i = 0; i < n && pos < len; i++ )
    {
        int k = snprintf(buf + pos, len - pos, "%s%#x/%u/%s", i ? " " : "",
                         w[i].offset, w[i].len, result_str(w[i].result));

        if ( k < 0 )
            break;
        pos += (size_t)k;
        if ( w[i].result == SRO_WRITTEN && pos < len )
        {
            k = snprintf(buf + pos, len - pos, "@%#x", w[i].dev_offset);
            if ( k < 0 )
                break;
            pos += (size_t)k;
        }
    }
}
