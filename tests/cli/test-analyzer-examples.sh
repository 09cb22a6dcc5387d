# test-analyzer-examples.sh - the analyzer on the shipped examples, end to
# end: `srotrace synth` writes the trace, `record` imports it, `replay`
# judges it, `devices import` binds the pages, then:
#   xhci-dbc: the audit names the DbC registers and the xHCI registers
#     dom0 wrote on the protected page, with exact counts (and the same
#     counts as the synthesizer's own record of what it generated);
#   buggy-guest: the timeline marks the first wrongly denied store before
#     each fault of the guest, with its decoded instruction and register.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/analyzer-lib.sh"

# pipeline NAME: synth, record and replay example NAME into $T/NAME.db.
pipeline() {
    "$SROTRACE" synth "$1" -o "$T/$1.trace" --expect "$T/$1.expect" \
        >"$T/log" 2>&1 &&
    "$SROTRACE" record -o "$T/$1.db" --cpu-hz 2400M "$T/$1.trace" \
        >>"$T/log" 2>&1 &&
    "$SROTRACE" replay "$T/$1.db" -q >>"$T/log" 2>&1
}

# ---- xhci-dbc ----
if pipeline xhci-dbc; then ok "xhci-dbc: synth, record, replay"
else not_ok "xhci-dbc: synth, record, replay"; tail -5 "$T/log" | sed 's/^/# /'; fi
db=$T/xhci-dbc.db
check "xhci-dbc: import the compact controller's device list" \
    "$SROTRACE" devices import tests/data/xhci-compact.devices "$db"
check "xhci-dbc: audit" "$SROTRACE" audit "$db" --json
cp "$T/out" "$T/audit.json"
json "$T/audit.json" '"\n".join("0x%03x %d %s %s" % (t["offset"],
    t["length"], t["register"], "ro" if t["read_only"] else "rw")
    for p in d["pages"] for t in p["touched"])' >"$T/got"
printf '%s\n' \
    '0x080 4 USBCMD rw' \
    '0x084 4 USBSTS rw' \
    '0x094 4 DNCTRL rw' \
    '0x098 4 CRCR rw' \
    '0x09c 4 CRCR+4 rw' \
    '0x0b0 8 DCBAAP rw' \
    '0x0b8 4 CONFIG rw' \
    '0x480 4 PORTSC[1] rw' \
    '0x484 4 PORTPMSC[1] rw' \
    '0x490 4 PORTSC[2] rw' \
    '0x4a0 4 PORTSC[3] rw' \
    '0x500 4 USBLEGSUP rw' \
    '0x504 4 USBLEGCTLSTS rw' \
    '0x544 4 DCDB ro' \
    '0x548 4 DCERSTSZ ro' \
    '0x550 4 DCERSTBA ro' \
    '0x558 8 DCERDP ro' \
    '0x560 4 DCCTRL ro' \
    '0x568 4 DCPORTSC ro' \
    '0x620 4 IMAN[0] rw' \
    '0x624 4 IMOD[0] rw' \
    '0x628 4 ERSTSZ[0] rw' \
    '0x630 8 ERSTBA[0] rw' \
    '0x638 4 ERDP[0] rw' \
    '0x638 8 ERDP[0] rw' \
    '0x63c 4 ERDP[0]+4 rw' \
    '0x800 4 DB[0] rw' \
    '0x804 4 DB[1] rw' \
    '0x808 4 DB[2] rw' \
    '0x80c 4 DB[3] rw' >"$T/want"
check_same "xhci-dbc: every register written, named, read-only or not" "$T/got" "$T/want"
# The exact counts: those of the synthesizer's record of what it generated
# (one JSON object per group): stores per (offset, store size), and how
# many had a piece written at the offset they addressed.
check_eq "xhci-dbc: exact counts, as the synthesizer generated them" \
    "$(python3 -c 'import json, sys
from collections import Counter
s, r = Counter(), Counter()
for line in open(sys.argv[1]):
    g = json.loads(line)
    if "domain" not in g:
        continue                # the closing stats line
    k = (g["offset"], g["store_size"])
    s[k] += 1
    r[k] += any(w["result"] == "WRITTEN" and w["dev_offset"] == w["offset"]
                for w in g["writes"])
a = json.load(open(sys.argv[2]))
got = {(t["offset"], t["length"]): (t["stores"], t["reached"])
       for p in a["pages"] for t in p["touched"]}
want = {k: (s[k], r[k]) for k in s}
print("same" if got == want and sum(s.values()) == 2000
      else "differ: %r vs %r" % (got, want))' \
        "$T/xhci-dbc.expect" "$T/audit.json")" "same"
check_eq "xhci-dbc: the protected page and its device" \
    "$(json "$T/audit.json" '[(hex(p["mfn"]), p["protection"], p["ro_qwords"],
        p["device"], p["ro_written"]) for p in d["pages"]]')" \
    "[('0xf0400', 'subpage', 8, 'xHCI controller (compact layout) (0000:00:14.0)', 0)]"
check_eq "xhci-dbc: DbC registers nobody wrote" \
    "$(json "$T/audit.json" '[(hex(u["offset"]), u["length"], u["register"])
        for u in d["pages"][0]["untouched_read_only"]]')" \
    "[('0x540', 4, 'DCID'), ('0x54c', 4, None), ('0x554', 4, 'DCERSTBA+4'), ('0x564', 4, 'DCST'), ('0x56c', 20, 'DCCP..DCDDI2')]"
check_exit 0 "xhci-dbc: no read-only byte reached the device (gate)" \
    "$SROTRACE" audit "$db" --fail-on-ro-reached
check "xhci-dbc: report" "$SROTRACE" report "$db" --json
check_eq "xhci-dbc: report totals" \
    "$(json "$T/out" '(d["runs"][0]["faults"], d["runs"][0]["wrong"],
        d["runs"][0]["verdicts"]["CORRECT"], d["runs"][0]["outcomes"]["RETIRED"],
        [v["faults"] for v in d["runs"][0]["domains"]])')" \
    "(2000, 0, 2000, 2000, $(python3 -c 'import json, sys
from collections import Counter
c = Counter(g["vcpu"] for g in map(json.loads, open(sys.argv[1]))
            if "vcpu" in g)
print([c[v] for v in sorted(c)])' "$T/xhci-dbc.expect"))"
check "xhci-dbc: HTML report" "$SROTRACE" report "$db" --html "$T/x.html"
check_eq "xhci-dbc: one heat map, DbC qwords hatched" \
    "$(grep -c '<rect class="q"' "$T/x.html") $(grep -c '<rect class="ro"' "$T/x.html")" \
    "512 8"

# ---- buggy-guest ----
if pipeline buggy-guest; then ok "buggy-guest: synth, record, replay"
else not_ok "buggy-guest: synth, record, replay"; tail -5 "$T/log" | sed 's/^/# /'; fi
db=$T/buggy-guest.db
exp=$T/buggy-guest.expect
# expect PYTHON-EXPR: evaluate over the synthesizer's groups (list g).
expect() {
    python3 -c 'import json, sys
g = [x for x in map(json.loads, open(sys.argv[1])) if "domain" in x]
print(eval(sys.argv[2]))' "$exp" "$1"
}
check "buggy-guest: import the device list" \
    "$SROTRACE" devices import tests/data/buggy-guest.devices "$db"
check "buggy-guest: timeline of dom0" "$SROTRACE" timeline "$db" --domain 0 \
    --maps tests/data/buggy-dev0.map --json
cp "$T/out" "$T/t0.json"
check_eq "buggy-guest: the first mark, with instruction and register" \
    "$(json "$T/t0.json" '[(__import__("re").fullmatch(
        r"or dword ptr \[r[a-z0-9]+ \+ 0x7f0\], [a-z0-9]+", e["instruction"])
        is not None, e["register"], e["verdict"], e["outcome"],
        e["mark"] == "first wrong verdict before the #PF at %.6f (this store)"
        % e["time"]) for e in d["events"] if e["mark"]][0]')" \
    "(True, 'CTRL', 'WRONGLY_DENIED', 'PF_TO_GUEST', True)"
check_eq "buggy-guest: one mark per fault of the guest" \
    "$(json "$T/t0.json" 'sum(1 for e in d["events"] if e["mark"])')" \
    "$(expect 'sum(1 for x in g if x["domain"] == 0 and x["outcome"] == "PF_TO_GUEST")')"
check_eq "buggy-guest: every marked store was wrongly denied" \
    "$(json "$T/t0.json" 'sorted(set(e["verdict"] for e in d["events"] if e["mark"]))')" \
    "['WRONGLY_DENIED']"
check "buggy-guest: timeline text" "$SROTRACE" timeline "$db" --domain 0 \
    --maps tests/data/buggy-dev0.map --limit 1
check_grep "buggy-guest: the marked line" \
    'or dword ptr \[r[a-z0-9]+ \+ 0x7f0\], [a-z0-9]+ +fe300\+0x7f0 +CTRL +- +no write; #PF to the guest +WRONGLY_DENIED +<-- first wrong verdict before the #PF at 0\.[0-9]{6} \(this store\)$' "$T/out"
check "buggy-guest: timeline of vm3" "$SROTRACE" timeline "$db" --domain 3 --json
check_eq "buggy-guest: vm3 is never faulted, so nothing is marked" \
    "$(json "$T/out" '(d["total"], sum(1 for e in d["events"] if e["mark"]),
        sorted(set(e["outcome"] for e in d["events"])))')" \
    "($(expect 'sum(1 for x in g if x["domain"] == 3)'), 0, ['RETIRED'])"
check "buggy-guest: audit" "$SROTRACE" audit "$db" --maps tests/data/buggy-dev0.map --csv
check_grep "buggy-guest: the store straddling the PBA" \
    "^1,0xfe300,0x7fc,8,ADDR\\+4\\.\\.PBA,$(expect 'sum(1 for x in g if x["offset"] == 0x7fc)'),0,0,partial,4,0," "$T/out"
check_grep "buggy-guest: the 16-byte store half on the DbC, half written" \
    "^1,0xf1400,0x538,16,DCID\\.\\.DCDB,$(expect 'sum(1 for x in g if x["offset"] == 0x538)'),$(expect 'sum(1 for x in g if x["offset"] == 0x538 and any(w["result"] == "WRITTEN" and w["dev_offset"] == w["offset"] for w in x["writes"]))'),0,partial,8,0," "$T/out"
check_exit 0 "buggy-guest: no read-only byte reached the device" \
    "$SROTRACE" audit "$db" --fail-on-ro-reached
