/*
 * replay-main.c - run a fuzz target over saved inputs, without libFuzzer.
 *
 * Linked with one fuzz/fuzz-NAME.c by the ordinary compiler (gcc, with
 * ASan and UBSan under `make test`), this is the program that keeps every
 * seed and every crash that fuzzing ever found in the test suite:
 *
 *     build/asan/fuzz/fuzz-reader fuzz/corpus/fuzz-reader fuzz/regressions/fuzz-reader
 *
 * Each argument is a file or a directory (its regular files are run in
 * name order, not recursively). Each input is read whole into a heap
 * buffer of exactly its size, so that ASan sees a read past its end, and
 * handed to LLVMFuzzerTestOneInput() once. The name of each input goes to
 * stderr before it runs, so that the last line before a crash names the
 * culprit. Exit status: 0 when every input ran, 1 if one could not be
 * read; a broken invariant or a sanitizer report aborts.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Read all of path into a malloc'd buffer of exactly its size (one byte
 * for an empty file, which is passed with size 0). NULL on error. */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0;
    int c;

    if ( !f )
        return NULL;
    for ( size_t cap = 0; (c = getc(f)) != EOF; )
    {
        if ( len == cap )
        {
            uint8_t *nb;

            cap = cap ? cap * 2 : 4096;
            if ( !(nb = realloc(buf, cap)) )
            {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        buf[len++] = (uint8_t)c;
    }
    fclose(f);
    /* Exactly len bytes, so that one byte too far is an ASan report. */
    {
        uint8_t *exact = malloc(len ? len : 1);

        if ( exact && len )
            memcpy(exact, buf, len);
        free(buf);
        *size = len;
        return exact;
    }
}

/* Run one file; 0, or -1 if it cannot be read. */
static int run_file(const char *path, unsigned int *count)
{
    size_t size = 0;
    uint8_t *data = slurp(path, &size);

    if ( !data )
    {
        fprintf(stderr, "%s: %s\n", path, strerror(errno ? errno : EIO));
        return -1;
    }
    fprintf(stderr, "running: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    (*count)++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of directory dir, in name order. */
static int run_dir(const char *dir, unsigned int *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if ( !d )
    {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ( (e = readdir(d)) != NULL )
    {
        char *path;
        struct stat st;

        if ( e->d_name[0] == '.' )
            continue;
        if ( !(path = malloc(strlen(dir) + strlen(e->d_name) + 2)) )
            break;
        sprintf(path, "%s/%s", dir, e->d_name);
        if ( stat(path, &st) || !S_ISREG(st.st_mode) )
        {
            free(path);
            continue;
        }
        if ( n == cap )
        {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) *
                                       sizeof(*names));

            if ( !nn )
            {
                free(path);
                break;
            }
            names = nn;
        }
        names[n++] = path;
    }
    closedir(d);
    if ( n )
        qsort(names, n, sizeof(*names), cmp_str);
    for ( size_t i = 0; i < n; i++ )
    {
        if ( run_file(names[i], count) )
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned int count = 0;
    int rc = 0;

    if ( argc < 2 )
    {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for ( int i = 1; i < argc; i++ )
    {
        struct stat st;

        if ( stat(argv[i], &st) )
        {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            rc = 1;
        }
        else if ( S_ISDIR(st.st_mode) ? run_dir(argv[i], &count)
                                      : run_file(argv[i], &count) )
            rc = 1;
    }
    printf("%u inputs replayed\n", count);
    return rc;
}
