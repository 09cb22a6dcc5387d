/*
 * table.c - see table.h.
 *
 * Cells are stored cleaned, with their width in columns (code points),
 * so printing is one pass of padding.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xalloc.h"
#include "table.h"

#define CELL_MAX_COLS 72

struct cell {
    char  *text;
    size_t cols;
};

struct table {
    unsigned int  ncols;
    char         *align;
    struct cell  *heads;
    struct cell  *cells;        /* row-major */
    size_t        ncells, cap;
};

/* Zeroed memory, or exit. */
/* Clean s for the terminal into a new cell, cut to CELL_MAX_COLS. */
static struct cell make_cell(const char *s)
{
    size_t n = strlen(s) + 4;
    struct cell c;

    c.text = xcalloc(1, n);
    c.cols = term_clean(c.text, n, s);
    if ( c.cols > CELL_MAX_COLS )
    {
        /* Cut at a code point boundary: count columns up to the limit. */
        size_t i = 0, cols = 0;

        while ( c.text[i] && cols < CELL_MAX_COLS - 3 )
        {
            size_t u = utf8_seq_len((const unsigned char *)c.text + i,
                                    strlen(c.text + i));

            i += u ? u : 1;     /* cleaned text is UTF-8: u > 0 */
            cols++;
        }
        strcpy(c.text + i, "...");
        c.cols = cols + 3;
    }
    return c;
}

struct table *table_new(const char *const *heads, const char *align)
{
    struct table *t = xcalloc(1, sizeof(*t));
    unsigned int n = 0;

    while ( heads[n] )
        n++;
    memset(t, 0, sizeof(*t));
    t->ncols = n;
    t->align = xcalloc(1, n + 1);
    for ( unsigned int i = 0; i < n; i++ )
        t->align[i] = align && i < strlen(align) ? align[i] : 'l';
    t->align[n] = '\0';
    t->heads = xcalloc(1, n * sizeof(*t->heads));
    for ( unsigned int i = 0; i < n; i++ )
        t->heads[i] = make_cell(heads[i]);
    return t;
}

void table_free(struct table *t)
{
    if ( !t )
        return;
    for ( unsigned int i = 0; i < t->ncols; i++ )
        free(t->heads[i].text);
    for ( size_t i = 0; i < t->ncells; i++ )
        free(t->cells[i].text);
    free(t->heads);
    free(t->cells);
    free(t->align);
    free(t);
}

void table_str(struct table *t, const char *s)
{
    if ( t->ncells == t->cap )
    {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->cells = xrealloc(t->cells, t->cap * sizeof(*t->cells));
    }
    t->cells[t->ncells++] = make_cell(s ? s : "-");
}

void table_cell(struct table *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    table_str(t, buf);
}

unsigned int table_rows(const struct table *t)
{
    return t->ncols ? (unsigned int)((t->ncells + t->ncols - 1) / t->ncols)
                    : 0;
}

/* One cell padded to width (not padded when last and left-aligned). */
static void put_cell(FILE *out, const struct cell *c, size_t width,
                     char align, bool last)
{
    size_t pad = width > c->cols ? width - c->cols : 0;

    if ( align == 'r' )
        fprintf(out, "%*s%s", (int)pad, "", c->text);
    else if ( last )
        fputs(c->text, out);
    else
        fprintf(out, "%s%*s", c->text, (int)pad, "");
}

/* Print one row of cells (ncols of them) with trailing blanks dropped:
 * the last non-empty cell is not padded. */
static void put_row(const struct table *t, FILE *out, const struct cell *c,
                    unsigned int ncols, const size_t *w, unsigned int indent)
{
    unsigned int last = 0;

    for ( unsigned int i = 0; i < ncols; i++ )
        if ( c[i].cols )
            last = i;
    fprintf(out, "%*s", (int)indent, "");
    for ( unsigned int i = 0; i <= last; i++ )
    {
        fputs(i ? "  " : "", out);
        put_cell(out, &c[i], w[i], t->align[i], i == last);
    }
    fputc('\n', out);
}

void table_print(const struct table *t, FILE *out, unsigned int indent)
{
    size_t *w = xcalloc(1, t->ncols * sizeof(*w));
    size_t total = 0, rows = table_rows(t);
    struct cell *row = xcalloc(1, t->ncols * sizeof(*row));

    for ( unsigned int i = 0; i < t->ncols; i++ )
        w[i] = t->heads[i].cols;
    for ( size_t i = 0; i < t->ncells; i++ )
        if ( t->cells[i].cols > w[i % t->ncols] )
            w[i % t->ncols] = t->cells[i].cols;
    /* The rule spans the columns that have a head. */
    for ( unsigned int i = 0; i < t->ncols; i++ )
        if ( t->heads[i].cols )
            total += w[i] + (total ? 2 : 0);

    put_row(t, out, t->heads, t->ncols, w, indent);
    fprintf(out, "%*s", (int)indent, "");
    for ( size_t i = 0; i < total; i++ )
        fputc('-', out);
    fputc('\n', out);
    for ( size_t r = 0; r < rows; r++ )
    {
        for ( unsigned int c = 0; c < t->ncols; c++ )
        {
            size_t k = r * t->ncols + c;

            row[c] = k < t->ncells ? t->cells[k] : (struct cell){ "", 0 };
        }
        put_row(t, out, row, t->ncols, w, indent);
    }
    free(row);
    free(w);
}
