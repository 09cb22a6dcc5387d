/*
 * symbols.c - see symbols.h.
 *
 * Symbols are kept in one array sorted by address; a lookup is a binary
 * search for the last symbol at or below the address. Several names at
 * one address (aliases) keep the first text symbol nm printed.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"
#include "util/xalloc.h"
#include "util/textfile.h"

struct sym {
    uint64_t addr;
    char    *name;
    bool     text;
    size_t   order;         /* line order, to keep sorting stable */
};

struct symtab {
    struct sym *syms;
    size_t      n, cap;
};

void symtab_free(struct symtab *t)
{
    if ( !t )
        return;
    for ( size_t i = 0; i < t->n; i++ )
        free(t->syms[i].name);
    free(t->syms);
    free(t);
}

static int cmp_sym(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;

    if ( x->addr != y->addr )
        return x->addr < y->addr ? -1 : 1;
    if ( x->text != y->text )
        return x->text ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Parse one line into *s; returns 1 for a symbol, 0 for a line to skip
 * (blank), -1 if malformed (message in err). */
static int parse_line(const char *name, size_t lineno, char *line,
                      struct sym *s, char *err, size_t errlen)
{
    char *p = line, *end, *sym;
    unsigned long long a;
    char type;

    while ( *p == ' ' || *p == '\t' )
        p++;
    if ( !*p )
        return 0;
    if ( !isxdigit((unsigned char)*p) )
    {
        snprintf(err, errlen, "%s:%zu: expected 'ADDRESS TYPE NAME'", name,
                 lineno);
        return -1;
    }
    errno = 0;
    a = strtoull(p, &end, 16);
    if ( errno || (*end != ' ' && *end != '\t') || end - p > 16 )
    {
        snprintf(err, errlen, "%s:%zu: bad address", name, lineno);
        return -1;
    }
    p = end;
    while ( *p == ' ' || *p == '\t' )
        p++;
    type = *p;
    if ( !isalpha((unsigned char)type) && type != '?' && type != '-' )
    {
        snprintf(err, errlen, "%s:%zu: bad symbol type", name, lineno);
        return -1;
    }
    p++;
    if ( *p != ' ' && *p != '\t' )
    {
        snprintf(err, errlen, "%s:%zu: bad symbol type", name, lineno);
        return -1;
    }
    while ( *p == ' ' || *p == '\t' )
        p++;
    sym = p;
    while ( *p && *p != ' ' && *p != '\t' )
        p++;
    *p = '\0';
    if ( !*sym )
    {
        snprintf(err, errlen, "%s:%zu: missing symbol name", name, lineno);
        return -1;
    }
    s->addr = a;
    s->text = strchr("TtWw", type) != NULL;
    s->name = xstrdup(sym);
    return 1;
}

struct symtab *symtab_parse(const char *name, const char *text,
                            char *err, size_t errlen)
{
    struct symtab *t = xrealloc(NULL, sizeof(*t));
    size_t lineno = 0;

    memset(t, 0, sizeof(*t));
    while ( *text )
    {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        char line[1024];
        struct sym s;
        int rc;

        lineno++;
        if ( n >= sizeof(line) )
        {
            snprintf(err, errlen, "%s:%zu: line too long", name, lineno);
            symtab_free(t);
            return NULL;
        }
        memcpy(line, text, n);
        line[n] = '\0';
        if ( n && line[n - 1] == '\r' )
            line[n - 1] = '\0';
        text += n + (nl ? 1 : 0);
        rc = parse_line(name, lineno, line, &s, err, errlen);
        if ( rc < 0 )
        {
            symtab_free(t);
            return NULL;
        }
        if ( rc == 0 )
            continue;
        if ( t->n == t->cap )
        {
            t->cap = t->cap ? t->cap * 2 : 1024;
            t->syms = xrealloc(t->syms, t->cap * sizeof(*t->syms));
        }
        s.order = t->n;
        t->syms[t->n++] = s;
    }
    if ( t->n )
        qsort(t->syms, t->n, sizeof(*t->syms), cmp_sym);
    return t;
}

struct symtab *symtab_load(const char *path, char *err, size_t errlen)
{
    /* A System.map is text: a NUL byte means the wrong file was given. */
    char *text = textfile_read(path, 0, true, NULL, err, errlen);
    struct symtab *t;

    if ( !text )
        return NULL;
    t = symtab_parse(path, text, err, errlen);
    free(text);
    return t;
}

void symtab_relocate(struct symtab *t, uint64_t offset)
{
    for ( size_t i = 0; i < t->n; i++ )
        t->syms[i].addr += offset;
    /* A wrap past 2^64 can reorder: sort again. */
    if ( t->n )
        qsort(t->syms, t->n, sizeof(*t->syms), cmp_sym);
}

size_t symtab_count(const struct symtab *t)
{
    return t->n;
}

int symtab_name(const struct symtab *t, uint64_t addr, char *buf,
                size_t buflen)
{
    size_t lo = 0, hi = t ? t->n : 0;
    const struct sym *s;

    /* First symbol above addr; the one before it is the candidate. */
    while ( lo < hi )
    {
        size_t mid = lo + (hi - lo) / 2;

        if ( t->syms[mid].addr <= addr )
            lo = mid + 1;
        else
            hi = mid;
    }
    if ( lo == 0 )
        goto raw;
    s = &t->syms[lo - 1];
    /* Among equal addresses prefer a text symbol (sorted first). */
    while ( s > t->syms && (s - 1)->addr == s->addr )
        s--;
    if ( !s->text )
        goto raw;
    if ( lo == t->n && addr - s->addr > SYMTAB_MAX_TAIL )
        goto raw;
    if ( addr == s->addr )
        snprintf(buf, buflen, "%s", s->name);
    else
        snprintf(buf, buflen, "%s+0x%" PRIx64, s->name, addr - s->addr);
    return 1;
raw:
    snprintf(buf, buflen, "0x%" PRIx64, addr);
    return 0;
}
