/*
 * devlist.c - the device list container, format guessing and the xHCI
 * Debug Capability placement shared by the parsers (see devlist.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "devlist.h"
#include "util/xalloc.h"

void devlist_init(struct dev_list *l)
{
    memset(l, 0, sizeof(*l));
}

void devlist_free(struct dev_list *l)
{
    for ( unsigned int i = 0; i < l->n; i++ )
    {
        struct dev_entry *d = &l->devs[i];

        for ( unsigned int j = 0; j < d->nregions; j++ )
            free(d->regions[j].regmap);
        free(d->regions);
        free(d->sbdf);
        free(d->name);
    }
    free(l->devs);
    devlist_init(l);
}

struct dev_entry *devlist_add(struct dev_list *l, const char *sbdf,
                              const char *name, int vendor, int device,
                              int64_t class_)
{
    struct dev_entry *d;

    if ( l->n == l->cap )
    {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->devs = xrealloc(l->devs, l->cap * sizeof(*l->devs));
    }
    d = &l->devs[l->n++];
    memset(d, 0, sizeof(*d));
    d->sbdf = xstrdup(sbdf);
    d->name = xstrdup(name);
    d->vendor = vendor;
    d->device = device;
    d->class_ = class_;
    return d;
}

struct dev_region *devlist_add_region(struct dev_entry *d, uint64_t base,
                                      uint64_t size, const char *regmap,
                                      uint64_t map_base, int bar)
{
    struct dev_region *r;

    if ( d->nregions == d->cap )
    {
        d->cap = d->cap ? d->cap * 2 : 4;
        d->regions = xrealloc(d->regions, d->cap * sizeof(*d->regions));
    }
    r = &d->regions[d->nregions++];
    r->base = base;
    r->size = size;
    r->regmap = xstrdup(regmap);
    r->map_base = map_base;
    r->bar = bar;
    return r;
}

const char *devlist_guess_format(const char *text)
{
    const char *p = text;

    /* The first line that is neither blank nor a comment decides. */
    while ( *p )
    {
        const char *nl = strchr(p, '\n');
        const char *q = p;
        unsigned int hex = 0;

        while ( *q == ' ' || *q == '\t' || *q == '\r' )
            q++;
        if ( *q && *q != '\n' && *q != '#' )
        {
            if ( strncasecmp(q, "DEVICE", 6) == 0 &&
                 (q[6] == ' ' || q[6] == '\t') )
                return "native";
            /* lspci: "00:14.0 " or "0000:00:14.0 " */
            while ( isxdigit((unsigned char)q[hex]) || q[hex] == ':' ||
                    q[hex] == '.' )
                hex++;
            if ( hex >= 7 && q[hex] == ' ' && q[2] == ':' )
                return "lspci";
            if ( hex >= 12 && q[hex] == ' ' && q[4] == ':' && q[7] == ':' )
                return "lspci";
            return NULL;
        }
        if ( !nl )
            break;
        p = nl + 1;
    }
    return NULL;
}

int devlist_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    unsigned int shift = 0;

    if ( !isdigit((unsigned char)*s) )
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if ( errno )
        return -1;
    switch ( *end )
    {
    case 'K': shift = 10; end++; break;
    case 'M': shift = 20; end++; break;
    case 'G': shift = 30; end++; break;
    case 'T': shift = 40; end++; break;
    }
    if ( *end || (shift && v > (UINT64_MAX >> shift)) )
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* The first memory BAR region of d (the one lspci/sysfs list first). */
static const struct dev_region *first_bar(const struct dev_entry *d)
{
    for ( unsigned int i = 0; i < d->nregions; i++ )
        if ( d->regions[i].bar >= 0 )
            return &d->regions[i];
    return NULL;
}

/* Has d a DbC region at base already? */
static bool has_dbc_at(const struct dev_entry *d, uint64_t base)
{
    for ( unsigned int i = 0; i < d->nregions; i++ )
        if ( d->regions[i].base == base && d->regions[i].regmap &&
             strcmp(d->regions[i].regmap, "xhci-dbc") == 0 )
            return true;
    return false;
}

unsigned int devlist_add_dbc_offset(struct dev_list *l, uint64_t offset)
{
    unsigned int added = 0;

    for ( unsigned int i = 0; i < l->n; i++ )
    {
        struct dev_entry *d = &l->devs[i];
        const struct dev_region *bar = first_bar(d);
        uint64_t base;
        int idx;

        if ( d->class_ != DEVLIST_CLASS_XHCI || !bar || offset >= bar->size )
            continue;
        base = bar->base + offset;
        idx = bar->bar;
        if ( has_dbc_at(d, base) )
            continue;
        devlist_add_region(d, base, 64, "xhci-dbc", 0, idx);
        added++;
    }
    return added;
}

unsigned int devlist_add_dbc_range(struct dev_list *l, uint64_t start,
                                   uint64_t size)
{
    for ( unsigned int i = 0; i < l->n; i++ )
    {
        struct dev_entry *d = &l->devs[i];

        if ( d->class_ != DEVLIST_CLASS_XHCI )
            continue;
        for ( unsigned int j = 0; j < d->nregions; j++ )
        {
            const struct dev_region *r = &d->regions[j];
            int bar = r->bar;

            if ( bar < 0 || start < r->base || start - r->base >= r->size )
                continue;
            if ( has_dbc_at(d, start) )
                return 0;
            devlist_add_region(d, start, size ? size : 64, "xhci-dbc", 0,
                               bar);
            return 1;
        }
    }
    return 0;
}
