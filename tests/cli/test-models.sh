# test-models.sh - `srotrace models`: the list of built-in models (text and
# JSON), --load of the example plugin and of built-ins with the check
# prediction, and the message and exit status of every kind of bad load.
. "$(dirname "$0")/lib.sh"
: "${SROTRACE_BUILD:?run through tests/run-tests.sh}"
plugin=$SROTRACE_BUILD/examples/byte-exact.so

# json FILE EXPR: print the Python expression EXPR over the JSON in FILE (d).
json() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# The list: one line per built-in model, name then summary.
check "models runs" "$SROTRACE" models
cp "$T/out" "$T/list"
check_eq "five built-in models: the releases, then the review's designs" \
    "$(cut -d' ' -f1 "$T/list" | tr '\n' ' ')" \
    "xen-4.20.0 xen-4.20.1 xen-4.21 carve-out ept-spp "
check_grep "4.20.0 line says what it follows" \
    '^xen-4\.20\.0 +RELEASE-4\.20\.0' "$T/list"
check_grep "4.21 line says what it follows" \
    '^xen-4\.21 +RELEASE-4\.21\.0' "$T/list"

check "models --json runs" "$SROTRACE" models --json
check_eq "JSON lists the same names" \
    "$(json "$T/out" '" ".join([str(d["abi_version"])] +
        [m["name"] for m in d["models"] if m["builtin"] and m["summary"]])')" \
    "1 xen-4.20.0 xen-4.20.1 xen-4.21 carve-out ept-spp"

# --load the example plugin: identity and the check prediction.
check "load the example plugin" "$SROTRACE" models --load "$plugin"
check_grep "plugin named, with its ABI" \
    "^$plugin: model 'byte-exact', model ABI 1: " "$T/out"
check_grep "plugin check: written in place, correct" \
    ': 1 write\(s\): WRITTEN 4@0x8->0x8; RETIRED; oracle: CORRECT$' "$T/out"

check "load plugin --json" "$SROTRACE" models --load "$plugin" --json
check_eq "plugin JSON check" \
    "$(json "$T/out" '[(m["name"], m["abi_version"], c["rc"], c["problem"],
        c["writes"], c["outcome"], c["verdict"])
        for m in d["models"] for c in [m["check"]]]')" \
    "[('byte-exact', 1, 0, None, [{'offset': 8, 'len': 4, 'result': 'WRITTEN', 'dev_offset': 8}], 'RETIRED', 'CORRECT')]"

# --load built-ins: xen-4.20.0 writes at offset 0 (fixed by 38d0780979).
check "load two built-ins" "$SROTRACE" models --load xen-4.20.0 \
    --load xen-4.21
check_grep "4.20.0 writes at offset 0" \
    "^  check: .*WRITTEN 4@0x8->0; RETIRED; oracle: MISDIRECTED$" "$T/out"
check_grep "4.21 writes in place" \
    "^  check: .*WRITTEN 4@0x8->0x8; RETIRED; oracle: CORRECT$" "$T/out"

# Bad loads: exit 1 and a message naming the file and the problem.
check_exit 1 "missing plugin file" "$SROTRACE" models --load "$T/nothere.so"
check_grep "missing: message" "^srotrace models: $T/nothere.so: cannot \
load model plugin: No such file or directory$" "$T/err"
printf 'not an ELF file\n' >"$T/text.so"
check_exit 1 "text file as plugin" "$SROTRACE" models --load "$T/text.so"
check_grep "text file: message" \
    "^srotrace models: $T/text.so: not a loadable shared object: " "$T/err"
check_exit 1 "directory as plugin" "$SROTRACE" models --load "$T"
check_grep "directory: message" "^srotrace models: $T: .*not a regular file" \
    "$T/err"
check_exit 1 "plugin without a slash" "$SROTRACE" models --load byte-exact.so
check_grep "no slash: hint" \
    "a plugin's path must contain a '/', as in \./byte-exact\.so" "$T/err"
check_exit 1 "unknown built-in" "$SROTRACE" models --load xen-9.9
check_grep "unknown built-in: message" "no built-in model named 'xen-9\.9'" \
    "$T/err"
# One bad load among good ones: the good ones still print, exit 1.
check_exit 1 "good and bad loads" "$SROTRACE" models --load "$plugin" \
    --load "$T/nothere.so"
check_grep "good one still printed" "model 'byte-exact'" "$T/out"

check_exit 129 "unexpected argument" "$SROTRACE" models extra
check_grep "unexpected argument: message" "unexpected argument 'extra'" \
    "$T/err"
check_exit 0 "--help" "$SROTRACE" models --help
check_grep "--help lists --load" "--load NAME_OR_PATH" "$T/out"
