/*
 * cmd-devices.c - `srotrace devices`: bind machine addresses to devices
 * and register maps (the `devices` table).
 *
 *   srotrace devices import FILE|DIR [DB]   a device list, `lspci -vvv -nn`
 *                                           output or a sysfs snapshot
 *   srotrace devices import --sysfs-root DIR [DB]
 *   srotrace devices list [DB] [--json]
 *
 * Parsing is in analyzer/devlist*.c. An xHCI controller's Debug
 * Capability is placed from --dbc-offset or, by default, from the ranges
 * Xen protected (range_adds) that fall inside the controller's BAR.
 * Importing a device again replaces its earlier rows (same PCI address,
 * or same name for non-PCI devices, and same --run scope).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../analyzer/devlist.h"
#include "../analyzer/devstore.h"
#include "../analyzer/table.h"
#include "../db/db.h"
#include "../util/json.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const devices_usage[] = {
    "srotrace devices import FILE|DIR [DB] [--format F] [--run N] "
    "[--dbc-offset OFF]",
    "srotrace devices import --sysfs-root DIR [DB] [--run N] "
    "[--dbc-offset OFF]",
    "srotrace devices list [DB] [--json]",
    NULL
};

/* Read a whole file; NULL with a message on error or a NUL byte. */
static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;

    if ( !f )
    {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    do
    {
        if ( len + 65536 + 1 > cap )
        {
            char *nb;

            cap = (len + 65536 + 1) * 2;
            nb = realloc(buf, cap);
            if ( !nb )
            {
                snprintf(err, errlen, "%s: out of memory", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
    } while ( n > 0 );
    if ( ferror(f) )
    {
        snprintf(err, errlen, "%s: offset %zu: %s", path, len,
                 strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    if ( strlen(buf) != len )
    {
        snprintf(err, errlen, "%s: offset %zu: NUL byte: not a text device "
                 "list", path, strlen(buf));
        free(buf);
        return NULL;
    }
    return buf;
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* devices import: parse, place the DbC, store. */
static int cmd_import(int argc, const char **argv)
{
    const char *format = NULL, *sysfs = NULL, *run_spec = NULL;
    const char *path = SRO_DB_DEFAULT, *input = NULL, *dbc = NULL;
    const struct option options[] = {
        OPT_STRING(0, "format", &format, "F",
                   "native, lspci or sysfs (default: guessed)"),
        OPT_STRING(0, "sysfs-root", &sysfs, "DIR",
                   "read a copy of /sys (or of /) instead of FILE"),
        OPT_STRING(0, "run", &run_spec, "N",
                   "bind the devices to run N only (default: all runs)"),
        OPT_STRING(0, "dbc-offset", &dbc, "OFF",
                   "the xHCI Debug Capability is OFF bytes into the "
                   "controller's BAR (default: from the protected ranges)"),
        OPT_END()
    };
    char err[640];
    struct sro_db_err e = { 0 };
    struct dev_list l;
    int64_t run = 0;
    uint64_t dbc_off = 0;
    unsigned int rows = 0, ndbc = 0, ndev = 0;
    sqlite3 *db;
    int n, rc = -1;

    n = parse_options(argc, argv, options, devices_usage);
    if ( sysfs ? n > 1 : (n < 1 || n > 2) )
    {
        fprintf(stderr, "error: %s\n", sysfs || n > 2
                ? "too many arguments" : "what should be imported?");
        usage_with_options_to(stderr, devices_usage, options);
        return 129;
    }
    if ( dbc && parse_u64(dbc, &dbc_off, false) )
    {
        fprintf(stderr, "error: bad --dbc-offset '%s'\n", dbc);
        return 129;
    }
    if ( !sysfs )
        input = argv[0];
    if ( n == (sysfs ? 1 : 2) )
        path = argv[n - 1];
    if ( format && strcmp(format, "native") && strcmp(format, "lspci") &&
         strcmp(format, "sysfs") )
    {
        fprintf(stderr, "error: --format must be native, lspci or sysfs\n");
        return 129;
    }
    if ( !format && (sysfs || is_dir(input)) )
        format = "sysfs";

    devlist_init(&l);
    if ( format && strcmp(format, "sysfs") == 0 )
        rc = devlist_read_sysfs(&l, sysfs ? sysfs : input, err, sizeof(err));
    else
    {
        char *text = read_file(input, err, sizeof(err));

        if ( text )
        {
            if ( !format )
                format = devlist_guess_format(text);
            if ( !format )
                snprintf(err, sizeof(err), "%s: neither a device list "
                         "(DEVICE lines) nor lspci -vvv -nn output", input);
            else if ( strcmp(format, "native") == 0 )
                rc = devlist_parse_native(&l, input, text, err, sizeof(err));
            else
                rc = devlist_parse_lspci(&l, input, text, err, sizeof(err));
            free(text);
        }
    }
    if ( rc )
    {
        fprintf(stderr, "srotrace devices: %s\n", err);
        devlist_free(&l);
        return SRO_EXIT_ERROR;
    }
    db = sro_db_open(path, SRO_DB_WRITE, &e);
    if ( !db )
    {
        fprintf(stderr, "srotrace devices: %s\n", e.msg);
        devlist_free(&l);
        return SRO_EXIT_ERROR;
    }
    rc = run_spec ? sro_db_resolve_run(db, run_spec, &run, &e) : 0;
    if ( rc == 0 )
    {
        if ( dbc )
            ndbc = devlist_add_dbc_offset(&l, dbc_off);
        else
            rc = devstore_place_dbc(db, run, &l, &ndbc, &e);
    }
    if ( rc == 0 )
        rc = devstore_save(db, run, &l, &rows, &e);
    if ( rc )
        fprintf(stderr, "srotrace devices: %s\n", e.msg);
    else
    {
        for ( unsigned int i = 0; i < l.n; i++ )
            ndev += l.devs[i].nregions > 0;
        printf("imported %u device%s, %u region%s", ndev,
               ndev == 1 ? "" : "s", rows, rows == 1 ? "" : "s");
        if ( ndbc )
            printf(" (%u xHCI Debug Capabilit%s)", ndbc,
                   ndbc == 1 ? "y" : "ies");
        printf("\n");
    }
    sro_db_close(db);
    devlist_free(&l);
    return rc ? SRO_EXIT_ERROR : SRO_EXIT_OK;
}

static const char list_sql[] =
    "SELECT id, run, sbdf, name, vendor, device, class, regmap, base, size, "
    "map_base FROM devices ORDER BY base, size DESC, id";

static void list_json_row(struct json *j, sqlite3_stmt *st)
{
    static const char *const keys[] = {
        "id", "run", "sbdf", "name", "vendor", "device", "class", "regmap",
        "base", "size", "map_base",
    };

    json_object_begin(j);
    for ( int c = 0; c < 11; c++ )
    {
        json_key(j, keys[c]);
        if ( sqlite3_column_type(st, c) == SQLITE_NULL )
            json_null(j);
        else if ( c == 2 || c == 3 || c == 7 )
            json_string(j, (const char *)sqlite3_column_text(st, c));
        else if ( c >= 8 )
            json_uint(j, sro_db_column_u64(st, c));
        else
            json_int(j, sqlite3_column_int64(st, c));
    }
    json_object_end(j);
}

static void list_table_row(struct table *t, sqlite3_stmt *st)
{
    table_cell(t, "%" PRId64, (int64_t)sqlite3_column_int64(st, 0));
    if ( sqlite3_column_type(st, 1) == SQLITE_NULL )
        table_str(t, "all");
    else
        table_cell(t, "%" PRId64, (int64_t)sqlite3_column_int64(st, 1));
    table_str(t, (const char *)sqlite3_column_text(st, 2));
    if ( sqlite3_column_type(st, 4) == SQLITE_NULL )
        table_str(t, NULL);
    else
        table_cell(t, "%04x:%04x", sqlite3_column_int(st, 4) & 0xffff,
                   sqlite3_column_int(st, 5) & 0xffff);
    if ( sqlite3_column_type(st, 6) == SQLITE_NULL )
        table_str(t, NULL);
    else
        table_cell(t, "%06x", sqlite3_column_int(st, 6) & 0xffffff);
    table_cell(t, "0x%" PRIx64, sro_db_column_u64(st, 8));
    table_cell(t, "0x%" PRIx64, sro_db_column_u64(st, 9));
    table_str(t, (const char *)sqlite3_column_text(st, 7));
    if ( sro_db_column_u64(st, 10) )
        table_cell(t, "+0x%" PRIx64, sro_db_column_u64(st, 10));
    else
        table_str(t, "");
    table_str(t, (const char *)sqlite3_column_text(st, 3));
}

/* devices list: the rows, as a table or JSON. */
static int cmd_list(int argc, const char **argv)
{
    bool json = false;
    const struct option options[] = {
        OPT_BOOL(0, "json", &json, "print a JSON array of device regions"),
        OPT_END()
    };
    static const char *const heads[] = {
        "id", "run", "sbdf", "ids", "class", "base", "size", "regmap",
        "map", "name", NULL
    };
    const char *path = SRO_DB_DEFAULT;
    struct sro_db_err e = { 0 };
    struct table *t = NULL;
    struct json j;
    sqlite3_stmt *st;
    sqlite3 *db;
    int n, rc;

    n = parse_options(argc, argv, options, devices_usage);
    if ( n > 1 )
    {
        fprintf(stderr, "error: one database at a time\n");
        usage_with_options_to(stderr, devices_usage, options);
        return 129;
    }
    if ( n == 1 )
        path = argv[0];
    db = sro_db_open(path, SRO_DB_READ, &e);
    if ( !db )
    {
        fprintf(stderr, "srotrace devices: %s\n", e.msg);
        return SRO_EXIT_ERROR;
    }
    st = sro_db_prepare(db, list_sql, &e);
    if ( !st )
    {
        fprintf(stderr, "srotrace devices: %s\n", e.msg);
        sro_db_close(db);
        return SRO_EXIT_ERROR;
    }
    if ( json )
    {
        json_init(&j, stdout, false);
        json_array_begin(&j);
    }
    else
        t = table_new(heads, "rrllrrrlll");
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        if ( json )
            list_json_row(&j, st);
        else
            list_table_row(t, st);
    }
    if ( json )
    {
        json_array_end(&j);
        json_end(&j);
    }
    else if ( table_rows(t) )
        table_print(t, stdout, 0);
    else
        printf("(no devices: see 'srotrace devices import')\n");
    table_free(t);
    if ( rc != SQLITE_DONE )
    {
        sro_db_fail(db, rc, "listing devices", &e);
        fprintf(stderr, "srotrace devices: %s\n", e.msg);
    }
    sqlite3_finalize(st);
    sro_db_close(db);
    return rc == SQLITE_DONE ? SRO_EXIT_OK : SRO_EXIT_ERROR;
}

int cmd_devices(int argc, const char **argv)
{
    if ( argc >= 2 && strcmp(argv[1], "import") == 0 )
        return cmd_import(argc - 1, argv + 1);
    if ( argc >= 2 && strcmp(argv[1], "list") == 0 )
        return cmd_list(argc - 1, argv + 1);
    if ( argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                       strcmp(argv[1], "-h") == 0) )
    {
        usage_with_options_to(stdout, devices_usage,
                              (const struct option[]){ OPT_END() });
        return 0;
    }
    fprintf(stderr, "error: %s\n", argc < 2 ? "devices needs a subcommand"
                                            : "unknown devices subcommand");
    usage_with_options_to(stderr, devices_usage,
                          (const struct option[]){ OPT_END() });
    return 129;
}
