/*
 * diff.c - see diff.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "diff.h"

/* Append s to buf at *pos, unless it is the same as the last part. */
static void append_part(char *buf, size_t len, size_t *pos, const char *s,
                        const char **last)
{
    int k;

    if ( *last && strcmp(*last, s) == 0 )
        return;
    k = snprintf(buf + *pos, len - *pos, "%s%s", *pos ? "+" : "", s);
    if ( k > 0 && (size_t)k < len - *pos )
        *pos += (size_t)k;
    *last = s;
}

void sro_diff_behaviour(const struct sro_prediction *p, bool predicted,
                        char *buf, size_t len)
{
    static const char *const written_elsewhere = "WRITTEN@other";
    static const char *const written_zero = "WRITTEN@0";
    const char *last = NULL;
    size_t pos = 0;

    buf[0] = '\0';
    if ( !predicted )
    {
        snprintf(buf, len, "no prediction");
        return;
    }
    for ( unsigned int i = 0; i < p->nwrites; i++ )
    {
        const struct sro_write *w = &p->writes[i];
        const char *s = sro_result_name(w->result);

        if ( w->result == SRO_WRITTEN && w->dev_offset != w->offset )
            s = w->dev_offset == 0 ? written_zero : written_elsewhere;
        append_part(buf, len, &pos, s ? s : "?", &last);
    }
    if ( p->nwrites == 0 )
        pos = (size_t)snprintf(buf, len, "no write");
    if ( p->done.outcome != SRO_RETIRED && pos < len )
        snprintf(buf + pos, len - pos, ", %s",
                 sro_outcome_name(p->done.outcome) ? sro_outcome_name(p->done.outcome)
                                                   : "?");
}

int sro_diff_add(struct sro_diff *d, const struct sro_group_result *r)
{
    char from[SRO_DIFF_KIND_MAX / 2], to[SRO_DIFF_KIND_MAX / 2];
    char field[40] = "", detail[96];
    struct sro_behaviour a, b;
    uint8_t va, vb;
    bool changed;
    struct sro_diff_kind *k = NULL;

    d->groups++;
    d->not_predicted[0] += !r->predicted[0];
    d->not_predicted[1] += !r->predicted[1];
    va = r->predicted[0] ? (uint8_t)r->pred_j[0].verdict : SRO_V_UNDECIDABLE;
    vb = r->predicted[1] ? (uint8_t)r->pred_j[1].verdict : SRO_V_UNDECIDABLE;
    if ( r->predicted[0] != r->predicted[1] )
        changed = true;
    else if ( !r->predicted[0] )
        changed = false;
    else
    {
        sro_result_predicted(r, 0, &a);
        sro_result_predicted(r, 1, &b);
        changed = sro_behaviour_differs(&a, &b, field, sizeof(field), detail,
                                        sizeof(detail)) || va != vb;
    }
    if ( !changed )
        return 0;
    d->changed++;

    sro_diff_behaviour(&r->pred[0], r->predicted[0], from, sizeof(from));
    sro_diff_behaviour(&r->pred[1], r->predicted[1], to, sizeof(to));
    for ( unsigned int i = 0; i < d->nkinds; i++ )
        if ( d->kinds[i].verdict_from == va && d->kinds[i].verdict_to == vb &&
             strcmp(d->kinds[i].from, from) == 0 &&
             strcmp(d->kinds[i].to, to) == 0 )
        {
            k = &d->kinds[i];
            break;
        }
    if ( !k )
    {
        if ( d->nkinds == d->cap )
        {
            unsigned int cap = d->cap ? d->cap * 2 : 16;
            struct sro_diff_kind *nk = realloc(d->kinds, cap * sizeof(*nk));

            if ( !nk )
                return -1;
            d->kinds = nk;
            d->cap = cap;
        }
        k = &d->kinds[d->nkinds++];
        memset(k, 0, sizeof(*k));
        memcpy(k->from, from, sizeof(from));
        memcpy(k->to, to, sizeof(to));
        k->verdict_from = va;
        k->verdict_to = vb;
        k->example_group = r->sg->id;
        k->example_cpu = r->sg->g.fault.cpu;
        k->example_tsc = r->sg->g.fault.tsc;
        snprintf(k->example_field, sizeof(k->example_field), "%s",
                 field[0] ? field : "verdict");
    }
    k->groups++;
    if ( r->sg->g.fault.domain < 64 )
        k->domains_mask |= UINT64_C(1) << r->sg->g.fault.domain;
    return 0;
}

static int by_groups(const void *x, const void *y)
{
    const struct sro_diff_kind *a = x, *b = y;

    if ( a->groups != b->groups )
        return a->groups < b->groups ? 1 : -1;
    return a->example_group < b->example_group ? -1
                                               : a->example_group >
                                                 b->example_group;
}

void sro_diff_sort(struct sro_diff *d)
{
    if ( d->nkinds > 1 )
        qsort(d->kinds, d->nkinds, sizeof(d->kinds[0]), by_groups);
}

void sro_diff_free(struct sro_diff *d)
{
    free(d->kinds);
    memset(d, 0, sizeof(*d));
}
