/*
 * xalloc.c - see xalloc.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static _Noreturn void out_of_memory(void)
{
    fprintf(stderr, "srotrace: out of memory\n");
    exit(1);
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if ( !q )
        out_of_memory();
    return q;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if ( !p )
        out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    char *d;

    if ( !s )
        return NULL;
    if ( !(d = strdup(s)) )
        out_of_memory();
    return d;
}
