/*
 * test-devlist.c - device lists from srotrace's own format, from
 * `lspci -vvv -nn` (tests/data/lspci-vvv-nn.txt) and from a fake sysfs
 * tree, and the placement of the xHCI Debug Capability.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "analyzer/devlist.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if ( !f )
        fail_msg("%s: cannot open (run from the source tree)", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n + 1);
    assert_int_equal(fread(buf, 1, n, f), n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void check_region(const struct dev_entry *d, unsigned int i,
                         uint64_t base, uint64_t size, const char *map,
                         int bar)
{
    assert_true(i < d->nregions);
    assert_int_equal(d->regions[i].base, base);
    assert_int_equal(d->regions[i].size, size);
    if ( map )
        assert_string_equal(d->regions[i].regmap, map);
    else
        assert_null(d->regions[i].regmap);
    assert_int_equal(d->regions[i].bar, bar);
}

static void test_native(void **state)
{
    struct dev_list l;
    char err[256] = "";
    const char *text =
        "# my machine\n"
        "DEVICE 0000:00:14.0 \"Intel \\\"xHCI\\\" controller\" 8086:a36d 0c0330\n"
        "  region 0xa4220000 64K xhci\n"
        "  region 0xa4228740 0x40 xhci-dbc 0   # the DbC\n"
        "device - plain - -\n"
        "Region 4096 4096 - 0x10\n";

    (void)state;
    devlist_init(&l);
    assert_string_equal(devlist_guess_format(text), "native");
    assert_int_equal(devlist_parse_native(&l, "my.devices", text, err,
                                          sizeof(err)), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.devs[0].sbdf, "0000:00:14.0");
    assert_string_equal(l.devs[0].name, "Intel \"xHCI\" controller");
    assert_int_equal(l.devs[0].vendor, 0x8086);
    assert_int_equal(l.devs[0].device, 0xa36d);
    assert_int_equal(l.devs[0].class_, 0x0c0330);
    assert_int_equal(l.devs[0].nregions, 2);
    check_region(&l.devs[0], 0, 0xa4220000, 0x10000, "xhci", -1);
    check_region(&l.devs[0], 1, 0xa4228740, 0x40, "xhci-dbc", -1);
    assert_null(l.devs[1].sbdf);
    assert_string_equal(l.devs[1].name, "plain");
    assert_int_equal(l.devs[1].vendor, -1);
    assert_int_equal(l.devs[1].class_, -1);
    check_region(&l.devs[1], 0, 4096, 4096, NULL, -1);
    assert_int_equal(l.devs[1].regions[0].map_base, 0x10);
    devlist_free(&l);
}

static void expect_native_error(const char *text, const char *want)
{
    struct dev_list l;
    char err[256] = "";

    devlist_init(&l);
    assert_int_equal(devlist_parse_native(&l, "d.txt", text, err,
                                          sizeof(err)), -1);
    assert_string_equal(err, want);
    devlist_free(&l);
}

static void test_native_errors(void **state)
{
    (void)state;
    expect_native_error("region 0 4096 xhci\n",
                        "d.txt:1: 'region' before any DEVICE line");
    expect_native_error("\nDEVICE 00:14.0 x 8086:a36d 0c0330\n",
                        "d.txt:2: bad PCI address '00:14.0' (want "
                        "SSSS:BB:DD.F)");
    expect_native_error("DEVICE 0000:00:14.0 \"open 8086:a36d 0c0330\n",
                        "d.txt:1: device name: unterminated quote or longer "
                        "than 255 bytes");
    expect_native_error("DEVICE 0000:00:14.0 x 8086 0c0330\n",
                        "d.txt:1: bad vendor:device '8086'");
    expect_native_error("DEVICE 0000:00:14.0 x 8086:zz 0c0330\n",
                        "d.txt:1: bad vendor:device '8086:zz'");
    expect_native_error("DEVICE 0000:00:14.0 x 8086:a36d\n",
                        "d.txt:1: missing class code");
    expect_native_error("DEVICE 0000:00:14.0 x 8086:a36d 1000000\n",
                        "d.txt:1: bad class code '1000000' (24-bit hex, e.g. "
                        "0c0330)");
    expect_native_error("DEVICE - x - - extra\n",
                        "d.txt:1: unexpected text after the class code");
    expect_native_error("DEVICE - x - -\nregion 0x1000 0 -\n",
                        "d.txt:2: bad region size '0'");
    expect_native_error("DEVICE - x - -\nregion zz 4K -\n",
                        "d.txt:2: bad region base 'zz'");
    expect_native_error("DEVICE - x - -\nregion 0x1000 4K\n",
                        "d.txt:2: missing register map (or -)");
    expect_native_error("DEVICE - x - -\nregion 0x1000 4K m<x>\n",
                        "d.txt:2: bad register map name 'm<x>'");
    expect_native_error("DEVICE - x - -\nregion 0x1000 4K m q\n",
                        "d.txt:2: bad map offset 'q'");
    expect_native_error("DEVICE - x - -\nregion 0xffffffffffffff00 4K m\n",
                        "d.txt:2: region 0xffffffffffffff00+0x1000 wraps "
                        "around");
    expect_native_error("BOGUS\n", "d.txt:1: unknown keyword 'BOGUS' "
                        "(expected DEVICE or region)");
    expect_native_error("DEVICE - x - -\nregion 0x1000 4K m "
                        "0x0000000000000000000000000000000000000000000000000000"
                        "00000000000000000000\n",
                        "d.txt:2: map offset longer than 63 bytes");
    expect_native_error("\x1b]0;title\x07\n",
                        "d.txt:1: unknown keyword '?]0;title?' (expected "
                        "DEVICE or region)");
}

static void test_lspci(void **state)
{
    char *text = slurp("tests/data/lspci-vvv-nn.txt");
    struct dev_list l;
    char err[256] = "";
    const struct dev_entry *d;

    (void)state;
    devlist_init(&l);
    assert_string_equal(devlist_guess_format(text), "lspci");
    if ( devlist_parse_lspci(&l, "lspci.txt", text, err, sizeof(err)) )
        fail_msg("%s", err);
    assert_int_equal(l.n, 7);

    d = &l.devs[0];
    assert_string_equal(d->sbdf, "0000:00:00.0");
    assert_int_equal(d->class_, 0x060000);
    assert_int_equal(d->nregions, 0);

    d = &l.devs[1];
    assert_string_equal(d->sbdf, "0000:00:14.0");
    assert_string_equal(d->name, "Intel Corporation Cannon Point-LP USB 3.1 "
                        "xHCI Controller");
    assert_int_equal(d->vendor, 0x8086);
    assert_int_equal(d->device, 0x9ded);
    assert_int_equal(d->class_, 0x0c0330);
    assert_int_equal(d->nregions, 1);
    check_region(d, 0, 0xea500000, 0x10000, "xhci", 0);

    d = &l.devs[2];
    assert_string_equal(d->sbdf, "0000:00:1f.6");
    assert_int_equal(d->class_, 0x020000);
    assert_int_equal(d->nregions, 1);
    check_region(d, 0, 0xea580000, 0x20000, NULL, 0);

    d = &l.devs[3];                     /* Renesas: MSI-X inside BAR 0 */
    assert_string_equal(d->sbdf, "0000:02:00.0");
    assert_int_equal(d->vendor, 0x1912);
    assert_int_equal(d->class_, 0x0c0330);
    assert_int_equal(d->nregions, 3);
    check_region(d, 0, 0xea300000, 0x2000, "xhci", 0);
    check_region(d, 1, 0xea301000, 8 * 16, "msix", 0);
    check_region(d, 2, 0xea301080, 8, "msix-pba", 0);

    d = &l.devs[4];                     /* I210: MSI-X in BAR 3, I/O skipped */
    assert_int_equal(d->nregions, 4);
    check_region(d, 0, 0xea100000, 0x100000, NULL, 0);
    check_region(d, 1, 0xea200000, 0x4000, NULL, 3);
    check_region(d, 2, 0xea200000, 5 * 16, "msix", 3);
    check_region(d, 3, 0xea202000, 8, "msix-pba", 3);

    d = &l.devs[5];                     /* brackets inside the name */
    assert_string_equal(d->name, "NVIDIA Corporation TU117M [GeForce GTX "
                        "1650 Mobile / Max-Q]");
    assert_int_equal(d->vendor, 0x10de);
    assert_int_equal(d->device, 0x1f91);
    assert_int_equal(d->class_, 0x030200);
    assert_int_equal(d->nregions, 3);
    check_region(d, 1, 0x6000000000ull, 256ull << 20, NULL, 1);
    check_region(d, 2, 0x6010000000ull, 32ull << 20, NULL, 3);

    d = &l.devs[6];                     /* NVMe: unassigned BAR 2 skipped */
    assert_int_equal(d->class_, 0x010802);
    assert_int_equal(d->nregions, 3);
    check_region(d, 0, 0xea400000, 0x4000, NULL, 0);
    check_region(d, 1, 0xea403000, 33 * 16, "msix", 0);
    check_region(d, 2, 0xea402000, 8, "msix-pba", 0);

    /* The DbC: from an offset the user gives, once per xHCI controller. */
    assert_int_equal(devlist_add_dbc_offset(&l, 0x8740), 1); /* 8K BAR: no */
    check_region(&l.devs[1], 1, 0xea508740, 64, "xhci-dbc", 0);
    assert_int_equal(devlist_add_dbc_offset(&l, 0x8740), 0);
    /* From a range Xen protected inside the Renesas BAR. */
    assert_int_equal(devlist_add_dbc_range(&l, 0xea301c00, 0x40), 1);
    check_region(&l.devs[3], 3, 0xea301c00, 0x40, "xhci-dbc", 0);
    assert_int_equal(devlist_add_dbc_range(&l, 0xea301c00, 0x40), 0);
    /* A range in a NIC is nobody's DbC. */
    assert_int_equal(devlist_add_dbc_range(&l, 0xea100000, 0x40), 0);
    devlist_free(&l);
    free(text);
}

static void expect_lspci_error(const char *text, const char *want)
{
    struct dev_list l;
    char err[256] = "";

    devlist_init(&l);
    assert_int_equal(devlist_parse_lspci(&l, "l.txt", text, err,
                                         sizeof(err)), -1);
    assert_string_equal(err, want);
    devlist_free(&l);
}

static void test_lspci_errors(void **state)
{
    (void)state;
    expect_lspci_error("\tRegion 0: Memory at 1000 [size=4K]\n",
                       "l.txt:1: indented line before any device line");
    expect_lspci_error("hello world\n",
                       "l.txt:1: expected a device line 'BB:DD.F class "
                       "[cccc]: name [vvvv:dddd]' (lspci -vvv -nn output)");
    expect_lspci_error("00:14.0 USB controller: Intel xHCI\n",
                       "l.txt:1: no '[cccc]:' class code: was lspci run with "
                       "-nn?");
    expect_lspci_error("00:14.0 USB controller [0c03]: Intel xHCI\n",
                       "l.txt:1: no '[vvvv:dddd]' vendor and device ids: was "
                       "lspci run with -nn?");
    expect_lspci_error("00:14.0 USB [0c03]: X [8086:a36d]\n"
                       "\tRegion 0: Memory at zz (64-bit) [size=64K]\n",
                       "l.txt:2: bad address in 'Region 0: Memory at'");
    expect_lspci_error("00:14.0 USB [0c03]: X [8086:a36d]\n"
                       "\tRegion 0: Memory at 1000 (64-bit) [size=64Q]\n",
                       "l.txt:2: bad size '64Q' in Region 0");
    expect_lspci_error("00:14.0 USB [0c03]: X [8086:a36d]\n"
                       "\tRegion 0: Memory at 10000 (64-bit) [size=4K]\n"
                       "\tCapabilities: [90] MSI-X: Enable+ Count=8 Masked-\n"
                       "\t\tVector table: BAR=0 offset=00000fc0\n"
                       "\t\tPBA: BAR=0 offset=00000800\n"
                       "00:15.0 USB [0c03]: Y [8086:a36d]\n",
                       "l.txt:3: MSI-X table or PBA extends beyond its BAR");
    expect_lspci_error("00:14.0 USB [0c03]: X [8086:a36d]\n"
                       "\tRegion 0: Memory at 10000 (64-bit) [size=4K]\n"
                       "\tCapabilities: [90] MSI-X: Enable+ Count=8 Masked-\n"
                       "\t\tVector table: BAR=2 offset=00000000\n"
                       "\t\tPBA: BAR=0 offset=00000800\n",
                       "l.txt:3: MSI-X table or PBA in BAR 2, which is not a "
                       "memory region of this device");
    expect_lspci_error("00:14.0 USB [0c03]: X [8086:a36d]\n"
                       "\tCapabilities: [90] MSI-X: Enable+ Count=0 Masked-\n",
                       "l.txt:2: bad MSI-X Count");
}

static void put(const char *dir, const char *file, const void *data,
                size_t n)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_sysfs(void **state)
{
    char root[] = "/tmp/test-devlist-XXXXXX", d1[512], d2[512], cmd[600];
    uint8_t cfg[256] = { 0 };
    struct dev_list l;
    char err[512] = "";
    const char *res1 =
        "0x00000000ea300000 0x00000000ea301fff 0x0000000000140204\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x00000000ea000000 0x00000000ea0fffff 0x0000000000046200\n";
    const char *res2 =
        "0x00000000ea580000 0x00000000ea59ffff 0x0000000000040200\n"
        "0x0000000000003000 0x000000000000301f 0x0000000000040101\n";

    (void)state;
    assert_non_null(mkdtemp(root));
    snprintf(d1, sizeof(d1), "%s/bus", root);
    mkdir(d1, 0755);
    snprintf(d1, sizeof(d1), "%s/bus/pci", root);
    mkdir(d1, 0755);
    snprintf(d1, sizeof(d1), "%s/bus/pci/devices", root);
    mkdir(d1, 0755);
    snprintf(d2, sizeof(d2), "%s/bus/pci/devices/0000:00:1f.6", root);
    snprintf(d1, sizeof(d1), "%s/bus/pci/devices/0000:02:00.0", root);
    mkdir(d1, 0755);
    mkdir(d2, 0755);
    put(d1, "vendor", "0x1912\n", 7);
    put(d1, "device", "0x0015\n", 7);
    put(d1, "class", "0x0c0330\n", 9);
    put(d1, "resource", res1, strlen(res1));
    cfg[0x06] = 0x10;                   /* capability list present */
    cfg[0x34] = 0x50;
    cfg[0x50] = 0x01;                   /* power management */
    cfg[0x51] = 0x90;
    cfg[0x90] = 0x11;                   /* MSI-X, 8 entries */
    cfg[0x92] = 0x07;
    cfg[0x95] = 0x10;                   /* table: BAR 0 + 0x1000 */
    cfg[0x98] = 0x80;                   /* PBA: BAR 0 + 0x1080 */
    cfg[0x99] = 0x10;
    put(d1, "config", cfg, sizeof(cfg));
    put(d2, "vendor", "0x8086\n", 7);
    put(d2, "device", "0x15bd\n", 7);
    put(d2, "class", "0x020000\n", 9);
    put(d2, "resource", res2, strlen(res2));

    devlist_init(&l);
    if ( devlist_read_sysfs(&l, root, err, sizeof(err)) )
        fail_msg("%s", err);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.devs[0].sbdf, "0000:00:1f.6");
    assert_int_equal(l.devs[0].vendor, 0x8086);
    assert_int_equal(l.devs[0].class_, 0x020000);
    assert_null(l.devs[0].name);
    assert_int_equal(l.devs[0].nregions, 1);
    check_region(&l.devs[0], 0, 0xea580000, 0x20000, NULL, 0);
    assert_string_equal(l.devs[1].sbdf, "0000:02:00.0");
    assert_int_equal(l.devs[1].class_, 0x0c0330);
    assert_int_equal(l.devs[1].nregions, 3);
    check_region(&l.devs[1], 0, 0xea300000, 0x2000, "xhci", 0);
    check_region(&l.devs[1], 1, 0xea301000, 128, "msix", 0);
    check_region(&l.devs[1], 2, 0xea301080, 8, "msix-pba", 0);
    devlist_free(&l);

    /* The devices directory itself works too. */
    snprintf(d1, sizeof(d1), "%s/bus/pci/devices", root);
    devlist_init(&l);
    assert_int_equal(devlist_read_sysfs(&l, d1, err, sizeof(err)), 0);
    assert_int_equal(l.n, 2);
    devlist_free(&l);

    /* A broken class file is named with its path. */
    put(d2, "class", "zz\n", 3);
    devlist_init(&l);
    assert_int_equal(devlist_read_sysfs(&l, root, err, sizeof(err)), -1);
    snprintf(cmd, sizeof(cmd), "%s/class: offset 0: expected one hex number",
             d2);
    assert_string_equal(err, cmd);
    devlist_free(&l);

    devlist_init(&l);
    assert_int_equal(devlist_read_sysfs(&l, "/nonexistent", err,
                                        sizeof(err)), -1);
    assert_string_equal(err, "/nonexistent: not a sysfs tree (no "
                        "bus/pci/devices)");
    devlist_free(&l);

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void test_guess(void **state)
{
    (void)state;
    assert_string_equal(devlist_guess_format("# x\n\nDEVICE - a - -\n"),
                        "native");
    assert_string_equal(devlist_guess_format("0000:00:14.0 USB [0c03]: x\n"),
                        "lspci");
    assert_null(devlist_guess_format("hello\n"));
    assert_null(devlist_guess_format(""));
}

static void test_sizes(void **state)
{
    uint64_t v;

    (void)state;
    assert_int_equal(devlist_parse_size("256", &v), 0);
    assert_int_equal(v, 256);
    assert_int_equal(devlist_parse_size("64K", &v), 0);
    assert_int_equal(v, 65536);
    assert_int_equal(devlist_parse_size("16M", &v), 0);
    assert_int_equal(v, 16u << 20);
    assert_int_equal(devlist_parse_size("2G", &v), 0);
    assert_int_equal(v, 2ull << 30);
    assert_int_equal(devlist_parse_size("1k", &v), -1);
    assert_int_equal(devlist_parse_size("K", &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native),
        cmocka_unit_test(test_native_errors),
        cmocka_unit_test(test_lspci),
        cmocka_unit_test(test_lspci_errors),
        cmocka_unit_test(test_sysfs),
        cmocka_unit_test(test_guess),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
