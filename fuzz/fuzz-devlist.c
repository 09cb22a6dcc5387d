/*
 * fuzz-devlist.c - the device-list parsers (analyzer/devlist.h).
 *
 * Input: byte 0 picks the parser, the rest is its input:
 *
 *   0  devlist_parse_native (srotrace's own format)
 *   1  devlist_parse_lspci (`lspci -vvv -nn` output)
 *   2  whichever devlist_guess_format() names, as `devices import` does
 *   3  devlist_read_sysfs over a one-device tree whose `resource` file is
 *      the text before the first NUL byte and whose `config` (PCI
 *      configuration space, where the MSI-X capability is looked for) is
 *      the bytes after it
 *
 * then the Debug Capability helpers run over the result with offsets
 * taken from the input. Checked: a failed parse leaves a message naming
 * the input; every region the list holds has a size and does not wrap
 * past 2^64; names and map names are terminated strings; the device list
 * frees cleanly (no leak on any error path).
 */
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/devlist.h"
#include "fuzz.h"

/* The temporary sysfs tree of mode 3, made on first use. */
static char sysfs_root[32];     /* "/tmp/fuzz-devlist.XXXXXX" */
static char sysfs_dev[96];      /* root + "/bus/pci/devices/0000:00:14.0" */

static void write_file(const char *dir, const char *name, const void *p,
                       size_t n)
{
    char path[160];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL, "cannot write %s", path);
    if ( n )
        fwrite(p, 1, n, f);
    fclose(f);
}

static void make_sysfs(void)
{
    char tmpl[] = "/tmp/fuzz-devlist.XXXXXX", path[64];
    const char *d = mkdtemp(tmpl);

    FUZZ_CHECK(d != NULL, "mkdtemp failed");
    snprintf(sysfs_root, sizeof(sysfs_root), "%s", d);
    snprintf(path, sizeof(path), "%s/bus", d);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/bus/pci", d);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/bus/pci/devices", d);
    mkdir(path, 0700);
    snprintf(sysfs_dev, sizeof(sysfs_dev), "%s/0000:00:14.0", path);
    mkdir(sysfs_dev, 0700);
    write_file(sysfs_dev, "vendor", "0x8086\n", 7);
    write_file(sysfs_dev, "device", "0x9ded\n", 7);
    write_file(sysfs_dev, "class", "0x0c0330\n", 9);
}

/* Remove the tree again when the process ends. */
static void remove_sysfs(void)
{
    static const char *const files[] = {
        "vendor", "device", "class", "resource", "config",
    };
    char path[160];

    if ( !sysfs_root[0] )
        return;
    for ( unsigned int i = 0; i < sizeof(files) / sizeof(files[0]); i++ )
    {
        snprintf(path, sizeof(path), "%s/%s", sysfs_dev, files[i]);
        unlink(path);
    }
    rmdir(sysfs_dev);
    snprintf(path, sizeof(path), "%s/bus/pci/devices", sysfs_root);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/bus/pci", sysfs_root);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/bus", sysfs_root);
    rmdir(path);
    rmdir(sysfs_root);
}

/* strict: also that no region wraps past 2^64 (what a parser accepts). */
static void check_list(const struct dev_list *l, bool strict)
{
    FUZZ_CHECK(l->n <= l->cap, "n %u > cap %u", l->n, l->cap);
    for ( unsigned int i = 0; i < l->n; i++ )
    {
        const struct dev_entry *d = &l->devs[i];

        FUZZ_CHECK(d->nregions <= d->cap, "device %u: regions overflow", i);
        FUZZ_CHECK(d->class_ >= -1 && d->class_ <= 0xffffff,
                   "device %u: class %lld", i, (long long)d->class_);
        FUZZ_CHECK(d->vendor >= -1 && d->vendor <= 0xffff &&
                   d->device >= -1 && d->device <= 0xffff,
                   "device %u: ids %d:%d", i, d->vendor, d->device);
        if ( d->sbdf )
            FUZZ_CHECK(strlen(d->sbdf) < 64, "device %u: sbdf", i);
        if ( d->name )
            (void)strlen(d->name);
        for ( unsigned int j = 0; j < d->nregions; j++ )
        {
            const struct dev_region *r = &d->regions[j];

            FUZZ_CHECK(r->size > 0, "device %u region %u: size 0", i, j);
            FUZZ_CHECK(!strict || r->base + (r->size - 1) >= r->base,
                       "device %u region %u wraps: 0x%llx + 0x%llx", i, j,
                       (unsigned long long)r->base,
                       (unsigned long long)r->size);
            if ( r->regmap )
                (void)strlen(r->regmap);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dev_list l;
    char err[512];
    char *text;
    const char *fmt, *name = "fuzz.txt";
    uint64_t a = 0, sz;
    int rc = 0;

    if ( size < 1 )
        return 0;
    text = fuzz_text(data + 1, size - 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    devlist_init(&l);
    memset(err, 'x', sizeof(err));
    switch ( data[0] & 3 )
    {
    case 0:
        rc = devlist_parse_native(&l, name, text, err, sizeof(err));
        break;
    case 1:
        rc = devlist_parse_lspci(&l, name, text, err, sizeof(err));
        break;
    case 2:
        fmt = devlist_guess_format(text);
        if ( fmt && strcmp(fmt, "native") == 0 )
            rc = devlist_parse_native(&l, name, text, err, sizeof(err));
        else if ( fmt )
        {
            FUZZ_CHECK(strcmp(fmt, "lspci") == 0, "format %s", fmt);
            rc = devlist_parse_lspci(&l, name, text, err, sizeof(err));
        }
        break;
    case 3:
    {
        size_t rlen = strlen(text);

        if ( !sysfs_root[0] )
        {
            make_sysfs();
            atexit(remove_sysfs);
        }
        write_file(sysfs_dev, "resource", text, rlen);
        write_file(sysfs_dev, "config", data + 1 + rlen,
                   rlen < size - 1 ? size - 2 - rlen : 0);
        name = sysfs_root;
        rc = devlist_read_sysfs(&l, sysfs_root, err, sizeof(err));
        break;
    }
    }
    if ( rc )
    {
        FUZZ_CHECK(rc == -1, "rc %d", rc);
        FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) && err[0],
                   "failed without a message");
        FUZZ_CHECK((data[0] & 3) == 3 || strncmp(err, name, strlen(name))
                   == 0, "message does not name the input: %s", err);
    }
    check_list(&l, true);

    for ( size_t i = 1; i < size && i < 9; i++ )
        a = a << 8 | data[i];
    devlist_add_dbc_offset(&l, a & 0xffff);
    devlist_add_dbc_offset(&l, a);
    for ( unsigned int i = 0; i < l.n && i < 4; i++ )
        for ( unsigned int j = 0; j < l.devs[i].nregions && j < 4; j++ )
        {
            /* Copies: adding a region may move regions[]. */
            uint64_t base = l.devs[i].regions[j].base;
            uint64_t rsize = l.devs[i].regions[j].size;

            devlist_add_dbc_range(&l, base + (a % rsize), 64);
            devlist_add_dbc_range(&l, base + rsize - 1, 0);
        }
    check_list(&l, false);
    if ( devlist_parse_size(text, &sz) == 0 )
        FUZZ_CHECK(text[0] >= '0' && text[0] <= '9', "size of '%s'", text);
    devlist_free(&l);
    free(text);
    return 0;
}
