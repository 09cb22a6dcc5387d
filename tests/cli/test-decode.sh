# test-decode.sh - `srotrace decode`: text and JSON output of a few
# instructions in each code size (stores, a string store, a read-modify-
# write, a load, movdiri that capstone cannot decode), the accepted hex
# spellings, and the exit status and messages of bad arguments.
. "$(dirname "$0")/lib.sh"

# json FILE EXPR: evaluate EXPR over the JSON lines of FILE (list d).
json() {
    python3 -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))' "$1" "$2"
}

# Text: one aligned line each, bytes / text / semantics / kind.
check "decode a store" "$SROTRACE" decode "89 07"
check_grep "mov line" \
    '^89 07  mov dword ptr \[rdi\], eax  store width=4  mov_m32_r32$' "$T/out"

check "decode several" "$SROTRACE" decode 8907 "48 89 07" 0x0f,0x11,0x07 \
    "f3 ab" "8b 07" "f0 0f b1 0f" "0f 38 f9 07"
check_eq "one line per instruction" "$(wc -l <"$T/out")" 7
check_eq "columns aligned" \
    "$(awk '{ p = index($0, "  store width"); if (!p) p = index($0, "  no store")
              print p }' "$T/out" | sort -u | wc -l)" 1
check_grep "rep stosd is a string store" \
    'rep stosd dword ptr \[rdi\], eax +store width=4 string rep +rep_stosd_m32$' \
    "$T/out"
check_grep "load is no store" 'mov eax, dword ptr \[rdi\] +no store +mov$' \
    "$T/out"
check_grep "lock cmpxchg is a locked rmw" \
    'store width=4 rmw locked +cmpxchg_m32_r32$' "$T/out"
check_grep "movdiri decoded without capstone" \
    '^0f 38 f9 07 +movdiri dword ptr \[rdi\], eax +store width=4 ' "$T/out"

# JSON: one object per line with the documented fields.
check "decode --json" "$SROTRACE" decode --json 8907 "66 0f 7f 07" \
    "c7 07 01 02 03 04" "f3 48 a5" "01 07" "0f ae 07"
check_eq "JSON parses, one object each" "$(json "$T/out" 'len(d)')" 6
check_eq "JSON fields of mov" \
    "$(json "$T/out" '[d[0][k] for k in ("text", "length", "store", "rmw",
        "width", "string", "kind", "rep", "mode", "valid", "bytes")]')" \
    "['mov dword ptr [rdi], eax', 2, True, False, 4, False, 'mov_m32_r32', False, 64, True, '89 07']"
check_eq "JSON kinds" "$(json "$T/out" '" ".join(x["kind"] for x in d)')" \
    "mov_m32_r32 movdqa_m128 mov_m32_imm rep_movsq_m64 add_m32_r32 fxsave_m4096"
check_eq "JSON widths" "$(json "$T/out" '[x["width"] for x in d]')" \
    "[4, 16, 4, 8, 4, 512]"
check_eq "JSON rmw and string" \
    "$(json "$T/out" '[(x["rmw"], x["string"]) for x in d][3:5]')" \
    "[(False, True), (True, False)]"

# Code sizes: 66 means 16 bits in 32-bit code and 32 bits in 16-bit code.
check "decode --mode 16" "$SROTRACE" decode --json --mode 16 "89 07" \
    "66 89 07"
check_eq "16-bit widths" "$(json "$T/out" '[(x["width"], x["text"]) for x in d]')" \
    "[(2, 'mov word ptr [bx], ax'), (4, 'mov dword ptr [bx], eax')]"
check "decode --mode 32" "$SROTRACE" decode --json --mode=32 "66 89 07"
check_eq "32-bit width" "$(json "$T/out" 'd[0]["width"]')" 2

# Bad arguments: exit 1, a message naming the argument and the offset,
# and the other instructions still printed.
check_exit 1 "bad hex exits 1" "$SROTRACE" decode 8907 "89 zz" 90
check_grep "message names argument and offset" \
    "argument 2 \('89 zz'\): 'z' at offset 3 is not a hex digit" "$T/err"
check_eq "others still printed" "$(grep -c 'mov dword\|nop' "$T/out")" 2
check_exit 1 "undecodable exits 1" "$SROTRACE" decode --json ffff 8907
check_eq "undecodable is valid=false, the other decoded" \
    "$(json "$T/out" '[(x["valid"], x["store"]) for x in d]')" \
    "[(False, False), (True, True)]"
check_exit 1 "truncated exits 1" "$SROTRACE" decode "c7 07 01"
check_grep "truncated says so" 'invalid: truncated' "$T/out"
check_exit 1 "odd digits" "$SROTRACE" decode "890"
check_grep "odd digits message" "odd number of hex digits at offset 0" \
    "$T/err"
check_exit 1 "too many bytes" "$SROTRACE" decode \
    "66666666666666666666666666666666"
check_exit 129 "no arguments is a usage error" "$SROTRACE" decode
check_exit 129 "bad mode is a usage error" "$SROTRACE" decode --mode 8 90
check_grep "bad mode message" "mode must be 16, 32 or 64" "$T/err"
check "help" "$SROTRACE" decode --help
check_grep "help lists the mode option" 'mode 16\|32\|64' "$T/out"
