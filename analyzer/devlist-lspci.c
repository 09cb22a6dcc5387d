/*
 * devlist-lspci.c - read the output of `lspci -vvv -nn` (or -vv, -v).
 *
 * A device starts with an unindented line
 *   00:14.0 USB controller [0c03]: Intel Corporation ... [8086:a36d] (rev 10) (prog-if 30 [XHCI])
 * (with -D the address has its PCI segment, 0000:00:14.0). Indented lines
 * that follow describe it; this reads three kinds:
 *   Region 0: Memory at a1220000 (64-bit, non-prefetchable) [size=64K]
 *   Capabilities: [b0] MSI-X: Enable+ Count=8 Masked-
 *       Vector table: BAR=0 offset=00001000
 *       PBA: BAR=0 offset=00001080
 * and ignores the rest (I/O port regions, expansion ROMs, unassigned
 * BARs). Each memory BAR becomes a region; an xHCI controller (class
 * 0c03, prog-if 30) gets the `xhci` map on its first one; the MSI-X table
 * (Count entries of 16 bytes) and PBA (one qword per 64 vectors) become
 * regions with the `msix` and `msix-pba` maps.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devlist.h"
#include "util/textfile.h"

#define LSPCI_MAX_BARS 6

/* What one device block said, until its end. */
struct lblock {
    struct dev_entry *dev;
    uint64_t bar_base[LSPCI_MAX_BARS];
    uint64_t bar_size[LSPCI_MAX_BARS];
    bool     bar_mem[LSPCI_MAX_BARS];
    bool     in_msix;           /* inside the MSI-X capability's lines */
    long     msix_count;        /* -1 if no MSI-X capability */
    int      table_bar, pba_bar;
    uint64_t table_off, pba_off;
    unsigned int msix_line;
};

struct lparser {
    const char  *name;
    unsigned int line;
    char        *err;
    size_t       errlen;
};

/* Put "NAME:LINE: message" in p->err; returns -1. */
static int lerr(struct lparser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int lerr(struct lparser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    textfile_verror(p->err, p->errlen, p->name, p->line, fmt, ap);
    va_end(ap);
    return -1;
}

/* Forget the previous block: nothing seen yet, no MSI-X. */
static void block_reset(struct lblock *b)
{
    memset(b, 0, sizeof(*b));
    b->msix_count = -1;
    b->table_bar = b->pba_bar = -1;
}

/* Turn what the block collected into regions (called at its end). */
static int block_finish(struct lparser *p, struct lblock *b)
{
    struct dev_entry *d = b->dev;
    bool xhci_done = false;

    if ( !d )
        return 0;
    for ( int i = 0; i < LSPCI_MAX_BARS; i++ )
    {
        const char *map = NULL;

        if ( !b->bar_mem[i] )
            continue;
        if ( d->class_ == DEVLIST_CLASS_XHCI && !xhci_done )
        {
            map = "xhci";
            xhci_done = true;
        }
        devlist_add_region(d, b->bar_base[i], b->bar_size[i], map, 0, i);
    }
    if ( b->msix_count > 0 )
    {
        uint64_t tsize = (uint64_t)b->msix_count * 16;
        uint64_t psize = ((uint64_t)b->msix_count + 63) / 64 * 8;

        p->line = b->msix_line;
        if ( b->table_bar < 0 || b->pba_bar < 0 )
            return lerr(p, "MSI-X capability without its 'Vector table:' "
                        "and 'PBA:' lines");
        if ( !b->bar_mem[b->table_bar] || !b->bar_mem[b->pba_bar] )
            return lerr(p, "MSI-X table or PBA in BAR %d, which is not a "
                        "memory region of this device",
                        !b->bar_mem[b->table_bar] ? b->table_bar
                                                  : b->pba_bar);
        if ( b->table_off + tsize > b->bar_size[b->table_bar] ||
             b->pba_off + psize > b->bar_size[b->pba_bar] )
            return lerr(p, "MSI-X table or PBA extends beyond its BAR");
        devlist_add_region(d, b->bar_base[b->table_bar] + b->table_off,
                           tsize, "msix", 0, b->table_bar);
        devlist_add_region(d, b->bar_base[b->pba_bar] + b->pba_off, psize,
                           "msix-pba", 0, b->pba_bar);
    }
    return 0;
}

static bool hex4(const char *s)
{
    for ( int i = 0; i < 4; i++ )
        if ( !isxdigit((unsigned char)s[i]) )
            return false;
    return true;
}

/*
 * "00:14.0 USB controller [0c03]: Name [8086:a36d] (rev 10) (prog-if 30 [XHCI])"
 */
static int parse_header(struct lparser *p, struct dev_list *l,
                        struct lblock *b, const char *line)
{
    char sbdf[16], name[512];
    unsigned int seg = 0, bus, dev, fn;
    int n = 0;
    const char *cls, *colon, *ids = NULL, *pi;
    long class_, vendor, device;
    size_t namelen;

    if ( sscanf(line, "%4x:%2x:%2x.%1x%n", &seg, &bus, &dev, &fn, &n) != 4 ||
         line[n] != ' ' )
    {
        seg = 0;
        n = 0;
        if ( sscanf(line, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) != 3 ||
             line[n] != ' ' )
            return lerr(p, "expected a device line 'BB:DD.F class [cccc]: "
                        "name [vvvv:dddd]' (lspci -vvv -nn output)");
    }
    if ( dev > 31 || fn > 7 )
        return lerr(p, "bad PCI address");
    snprintf(sbdf, sizeof(sbdf), "%04x:%02x:%02x.%x", seg, bus, dev, fn);

    /* The class: the first "[cccc]: " after the address. */
    cls = strstr(line + n, "]: ");
    if ( !cls || cls - line < n + 5 || cls[-5] != '[' || !hex4(cls - 4) )
        return lerr(p, "no '[cccc]:' class code: was lspci run with -nn?");
    class_ = strtol(cls - 4, NULL, 16) << 8;
    colon = cls + 3;
    /* The ids: the last "[vvvv:dddd]" of the line. */
    for ( const char *s = colon; (s = strchr(s, '[')) != NULL; s++ )
        if ( hex4(s + 1) && s[5] == ':' && hex4(s + 6) && s[10] == ']' )
            ids = s;
    if ( !ids )
        return lerr(p, "no '[vvvv:dddd]' vendor and device ids: was lspci "
                    "run with -nn?");
    vendor = strtol(ids + 1, NULL, 16);
    device = strtol(ids + 6, NULL, 16);
    pi = strstr(ids, "(prog-if ");
    if ( pi && isxdigit((unsigned char)pi[9]) &&
         isxdigit((unsigned char)pi[10]) )
        class_ |= strtol(pi + 9, NULL, 16) & 0xff;
    namelen = (size_t)(ids - colon);
    while ( namelen && colon[namelen - 1] == ' ' )
        namelen--;
    if ( namelen >= sizeof(name) )
        namelen = sizeof(name) - 1;
    memcpy(name, colon, namelen);
    name[namelen] = '\0';

    block_reset(b);
    b->dev = devlist_add(l, sbdf, namelen ? name : NULL, (int)vendor,
                         (int)device, class_);
    return 0;
}

/* "Region 0: Memory at a1220000 (64-bit, non-prefetchable) [size=64K]" */
static int parse_region(struct lparser *p, struct lblock *b, const char *s)
{
    char *end;
    unsigned long idx;
    uint64_t base, size;
    const char *sz;

    idx = strtoul(s + 7, &end, 10);
    if ( end == s + 7 || *end != ':' || idx >= LSPCI_MAX_BARS )
        return lerr(p, "bad 'Region N:' line");
    s = end + 1;
    while ( *s == ' ' )
        s++;
    if ( strncmp(s, "Memory at ", 10) != 0 )
        return 0;                   /* I/O ports */
    s += 10;
    if ( *s == '<' )
        return 0;                   /* <unassigned>, <ignored> */
    errno = 0;
    base = strtoull(s, &end, 16);
    if ( errno || end == s || *end != ' ' )
        return lerr(p, "bad address in 'Region %lu: Memory at'", idx);
    sz = strstr(end, "[size=");
    if ( !sz )
        return lerr(p, "Region %lu has no [size=...]", idx);
    {
        char buf[32];
        size_t n = strcspn(sz + 6, "]");

        if ( n == 0 || n >= sizeof(buf) || sz[6 + n] != ']' )
            return lerr(p, "bad [size=...] in Region %lu", idx);
        memcpy(buf, sz + 6, n);
        buf[n] = '\0';
        if ( devlist_parse_size(buf, &size) || size == 0 )
            return lerr(p, "bad size '%s' in Region %lu", buf, idx);
    }
    if ( base + size < base )
        return lerr(p, "Region %lu wraps around", idx);
    b->bar_mem[idx] = true;
    b->bar_base[idx] = base;
    b->bar_size[idx] = size;
    return 0;
}

/* "Vector table: BAR=0 offset=00001000" / "PBA: BAR=0 offset=00001080" */
static int parse_msix_loc(struct lparser *p, const char *s, int *bar,
                          uint64_t *off)
{
    unsigned int b;
    unsigned long long o;
    const char *q = strstr(s, "BAR=");

    if ( !q || sscanf(q, "BAR=%u offset=%llx", &b, &o) != 2 ||
         b >= LSPCI_MAX_BARS )
        return lerr(p, "bad MSI-X location (want 'BAR=N offset=HEX')");
    *bar = (int)b;
    *off = o;
    return 0;
}

/* One indented line of a device block: regions and MSI-X lines are
 * kept, the rest ignored. */
static int parse_body(struct lparser *p, struct lblock *b, const char *s)
{
    const char *m;

    while ( *s == ' ' || *s == '\t' )
        s++;
    if ( strncmp(s, "Capabilities:", 13) == 0 )
    {
        b->in_msix = false;
        m = strstr(s, "MSI-X:");
        if ( m )
        {
            const char *c = strstr(m, "Count=");
            char *end;

            if ( !c )
                return lerr(p, "MSI-X capability without Count=");
            b->msix_count = strtol(c + 6, &end, 10);
            if ( end == c + 6 || b->msix_count < 1 || b->msix_count > 2048 )
                return lerr(p, "bad MSI-X Count");
            b->in_msix = true;
            b->msix_line = p->line;
        }
        return 0;
    }
    if ( strncmp(s, "Region ", 7) == 0 )
        return parse_region(p, b, s);
    if ( b->in_msix && strncmp(s, "Vector table:", 13) == 0 )
        return parse_msix_loc(p, s, &b->table_bar, &b->table_off);
    if ( b->in_msix && strncmp(s, "PBA:", 4) == 0 )
        return parse_msix_loc(p, s, &b->pba_bar, &b->pba_off);
    return 0;
}

int devlist_parse_lspci(struct dev_list *l, const char *name,
                        const char *text, char *err, size_t errlen)
{
    struct lparser p = { .name = name, .err = err, .errlen = errlen };
    struct lblock b;

    block_reset(&b);
    while ( *text )
    {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        char line[2048];

        p.line++;
        if ( n >= sizeof(line) )
            return lerr(&p, "line longer than %zu bytes", sizeof(line) - 1);
        memcpy(line, text, n);
        line[n] = '\0';
        text = nl ? nl + 1 : text + n;
        if ( n && line[n - 1] == '\r' )
            line[--n] = '\0';
        if ( n == 0 )
            continue;
        if ( line[0] == ' ' || line[0] == '\t' )
        {
            if ( !b.dev )
                return lerr(&p, "indented line before any device line");
            if ( parse_body(&p, &b, line) )
                return -1;
            continue;
        }
        {
            unsigned int cur = p.line;

            if ( block_finish(&p, &b) )
                return -1;
            p.line = cur;
        }
        if ( parse_header(&p, l, &b, line) )
            return -1;
    }
    return block_finish(&p, &b);
}
