# test-devices.sh - `srotrace devices import` from the native format,
# `lspci -vvv -nn` output (tests/data/lspci-vvv-nn.txt) and a fake sysfs
# tree; the xHCI Debug Capability placed from the protected ranges or
# --dbc-offset; re-imports replace; `devices list` as a table and JSON;
# and the register names the audit takes from what was imported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/analyzer-lib.sh"

# Native format into a new database.
cat >"$T/lab.devices" <<'LIST'
# the lab machine
DEVICE 0000:00:14.0 "Intel xHCI" 8086:a36d 0c0330
  region 0xfe100000 64K    xhci
  region 0xfe108700 0x40   xhci-dbc
DEVICE 0000:03:00.0 I210 8086:1533 020000
  region 0xfe200000 0x50   msix
LIST
check "import the native format" "$SROTRACE" devices import "$T/lab.devices" "$T/n.db"
check_grep "native: counts" '^imported 2 devices, 3 regions$' "$T/out"
check "list" "$SROTRACE" devices list "$T/n.db"
check_grep "list: the DbC row" \
    '^ 2  all  0000:00:14\.0  8086:a36d  0c0330  0xfe108700     0x40  xhci-dbc +Intel xHCI$' "$T/out"
check "list --json" "$SROTRACE" devices list "$T/n.db" --json
check_eq "JSON rows" \
    "$(json "$T/out" '[(r["sbdf"], r["name"], r["vendor"], r["class"], r["regmap"],
        hex(r["base"]), r["size"], r["run"]) for r in d]')" \
    "[('0000:00:14.0', 'Intel xHCI', 32902, 787248, 'xhci', '0xfe100000', 65536, None), ('0000:00:14.0', 'Intel xHCI', 32902, 787248, 'xhci-dbc', '0xfe108700', 64, None), ('0000:03:00.0', 'I210', 32902, 131072, 'msix', '0xfe200000', 80, None)]"
check "re-import replaces" "$SROTRACE" devices import "$T/lab.devices" "$T/n.db"
check_eq "still 3 rows" "$(sqlite3 "$T/n.db" 'SELECT count(*) FROM devices')" "3"

# lspci -vvv -nn output.
check "import lspci output" "$SROTRACE" devices import tests/data/lspci-vvv-nn.txt "$T/l.db"
check_grep "lspci: counts" '^imported 6 devices, 15 regions$' "$T/out"
check_eq "lspci: maps bound" \
    "$(sqlite3 "$T/l.db" "SELECT sbdf || ' ' || regmap || ' ' || printf('%x+%x', base, size) FROM devices WHERE regmap IS NOT NULL ORDER BY base" | tr '\n' ';')" \
    "0000:03:00.0 msix ea200000+50;0000:03:00.0 msix-pba ea202000+8;0000:02:00.0 xhci ea300000+2000;0000:02:00.0 msix ea301000+80;0000:02:00.0 msix-pba ea301080+8;0000:05:00.0 msix-pba ea402000+8;0000:05:00.0 msix ea403000+210;0000:00:14.0 xhci ea500000+10000;"
check_eq "lspci: names with brackets kept" \
    "$(sqlite3 "$T/l.db" "SELECT DISTINCT name FROM devices WHERE sbdf = '0000:04:00.0'")" \
    "NVIDIA Corporation TU117M [GeForce GTX 1650 Mobile / Max-Q]"

# The DbC from the ranges Xen protected (the fixture protects 0xfe108700).
db=$T/a.db
make_fixture_db "$db" || { not_ok "fixture database"; exit 1; }
sqlite3 "$db" "DELETE FROM devices"
printf '%s\n' \
    '00:14.0 USB controller [0c03]: Intel Corporation xHCI Host Controller [8086:a36d] (rev 10) (prog-if 30 [XHCI])' \
    '	Region 0: Memory at fe100000 (64-bit, non-prefetchable) [size=64K]' \
    '	Capabilities: [70] Power Management version 2' >"$T/one.lspci"
check "import with the DbC from range_adds" "$SROTRACE" devices import "$T/one.lspci" "$db"
check_grep "DbC found" '^imported 1 device, 2 regions \(1 xHCI Debug Capability\)$' "$T/out"
check_eq "DbC region" \
    "$(sqlite3 "$db" "SELECT printf('%x+%d', base, size) FROM devices WHERE regmap = 'xhci-dbc'")" \
    "fe108700+64"
check "audit names the DbC registers" "$SROTRACE" audit "$db" --run 1 --csv
check_grep "audit: DCCTRL" '^1,0xfe108,0x720,4,DCCTRL,2,0,0,yes,4,0,Intel Corporation xHCI Host Controller \(0000:00:14\.0\)' "$T/out"
check_grep "audit: the rest of the BAR by the xhci map (nothing at 0x8003)" '^1,0xfe108,0x003,1,,1,1,0,no,0,0,' "$T/out"
sqlite3 "$db" "DELETE FROM devices"
check "import with --dbc-offset" "$SROTRACE" devices import "$T/one.lspci" "$db" --dbc-offset 0x8700 --run 1
check_eq "--dbc-offset and --run" \
    "$(sqlite3 "$db" "SELECT run || ' ' || printf('%x+%d', base, size) FROM devices WHERE regmap = 'xhci-dbc'")" \
    "1 fe108700+64"

# A sysfs snapshot.
dev=$T/sys/bus/pci/devices/0000:02:00.0
mkdir -p "$dev"
echo 0x1912 >"$dev/vendor"
echo 0x0015 >"$dev/device"
echo 0x0c0330 >"$dev/class"
{
    echo '0x00000000ea300000 0x00000000ea301fff 0x0000000000140204'
    for i in 1 2 3 4 5 6; do
        echo '0x0000000000000000 0x0000000000000000 0x0000000000000000'
    done
} >"$dev/resource"
# Config space: capability list at 0x50 (PM) -> 0x90 (MSI-X, 8 entries,
# table at BAR0+0x1000, PBA at BAR0+0x1080).
python3 -c 'import sys
c = bytearray(256)
c[6] = 0x10; c[0x34] = 0x50; c[0x50] = 1; c[0x51] = 0x90
c[0x90] = 0x11; c[0x92] = 7; c[0x95] = 0x10; c[0x98] = 0x80; c[0x99] = 0x10
open(sys.argv[1], "wb").write(c)' "$dev/config"
check "import --sysfs-root" "$SROTRACE" devices import --sysfs-root "$T/sys" "$T/s.db"
check_grep "sysfs: counts" '^imported 1 device, 3 regions$' "$T/out"
check_eq "sysfs: regions" \
    "$(sqlite3 "$T/s.db" "SELECT coalesce(regmap, '-') || ' ' || printf('%x+%x', base, size) FROM devices ORDER BY base, size DESC" | tr '\n' ';')" \
    "xhci ea300000+2000;msix ea301000+80;msix-pba ea301080+8;"
check "import a sysfs directory given as FILE" "$SROTRACE" devices import "$T/sys/bus/pci/devices" "$T/s2.db"
check_grep "sysfs directory: counts" '^imported 1 device, 3 regions$' "$T/out"

# Errors: FILE:LINE, byte offsets, usage.
printf 'DEVICE 0000:00:14.0 x 8086:a36d 0c0330\nregion 0x1000 zero xhci\n' >"$T/bad.devices"
check_exit 1 "bad native line" "$SROTRACE" devices import "$T/bad.devices" "$T/e.db"
check_grep "bad native line: FILE:LINE" "^srotrace devices: $T/bad.devices:2: bad region size 'zero'$" "$T/err"
printf 'hello\n' >"$T/what.txt"
check_exit 1 "unknown format" "$SROTRACE" devices import "$T/what.txt" "$T/e.db"
check_grep "unknown format: message" "^srotrace devices: $T/what.txt: neither a device list \(DEVICE lines\) nor lspci -vvv -nn output$" "$T/err"
printf 'DEVICE - x - -\n\000binary' >"$T/nul.txt"
check_exit 1 "NUL byte" "$SROTRACE" devices import "$T/nul.txt" "$T/e.db"
check_grep "NUL byte: offset" "^srotrace devices: $T/nul.txt: offset 15: NUL byte: not a text device list$" "$T/err"
check_exit 1 "missing file" "$SROTRACE" devices import "$T/none.txt" "$T/e.db"
check_exit 1 "lspci with --format native" "$SROTRACE" devices import tests/data/lspci-vvv-nn.txt "$T/e.db" --format native
check_grep "wrong --format: FILE:LINE" "^srotrace devices: tests/data/lspci-vvv-nn\.txt:1: unknown keyword '00:00\.0'" "$T/err"
check_exit 1 "not a sysfs tree" "$SROTRACE" devices import --sysfs-root "$T/none" "$T/e.db"
check_exit 129 "bad --format" "$SROTRACE" devices import "$T/lab.devices" --format xml
check_exit 129 "import needs a file" "$SROTRACE" devices import
check_exit 129 "unknown subcommand" "$SROTRACE" devices frob
check_exit 129 "bad --dbc-offset" "$SROTRACE" devices import "$T/lab.devices" --dbc-offset x
check_exit 1 "--run of a run that does not exist" "$SROTRACE" devices import "$T/lab.devices" "$db" --run 9
check_exit 0 "devices --help" "$SROTRACE" devices --help
check_exit 1 "list of a missing database" "$SROTRACE" devices list "$T/none.db"
