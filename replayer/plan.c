/*
 * plan.c - parse and apply protection plans (see plan.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util/parse-options.h"
#include "util/textfile.h"

void sro_plan_free(struct sro_plan *plan)
{
    free(plan->path);
    free(plan->lines);
    memset(plan, 0, sizeof(*plan));
}

static int plan_push(struct sro_plan *plan, enum sro_plan_kind kind,
                     uint64_t a, uint64_t b, unsigned int lineno)
{
    if ( plan->n == plan->cap )
    {
        unsigned int cap = plan->cap ? plan->cap * 2 : 16;
        struct sro_plan_line *l = realloc(plan->lines, cap * sizeof(*l));

        if ( !l )
            return -1;
        plan->lines = l;
        plan->cap = cap;
    }
    plan->lines[plan->n++] = (struct sro_plan_line){ kind, a, b, lineno };
    return 0;
}

/* Split line into at most 4 whitespace-separated words (in place). */
static unsigned int split_words(char *line, char *words[4])
{
    unsigned int n = 0;
    char *s = line;

    while ( *s )
    {
        while ( isspace((unsigned char)*s) )
            s++;
        if ( !*s || *s == '#' )
            break;
        if ( n == 4 )
            return 5;
        words[n++] = s;
        while ( *s && !isspace((unsigned char)*s) && *s != '#' )
            s++;
        if ( *s == '#' )
        {
            *s = '\0';
            break;
        }
        if ( *s )
            *s++ = '\0';
    }
    return n;
}

/* Parse one line; 0, or -1 with err filled. */
static int parse_line(const char *name, unsigned int lineno, char *line,
                      struct sro_plan *plan, char *err, size_t errlen)
{
    char *w[4];
    unsigned int n = split_words(line, w), first = 0;
    enum sro_plan_kind kind = SRO_PLAN_RO;
    uint64_t a, b;

    if ( n == 0 )
        return 0;
    if ( !isdigit((unsigned char)w[0][0]) )
    {
        if ( strcmp(w[0], "ro") == 0 )
            kind = SRO_PLAN_RO;
        else if ( strcmp(w[0], "ro-pages") == 0 )
            kind = SRO_PLAN_RO_PAGES;
        else if ( strcmp(w[0], "writable") == 0 )
            kind = SRO_PLAN_WRITABLE;
        else
        {
            snprintf(err, errlen, "%s:%u: unknown keyword '%s' (expected "
                     "ro, ro-pages, writable or an address)", name, lineno,
                     w[0]);
            return -1;
        }
        first = 1;
    }
    if ( n - first != 2 && !(kind == SRO_PLAN_RO_PAGES && n - first == 1) )
    {
        snprintf(err, errlen, "%s:%u: expected %s", name, lineno,
                 kind == SRO_PLAN_RO_PAGES ? "ro-pages FIRST_MFN [LAST_MFN]"
                                           : "START SIZE");
        return -1;
    }
    if ( parse_u64(w[first], &a, true) )
    {
        snprintf(err, errlen, "%s:%u: bad number '%s'", name, lineno,
                 w[first]);
        return -1;
    }
    if ( n - first == 1 )
        b = a;
    else if ( parse_u64(w[first + 1], &b, true) )
    {
        snprintf(err, errlen, "%s:%u: bad number '%s'", name, lineno,
                 w[first + 1]);
        return -1;
    }
    if ( kind != SRO_PLAN_RO_PAGES && b > UINT64_MAX - a )
    {
        snprintf(err, errlen, "%s:%u: range wraps past 2^64", name, lineno);
        return -1;
    }
    if ( kind == SRO_PLAN_RO_PAGES && b < a )
    {
        snprintf(err, errlen, "%s:%u: last mfn below first", name, lineno);
        return -1;
    }
    if ( plan_push(plan, kind, a, b, lineno) )
    {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    return 0;
}

int sro_plan_parse(const char *name, const char *text, size_t len,
                   struct sro_plan *plan, char *err, size_t errlen)
{
    unsigned int lineno = 0;
    size_t pos = 0;

    memset(plan, 0, sizeof(*plan));
    plan->path = strdup(name);
    while ( pos < len )
    {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char line[512];

        lineno++;
        if ( l >= sizeof(line) )
        {
            snprintf(err, errlen, "%s:%u: line too long", name, lineno);
            sro_plan_free(plan);
            return -1;
        }
        if ( memchr(text + pos, '\0', l) )
        {
            snprintf(err, errlen, "%s:%u: NUL byte in a text file", name,
                     lineno);
            sro_plan_free(plan);
            return -1;
        }
        memcpy(line, text + pos, l);
        line[l] = '\0';
        if ( parse_line(name, lineno, line, plan, err, errlen) )
        {
            sro_plan_free(plan);
            return -1;
        }
        pos += l + 1;
    }
    return 0;
}

int sro_plan_load(const char *path, struct sro_plan *plan,
                  char *err, size_t errlen)
{
    size_t len;
    char *text = textfile_read(path, 0, false, &len, err, errlen);
    int rc;

    if ( !text )
        return -1;
    rc = sro_plan_parse(path, text, len, plan, err, errlen);
    free(text);
    return rc;
}

int sro_plan_apply(const struct sro_plan *plan, struct sro_prot *p,
                   char *err, size_t errlen)
{
    for ( unsigned int i = 0; i < plan->n; i++ )
    {
        const struct sro_plan_line *l = &plan->lines[i];
        int rc = 0;

        switch ( l->kind )
        {
        case SRO_PLAN_RO:
            rc = sro_prot_add(p, l->a, l->b);
            break;
        case SRO_PLAN_RO_PAGES:
            rc = sro_prot_add_ro_pages(p, l->a, l->b);
            break;
        case SRO_PLAN_WRITABLE:
            rc = sro_prot_add_hole(p, l->a, l->b);
            break;
        }
        if ( rc < 0 )
        {
            snprintf(err, errlen, "%s:%u: %s", plan->path, l->lineno,
                     rc == -EINVAL ? "Xen refuses this range (start and "
                                     "size must be multiples of 8)"
                                   : strerror(-rc));
            return -1;
        }
    }
    return 0;
}
