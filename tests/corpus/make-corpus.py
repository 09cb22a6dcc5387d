#!/usr/bin/env python3
"""make-corpus.py - regenerate the corrupt-input corpus of tests/corpus/.

    python3 tests/corpus/make-corpus.py

writes base.trace (a small, valid capture), one damaged copy of it per
case (*.trace), and MANIFEST: for each file, what `srotrace record --json`
must say about it. tests/cli/test-corpus.sh checks every line; the files
are committed, so the test needs no python. docs/hardening.md describes
the format.

The expectations are not copied from srotrace's output: they come from a
reference model in this file, written from ../shared/trace-format.md and
the recovery rules documented at the top of trace/reader.c (scan forward,
4-byte aligned, to the next plausible window header) and
trace/assemble.c (the group machine):

  model_read()      the reader: windows, records, cut-offs, resyncs;
  model_assemble()  the group machine of section 3.2;

and each case names the diagnostic it must produce (the first problem:
file, byte offset, what was wrong) as a regular expression built from the
offsets the writer below knows.

The base capture, 3 windows on 2 CPUs (offsets are printed by --layout):

  window cpu 0   RANGE_ADD, RO_PAGES,
                 G1 = FAULT INSN WRITE DONE,
                 G2 = FAULT INSN WRITE(16 bytes) DATA WRITE(4) DONE
  window cpu 1   G3 = FAULT INSN WRITE DONE, a record of another class,
                 G4 = FAULT INSN WRITE DONE
  window cpu 0   G5 = FAULT INSN WRITE DONE

5 complete groups, 6 device writes, 25 records.
"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

MAGIC = 0x2001f003
LOST, WRAP, CPU_CHANGE = 0x0001f001, 0x0001f002, 0x0001f003
RANGE_ADD, RANGE_STATE, RO_PAGES = 0x00804001, 0x00804002, 0x00804003
FAULT, INSN, WRITE, DATA, DONE = (0x00804010, 0x00804011, 0x00804012,
                                  0x00804013, 0x00804014)
OTHER = 0x00021001                  # a record of another class
OURS_UNKNOWN = 0x0080401f           # our class, no such event
WORDS = {RANGE_ADD: (5, 5), RANGE_STATE: (7, 7), RO_PAGES: (4, 4),
         FAULT: (7, 7), INSN: (7, 7), WRITE: (6, 6), DATA: (1, 7),
         DONE: (3, 3)}
NAMES = {RANGE_ADD: "SRO_RANGE_ADD", RANGE_STATE: "SRO_RANGE_STATE",
         RO_PAGES: "SRO_RO_PAGES", FAULT: "SRO_FAULT", INSN: "SRO_INSN",
         WRITE: "SRO_WRITE", DATA: "SRO_DATA", DONE: "SRO_DONE"}
MAX_CPUS = 16384


def ere(s):
    """s as a POSIX extended regular expression matching it literally
    (python's re.escape also escapes '-', which grep -E warns about)."""
    return re.sub(r"([.\[\]()*+?{}|^$\\])", r"\\\1", s)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

class Rec:
    """One t_rec: event, extra words, optional TSC; `tag` names it."""

    def __init__(self, event, words, tsc=None, tag=""):
        self.event, self.words, self.tsc, self.tag = event, list(words), \
            tsc, tag
        self.hdr = None             # a raw header word overriding the above

    def bytes(self):
        hdr = self.hdr if self.hdr is not None else \
            self.event | (len(self.words) << 28) | \
            ((1 << 31) if self.tsc is not None else 0)
        b = struct.pack("<I", hdr)
        if self.tsc is not None:
            b += struct.pack("<Q", self.tsc)
        return b + b"".join(struct.pack("<I", w & 0xffffffff)
                            for w in self.words)


class Win:
    """A window: CPU_CHANGE header and records; size may be forced."""

    def __init__(self, cpu, recs, size=None, hdr=MAGIC):
        self.cpu, self.recs, self.size, self.hdr = cpu, recs, size, hdr


def layout(wins):
    """The bytes of a list of windows, and {tag: offset} of every record
    and window ('W0', 'W1', ...)."""
    out, offs = b"", {}
    for i, w in enumerate(wins):
        body = b""
        offs["W%d" % i] = len(out)
        for r in w.recs:
            if r.tag:
                offs[r.tag] = len(out) + 12 + len(body)
            body += r.bytes()
        size = len(body) if w.size is None else w.size
        out += struct.pack("<III", w.hdr, w.cpu, size & 0xffffffff) + body
        offs["W%d.end" % i] = len(out)
    offs["end"] = len(out)
    return out, offs


def group(g, tsc, off, writes, done_count=None, insn=(0x89, 0x07)):
    """Records of one fault group tagged gN.fault, gN.insn, gN.wK, gN.dK,
    gN.done. writes: (offset, length, result, data_words)."""
    mfn = 0xfe100
    gpa = mfn << 12 | off
    ib = bytes(insn) + bytes(16 - len(insn))
    recs = [Rec(FAULT, [1 << 16 | 2, 0x0313, 0xffffffff, 0xffffffff,
                        gpa & 0xffffffff, gpa >> 32, mfn], tsc,
                "%s.fault" % g),
            Rec(INSN, [len(insn)] + list(struct.unpack("<4I", ib)) +
                [0x401000, 0], tag="%s.insn" % g)]
    for k, (o, ln, res, data) in enumerate(writes):
        recs.append(Rec(WRITE, [mfn, 0, o | ln << 16 | res << 24,
                                0x44332211, 0x88776655 if ln > 4 else 0, o],
                        tag="%s.w%d" % (g, k)))
        if data:
            recs.append(Rec(DATA, data, tag="%s.d%d" % (g, k)))
    recs.append(Rec(DONE, [0, len(writes) if done_count is None
                           else done_count, writes[0][1] if writes else 0],
                    tag="%s.done" % g))
    return recs


def base():
    """The windows of base.trace (fresh objects each call)."""
    cfg = [Rec(RANGE_ADD, [0xfe100020, 0, 64, 0, 0x803], 1000, "cfg.add"),
           Rec(RO_PAGES, [0xfe200, 0, 0xfe200, 0], tag="cfg.pages")]
    g1 = group("g1", 1100, 0x08, [(0x08, 4, 0, None)])
    g2 = group("g2", 1200, 0x40, [(0x40, 16, 1, [0xaaaaaaaa, 0xbbbbbbbb]),
                                  (0x60, 4, 1, None)],
               insn=(0x0f, 0x11, 0x07))
    g3 = group("g3", 2000, 0x10, [(0x10, 4, 0, None)])
    other = [Rec(OTHER, [1, 2], 2050, "other")]
    g4 = group("g4", 2100, 0x18, [(0x18, 4, 0, None)])
    g5 = group("g5", 1300, 0x80, [(0x80, 4, 0, None)])
    return [Win(0, cfg + g1 + g2), Win(1, g3 + other + g4), Win(0, g5)]


def find(wins, tag):
    """(window index, record index) of the record tagged tag."""
    for i, w in enumerate(wins):
        for j, r in enumerate(w.recs):
            if r.tag == tag:
                return i, j
    raise KeyError(tag)


# ---------------------------------------------------------------------------
# The reference model
# ---------------------------------------------------------------------------

def model_read(d, name):
    """Model of trace/reader.c: returns (records, problems, stats).
    records: (offset, cpu, event, words, has_tsc, tsc). problems: the
    messages the import prints, as regular expressions, in order."""
    n, pos, in_win, cpu, win_end = len(d), 0, False, 0, 0
    recs, problems = [], []
    st = {"unused": 0, "skipped": 0, "resets": 0}
    clock = {}
    last_err, end_msg = None, None
    q = ere(name)

    def le(p):
        return struct.unpack_from("<I", d, p)[0]

    def plausible(p):
        return le(p) == MAGIC and le(p + 4) < MAX_CPUS and le(p + 8) % 4 == 0

    def resync(bad):
        """Position on the next plausible window header after bad, or at
        the end."""
        p = bad + 4
        while n - p >= 12:
            if plausible(p):
                st["skipped"] += p - bad
                return p
            p += 4
        st["skipped"] += n - bad
        return None

    while True:
        if not in_win:
            if n - pos < 12:
                if n - pos:
                    st["unused"] += n - pos
                    end_msg = ("%s: capture cut off inside a record at "
                               "offset %d; %d bytes unused" %
                               (q, pos, n - pos))
                break
            hdr, c, size = le(pos), le(pos + 4), le(pos + 8)
            if hdr != MAGIC:
                msg = "%s: offset %d: expected a window header" % (q, pos)
            elif c >= MAX_CPUS:
                msg = "%s: offset %d: window header names cpu %d" % (q, pos,
                                                                      c)
            elif size % 4:
                msg = ("%s: offset %d: window header counts %d bytes, not a "
                       "whole number" % (q, pos, size))
            else:
                pos += 12
                in_win, cpu, win_end = True, c, pos + size
                continue
            problems.append(msg)
            last_err = msg
            pos = resync(pos)
            if pos is None:
                break
            continue
        off = pos
        left = win_end - off
        if left == 0:
            in_win = False
            continue
        if n - pos < 4:
            st["unused"] += n - pos
            if n - pos:
                end_msg = ("%s: capture cut off inside a record at offset "
                           "%d; %d bytes unused" % (q, pos, n - pos))
            else:
                end_msg = ("%s: capture cut off inside the window of cpu %d "
                           "at offset %d \\(%d of its bytes missing\\)" %
                           (q, cpu, pos, left))
            break
        hdr = le(pos)
        if hdr == MAGIC:
            msg = ("%s: offset %d: window header inside the window of cpu "
                   "%d, %d bytes before its announced end" %
                   (q, off, cpu, left))
            problems.append(msg)
            last_err = msg
            in_win = False
            continue
        nw, has_tsc = (hdr >> 28) & 7, hdr >> 31
        size = 4 + 8 * has_tsc + 4 * nw
        if size > left:
            msg = ("%s: offset %d: record of %d bytes \\(header 0x%08x\\) "
                   "runs past the end of its window \\(%d bytes left\\)" %
                   (q, off, size, hdr, left))
            problems.append(msg)
            last_err = msg
            in_win = False
            pos = resync(off)
            if pos is None:
                break
            continue
        if n - pos < size:
            st["unused"] += n - pos
            end_msg = ("%s: capture cut off inside a record at offset %d; "
                       "%d bytes unused" % (q, pos, n - pos))
            break
        pos += size
        ev = hdr & 0x0fffffff
        if ev == WRAP:
            continue
        p = off + 4
        if has_tsc:
            tsc = le(p) | le(p + 4) << 32
            p += 8
            if cpu in clock and tsc < clock[cpu]:
                st["resets"] += 1
            clock[cpu] = tsc
        else:
            tsc = clock.get(cpu, 0)
        words = [le(p + 4 * i) for i in range(nw)]
        recs.append((off, cpu, ev, words, bool(has_tsc), tsc))
    if end_msg and end_msg != last_err:
        problems.append(end_msg)
    elif n == 0:
        problems.append("%s: offset 0: empty input" % q)
    return recs, problems, st


def model_assemble(recs, name):
    """Model of the group machine (trace-format.md 3.2, trace/assemble.c).
    Returns (counters, problems)."""
    c = dict(records=0, groups=0, incomplete=0, writes=0, orphans=0,
             stray=0, bad=0, lost=0, unknown=0)
    problems = []
    cpus = {}
    q = ere(name)

    def state(cpu):
        return cpus.setdefault(cpu, dict(open=False, lost=False, insn=False,
                                         nw=0, data=None))

    def emit(s, why):
        c["groups"] += 1
        c["writes"] += s["nw"]
        if s["lost"] or why != "complete":
            c["incomplete"] += 1
        s.update(open=False, lost=False, nw=0, data=None)

    for off, cpu, ev, words, has_tsc, tsc in recs:
        c["records"] += 1
        if ev in (CPU_CHANGE, WRAP):
            continue
        if ev == LOST:
            if words:
                c["lost"] += words[0]
            s = state(cpu)
            s["data"] = None
            if s["open"]:
                s["lost"] = True
            continue
        if ev not in WORDS:
            c["unknown"] += 1
            continue
        lo, hi = WORDS[ev]
        if not lo <= len(words) <= hi:
            c["bad"] += 1
            has = "%d" % lo if lo == hi else "%d to %d" % (lo, hi)
            problems.append("%s: offset %d: %s with %d words \\(it has %s\\)"
                            ": skipped" % (q, off, NAMES[ev], len(words),
                                           has))
            continue
        if ev in (RANGE_ADD, RANGE_STATE, RO_PAGES):
            continue
        s = state(cpu)
        if ev != DATA:
            s["data"] = None
        if ev == FAULT:
            if s["open"]:
                emit(s, "new_fault")
            s.update(open=True, lost=False, insn=False, nw=0)
        elif ev == INSN:
            if not s["open"] or s["insn"] or s["nw"]:
                c["stray"] += 1
            else:
                s["insn"] = True
        elif ev == WRITE:
            if not s["open"]:
                c["orphans"] += 1
                c["writes"] += 1
                s["data"] = "orphan"
            else:
                s["nw"] += 1
                s["data"] = "group"
        elif ev == DATA:
            if s["data"] is None:
                c["stray"] += 1
        elif ev == DONE:
            if not s["open"]:
                c["stray"] += 1
            else:
                emit(s, "complete" if words[1] == s["nw"] else "mismatch")
    for s in cpus.values():
        if s["open"]:
            emit(s, "eof")
    return c, problems


def expect(data, name):
    """Everything the manifest says about one input."""
    recs, rproblems, st = model_read(data, name)
    c, aproblems = model_assemble(recs, name)
    # The import reports problems in input order: the reader's as they
    # happen, the assembler's at their record; the end ones last.
    problems = sorted(rproblems + aproblems, key=lambda m: first_offset(m))
    c.update(unused=st["unused"], resets=st["resets"],
             problems=len(problems), exit=1 if problems else 0,
             first=problems[0] if problems else "")
    return c


def first_offset(msg):
    m = re.search(r"offset (\d+)", msg)
    return int(m.group(1)) if m else 1 << 62


# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------

CASES = []


def case(name, why):
    """Register a case: the function returns the bytes of the file."""
    def reg(fn):
        CASES.append((name, why, fn))
        return fn
    return reg


def cut_at(tag, delta=0):
    def fn():
        d, o = layout(base())
        return d[:o[tag] + delta]
    return fn


def base_bytes():
    return layout(base())[0]


# Files and whole-file damage.
case("base", "the intact capture")(base_bytes)
case("empty", "a zero-length file")(lambda: b"")
case("garbage-prefix-8", "8 bytes of junk before the first window: "
     "skipped to the first window header")(lambda: b"JUNKjunk" + base_bytes())
case("garbage-prefix-7", "7 bytes of junk: the windows are no longer "
     "4-byte aligned, so no window header is found (documented limit)")(
    lambda: b"JUNKjun" + base_bytes())
case("garbage-suffix", "junk after the last window")(
    lambda: base_bytes() + b"\xde\xad\xbe\xef" * 9)
case("text-file", "a text file given as a trace")(
    lambda: b"this is not a trace, it is a README\n" * 4)
case("only-window-header", "one window header announcing 64 bytes, "
     "nothing after it")(lambda: struct.pack("<III", MAGIC, 0, 64))
case("empty-windows", "empty windows only (xentrace writes them)")(
    lambda: struct.pack("<III", MAGIC, 0, 0) * 3)

# Cuts at every structural boundary.
for tag, delta, what in (
        ("W0", 6, "inside the first window header"),
        ("W0", 12, "right after the first window header"),
        ("cfg.add", 2, "inside a record header"),
        ("cfg.add", 7, "inside a TSC"),
        ("cfg.add", 20, "inside a payload"),
        ("g1.fault", 0, "between records, before a group"),
        ("g1.fault", 21, "inside the FAULT of a group"),
        ("g1.insn", 0, "inside a group, after its FAULT"),
        ("g1.done", 0, "inside a group, before its DONE"),
        ("g1.done", 8, "inside a DONE"),
        ("g2.d0", 0, "between a 16-byte WRITE and its DATA"),
        ("g2.d0", 6, "inside an SRO_DATA"),
        ("W1", 0, "between two windows"),
        ("W1", 8, "inside the second window header"),
        ("other", 10, "inside a record of another class"),
        ("end", -1, "one byte short of the end")):
    case("cut-%s%s" % (tag.replace(".", "-"),
                       "" if delta == 0 else "%+d" % delta),
         "cut " + what)(cut_at(tag, delta))


def mutate(fn):
    """A case from a function that changes the windows of base()."""
    def make():
        wins = base()
        fn(wins)
        return layout(wins)[0]
    return make


def patch(tag, off, value):
    """A case that overwrites the u32 at offset(tag) + off."""
    def make():
        d, o = layout(base())
        b = bytearray(d)
        struct.pack_into("<I", b, o[tag] + off, value)
        return bytes(b)
    return make


def flip(tag, off, bit):
    def make():
        d, o = layout(base())
        b = bytearray(d)
        b[o[tag] + off] ^= 1 << bit
        return bytes(b)
    return make


# Window headers.
case("window-size-past-end", "the last window announces 4096 bytes")(
    mutate(lambda w: setattr(w[2], "size", 4096)))
case("window-size-4gib", "the second window announces 0xfffffffc bytes: "
     "the next window header is found inside it")(
    mutate(lambda w: setattr(w[1], "size", 0xfffffffc)))
case("window-size-4gib-last", "the last window announces 0xfffffffc "
     "bytes")(mutate(lambda w: setattr(w[2], "size", 0xfffffffc)))
case("window-size-short", "the first window announces 8 bytes too few: "
     "its last record runs past its end")(
    mutate(lambda w: setattr(w[0], "size",
                             sum(len(r.bytes()) for r in w[0].recs) - 8)))
case("window-size-odd", "the second window's size is not whole words")(
    mutate(lambda w: setattr(w[1], "size",
                             sum(len(r.bytes()) for r in w[1].recs) + 2)))
case("window-cpu-too-big", "the second window names cpu 20000")(
    mutate(lambda w: setattr(w[1], "cpu", 20000)))
case("window-cpu-max", "a window of cpu 16383, the highest Xen allows")(
    mutate(lambda w: setattr(w[1], "cpu", 16383)))
case("window-magic-flipped", "a bit flip in the first window header's "
     "event id")(flip("W0", 1, 0))
case("window-count-flipped", "a bit flip in the second window header's "
     "word count")(flip("W1", 3, 4))
case("window-size-bitflip", "bit 30 of the last window's size flipped")(
    flip("W2", 11, 6))

# Record headers.
case("fault-words-flipped", "bit flip: G1's FAULT header says 6 words, "
     "so the reader loses its footing inside the window")(
    flip("g1.fault", 3, 4))
case("write-tsc-flipped", "bit flip: G3's WRITE header claims a TSC")(
    flip("g3.w0", 3, 7))
case("fault-event-flipped", "bit flip: G1's FAULT becomes event "
     "0x00804018 (ours, unknown): its INSN, WRITE and DONE are left "
     "outside any group")(flip("g1.fault", 0, 3))
case("insn-header-zeroed", "G4's INSN header is zero: a 4-byte record "
     "of event 0, then its payload read as records")(
    patch("g4.insn", 0, 0))

# Impossible word counts (records sized consistently).
for tag, n in (("g1.fault", 6), ("g3.insn", 3), ("g1.w0", 7),
               ("g3.done", 2), ("cfg.add", 4), ("cfg.pages", 7)):
    def shorten(w, tag=tag, n=n):
        i, j = find(w, tag)
        r = w[i].recs[j]
        r.words = (r.words + [0] * 7)[:n]
    case("words-%s-%d" % (tag.replace(".", "-"), n),
         "%s with %d words" % (tag, n))(mutate(shorten))


def data_words(w, n):
    i, j = find(w, "g2.d0")
    w[i].recs[j].words = [0x5a5a5a5a] * n


case("words-data-0", "an SRO_DATA with no word")(
    mutate(lambda w: data_words(w, 0)))

# TRC_LOST_RECORDS at every position of group G2.
for pos, after in enumerate(("cfg.pages", "g2.fault", "g2.insn", "g2.w0",
                             "g2.d0", "g2.w1", "g2.done")):
    def lose(w, after=after):
        i, j = find(w, after)
        # TSC: that of the record before it (no reset).
        tsc = 1000 if after == "cfg.pages" else 1200
        w[i].recs.insert(j + 1, Rec(LOST, [5, 1 << 16 | 2, tsc, 0], tsc,
                                    "lost"))
    case("lost-after-%s" % after.replace(".", "-"),
         "TRC_LOST_RECORDS (5 lost) right after %s" % after)(mutate(lose))

# Clocks.
case("tsc-backwards", "G4's FAULT carries a TSC below G3's on the same "
     "cpu (a TSC reset)")(
    mutate(lambda w: setattr(w[1].recs[find(w, "g4.fault")[1]], "tsc",
                             1500)))
case("fault-without-tsc", "G3's FAULT carries no TSC: it takes its cpu's "
     "last one (none yet: 0)")(
    mutate(lambda w: setattr(w[1].recs[find(w, "g3.fault")[1]], "tsc",
                             None)))

# SRO_DATA chains.
case("data-chain-missing", "G2's 16-byte WRITE without its SRO_DATA")(
    mutate(lambda w: w[0].recs.pop(find(w, "g2.d0")[1])))


def long_write(w):
    i, j = find(w, "g2.w0")
    r = w[i].recs[j]
    r.words[2] = 0x40 | 40 << 16 | 1 << 24
    w[i].recs[j + 1].words = [0x12345678] * 7


case("data-chain-short", "a 40-byte WRITE whose one SRO_DATA carries 28 "
     "of its 32 remaining bytes")(mutate(long_write))


def stray_data(w):
    i, j = find(w, "g1.insn")
    w[i].recs.insert(j + 1, Rec(DATA, [1, 2], tag="stray"))


case("data-stray", "an SRO_DATA between G1's INSN and WRITE")(
    mutate(stray_data))


def extra_data(w):
    i, j = find(w, "g2.d0")
    w[i].recs.insert(j + 1, Rec(DATA, [3, 4, 5], tag="extra"))


case("data-extra", "a second SRO_DATA after G2's complete chain")(
    mutate(extra_data))

# The group machine.
case("done-missing", "G1 has no SRO_DONE: G2's FAULT ends it")(
    mutate(lambda w: w[0].recs.pop(find(w, "g1.done")[1])))
case("done-miscounts", "G3's SRO_DONE counts 2 writes, 1 came")(
    mutate(lambda w: w[1].recs[find(w, "g3.done")[1]].words.__setitem__(
        1, 2)))
case("fault-missing", "G3 has no SRO_FAULT: its WRITE is an orphan, its "
     "INSN and DONE stray")(
    mutate(lambda w: w[1].recs.pop(find(w, "g3.fault")[1])))
case("insn-twice", "G4 carries its SRO_INSN twice")(
    mutate(lambda w: w[1].recs.insert(find(w, "g4.insn")[1],
                                      Rec(INSN, [2, 0x0789, 0, 0, 0, 0, 0]))))
case("unknown-ours-in-group", "event 0x0080401f (our class, no such "
     "event) inside G5")(
    mutate(lambda w: w[2].recs.insert(find(w, "g5.w0")[1],
                                      Rec(OURS_UNKNOWN, [1, 2, 3]))))
case("wrap-in-window", "a TRC_TRACE_WRAP_BUFFER padding record inside G3")(
    mutate(lambda w: w[1].recs.insert(find(w, "g3.insn")[1],
                                      Rec(WRAP, [0xdead] * 5, 7))))
case("groups-across-windows", "G2's DONE moved to a later window of the "
     "same cpu")(
    mutate(lambda w: w[2].recs.insert(0, w[0].recs.pop(
        find(w, "g2.done")[1]))))


def build():
    data, offs = layout(base())
    lines = ["# tests/corpus/MANIFEST - generated by make-corpus.py; do "
             "not edit.",
             "# One line per damaged trace, tab-separated: name, exit "
             "status of",
             "# `srotrace record --json`, then what its JSON line and the "
             "database",
             "# must hold: records groups incomplete writes orphans stray "
             "bad lost",
             "# unknown unused resets problems, then a regular expression "
             "(ERE) the",
             "# first diagnostic on stderr must match (empty: none). "
             "docs/hardening.md.",
             "#name\texit\trecords\tgroups\tincomplete\twrites\torphans\t"
             "stray\tbad\tlost\tunknown\tunused\tresets\tproblems\t"
             "stderr"]
    names = set()
    for name, why, fn in CASES:
        assert name not in names, name
        names.add(name)
        d = fn()
        fname = name + ".trace"
        with open(os.path.join(HERE, fname), "wb") as f:
            f.write(d)
        e = expect(d, fname)
        lines.append("\t".join([name] + [str(e[k]) for k in (
            "exit", "records", "groups", "incomplete", "writes", "orphans",
            "stray", "bad", "lost", "unknown", "unused", "resets",
            "problems")] + [e["first"]]))
    with open(os.path.join(HERE, "MANIFEST"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(HERE, "CASES"), "w") as f:
        f.write("# tests/corpus/CASES - what each damaged trace is; "
                "generated by make-corpus.py.\n")
        for name, why, fn in CASES:
            f.write("%-28s %s\n" % (name, why))
    print("%d cases, base.trace %d bytes" % (len(CASES), len(data)))


if __name__ == "__main__":
    if sys.argv[1:] == ["--layout"]:
        for k, v in sorted(layout(base())[1].items(), key=lambda kv: kv[1]):
            print("%6d  %s" % (v, k))
    else:
        build()
