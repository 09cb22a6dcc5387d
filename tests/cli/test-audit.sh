# test-audit.sh - `srotrace audit` on a hand-made database
# (tests/data/analyzer-fixture.sql): per page and guest-addressed range the
# stores, how many reached the device, read-only or not, register names
# from the device list or --regmap; untouched read-only ranges; writes the
# map does not know; JSON, CSV and the --fail-on-ro-reached gate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/analyzer-lib.sh"
db=$T/a.db
make_fixture_db "$db" || { not_ok "fixture database"; exit 1; }

check "audit run 1" "$SROTRACE" audit "$db" --run 1
cp "$T/out" "$T/text"
check_grep "page 0xfe108 is sub-page protected, 8 read-only qwords" \
    '^page 0xfe108  sub-page protected, 8 read-only qwords  Intel xHCI \(0000:00:14\.0\)$' "$T/text"
check_grep "USBLEGSUP byte 3: 1 store, reached" \
    '^   0x003    1  USBLEGSUP\+3       1        1            0  no$' "$T/text"
check_grep "DCERSTBA: 1 store, dropped, read-only" \
    '^   0x710    8  DCERSTBA          1        0            0  yes$' "$T/text"
check_grep "DCCTRL: 2 stores counted once each" \
    '^   0x720    4  DCCTRL            2        0            0  yes$' "$T/text"
check_grep "0x800: written at offset 0 (misdirected), no register" \
    '^   0x800    4  -                 1        0            1  no$' "$T/text"
check_grep "untouched read-only: DCID..DCERSTSZ" \
    '^    0x700\.\.0x70f    16 bytes  DCID\.\.DCERSTSZ$' "$T/text"
check_grep "untouched read-only: DCPORTSC..DCDDI2" \
    '^    0x728\.\.0x73f    24 bytes  DCPORTSC\.\.DCDDI2$' "$T/text"
check_grep "writable 0x740 unknown to the map" \
    '^    0x740\.\.0x743     4 bytes  2 stores$' "$T/text"
check_grep "MSI-X table page: VECCTRL[0]" \
    '^   0x00c    4  VECCTRL\[0\]       1        0            0  yes$' "$T/text"
check_grep "the map names nothing beyond the 5-entry table" \
    '^    0x010\.\.0xfff  4080 bytes  MSGADDR\[1\]\.\.VECCTRL\[4\]$' "$T/text"
check_grep "no read-only byte reached" \
    '^read-only bytes reached the device: no$' "$T/text"

check "audit --json" "$SROTRACE" audit "$db" --run 1 --json
check_eq "JSON touched rows, exact" \
    "$(json "$T/out" '[(p["mfn"], [(t["offset"], t["length"], t["stores"],
        t["reached"], t["misdirected"], t["read_only"], t["register"])
        for t in p["touched"]]) for p in d["pages"]]')" \
    "[(1040648, [(3, 1, 1, 1, 0, False, 'USBLEGSUP+3'), (1808, 8, 1, 0, 0, True, 'DCERSTBA'), (1824, 4, 2, 0, 0, True, 'DCCTRL'), (1828, 4, 1, 0, 0, True, 'DCST'), (1856, 4, 2, 1, 0, False, None), (1864, 4, 1, 0, 0, False, None), (2048, 4, 1, 0, 1, False, None)]), (1040896, [(12, 4, 1, 0, 0, True, 'VECCTRL[0]')])]"
check_eq "JSON untouched read-only ranges" \
    "$(json "$T/out" '[(u["offset"], u["length"], u["register"])
        for u in d["pages"][0]["untouched_read_only"]]')" \
    "[(1792, 16, 'DCID..DCERSTSZ'), (1816, 8, 'DCERDP'), (1832, 24, 'DCPORTSC..DCDDI2')]"
check_eq "JSON page facts" \
    "$(json "$T/out" '(d["run"], d["ro_reached"], [(p["protection"],
        p["ro_qwords"], p["device"], p["ro_written"]) for p in d["pages"]])')" \
    "(1, False, [('subpage', 8, 'Intel xHCI (0000:00:14.0)', 0), ('whole', 512, 'I210 (0000:03:00.0)', 0)])"

# CSV: RFC 4180, CRLF, one row per (page, offset, length).
check "audit --csv" "$SROTRACE" audit "$db" --run 1 --csv
printf '%s\r\n' \
    'run,mfn,offset,length,register,stores,reached,misdirected,read_only,ro_bytes,ro_written,device' \
    '1,0xfe108,0x003,1,USBLEGSUP+3,1,1,0,no,0,0,Intel xHCI (0000:00:14.0)' \
    '1,0xfe108,0x710,8,DCERSTBA,1,0,0,yes,8,0,Intel xHCI (0000:00:14.0)' \
    '1,0xfe108,0x720,4,DCCTRL,2,0,0,yes,4,0,Intel xHCI (0000:00:14.0)' \
    '1,0xfe108,0x724,4,DCST,1,0,0,yes,4,0,Intel xHCI (0000:00:14.0)' \
    '1,0xfe108,0x740,4,,2,1,0,no,0,0,Intel xHCI (0000:00:14.0)' \
    '1,0xfe108,0x748,4,,1,0,0,no,0,0,Intel xHCI (0000:00:14.0)' \
    '1,0xfe108,0x800,4,,1,0,1,no,0,0,Intel xHCI (0000:00:14.0)' \
    '1,0xfe200,0x00c,4,VECCTRL[0],1,0,0,yes,4,0,I210 (0000:03:00.0)' \
    >"$T/want.csv"
check_same "CSV exact" "$T/out" "$T/want.csv"

# --regmap NAME puts one map at the start of every page.
check "audit --regmap xhci-dbc" "$SROTRACE" audit "$db" --run 1 --regmap xhci-dbc --csv
check_grep "--regmap: offset 3 is DCID+3" '^1,0xfe108,0x003,1,DCID\+3,' "$T/out"
check_grep "--regmap: offset 0x720 is beyond the map" '^1,0xfe108,0x720,4,,2,' "$T/out"
check_grep "--regmap: offset 0xc of the MSI-X page is DCST..." '^1,0xfe200,0x00c,4,,' "$T/out"
# --regmap FILE: a map of one's own, including a shipped one.
printf 'map mine test\ninclude xhci-dbc 0x700\n0x800 4 SCRATCH\n' >"$T/mine.map"
check "audit --regmap FILE" "$SROTRACE" audit "$db" --run 1 --regmap "$T/mine.map" --csv
check_grep "--regmap FILE: DCCTRL at 0x720" '^1,0xfe108,0x720,4,DCCTRL,2,' "$T/out"
check_grep "--regmap FILE: SCRATCH at 0x800" '^1,0xfe108,0x800,4,SCRATCH,1,0,1,' "$T/out"

# --maps DIR: a map of one's own that the device list names.
mkdir -p "$T/maps"
printf 'map nic-regs nic\n0x0 4 CTRL\n0xc 4 IMS\n' >"$T/maps/nic.map"
sqlite3 "$db" "UPDATE devices SET regmap = 'nic-regs' WHERE id = 4"
check "audit --maps DIR" "$SROTRACE" audit "$db" --run 1 --maps "$T/maps" --csv
check_grep "--maps: the device list's map is found" '^1,0xfe200,0x00c,4,IMS,1,' "$T/out"
# A map the device list names but nobody loaded: one warning, no name.
check "audit without the map" "$SROTRACE" audit "$db" --run 1 --csv
check_grep "missing map: no name" '^1,0xfe200,0x00c,4,,1,' "$T/out"
check_eq "missing map: warned once" "$(cat "$T/err")" \
    "srotrace: warning: device list row 4: no register map called 'nic-regs'"
sqlite3 "$db" "UPDATE devices SET regmap = 'msix' WHERE id = 4"

# The gate: run 1 reached no read-only byte, run 2 did.
check_exit 0 "gate passes on run 1" "$SROTRACE" audit "$db" --run 1 --fail-on-ro-reached
check_exit 3 "gate trips on run 2" "$SROTRACE" audit "$db" --run 2 --fail-on-ro-reached
check_grep "run 2: DCCTRL reached" '^   0x720    4  DCCTRL         1        1            0  yes$' "$T/out"
check_grep "run 2: verdict line" '^read-only bytes reached the device: YES$' "$T/out"
check_grep "run 2: the piece that did it" '^  1 write put bytes on read-only ones$' "$T/out"
check_exit 0 "without the gate run 2 exits 0" "$SROTRACE" audit "$db" --run 2
check_exit 0 "default run is the latest complete (2)" "$SROTRACE" audit "$db" --json
check_eq "default run" "$(json "$T/out" 'd["run"]')" "2"

# Hostile device names stay one CSV field and one terminal line.
sqlite3 "$db" "UPDATE devices SET name = 'a,\"b\"' || char(10) || '=c' WHERE id = 4"
check "hostile name: CSV" "$SROTRACE" audit "$db" --run 1 --csv
check_grep "hostile name quoted" '^1,0xfe200,0x00c,4,VECCTRL\[0\],1,0,0,yes,4,0,"a,""b""$' "$T/out"
check "hostile name: text" "$SROTRACE" audit "$db" --run 1
check_grep "hostile name cleaned for the terminal" \
    '^page 0xfe200  read-only page  a,"b"\?=c \(0000:03:00\.0\)$' "$T/out"
check "hostile name: JSON" "$SROTRACE" audit "$db" --run 1 --json
check_eq "hostile name survives JSON" \
    "$(json "$T/out" 'repr(d["pages"][1]["device"])')" \
    "'a,\"b\"\\n=c (0000:03:00.0)'"

# Errors.
check_exit 1 "missing database" "$SROTRACE" audit "$T/none.db"
check_exit 1 "no such run" "$SROTRACE" audit "$db" --run 9
check_grep "no such run: message" "no run 9" "$T/err"
check_exit 1 "unknown --regmap" "$SROTRACE" audit "$db" --regmap nope
check_grep "unknown --regmap: message" "^srotrace audit: no register map called 'nope'$" "$T/err"
printf 'map bad k\n0x0 4 A\n0x2 2 B\n' >"$T/bad.map"
check_exit 1 "bad --regmap FILE" "$SROTRACE" audit "$db" --regmap "$T/bad.map"
check_grep "bad map: FILE:LINE" "^srotrace audit: $T/bad.map:3: map bad: B at 0x2 overlaps A at 0x0 \(line 2\)$" "$T/err"
check_exit 129 "--json with --csv" "$SROTRACE" audit "$db" --json --csv
