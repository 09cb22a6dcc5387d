#!/bin/sh
# test-replay.sh - srotrace replay and diff on the conformance traces:
# every group of verdicts-basic.trace gets exactly the verdict, instruction
# kind and offset that ../shared/conformance/verdicts-basic.expect.json
# lists; the replay is stored; --fail-on gates; diff runs.
. "$(dirname "$0")/lib.sh"

conf="$SHARED_DIR/conformance"
db="$T/v.db"

check "record verdicts-basic.trace" "$SROTRACE" record -o "$db" --json \
    "$conf/verdicts-basic.trace"
check "replay --json --groups" "$SROTRACE" replay "$db" --json --groups
cp "$T/out" "$T/replay.json"

check "every group has the expected verdict, insn and offset" \
    python3 - "$T/replay.json" "$conf/verdicts-basic.expect.json" <<'PY'
import json, sys
got = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
want = json.load(open(sys.argv[2]))
by_key = {(g["cpu"], g["tsc"]): g for g in got["group_verdicts"]}
bad = 0
for w in want["groups"]:
    g = by_key.get((w["cpu"], w["tsc"]))
    if g is None:
        print("missing group", w); bad += 1; continue
    for k in ("verdict", "insn", "off"):
        if g[k] != w[k]:
            print("cpu %d tsc %d: %s is %r, want %r" % (w["cpu"], w["tsc"], k, g[k], w[k]))
            bad += 1
if got["groups"] != want["stats"]["groups"]:
    print("groups", got["groups"], "want", want["stats"]["groups"]); bad += 1
if len(got["group_verdicts"]) != got["groups"]:
    print("group_verdicts has", len(got["group_verdicts"])); bad += 1
counts = {}
for w in want["groups"]:
    counts[w["verdict"]] = counts.get(w["verdict"], 0) + 1
for v in ("CORRECT", "WRONGLY_ACCEPTED", "MISDIRECTED", "WRONGLY_DENIED",
          "HARSH_DENY", "UNDECIDABLE"):
    if got["verdicts"][v] != counts.get(v, 0):
        print("count of", v, got["verdicts"][v], "want", counts.get(v, 0)); bad += 1
sys.exit(1 if bad else 0)
PY

check_eq "the replay is stored as complete with 11 verdict rows" \
    "$(sqlite3 "$db" "SELECT status, groups_total, (SELECT count(*) FROM verdicts WHERE replay = replays.id) FROM replays ORDER BY id DESC LIMIT 1")" \
    "complete|11|11"

check_exit 3 "--fail-on WRONGLY_ACCEPTED exits 3" \
    "$SROTRACE" replay "$db" --no-store --fail-on WRONGLY_ACCEPTED -q
check_exit 3 "--fail-on WRONG exits 3" \
    "$SROTRACE" replay "$db" --no-store --fail-on WRONG -q
check_exit 129 "--fail-on with an unknown verdict is a usage error" \
    "$SROTRACE" replay "$db" --no-store --fail-on BOGUS
check_grep "the error names the bad verdict" "BOGUS" "$T/err"

# A run whose protection is never configured: every group is UNDECIDABLE,
# which no gate on a wrong verdict trips; --ranges supplies the protection.
sqlite3 "$db" "DELETE FROM range_adds; DELETE FROM ro_pages;"
check "replay without configuration" "$SROTRACE" replay "$db" --no-store --json
check_grep "all groups undecidable without configuration" \
    '"UNDECIDABLE":11' "$T/out"
check_exit 0 "--fail-on WRONG passes when nothing can be judged" \
    "$SROTRACE" replay "$db" --no-store --fail-on WRONG -q
printf '0xfe100020 64\nro 0xfe101000 16\nro-pages 0xfe100 0xfe101\nro-pages 0xfe200\n' > "$T/ranges"
check "replay --ranges" "$SROTRACE" replay "$db" --no-store --json --ranges "$T/ranges"
check_grep "--ranges restores the verdicts" '"UNDECIDABLE":1[,}]' "$T/out"
printf 'ro 0xfe100020 64\nbogus\n' > "$T/bad-ranges"
check_exit 1 "a bad --ranges file is an error" \
    "$SROTRACE" replay "$db" --no-store --ranges "$T/bad-ranges"
check_grep "the error names file and line" "bad-ranges:2:" "$T/err"

check_exit 1 "an unknown model is an error" \
    "$SROTRACE" replay "$db" --no-store --model xen-9.99
check_exit 1 "a missing database is an error" \
    "$SROTRACE" replay "$T/nonexistent.db" --no-store
check "diff xen-4.20.0 xen-4.21" "$SROTRACE" diff "$db" --ranges "$T/ranges" \
    --model xen-4.20.0 --model xen-4.21 --json
cp "$T/out" "$T/diff.json"
check "diff output is JSON with changes" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["groups"] == 11 and d["model_a"] == "xen-4.20.0", d
assert d["changed"] == sum(c["groups"] for c in d["changes"]), d
' "$T/diff.json"
