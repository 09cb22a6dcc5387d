/*
 * table.h - aligned text tables for the terminal.
 *
 * The report, the audit and the timeline print their human output
 * through this: cells are added left to right, row by row, then the
 * table prints with every column as wide as its widest cell, numbers
 * right-aligned. Cells are cleaned for the terminal (escape.h) as they
 * are added, so hostile names cannot move the cursor.
 */
#ifndef SRO_TABLE_H
#define SRO_TABLE_H

#include <stdio.h>

struct table;

/*
 * A table with the given column heads; align[i] is 'l' or 'r' for column
 * i (a string as long as the number of heads). heads is NULL-terminated.
 */
struct table *table_new(const char *const *heads, const char *align);
void table_free(struct table *t);

/* Append one cell (printf format) to the current row; after the last
 * column the next cell starts a new row. Cells longer than 72 columns
 * are cut with "...". */
void table_cell(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append one cell holding s verbatim (NULL: "-"). */
void table_str(struct table *t, const char *s);

/* Rows added so far. */
unsigned int table_rows(const struct table *t);

/* Print with `indent` leading spaces: heads, a rule, then the rows. */
void table_print(const struct table *t, FILE *out, unsigned int indent);

#endif /* SRO_TABLE_H */
