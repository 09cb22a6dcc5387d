/*
 * xalloc.h - allocation for a command-line tool: out of memory ends the
 * process with a message, as nothing sensible can follow it. Library code
 * that must report failure to its caller (core/, trace/, the recorder's
 * ingest) uses malloc and returns errors instead.
 */
#ifndef SRO_XALLOC_H
#define SRO_XALLOC_H

#include <stddef.h>

/* realloc(p, n); n == 0 still returns a valid, freeable pointer. */
void *xrealloc(void *p, size_t n);
/* calloc(n, size): zeroed memory. */
void *xcalloc(size_t n, size_t size);
/* strdup(s); NULL for NULL. */
char *xstrdup(const char *s);

#endif /* SRO_XALLOC_H */
