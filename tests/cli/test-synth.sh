#!/bin/sh
# test-synth.sh - `srotrace synth` end to end.
#
# Options and usage errors; a scenario error names its file and line;
# every shipped scenario synthesizes under every built-in model, and
# xenalyze --summary reads each trace without error; output depends on
# the seed alone; and the round trip: for every scenario and model,
# `srotrace record` stores exactly the groups, writes, outcomes and
# counters that synth's --expect file says a reader will find (plain
# traces, and traces with lost records, records of other classes,
# deviations, a cut-off tail or a late configuration snapshot). Then
# --inject changes exactly what it says, and memory stays flat however
# many groups are made.
. "$(dirname "$0")/lib.sh"

SCN_DIR=${SROTRACE_SRCDIR:-.}/examples/scenarios
SCENARIOS="xhci-dbc msix-adjacent memcpy-toio buggy-guest amd-hvm"
MODELS="xen-4.20.0 xen-4.20.1 xen-4.21"

# ---- options and usage ----
check "synth --help" "$SROTRACE" synth --help
for o in --output --xen --seed --groups --cpus --inject --lost --cut \
         --late-config --expect --quiet; do
    check_grep "synth --help lists $o" "$o" "$T/out"
done
check_exit 129 "synth without a scenario is a usage error" \
    "$SROTRACE" synth -o "$T/x.trace"
check_exit 129 "synth without -o is a usage error" "$SROTRACE" synth xhci-dbc
check_exit 1 "an unknown scenario" "$SROTRACE" synth nosuch -o "$T/x.trace"
check_grep "it says what was looked for" "no scenario 'nosuch': looked for" \
    "$T/err"
check_exit 1 "an unknown model" \
    "$SROTRACE" synth xhci-dbc --xen xen-9.9 -o "$T/x.trace"
check_exit 1 "an unknown deviation" \
    "$SROTRACE" synth xhci-dbc --inject offset1 -o "$T/x.trace"
check_grep "it names the deviation" "--inject offset1: unknown deviation" \
    "$T/err"
check_exit 1 "a bad rate" \
    "$SROTRACE" synth xhci-dbc --inject offset0:2 -o "$T/x.trace"
check_exit 1 "--lost out of range" \
    "$SROTRACE" synth xhci-dbc --lost 1.5 -o "$T/x.trace"
check_exit 1 "--cut to standard output" \
    "$SROTRACE" synth xhci-dbc --cut -o -
check_exit 1 "--cpus 0" "$SROTRACE" synth xhci-dbc --cpus 0 -o "$T/x.trace"
check_eq "no trace is left behind after an error" \
    "$(test -e "$T/x.trace" && echo left || echo none)" none

# A scenario with a mistake on line 4.
printf 'scenario bad\nguest g domain=1 hvm\npage p mfn=0xfe100 guest=g\n%s\n' \
    'store p 0x10 mov_m32_r33' >"$T/bad.scn"
check_exit 1 "a bad scenario file" "$SROTRACE" synth "$T/bad.scn" -o "$T/x.trace"
check_grep "the message names file and line" \
    "bad.scn:4: store: unknown instruction kind 'mov_m32_r33'" "$T/err"
# A page nothing protects.
printf 'scenario bad\nguest g domain=1 hvm\npage p mfn=0xfe100 guest=g\n%s\n' \
    'store p 0x10 mov_m32_r32' >"$T/bad.scn"
check_exit 1 "a page that is not read-only" \
    "$SROTRACE" synth "$T/bad.scn" -o "$T/x.trace"
check_grep "the message names file and line" \
    "bad.scn:3: page p \(mfn 0xfe100\) is not read-only" "$T/err"

# ---- every scenario, every model; xenalyze reads them ----
for s in $SCENARIOS; do
    check "$s.scn is shipped" test -f "$SCN_DIR/$s.scn"
    for m in $MODELS; do
        check "synth $s --xen $m" "$SROTRACE" synth "$s" --xen "$m" \
            --groups 1500 -o "$T/$s-$m.trace" --expect "$T/$s-$m.jsonl"
        check_grep "$s/$m: summary line" \
            "^synth: $s under $m, seed [0-9]+: 1500 groups on [0-9]+ CPUs" \
            "$T/err"
    done
    if command -v xenalyze >/dev/null 2>&1; then
        for m in $MODELS; do
            if xenalyze --summary "$T/$s-$m.trace" >"$T/xa" 2>&1 &&
               ! grep -Eiq "error|fatal|strange" "$T/xa"; then
                ok "xenalyze --summary reads $s ($m)"
            else
                not_ok "xenalyze --summary reads $s ($m)"
                grep -Ei "error|fatal|strange" "$T/xa" | head -5 | sed 's/^/# /'
            fi
        done
    else
        ok "xenalyze --summary reads $s # SKIP xenalyze not installed"
    fi
done
"$SROTRACE" synth xhci-dbc -q --lost 0.05 -o "$T/lost.trace"
if command -v xenalyze >/dev/null 2>&1; then
    check "xenalyze --summary reads a trace with lost records" \
        xenalyze --summary "$T/lost.trace"
fi

# ---- output is a function of the options ----
"$SROTRACE" synth buggy-guest -q --seed 9 --lost 0.02 -o "$T/a.trace"
"$SROTRACE" synth buggy-guest -q --seed 9 --lost 0.02 -o "$T/b.trace"
"$SROTRACE" synth buggy-guest -q --seed 10 --lost 0.02 -o "$T/c.trace"
check "the same seed gives the same bytes" cmp -s "$T/a.trace" "$T/b.trace"
check_exit 1 "another seed gives other bytes" \
    cmp -s "$T/a.trace" "$T/c.trace"
"$SROTRACE" synth buggy-guest -q --seed 9 --lost 0.02 -o - >"$T/d.trace"
check "-o - writes the same bytes to standard output" \
    cmp -s "$T/a.trace" "$T/d.trace"
check "a scenario by path" "$SROTRACE" synth -q "$SCN_DIR/amd-hvm.scn" \
    --groups 10 -o "$T/p.trace"

# ---- round trip through srotrace record ----
# compare EXPECT DB RUN: every group, write and counter of the expect file
# is in run RUN of the database, and nothing else is.
compare() {
    python3 - "$@" <<'EOF'
import json, sqlite3, sys

expect, dbpath, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [json.loads(l) for l in open(expect)]
stats = lines[-1]["stats"]
groups = lines[:-1]
db = sqlite3.connect(dbpath)
M64 = 1 << 64
u64 = lambda v: None if v is None else v % M64

bad = []
def differ(what, got, want):
    if got != want:
        bad.append("%s: got %r, want %r" % (what, got, want))

row = db.execute("""SELECT groups_total, incomplete_groups, lost_records,
    unknown_records, orphan_writes, stray_records, bad_records,
    bytes_unused, size, records FROM runs WHERE id = ?""", (run,)).fetchone()
differ("runs row", row, (stats["groups"], stats["incomplete_groups"],
       stats["lost_records"], stats["unknown_records"],
       stats["orphan_writes"], stats["stray_records"], 0,
       stats["bytes_unused"], stats["bytes"], stats["records"]))

names = lambda t: dict(db.execute("SELECT code, name FROM %s" % t))
outcome, reason, result = names("outcome_names"), names("reason_names"), \
                          names("result_names")
path = {1: "pv", 2: "hvm-4.20", 3: "hvm-4.21"}
rows = db.execute("""SELECT g.id, cpu, tsc, domain, vcpu, path, gla_valid,
    hwdom, code_size, gla, gpa, mfn, page_offset, rip,
    CASE WHEN i.id IS NULL THEN NULL ELSE hex(i.bytes) END, i.kind,
    outcome, reason, emul_rc, done_nwrites, store_size, nwrites, complete,
    incomplete
    FROM fault_groups g LEFT JOIN instructions i ON i.id = g.insn
    WHERE g.run = ?""", (run,)).fetchall()
differ("number of groups", len(rows), len(groups))
db_groups = {}
for r in rows:
    db_groups.setdefault((r[1], u64(r[2])), []).append(r)
for e in groups:
    key = (e["cpu"], e["tsc"])
    found = db_groups.get(key, [])
    if len(found) != 1:
        bad.append("group cpu %d tsc %d: %d rows" % (key + (len(found),)))
        continue
    r = found[0]
    got = dict(domain=r[3], vcpu=r[4], path=path.get(r[5]),
               gla_valid=bool(r[6]), hwdom=bool(r[7]), code_size=r[8],
               gla=u64(r[9]), gpa=u64(r[10]), mfn=u64(r[11]), offset=r[12],
               rip=u64(r[13]),
               insn_bytes=r[14].lower() if r[14] is not None else None,
               kind=r[15], outcome=outcome.get(r[16]),
               reason=reason.get(r[17]), emul_rc=r[18], done_nwrites=r[19],
               store_size=r[20], complete=bool(r[22]), incomplete=r[23])
    if got["kind"] is None:
        del got["kind"]             # record stores bytes; replay decodes
    for k, v in got.items():
        differ("group cpu %d tsc %d: %s" % (key + (k,)), v, e[k])
    differ("group cpu %d tsc %d: nwrites" % key, r[21], len(e["writes"]))
    ws = db.execute("""SELECT mfn, offset, length, result, dev_offset,
        lower(hex(data)) FROM dev_writes WHERE grp = ? ORDER BY piece""",
        (r[0],)).fetchall()
    want = [(w["mfn"], w["offset"], w["length"], w["result"],
             w["dev_offset"], w["data"]) for w in e["writes"]]
    differ("group cpu %d tsc %d: writes" % key,
           [(u64(a), b, c, result.get(d), f, g) for a, b, c, d, f, g in ws],
           want)
orphans = db.execute("SELECT count(*) FROM dev_writes WHERE run = ? AND "
                     "grp IS NULL", (run,)).fetchone()[0]
differ("orphan writes", orphans, stats["orphan_writes"])
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
EOF
}

# round_trip "what" DB EXPECT TRACE [cut]: record TRACE into DB (a new
# run) and compare it with EXPECT. A cut-off trace makes record say so
# and exit 1, keeping everything before the cut.
round_trip() {
    what=$1 db=$2 exp=$3 tr=$4 cut=${5:-}
    "$SROTRACE" record --json --force -o "$db" "$tr" >"$T/rec.out" \
        2>"$T/rec.err"
    rc=$?
    run=$(tail -n 1 "$T/rec.out" | python3 -c '
import json, sys
try: print(json.load(sys.stdin)["run"])
except Exception: print(0)')
    if [ "$run" = 0 ] || { [ $rc -ne 0 ] && { [ -z "$cut" ] ||
         ! grep -q "capture cut off inside a record" "$T/rec.err"; }; }; then
        not_ok "$what (record exit $rc)"
        sed 's/^/# /' "$T/rec.err" | head -5
    elif compare "$exp" "$db" "$run" >"$T/cmp" 2>&1; then
        ok "$what"
    else
        not_ok "$what"
        sed 's/^/# /' "$T/cmp"
    fi
}

for s in $SCENARIOS; do
    for m in $MODELS; do
        round_trip "round trip: $s under $m" "$T/rt.db" \
            "$T/$s-$m.jsonl" "$T/$s-$m.trace"
    done
done
# The hard cases: lost runs, deviations, a cut tail, late configuration.
for s in $SCENARIOS; do
    "$SROTRACE" synth "$s" -q --xen xen-4.20.0 --groups 3000 --lost 0.04 \
        --cut --inject lose-done:0.02 --inject miscount:0.02,offset0:0.1 \
        --seed 77 -o "$T/h.trace" --expect "$T/h.jsonl"
    round_trip "round trip: $s with --lost, --cut, --inject" "$T/rt.db" \
        "$T/h.jsonl" "$T/h.trace" cut
    "$SROTRACE" synth "$s" -q --groups 1000 --late-config --cpus 7 \
        -o "$T/l.trace" --expect "$T/l.jsonl"
    round_trip "round trip: $s with --late-config on 7 CPUs" "$T/rt.db" \
        "$T/l.jsonl" "$T/l.trace"
done
check_eq "the cut traces end inside a record" \
    "$(tail -n 1 "$T/h.jsonl" | python3 -c '
import json, sys
s = json.load(sys.stdin)["stats"]
print(0 < s["bytes_unused"] < 40)')" True

# ---- --inject changes exactly what it says ----
# diff_inject DEV: the expect lines of buggy-guest with and without DEV at
# rate 1 are the same groups; the changed ones are exactly the eligible
# ones, changed only as DEV says.
diff_inject() {
    "$SROTRACE" synth buggy-guest -q --groups 800 -o "$T/i0.trace" \
        --expect "$T/i0.jsonl"
    "$SROTRACE" synth buggy-guest -q --groups 800 --inject "$1" \
        -o "$T/i1.trace" --expect "$T/i1.jsonl"
    python3 - "$1" "$T/i0.jsonl" "$T/i1.jsonl" <<'EOF'
import json, sys
dev, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
# Groups are written as they close: a group without its DONE closes later.
key = lambda g: (g["cpu"], g["tsc"])
A = sorted([json.loads(l) for l in open(a)][:-1], key=key)
B = sorted([json.loads(l) for l in open(b)][:-1], key=key)
bad, changed = [], 0
if len(A) != len(B):
    print("group counts differ: %d, %d" % (len(A), len(B))); sys.exit(1)
for x, y in zip(A, B):
    if x == y:
        continue
    changed += 1
    if y["inject"] != [dev]:
        bad.append("changed but inject is %r" % y["inject"])
    y = dict(y, inject=[])
    ws = [dict(w) for w in y["writes"]]
    if dev == "offset0":
        for w, v in zip(ws, x["writes"]):
            if w["result"] == "WRITTEN" and w["dev_offset"] == 0:
                w["dev_offset"] = v["dev_offset"]
    elif dev == "write-ro":
        for w, v in zip(ws, x["writes"]):
            if v["result"] == "DROPPED_RO" and w["result"] == "WRITTEN" \
               and w["dev_offset"] == w["offset"]:
                w["result"], w["dev_offset"] = v["result"], v["dev_offset"]
    elif dev == "drop-allowed":
        for w, v in zip(ws, x["writes"]):
            if v["result"] == "WRITTEN" and w["result"] == "DROPPED_RO":
                w["result"] = "WRITTEN"
    elif dev == "crash-allowed":
        if y["outcome"] == "DOMAIN_CRASH" and y["reason"] == \
           "EMULATION_FAILED" and not ws and y["done_nwrites"] == 0 and \
           x["outcome"] == "RETIRED" and \
           all(w["result"] == "WRITTEN" for w in x["writes"]):
            ws = x["writes"]
            y.update(outcome="RETIRED", reason="NONE", emul_rc=0,
                     done_nwrites=x["done_nwrites"])
    elif dev == "lose-done":
        if not y["done"] and y["incomplete"] in ("new_fault", "eof"):
            y.update((k, x[k]) for k in ("done", "outcome", "reason",
                     "emul_rc", "done_nwrites", "store_size", "complete",
                     "incomplete"))
    elif dev == "miscount":
        if y["done_nwrites"] == x["done_nwrites"] + 1 and \
           y["incomplete"] == "count_mismatch":
            y.update(done_nwrites=x["done_nwrites"], complete=True,
                     incomplete=None)
    y["writes"] = ws
    if x != y:
        bad.append("cpu %d tsc %d: more than %s changed" % (x["cpu"],
                   x["tsc"], dev))
if not changed:
    bad.append("nothing changed")
print("\n".join(bad[:10]))
sys.exit(1 if bad else 0)
EOF
}
for d in offset0 write-ro drop-allowed crash-allowed lose-done miscount; do
    if diff_inject "$d" >"$T/inj" 2>&1; then ok "--inject $d changes exactly that"
    else not_ok "--inject $d changes exactly that"; sed 's/^/# /' "$T/inj"; fi
done

# ---- flat memory ----
rss() { # GROUPS: peak RSS in kB of a synth run of GROUPS groups
    /usr/bin/time -f %M "$SROTRACE" synth xhci-dbc -q --groups "$1" \
        -o /dev/null 2>&1 >/dev/null | tail -n 1
}
if [ -x /usr/bin/time ]; then
    small=$(rss 20000)
    large=$(rss 400000)
    check_eq "flat memory: 400k groups take no more than 20k + 1 MiB \
($small kB, $large kB)" "$(( large <= small + 1024 ))" 1
else
    ok "flat memory # SKIP /usr/bin/time not installed"
fi
