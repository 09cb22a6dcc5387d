/*
 * textfile.c - see textfile.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textfile.h"

char *textfile_read(const char *path, size_t max, bool reject_nul,
                    size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL, *nul;
    size_t used = 0, cap = 0, n;

    if ( !max )
        max = TEXTFILE_MAX_BYTES;
    if ( !f )
    {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    do
    {
        if ( used == cap )
        {
            char *t;

            cap = cap ? cap * 2 : 16384;
            if ( used >= max )
            {
                snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
                goto fail;
            }
            if ( !(t = realloc(text, cap + 1)) )
            {
                snprintf(err, errlen, "%s: out of memory", path);
                goto fail;
            }
            text = t;
        }
        n = fread(text + used, 1, cap - used, f);
        used += n;
    } while ( n > 0 );
    if ( ferror(f) )
    {
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    if ( used > max )
    {
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
        goto fail;
    }
    fclose(f);
    text[used] = '\0';
    if ( reject_nul && (nul = memchr(text, '\0', used)) )
    {
        snprintf(err, errlen, "%s: offset %zu: NUL byte in a text file",
                 path, (size_t)(nul - text));
        free(text);
        return NULL;
    }
    if ( len )
        *len = used;
    return text;

 fail:
    fclose(f);
    free(text);
    return NULL;
}

int textfile_verror(char *err, size_t errlen, const char *name,
                    unsigned int line, const char *fmt, va_list ap)
{
    int n = snprintf(err, errlen, "%s:%u: ", name, line);

    if ( n < 0 || (size_t)n >= errlen )
        return -1;
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    for ( char *c = err + n; *c; c++ )
        if ( (unsigned char)*c < 0x20 || *c == 0x7f )
            *c = '?';
    return -1;
}

int textfile_error(char *err, size_t errlen, const char *name,
                   unsigned int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    textfile_verror(err, errlen, name, line, fmt, ap);
    va_end(ap);
    return -1;
}
