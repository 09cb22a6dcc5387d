#!/bin/sh
# test-what-if.sh - what-if plans and the models of the review's designs.
#  - replay --what-if: a plan = the recorded configuration plus one more
#    `ro` line over a register dom0 writes (ERDP[0] of xhci-dbc) turns
#    exactly the recorded stores to it into drops, counted against the DB
#    with sqlite3, with register names from the devices table, in JSON and
#    text; the recorded configuration as a plan changes nothing; a
#    `writable` hole over DCCTRL opens it under carve-out but not under
#    xen-4.21 (8-byte granularity); diff --what-if agrees; a bad plan is
#    an error naming the file and line.
#  - report --html --what-if: the page's heat map recorded and under the
#    plan side by side, the plan's extra read-only qword hatched, the
#    changed qword outlined, the change listed with its register.
#  - diff xen-4.21 -> carve-out and -> ept-spp on every example scenario
#    (2000 groups, the scenario's seed): the counts of docs/models.md
#    section 4.3, kind by kind.
. "$(dirname "$0")/lib.sh"

# jq-like: print the Python expression EXPR over the JSON in FILE (d).
json() {
    python3 -c 'import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(eval(sys.argv[2]))' "$1" "$2"
}

db="$T/dbc.db"
check "synth xhci-dbc" "$SROTRACE" synth xhci-dbc --xen xen-4.21 -q \
    -o "$T/dbc.trace"
check "record it" "$SROTRACE" record -o "$db" "$T/dbc.trace"
check "import its device list" "$SROTRACE" devices import \
    tests/data/xhci-compact.devices "$db"

# The recorded configuration, as plan lines, from the database.
sqlite3 "$db" "SELECT printf('ro 0x%x %d', start, size) FROM range_adds
               WHERE rc = 0 ORDER BY seq" >"$T/recorded.plan"
check_eq "the recorded configuration is the DbC's 64 bytes" \
    "$(cat "$T/recorded.plan")" "ro 0xf0400540 64"

# ---- one more register: ERDP[0], bytes 0x638..0x63f ----
{ cat "$T/recorded.plan"; echo "ro 0xf0400638 8   # ERDP[0]"; } >"$T/erdp.plan"
want=$(sqlite3 "$db" "SELECT count(*) FROM fault_groups
                      WHERE page_offset BETWEEN 1592 AND 1599")
want_kinds=$(sqlite3 "$db" "SELECT f.page_offset || '/' || i.width || '=' ||
                                   count(*)
                            FROM fault_groups f JOIN instructions i
                                 ON i.id = f.insn
                            WHERE f.page_offset BETWEEN 1592 AND 1599
                            GROUP BY f.page_offset, i.width
                            ORDER BY f.page_offset, i.width" | tr '\n' ' ')
check "replay --what-if --json" "$SROTRACE" replay "$db" --no-store \
    --what-if "$T/erdp.plan" --json
cp "$T/out" "$T/erdp.json"
check_eq "the stores to ERDP[0] are many" "$([ "$want" -gt 100 ] && echo y)" y
check_eq "changed = the recorded stores to ERDP[0]" \
    "$(json "$T/erdp.json" 'd["what_if"]["changed"]')" "$want"
check_eq "every change is the plan's, written -> dropped, domain 0" \
    "$(json "$T/erdp.json" 'sorted(set((c["from"], c["to"], c["cause"],
        c["domain"], c["mfn"]) for c in d["what_if"]["changes"]))')" \
    "[('written', 'dropped', 'plan', 0, '0xf0400')]"
check_eq "one change per recorded (offset, width), with its count" \
    "$(json "$T/erdp.json" '" ".join("%d/%d=%d" % k for k in
        sorted((c["offset"], c["length"], c["groups"])
               for c in d["what_if"]["changes"]))') " "$want_kinds"
check_eq "registers named from the devices table" \
    "$(json "$T/erdp.json" 'sorted(set(c["register"]
        for c in d["what_if"]["changes"]))')" "['ERDP[0]', 'ERDP[0]+4']"
check_eq "the replay's divergences are the same groups" \
    "$(json "$T/erdp.json" 'd["divergences"]')" "$want"
check_eq "nothing left out" \
    "$(json "$T/erdp.json" '(d["what_if"]["groups"],
        d["what_if"]["incomplete"], d["what_if"]["not_predicted"])')" \
    "(2000, 0, 0)"

check "replay --what-if (text)" "$SROTRACE" replay "$db" --no-store \
    --what-if "$T/erdp.plan"
cp "$T/out" "$T/erdp.txt"
check_grep "text summary line" \
    "^what-if .*erdp\.plan, through xen-4\.21: $want of 2000 groups would change fate \($want by the plan\)$" \
    "$T/erdp.txt"
n638=$(sqlite3 "$db" "SELECT count(*) FROM fault_groups f JOIN instructions i
                      ON i.id = f.insn WHERE f.page_offset = 1592
                      AND i.width = 4")
check_grep "text names the register and the change" \
    "^  $n638 4-byte stores by domain 0 to ERDP\[0\] \(mfn 0xf0400 offset 0x638\) would be dropped \(they reached the device\)$" \
    "$T/erdp.txt"

# ---- the recorded configuration as a plan: nothing changes ----
check "replay --what-if the recorded plan" "$SROTRACE" replay "$db" \
    --no-store --what-if "$T/recorded.plan" --json
check_eq "no change, no divergence" \
    "$(json "$T/out" '(d["what_if"]["changed"], len(d["what_if"]["changes"]),
        d["divergences"])')" "(0, 0, 0)"

# ---- a byte-exact hole over DCCTRL (0x560, 4 bytes) ----
{ cat "$T/recorded.plan"; echo "writable 0xf0400560 4"; } >"$T/hole.plan"
dcctrl=$(sqlite3 "$db" "SELECT count(*) FROM fault_groups
                        WHERE page_offset = 1376")
check "carve-out --what-if hole" "$SROTRACE" replay "$db" --no-store \
    --model carve-out --what-if "$T/hole.plan" --json
check_eq "carve-out: the DCCTRL stores would now reach the device" \
    "$(json "$T/out" '[(c["register"], c["from"], c["to"], c["cause"],
        c["groups"]) for c in d["what_if"]["changes"]]')" \
    "[('DCCTRL', 'dropped', 'written', 'plan', $dcctrl)]"
check "xen-4.21 --what-if hole" "$SROTRACE" replay "$db" --no-store \
    --model xen-4.21 --what-if "$T/hole.plan" --json
check_eq "xen-4.21: the qword stays read-only, nothing changes" \
    "$(json "$T/out" 'd["what_if"]["changed"]')" "0"

# ---- a plan without register names: offsets, and a note ----
"$SROTRACE" synth xhci-dbc --xen xen-4.21 --groups 300 -q -o "$T/s.trace"
"$SROTRACE" record -o "$T/plain.db" "$T/s.trace" >/dev/null
check "replay --what-if without a device list" "$SROTRACE" replay \
    "$T/plain.db" --no-store --what-if "$T/erdp.plan"
check_grep "offsets only" "stores by domain 0 to mfn 0xf0400 offset 0x638 would be dropped" "$T/out"
check_grep "says how to name them" "no register map is bound" "$T/out"

# ---- a change the model makes without the plan is not the plan's ----
# amd-hvm recorded on 4.20.1 (no GLA: every store crashed the domain),
# replayed through xen-4.21 under its own configuration as a plan.
"$SROTRACE" synth amd-hvm --xen xen-4.20.1 --groups 400 -q -o "$T/a.trace"
"$SROTRACE" record -o "$T/amd.db" "$T/a.trace" >/dev/null
sqlite3 "$T/amd.db" "SELECT printf('ro 0x%x %d', start, size) FROM range_adds
                     WHERE rc = 0 ORDER BY seq" >"$T/amd.plan"
check "replay 4.20.1 through xen-4.21 --what-if" "$SROTRACE" replay \
    "$T/amd.db" --no-store --model xen-4.21 --what-if "$T/amd.plan" --json
check_eq "every group changes, none by the plan, all from crash" \
    "$(json "$T/out" '(d["what_if"]["changed"],
        d["what_if"]["changed_by_plan"], sorted(set((c["cause"], c["from"])
        for c in d["what_if"]["changes"])))')" \
    "(400, 0, [('model', 'crash')])"

# ---- diff --what-if keeps working: the same groups change ----
check "diff --what-if" "$SROTRACE" diff "$db" --model xen-4.21 \
    --model xen-4.21 --what-if "$T/erdp.plan" --json
check_eq "diff of a model with itself under a plan: no change" \
    "$(json "$T/out" 'd["changed"]')" "0"

# ---- report --html --what-if: each page recorded and under the plan ----
printf 'ro 0xf0400540 64\nro 0xf0400639 8\n' >"$T/bad.plan"
cp "$T/erdp.plan" "$T/<i>erdp.plan"
check "report --html --what-if" "$SROTRACE" report "$db" --html "$T/w.html" \
    --what-if "$T/<i>erdp.plan"
check_eq "two heat maps of the page, side by side" \
    "$(grep -c '<div class="pair">' "$T/w.html") $(grep -c '<svg class="heatmap"' "$T/w.html")" \
    "1 2"
check_eq "read-only: 8 qwords recorded, 9 under the plan" \
    "$(grep -c '<rect class="ro"' "$T/w.html")" "17"
check_eq "one qword outlined: ERDP[0] (qword 199: column 7, row 6)" \
    "$(grep -o '<rect class="changed" x="[0-9.]*" y="[0-9.]*"' "$T/w.html")" \
    '<rect class="changed" x="179.5" y="131.5"'
check_grep "its cell says how many stores would change" \
    "<title>0x638\.\.0x63f ERDP\[0\]: $want stores, read-only, $want would change fate</title>" \
    "$T/w.html"
check_grep "the change list names the register" \
    "<td class=\"mono\">0x638/4</td><td class=\"mono\">ERDP\[0\]</td><td class=\"n\">0</td><td class=\"n\">$n638</td><td>written</td><td>dropped</td>" \
    "$T/w.html"
check_eq "the plan's name is escaped" "$(grep -c '<i>erdp' "$T/w.html")" "0"
check_exit 129 "--what-if without --html" "$SROTRACE" report "$db" \
    --what-if "$T/erdp.plan"
check_exit 1 "report --what-if: a bad plan" "$SROTRACE" report "$db" \
    --html "$T/x.html" --what-if "$T/bad.plan"
check_grep "report: message names file and line" "bad\.plan:2:" "$T/err"

# ---- a bad plan names its file and line ----
check_exit 1 "unaligned ro line refused" "$SROTRACE" replay "$db" \
    --no-store --what-if "$T/bad.plan"
check_grep "message names file and line" "bad\.plan:2:" "$T/err"

# ---- docs/models.md 4.3: xen-4.21 -> carve-out / ept-spp, per scenario ----
# diffkinds DB MODEL: "CHANGED: N from>to, ..." sorted as diff prints them.
diffkinds() {
    "$SROTRACE" diff "$1" --model xen-4.21 --model "$2" --json >"$T/d.json" &&
    json "$T/d.json" '"%d/%d: " % (d["changed"], d["groups"]) + ", ".join(
        "%d %s>%s" % (c["groups"], c["from"], c["to"]) for c in d["changes"])'
}
for s in xhci-dbc msix-adjacent memcpy-toio buggy-guest amd-hvm; do
    "$SROTRACE" synth "$s" --xen xen-4.21 -q -o "$T/$s.trace" &&
    "$SROTRACE" record -o "$T/$s.db" "$T/$s.trace" >/dev/null ||
        not_ok "synth and record $s"
done
check_eq "xhci-dbc: carve-out" "$(diffkinds "$T/xhci-dbc.db" carve-out)" \
    "0/2000: "
check_eq "xhci-dbc: ept-spp" "$(diffkinds "$T/xhci-dbc.db" ept-spp)" \
    "71/2000: 55 DROPPED_RO>no write, PF_TO_GUEST, 16 WRITTEN>no write, PF_TO_GUEST"
check_eq "msix-adjacent: carve-out" \
    "$(diffkinds "$T/msix-adjacent.db" carve-out)" "0/2000: "
check_eq "msix-adjacent: ept-spp" "$(diffkinds "$T/msix-adjacent.db" ept-spp)" \
    "1247/2000: 855 DROPPED_NO_ENTRY>no write, PF_TO_GUEST, 370 DROPPED_NO_ENTRY>no write, DOMAIN_CRASH, 22 DROPPED_RO>no write, PF_TO_GUEST"
check_eq "memcpy-toio: carve-out" "$(diffkinds "$T/memcpy-toio.db" carve-out)" \
    "895/2000: 853 WRITTEN>WRITTEN, 21 DROPPED_RO>DROPPED_RO, 21 WRITTEN+DROPPED_RO>WRITTEN+DROPPED_RO"
check_eq "memcpy-toio: ept-spp" "$(diffkinds "$T/memcpy-toio.db" ept-spp)" \
    "916/2000: 853 WRITTEN>WRITTEN, 42 WRITTEN+DROPPED_RO>no write, DOMAIN_CRASH, 21 DROPPED_RO>no write, DOMAIN_CRASH"
check_eq "buggy-guest: carve-out" "$(diffkinds "$T/buggy-guest.db" carve-out)" \
    "646/2000: 263 no write, PF_TO_GUEST>WRITTEN, 125 DROPPED_MISALIGNED>WRITTEN, 70 DROPPED_MISALIGNED, PF_TO_GUEST>WRITTEN, 64 DROPPED_MISALIGNED>DROPPED_RO+WRITTEN, 63 DROPPED_MISALIGNED, PF_TO_GUEST>WRITTEN+DROPPED_RO, 61 DROPPED_MISALIGNED>WRITTEN+DROPPED_RO"
check_eq "buggy-guest: ept-spp" "$(diffkinds "$T/buggy-guest.db" ept-spp)" \
    "828/2000: 231 no write, PF_TO_GUEST>WRITTEN, 146 WRITTEN>no write, PF_TO_GUEST, 133 DROPPED_MISALIGNED, PF_TO_GUEST>no write, PF_TO_GUEST, 125 DROPPED_MISALIGNED>no write, DOMAIN_CRASH, 125 DROPPED_MISALIGNED>WRITTEN, 68 WRITTEN+DROPPED_RO>no write, DOMAIN_CRASH"
check_eq "amd-hvm: carve-out" "$(diffkinds "$T/amd-hvm.db" carve-out)" \
    "0/2000: "
check_eq "amd-hvm: ept-spp" "$(diffkinds "$T/amd-hvm.db" ept-spp)" \
    "47/2000: 47 DROPPED_RO>no write, DOMAIN_CRASH"

# carve-out is never wrong on these traces; ept-spp's wrong verdicts.
for s in xhci-dbc msix-adjacent memcpy-toio buggy-guest amd-hvm; do
    for m in carve-out ept-spp; do
        "$SROTRACE" replay "$T/$s.db" --model "$m" --no-store --json \
            --groups >"$T/r.json"
        printf '%s %s %s\n' "$s" "$m" "$(json "$T/r.json" '" ".join(
            "%s=%d" % kv for kv in sorted(__import__("collections").Counter(
                g["predicted_verdict"] for g in d["group_verdicts"]).items()))')"
    done
done >"$T/verdicts"
cat >"$T/verdicts.want" <<'EOF'
xhci-dbc carve-out CORRECT=2000
xhci-dbc ept-spp CORRECT=1929 HARSH_DENY=55 WRONGLY_DENIED=16
msix-adjacent carve-out CORRECT=2000
msix-adjacent ept-spp CORRECT=753 HARSH_DENY=1247
memcpy-toio carve-out CORRECT=2000
memcpy-toio ept-spp CORRECT=1937 HARSH_DENY=21 WRONGLY_DENIED=42
buggy-guest carve-out CORRECT=2000
buggy-guest ept-spp CORRECT=1496 WRONGLY_DENIED=504
amd-hvm carve-out CORRECT=2000
amd-hvm ept-spp CORRECT=1953 HARSH_DENY=47
EOF
if cmp -s "$T/verdicts" "$T/verdicts.want"; then
    ok "predicted verdicts of carve-out and ept-spp per scenario"
else
    not_ok "predicted verdicts of carve-out and ept-spp per scenario"
    diff "$T/verdicts.want" "$T/verdicts" | sed 's/^/# /'
fi
