/*
 * devlist-native.c - srotrace's own device list format.
 *
 *   # comment
 *   DEVICE 0000:00:14.0 "Intel xHCI controller" 8086:a36d 0c0330
 *   region 0xa4220000 64K   xhci     0
 *   region 0xa4228740 0x40  xhci-dbc
 *
 * DEVICE takes the PCI address (or '-'), a name (one word, or quoted with
 * \" and \\ escapes; '-' for none), vendor:device in hex ('-' if unknown)
 * and the 24-bit class code in hex ('-' if unknown). Each following
 * `region` line binds base..base+size to a register map ('-' for none)
 * starting at map offset map_offset (default 0). Numbers are decimal or
 * 0x hex; sizes may end in K, M or G (powers of 1024). Keywords are case
 * insensitive. Documented in docs/regmaps.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "devlist.h"
#include "util/parse-options.h"
#include "util/textfile.h"

struct nparser {
    const char *name;
    unsigned int line;
    char *err;
    size_t errlen;
};

/* Put "NAME:LINE: message" in p->err; returns -1. */
static int nerr(struct nparser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int nerr(struct nparser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    textfile_verror(p->err, p->errlen, p->name, p->line, fmt, ap);
    va_end(ap);
    return -1;
}

/*
 * Next token of *s into tok (at most toklen-1 bytes): a bare word, or a
 * double-quoted string with \" and \\ escapes. Returns 1, 0 at the end of
 * the line, -1 on an unterminated quote or a token too long. tok is
 * always terminated (cut short on -1).
 */
static int next_token(char **s, char *tok, size_t toklen, bool *quoted)
{
    char *p = *s;
    size_t n = 0;

    tok[0] = '\0';
    *quoted = false;
    while ( *p == ' ' || *p == '\t' )
        p++;
    if ( !*p || *p == '#' )
        return 0;
    if ( *p == '"' )
    {
        *quoted = true;
        p++;
        while ( *p && *p != '"' )
        {
            if ( *p == '\\' && (p[1] == '"' || p[1] == '\\') )
                p++;
            if ( n + 1 >= toklen )
            {
                tok[n] = '\0';
                return -1;
            }
            tok[n++] = *p++;
        }
        tok[n] = '\0';
        if ( *p != '"' )
            return -1;
        p++;
    }
    else
    {
        while ( *p && *p != ' ' && *p != '\t' )
        {
            if ( n + 1 >= toklen )
            {
                tok[n] = '\0';
                return -1;
            }
            tok[n++] = *p++;
        }
    }
    tok[n] = '\0';
    *s = p;
    return 1;
}

/* A token that must be there: 0, or -1 with a message naming `what`. */
static int need(struct nparser *p, char **s, char *tok, size_t toklen,
                const char *what, bool *quoted)
{
    int rc = next_token(s, tok, toklen, quoted);

    if ( rc < 0 )
        return nerr(p, "%s: unterminated quote or longer than %zu bytes",
                    what, toklen - 1);
    if ( rc == 0 )
        return nerr(p, "missing %s", what);
    return 0;
}

/* Hex (no 0x) up to max into *out, "-" as -1; 0 or -1. */
static int parse_hex(const char *s, unsigned long max, long *out)
{
    char *end;
    unsigned long v;

    if ( strcmp(s, "-") == 0 )
    {
        *out = -1;
        return 0;
    }
    if ( !isxdigit((unsigned char)s[0]) )
        return -1;
    errno = 0;
    v = strtoul(s, &end, 16);
    if ( errno || *end || v > max )
        return -1;
    *out = (long)v;
    return 0;
}

/* "SSSS:BB:DD.F" with a valid device and function number? */
static bool valid_sbdf(const char *s)
{
    unsigned int seg, bus, dev, fn;
    char tail;

    return sscanf(s, "%4x:%2x:%2x.%1x%c", &seg, &bus, &dev, &fn, &tail) == 4
           && strlen(s) == 12 && dev < 32 && fn < 8;
}

/* DEVICE sbdf name vendor:device class: append a device to l. */
static int parse_device(struct nparser *p, struct dev_list *l, char *s)
{
    char sbdf[64], name[256], ids[64], cls[64], extra[8];
    bool q;
    long vendor = -1, device = -1, class_ = -1;
    char *colon;

    if ( need(p, &s, sbdf, sizeof(sbdf), "PCI address", &q) ||
         need(p, &s, name, sizeof(name), "device name", &q) )
        return -1;
    if ( strcmp(sbdf, "-") != 0 && !valid_sbdf(sbdf) )
        return nerr(p, "bad PCI address '%s' (want SSSS:BB:DD.F)", sbdf);
    if ( !q && strcmp(name, "-") == 0 )
        name[0] = '\0';
    if ( need(p, &s, ids, sizeof(ids), "vendor:device", &q) ||
         need(p, &s, cls, sizeof(cls), "class code", &q) )
        return -1;
    colon = strchr(ids, ':');
    if ( strcmp(ids, "-") != 0 )
    {
        if ( !colon )
            return nerr(p, "bad vendor:device '%s'", ids);
        *colon = '\0';
        if ( parse_hex(ids, 0xffff, &vendor) ||
             parse_hex(colon + 1, 0xffff, &device) )
            return nerr(p, "bad vendor:device '%s:%s'", ids, colon + 1);
    }
    if ( parse_hex(strncasecmp(cls, "0x", 2) == 0 ? cls + 2 : cls, 0xffffff,
                   &class_) )
        return nerr(p, "bad class code '%s' (24-bit hex, e.g. 0c0330)", cls);
    if ( next_token(&s, extra, sizeof(extra), &q) != 0 )
        return nerr(p, "unexpected text after the class code");
    devlist_add(l, strcmp(sbdf, "-") ? sbdf : NULL, name[0] ? name : NULL,
                (int)vendor, (int)device, class_);
    return 0;
}

/* region base size regmap [map_offset]: a region of the last device. */
static int parse_region(struct nparser *p, struct dev_list *l, char *s)
{
    char base[64], size[64], map[128], off[64], extra[8];
    bool q;
    uint64_t b, sz, mo = 0;
    int rc;

    if ( l->n == 0 )
        return nerr(p, "'region' before any DEVICE line");
    if ( need(p, &s, base, sizeof(base), "region base", &q) ||
         need(p, &s, size, sizeof(size), "region size", &q) ||
         need(p, &s, map, sizeof(map), "register map (or -)", &q) )
        return -1;
    if ( parse_u64(base, &b, true) )
        return nerr(p, "bad region base '%s'", base);
    if ( parse_u64(size, &sz, true) || sz == 0 )
        return nerr(p, "bad region size '%s'", size);
    if ( b + sz < b )
        return nerr(p, "region 0x%llx+0x%llx wraps around",
                    (unsigned long long)b, (unsigned long long)sz);
    rc = next_token(&s, off, sizeof(off), &q);
    if ( rc < 0 )
        return nerr(p, "map offset longer than %zu bytes", sizeof(off) - 1);
    if ( rc > 0 && parse_u64(off, &mo, false) )
        return nerr(p, "bad map offset '%s'", off);
    if ( next_token(&s, extra, sizeof(extra), &q) != 0 )
        return nerr(p, "unexpected text after the map offset");
    for ( const char *c = map; *c; c++ )
        if ( !isalnum((unsigned char)*c) && !strchr("-_.", *c) )
            return nerr(p, "bad register map name '%s'", map);
    devlist_add_region(&l->devs[l->n - 1], b, sz,
                       strcmp(map, "-") ? map : NULL, mo, -1);
    return 0;
}

int devlist_parse_native(struct dev_list *l, const char *name,
                         const char *text, char *err, size_t errlen)
{
    struct nparser p = { .name = name, .err = err, .errlen = errlen };

    while ( *text )
    {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        char line[1024], kw[16], *s = line;
        bool q;
        int rc;

        p.line++;
        if ( n >= sizeof(line) )
            return nerr(&p, "line longer than %zu bytes", sizeof(line) - 1);
        memcpy(line, text, n);
        line[n] = '\0';
        if ( n && line[n - 1] == '\r' )
            line[n - 1] = '\0';
        text += n + (nl ? 1 : 0);
        rc = next_token(&s, kw, sizeof(kw), &q);
        if ( rc == 0 )
            continue;
        if ( rc < 0 || q )
            return nerr(&p, "expected DEVICE or region");
        if ( strcasecmp(kw, "DEVICE") == 0 )
            rc = parse_device(&p, l, s);
        else if ( strcasecmp(kw, "region") == 0 )
            rc = parse_region(&p, l, s);
        else
            rc = nerr(&p, "unknown keyword '%s' (expected DEVICE or region)",
                      kw);
        if ( rc )
            return -1;
    }
    return 0;
}
