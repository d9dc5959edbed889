"""tests/lessons/normalise.py — what of a run must match its sample.

Normalise, then compare line by line:
  - whitespace runs count as one space, trailing blanks are dropped;
  - container ids (12 or 64 hex digits, keyed by their first 12; also in a
    veth's name, md<12 hex>), mktemp
    suffixes and integers of three digits or more (pids, inodes, byte
    counts) are renamed in order of first appearance: <id:a>, <n:b>, ...
    An honest rerun has other values in the same places and renames the
    same; a sample spliced from two runs, where one value became two (or
    two became one), does not;
  - System V IPC ids (msqid N) are renamed likewise, however small;
  - random MAC addresses (a veth's) may differ;
  - Docker's durations ("Less than a second", "3 seconds"), RFC 3339 times,
    decimals (seconds, sizes: 8.2M) and progress bars [###...] may differ;
  - "NN.N%" must be within the sample's tolerance (0 unless stated), and on
    a line with such a measurement the line's other numbers may differ;
  - on a line the sample's vary= pattern matches (a machine-wide counter,
    such as /proc/cgroups' num_cgroups), numbers may differ;
  - everything else, small numbers included, must be equal;
  - a sample marked "unordered" (the output of two processes that narrate
"""
import difflib
import re

# a veth's MAC address is random (00:00:00:00:00:00, lo's, stays as it is)
MAC = re.compile(r"(?<![0-9A-Za-z:])(?!(?:00:){5}00)(?:[0-9a-f]{2}:){5}[0-9a-f]{2}(?![0-9A-Za-z:])")
# a container's host-side veth is named md + its id's first 12 hex digits
VETH = re.compile(r"(?<![0-9A-Za-z])md([0-9a-f]{12})(?![0-9A-Za-z])")
HEX_ID = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-f]{64}|[0-9a-f]{12})(?![0-9A-Za-z])")
MKTEMP = re.compile(r"(/tmp/[A-Za-z0-9_.-]*?[.-])([A-Za-z0-9]{6})(?=[/\s,:'\"]|$)")
DURATION = re.compile(r"\b(?:Less than a second|About a minute|About an hour|"
                      r"\d+ (?:second|minute|hour|day|week|month|year)s?)\b")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
BAR = re.compile(r"\[[#.]+\]")
# ids the kernel hands out from a counter, however small: System V IPC ids
IPC_ID = re.compile(r"(msqid |msgget\(0x[0-9a-f]+\) = )(\d+)")
# a whole number: never the digits after a decimal point ("0m3.008s": 3.008)
NUMBER = re.compile(r"(?<![0-9.])(\d+\.\d+%|\d+%|\d+\.\d+|\d+)(?![0-9])")


def letters(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(ord("a") + r) + s
    return s


class Renamer:
    """Gives each distinct value a name, in order of first appearance."""
    def __init__(self, kind):
        self.kind, self.names = kind, {}

    def __call__(self, key):
        if key not in self.names:
            self.names[key] = "<%s:%s>" % (self.kind, letters(len(self.names)))
        return self.names[key]


def normalise(lines, vary=None):
    """[(skeleton, [percentages])] for a block's lines (commands included)."""
    ids, tmps, nums = Renamer("id"), Renamer("tmp"), Renamer("n")
    out = []
    for line in lines:
        line = line.rstrip()
        line = MAC.sub("<mac>", line)
        line = VETH.sub(lambda m: "md" + ids(m.group(1)), line)
        line = HEX_ID.sub(lambda m: ids(m.group(0)[:12]), line)
        line = MKTEMP.sub(lambda m: m.group(1) + tmps(m.group(2)), line)
        line = DURATION.sub("<duration>", line)
        line = RFC3339.sub("<time>", line)
        line = BAR.sub("[bar]", line)
        line = IPC_ID.sub(lambda m: m.group(1) + nums("ipc" + m.group(2)), line)
        measured = "%" in line and bool(re.search(r"\d%", line)) and not line.startswith("$ ")
        measured = measured or bool(vary and not line.startswith("$ ") and vary.search(line))
        pcts = []

        def number(m):
            tok = m.group(1)
            if tok.endswith("%"):
                pcts.append(float(tok[:-1]))
                return "<pct>"
            if "." in tok:
                return "<dec>"
            if measured:
                return "<any>"
            if len(tok) >= 3:
                return nums(tok)
            return tok
        if not line.startswith("$ "):
            line = NUMBER.sub(number, line)
        out.append((" ".join(line.split()), pcts))
    while out and out[-1][0] == "":
        out.pop()
    return out


def compare(expected, actual, tolerance, unordered=False, vary=None):
    """None when they agree, else a list of '# ' diagnostic lines."""
    e, a = normalise(expected, vary), normalise(actual, vary)
    if unordered:   # two processes narrating at once: same lines, any order
        e, a = sorted(e), sorted(a)
    es, as_ = [x[0] for x in e], [x[0] for x in a]
    if es != as_:
        diff = difflib.unified_diff(es, as_, "sample (normalised)", "this run (normalised)",
                                    lineterm="", n=2)
        return list(diff)
    bad = []
    for n, ((line, ep), (_, ap)) in enumerate(zip(e, a), 1):
        for x, y in zip(ep, ap):
            if abs(x - y) > tolerance + 1e-9:
                bad.append("line %d: %.1f%% in the sample, %.1f%% now (tolerance %g): %s"
                           % (n, x, y, tolerance, line))
    return bad or None


