/*
 * escape.c - see escape.h.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if ( n == 0 )
        return 0;
    if ( s[0] < 0x80 )
        return 1;
    if ( (s[0] & 0xe0) == 0xc0 ) { len = 2; cp = s[0] & 0x1f; }
    else if ( (s[0] & 0xf0) == 0xe0 ) { len = 3; cp = s[0] & 0x0f; }
    else if ( (s[0] & 0xf8) == 0xf0 ) { len = 4; cp = s[0] & 0x07; }
    else
        return 0;
    if ( len > n )
        return 0;
    for ( size_t i = 1; i < len; i++ )
    {
        if ( (s[i] & 0xc0) != 0x80 )
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates, beyond Unicode, and C1 controls. */
    if ( (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
         (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
         (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f) )
        return 0;
    return len;
}

void html_escapen(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;

    if ( !s )
        return;
    for ( size_t i = 0; i < n; )
    {
        unsigned char c = s[i];
        size_t u;

        switch ( c )
        {
        case '&':  fputs("&amp;", out); i++; continue;
        case '<':  fputs("&lt;", out); i++; continue;
        case '>':  fputs("&gt;", out); i++; continue;
        case '"':  fputs("&quot;", out); i++; continue;
        case '\'': fputs("&#39;", out); i++; continue;
        case '\t': case '\n':
            fputc(c, out);
            i++;
            continue;
        }
        if ( c < 0x20 || c == 0x7f )
        {
            fputs("&#xfffd;", out);
            i++;
            continue;
        }
        u = utf8_seq_len(s + i, n - i);
        if ( u == 0 )
        {
            fputs("&#xfffd;", out);
            i++;
            continue;
        }
        fwrite(s + i, 1, u, out);
        i += u;
    }
}

void html_escape(FILE *out, const char *s)
{
    if ( s )
        html_escapen(out, s, strlen(s));
}

void csv_field(FILE *out, const char *s)
{
    size_t n;
    bool quote, formula;

    if ( !s || !*s )
        return;
    n = strlen(s);
    formula = strchr("=+-@\t\r", s[0]) != NULL;
    quote = formula || s[0] == ' ' || s[n - 1] == ' ';
    for ( const char *c = s; *c && !quote; c++ )
        quote = *c == ',' || *c == '"' || (unsigned char)*c < 0x20;
    if ( !quote )
    {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    if ( formula )
        fputc('\'', out);
    for ( const char *c = s; *c; c++ )
    {
        if ( *c == '"' )
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

size_t term_clean(char *buf, size_t buflen, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t n = strlen((const char *)s), o = 0, cols = 0;

    if ( buflen == 0 )
        return 0;
    for ( size_t i = 0; i < n; )
    {
        size_t u = s[i] < 0x20 || s[i] == 0x7f ? 0 : utf8_seq_len(s + i, n - i);

        if ( u == 0 )
        {
            if ( o + 1 >= buflen )
                break;
            buf[o++] = '?';
            i++;
        }
        else
        {
            if ( o + u >= buflen )
                break;
            memcpy(buf + o, s + i, u);
            o += u;
            i += u;
        }
        cols++;
    }
    buf[o] = '\0';
    return cols;
}
