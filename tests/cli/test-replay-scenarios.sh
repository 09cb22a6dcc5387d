#!/bin/sh
# test-replay-scenarios.sh - the replayer on synthesized traces of every
# scenario under every model:
#  - zero divergences against the model that produced the trace;
#  - every --inject deviation shows up as exactly the injected divergences;
#  - xen-4.20.0: no allowed store at a non-zero offset is CORRECT (they land
#    at offset 0: MISDIRECTED or WRONGLY_ACCEPTED), and on amd-hvm every
#    allowed store is WRONGLY_DENIED (the domain is crashed);
#  - xen-4.21: no wrong verdict on the well-formed guests.
. "$(dirname "$0")/lib.sh"

summarise() { # replay JSON (with --groups) -> "div=N wrong=N allowed_correct=N allowed_not_denied=N"
    python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
wrong = sum(d["verdicts"][v] for v in ("WRONGLY_ACCEPTED", "MISDIRECTED", "WRONGLY_DENIED", "HARSH_DENY"))
allowed = [g for g in d["group_verdicts"] if g["intent"] == "ALLOW"]
ac = sum(1 for g in allowed if g["off"] != 0 and g["verdict"] == "CORRECT")
nd = sum(1 for g in allowed if g["verdict"] != "WRONGLY_DENIED")
print("div=%d wrong=%d allowed_correct=%d allowed_not_denied=%d allowed=%d"
      % (d["divergences"], wrong, ac, nd, len(allowed)))' "$1"
}

for s in xhci-dbc msix-adjacent memcpy-toio buggy-guest amd-hvm; do
    for m in xen-4.20.0 xen-4.20.1 xen-4.21; do
        db="$T/$s-$m.db"
        "$SROTRACE" synth "$s" --xen "$m" --groups 1500 -q -o "$T/t" &&
        "$SROTRACE" record -o "$db" "$T/t" >/dev/null &&
        "$SROTRACE" replay "$db" --model "$m" --json --groups --no-store > "$T/r.json"
        sum=$(summarise "$T/r.json")
        case "$sum" in
        div=0\ *) ok "$s under $m: no divergence from its own model" ;;
        *) not_ok "$s under $m: $sum" ;;
        esac
        if [ "$m" = xen-4.20.0 ]; then
            case "$sum" in
            *allowed_correct=0\ *) ok "$s under 4.20.0: no allowed store lands correctly" ;;
            *) not_ok "$s under 4.20.0: $sum" ;;
            esac
        fi
        if [ "$m" = xen-4.20.0 ] && [ "$s" = amd-hvm ]; then
            case "$sum" in
            *allowed_not_denied=0\ allowed=0) not_ok "amd-hvm has no allowed store" ;;
            *allowed_not_denied=0\ *) ok "amd-hvm under 4.20.0: every allowed store WRONGLY_DENIED" ;;
            *) not_ok "amd-hvm under 4.20.0: $sum" ;;
            esac
        fi
        if [ "$m" = xen-4.21 ] && [ "$s" != buggy-guest ]; then
            case "$sum" in
            *wrong=0\ *) ok "$s under 4.21: no wrong verdict" ;;
            *) not_ok "$s under 4.21: $sum" ;;
            esac
        fi
    done
done

# Each injected deviation is found, group for group.
for dev in offset0 write-ro drop-allowed crash-allowed lose-done miscount; do
    db="$T/inject-$dev.db"
    "$SROTRACE" synth xhci-dbc --xen xen-4.21 --groups 1500 -q \
        --inject "$dev:0.2" --expect "$T/expect" -o "$T/t" &&
    "$SROTRACE" record -o "$db" "$T/t" >/dev/null
    "$SROTRACE" replay "$db" --model xen-4.21 --json --groups --no-store > "$T/r.json"
    res=$(python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
exp = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{\"cpu\"")]
injected = {(e["cpu"], e["tsc"]) for e in exp if e["inject"]}
# A group that lost its DONE or miscounts its writes is incomplete: the
# replayer cannot compare it, the verdict is UNDECIDABLE instead.
incomplete = {(g["cpu"], g["tsc"]) for g in d["group_verdicts"] if not g["complete"]}
diverged = {(g["cpu"], g["tsc"]) for g in d["group_verdicts"] if g["diverged"]}
found = diverged | incomplete
print("injected=%d found=%d missed=%d extra=%d" % (len(injected), len(found & injected),
      len(injected - found), len(found - injected)))' "$T/r.json" "$T/expect")
    case "$res" in
    injected=0\ *) not_ok "--inject $dev injected nothing: $res" ;;
    *missed=0\ extra=0) ok "--inject $dev: every deviation found, nothing else ($res)" ;;
    *) not_ok "--inject $dev: $res" ;;
    esac
done

# diff between 4.20.1 and 4.21 names the changes of docs/models.md.
"$SROTRACE" synth memcpy-toio --xen xen-4.21 --groups 1500 -q -o "$T/t"
"$SROTRACE" record -o "$T/diff.db" "$T/t" >/dev/null
check "diff xen-4.20.1 xen-4.21 on memcpy-toio" \
    "$SROTRACE" diff "$T/diff.db" --model xen-4.20.1 --model xen-4.21
check_grep "HVM stores: the domain crashed under 4.20.1, written by 4.21" \
    "no write, DOMAIN_CRASH -> WRITTEN, verdict WRONGLY_DENIED -> CORRECT" \
    "$T/out"

# The bundled example trace is exactly what the synthesizer makes of its
# scenario, so it can always be remade (and is not a hand-edited file).
"$SROTRACE" synth xhci-dbc --xen xen-4.20.0 --seed 1 -q -o "$T/bundled"
check "examples/traces/xhci-dbc-xen-4.20.0.trace is reproducible" \
    cmp "$T/bundled" "${SROTRACE_SRCDIR:-.}/examples/traces/xhci-dbc-xen-4.20.0.trace"
