#!/bin/sh
# test-examples.sh - the numbers the example stories promise.
#
# Each examples/NAME.md ends with two tables: the verdicts `srotrace
# replay` gives on the default trace of scenario NAME made under each
# model, and the divergences when that trace is replayed through each
# model. This test makes those traces (srotrace synth NAME --xen M),
# records them, replays them and compares every cell, so that the stories
# stay true as the synthesizer, the models and the oracle evolve.
. "$(dirname "$0")/lib.sh"

EX=${SROTRACE_SRCDIR:-.}/examples
MODELS="xen-4.20.0 xen-4.20.1 xen-4.21"

# table FILE MARKER: the rows of the table after "<!-- expected: MARKER -->",
# as "model n n n ..." lines.
table() {
    awk -v m="<!-- expected: $2 -->" '
        $0 == m { on = 1; next }
        on && /^\| xen-/ { gsub(/\|/, " "); $1 = $1; print; next }
        on && /^$/ { if (seen) exit }
        on && /^\|/ { seen = 1 }' "$1"
}

for s in xhci-dbc msix-adjacent memcpy-toio buggy-guest amd-hvm; do
    md=$EX/$s.md
    check "$s.md has its tables" test -s "$md"
    : >"$T/verdicts" && : >"$T/divs"
    for m in $MODELS; do
        "$SROTRACE" synth "$s" -q --xen "$m" -o "$T/$s.trace"
        "$SROTRACE" record -o "$T/$s-$m.db" "$T/$s.trace" >/dev/null \
            2>"$T/err"
        vrow=$m drow=$m
        for r in $MODELS; do
            "$SROTRACE" replay "$T/$s-$m.db" --model "$r" --json --no-store \
                >"$T/rp.json" 2>"$T/err"
            set -- $(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
v = j["verdicts"]
print(" ".join(str(v[k]) for k in ("CORRECT", "WRONGLY_ACCEPTED",
      "MISDIRECTED", "WRONGLY_DENIED", "HARSH_DENY", "UNDECIDABLE")),
      j["divergences"])' "$T/rp.json" 2>/dev/null || echo error)
            [ "$r" = "$m" ] && vrow="$vrow $1 $2 $3 $4 $5 $6"
            drow="$drow ${7:-error}"
        done
        echo "$vrow" >>"$T/verdicts"
        echo "$drow" >>"$T/divs"
    done
    check_eq "$s: verdicts as examples/$s.md says" \
        "$(cat "$T/verdicts")" "$(table "$md" verdicts)"
    check_eq "$s: divergences as examples/$s.md says" \
        "$(cat "$T/divs")" "$(table "$md" divergences)"
done
