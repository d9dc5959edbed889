#!/usr/bin/env python3
"""tests/lessons.py — every lesson sample is a real run, re-checked.

A sample in a lesson page is a fenced block after one comment line:

    <!-- sample id=05-cpu-v2 layout=v2 tolerance=3 -->
    ```sh-session
    $ sudo ./05-cgroup-cpu/demo
    => cgroup layout: cgroup v2
    ...
    ```

Lines starting with "$ " are the commands (a trailing backslash continues
one onto the next line); the rest is what they printed, stdout and stderr
together. The layout says where it was captured: host (this hybrid
machine), v2 or v1 (the VMs of tests/vm/vm.sh), user (uid 1000, no
privilege).

  lessons.py check  [--layout L,...] [--stage NN] [FILE...]   TAP, one line a sample
  lessons.py update [--layout L,...] [--stage NN] [FILE...]   re-capture into the pages
  lessons.py capture --layout L ...    (inside a VM) print captures for `apply`
  lessons.py apply                     read captures on stdin, write the pages
  lessons.py selftest                  the checker's own tests (no root needed)

--layout auto (the default) is what this machine is: host and user on the
hybrid host, v2 or v1 in the VMs.

How a run is compared (normalise, then compare line by line):
  - whitespace runs count as one space, trailing blanks are dropped;
  - container ids (12 or 64 hex digits, keyed by their first 12), mktemp
    suffixes and integers of three digits or more (pids, inodes, byte
    counts) are renamed in order of first appearance: <id:a>, <n:b>, ...
    An honest rerun has other values in the same places and renames the
    same; a sample spliced from two runs, where one value became two (or
    two became one), does not;
  - System V IPC ids (msqid N) are renamed likewise, however small;
  - Docker's durations ("Less than a second", "3 seconds"), RFC 3339 times,
    decimals (seconds, sizes: 8.2M) and progress bars [###...] may differ;
  - "NN.N%" must be within the sample's tolerance (0 unless stated), and on
    a line with such a measurement the line's other numbers may differ;
  - everything else, small numbers included, must be equal;
  - a sample marked "unordered" (the output of two processes that narrate
    at once) must have the same lines, in any order.
A zh-CN companion (README.zh-CN.md beside README.md) must carry each sample
of the English page, comment and block byte for byte. And each stage demo
a "Run it" block shows must still accept the options shown (with --help
added: parsed, nothing run).
"""
import difflib
import glob
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYOUTS = ("host", "user", "v2", "v1")
COMMENT = re.compile(r"^<!-- sample (.*?)\s*-->\s*$")
TIMEOUT = int(os.environ.get("LESSON_TIMEOUT", "300"))
USER_UID = 1000
# Where the repository is checked out differs between machines (and the VMs
# show it in their mount table): samples show it as this.
REPO_SHOWN = "/path/to/mini-docker"


# ---------------------------------------------------------------- pages

class Sample:
    def __init__(self, path, comment_line, attrs, fence_start, fence_end, lines):
        self.path = path
        self.comment_line = comment_line      # index of the comment line
        self.attrs = attrs
        self.id = attrs.get("id", "")
        self.layout = attrs.get("layout", "")
        self.tolerance = float(attrs.get("tolerance", "0"))
        self.unordered = "unordered" in attrs
        self.fence_start = fence_start        # index of the opening ``` line
        self.fence_end = fence_end            # index of the closing ``` line
        self.lines = lines                    # the block's lines, no newline

    def commands(self):
        """The commands, continuation lines joined as bash would read them."""
        cmds, cur = [], None
        for line in self.lines:
            if cur is not None:
                cur.append(line)
                if not line.endswith("\\"):
                    cmds.append("\n".join(cur))
                    cur = None
            elif line.startswith("$ "):
                if line.endswith("\\"):
                    cur = [line[2:]]
                else:
                    cmds.append(line[2:])
        if cur is not None:
            cmds.append("\n".join(cur))
        return cmds


def parse_attrs(text):
    attrs = {}
    for word in text.split():
        key, _, value = word.partition("=")
        attrs[key] = value
    return attrs


def read_samples(path):
    """Every sample of a page, and the problems of its markup."""
    with open(path, encoding="utf-8") as f:
        text = f.read().split("\n")
    samples, problems = [], []
    i = 0
    while i < len(text):
        m = COMMENT.match(text[i])
        if not m:
            i += 1
            continue
        attrs = parse_attrs(m.group(1))
        where = "%s:%d" % (os.path.relpath(path, ROOT), i + 1)
        if i + 1 >= len(text) or not text[i + 1].startswith("```"):
            problems.append(where + ": a sample comment must be followed by a ``` block")
            i += 1
            continue
        end = i + 2
        while end < len(text) and not text[end].startswith("```"):
            end += 1
        if end >= len(text):
            problems.append(where + ": the block is never closed")
            break
        s = Sample(path, i, attrs, i + 1, end, text[i + 2:end])
        if not s.id:
            problems.append(where + ": no id=")
        elif s.layout not in LAYOUTS:
            problems.append(where + ": layout=%r is not one of %s" % (s.layout, ", ".join(LAYOUTS)))
        elif not s.commands():
            problems.append(where + ": no \"$ \" command line in sample " + s.id)
        else:
            samples.append(s)
        i = end + 1
    return samples, problems


def lesson_pages(only=None):
    """English lesson pages, each with its zh-CN companion (or None)."""
    if only:
        pages = [os.path.abspath(p) for p in only]
    else:
        pages = sorted(set(glob.glob(os.path.join(ROOT, "[0-9][0-9]-*/README.md")) +
                           glob.glob(os.path.join(ROOT, "08-mini-docker/*.md"))))
        pages = [p for p in pages if not p.endswith(".zh-CN.md")]
    out = []
    for p in pages:
        zh = p[:-3] + ".zh-CN.md"
        out.append((p, zh if os.path.exists(zh) else None))
    return out


# ------------------------------------------------------------ normalise

HEX_ID = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-f]{64}|[0-9a-f]{12})(?![0-9A-Za-z])")
MKTEMP = re.compile(r"(/tmp/[A-Za-z0-9_.-]*?[.-])([A-Za-z0-9]{6})(?=[/\s,:'\"]|$)")
DURATION = re.compile(r"\b(?:Less than a second|About a minute|About an hour|"
                      r"\d+ (?:second|minute|hour|day|week|month|year)s?)\b")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
BAR = re.compile(r"\[[#.]+\]")
# ids the kernel hands out from a counter, however small: System V IPC ids
IPC_ID = re.compile(r"(msqid |msgget\(0x[0-9a-f]+\) = )(\d+)")
NUMBER = re.compile(r"(?<![0-9A-Za-z<:])(\d+\.\d+%|\d+%|\d+\.\d+|\d+)(?![0-9])")


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


def normalise(lines):
    """[(skeleton, [percentages])] for a block's lines (commands included)."""
    ids, tmps, nums = Renamer("id"), Renamer("tmp"), Renamer("n")
    out = []
    for line in lines:
        line = line.rstrip()
        line = HEX_ID.sub(lambda m: ids(m.group(0)[:12]), line)
        line = MKTEMP.sub(lambda m: m.group(1) + tmps(m.group(2)), line)
        line = DURATION.sub("<duration>", line)
        line = RFC3339.sub("<time>", line)
        line = BAR.sub("[bar]", line)
        line = IPC_ID.sub(lambda m: m.group(1) + nums("ipc" + m.group(2)), line)
        measured = "%" in line and bool(re.search(r"\d%", line)) and not line.startswith("$ ")
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


def compare(expected, actual, tolerance, unordered=False):
    """None when they agree, else a list of '# ' diagnostic lines."""
    e, a = normalise(expected), normalise(actual)
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


# ------------------------------------------------------------------ run

def is_root():
    return os.geteuid() == 0


def mini_docker_ids():
    md = os.path.join(ROOT, "08-mini-docker/mini-docker")
    if not (is_root() and os.access(md, os.X_OK)):
        return set()
    r = subprocess.run([md, "ps", "-aq", "--no-trunc"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        r = subprocess.run([md, "ps", "-aq"], cwd=ROOT, capture_output=True, text=True)
    return set(r.stdout.split())


def run_sample(sample):
    """Run the sample's commands as one shell session; the block it makes."""
    nonce = secrets.token_hex(8)
    mark = "__lesson_%s_" % nonce
    cmds = sample.commands()
    script = ["exec 2>&1 </dev/null", "cd %s" % shlex.quote(ROOT)]
    if is_root() and sample.layout != "user":
        # The student types sudo; as root it is only in the way.
        script.append('sudo() { "$@"; }')
    for i, c in enumerate(cmds):
        script.append("printf '%%s\\n' '%s%d'" % (mark, i))
        script.append(c)
    script.append("printf '%%s\\n' '%s%d'" % (mark, len(cmds)))
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    env.pop("MINI_DOCKER_VERBOSE", None)
    argv = ["bash", "--norc", "--noprofile"]
    tmp = None
    if sample.layout == "user" and is_root():
        # an ordinary user, as a student would be: no passwd entry needed
        tmp = tempfile.mkdtemp(prefix="mini-docker-lesson-")
        os.chown(tmp, USER_UID, USER_UID)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": tmp, "LC_ALL": "C.UTF-8",
               "LANG": "C.UTF-8", "TERM": "dumb"}
        argv = ["setpriv", "--reuid=%d" % USER_UID, "--regid=%d" % USER_UID,
                "--clear-groups", "--"] + argv
    before = mini_docker_ids()
    with tempfile.NamedTemporaryFile("w", prefix="mini-docker-lesson-", suffix=".sh",
                                     delete=False) as f:
        f.write("\n".join(script) + "\n")
    os.chmod(f.name, 0o644)
    proc = subprocess.Popen(argv + [f.name], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        raw, _ = proc.communicate(timeout=TIMEOUT)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raw, _ = proc.communicate()
        timed_out = True
    finally:
        os.unlink(f.name)
        if tmp:
            subprocess.run(["rm", "-rf", tmp])
    # whatever a failed sample left in the store goes (only what it made)
    left = mini_docker_ids() - before
    if left:
        subprocess.run([os.path.join(ROOT, "08-mini-docker/mini-docker"), "rm", "-f"] + sorted(left),
                       cwd=ROOT, capture_output=True)
    text = raw.decode("utf-8", "replace").replace("\r", "").replace(ROOT, REPO_SHOWN)
    parts = re.split(r"^%s(\d+)\n" % re.escape(mark), text, flags=re.M)
    block = []
    outputs = {}
    for k in range(1, len(parts) - 1, 2):
        outputs[int(parts[k])] = parts[k + 1]
    for i, c in enumerate(cmds):
        for n, line in enumerate(c.split("\n")):
            block.append(("$ " if n == 0 else "") + line)
        out = outputs.get(i, "").split("\n")
        if out and out[-1] == "":
            out.pop()
        block.extend(l.rstrip() for l in out)
    if timed_out:
        block.append("(timed out after %d s)" % TIMEOUT)
    elif len(cmds) not in outputs:
        block.append("(the session ended before its last command finished)")
    return block


# ---------------------------------------------------------------- modes

def push_pids(layouts):
    """A freshly booted VM hands out two-digit pids, which would be compared
    as small numbers: start its counter at 10000 (VM layouts, as root, and
    only while the pids are still that low: nothing a real host notices)."""
    if is_root() and set(layouts) & {"v2", "v1"} and os.getpid() < 1000:
        try:
            with open("/proc/sys/kernel/ns_last_pid", "w") as f:
                f.write("10000")
        except OSError:
            pass


def auto_layouts():
    def fstype(p):
        r = subprocess.run(["stat", "-f", "-c", "%T", p], capture_output=True, text=True)
        return r.stdout.strip()
    if fstype("/sys/fs/cgroup") == "cgroup2fs":
        return ["v2"]
    if fstype("/sys/fs/cgroup/unified") == "cgroup2fs":
        return ["host", "user"]
    return ["v1"]


def selected(args):
    layouts = auto_layouts() if args.layout == "auto" else args.layout.split(",")
    for l in layouts:
        if l not in LAYOUTS:
            sys.exit("lessons.py: --layout %r: one of auto, %s (comma-separated)" % (l, ", ".join(LAYOUTS)))
    pages = lesson_pages(args.files)
    chosen, problems = [], []
    for page, zh in pages:
        samples, p = read_samples(page)
        problems += p
        for s in samples:
            if s.layout in layouts and (not args.stage or s.id.startswith(args.stage)):
                chosen.append(s)
    return layouts, pages, chosen, problems


def companion_results(pages, stage):
    """(description, problems) for every English sample of a page that has a companion."""
    results = []
    seen = {}
    for page, zh in pages:
        samples, _ = read_samples(page)
        for s in samples:
            if s.id in seen:
                results.append(("lesson %s unique id" % s.id,
                                ["# also in %s" % os.path.relpath(seen[s.id], ROOT)]))
            seen[s.id] = page
        if not zh:
            continue
        with open(zh, encoding="utf-8") as f:
            zl = f.read().split("\n")
        zsamples = {x.id: x for x in read_samples(zh)[0]}
        with open(page, encoding="utf-8") as f:
            el = f.read().split("\n")
        for s in samples:
            if stage and not s.id.startswith(stage):
                continue
            desc = "lesson %s zh-CN block identical" % s.id
            z = zsamples.get(s.id)
            if not z:
                results.append((desc, ["# %s has no sample id=%s" % (os.path.relpath(zh, ROOT), s.id)]))
                continue
            eb = el[s.comment_line:s.fence_end + 1]
            zb = zl[z.comment_line:z.fence_end + 1]
            if eb == zb:
                results.append((desc, None))
            else:
                results.append((desc, ["# " + d for d in difflib.unified_diff(
                    eb, zb, os.path.relpath(page, ROOT), os.path.relpath(zh, ROOT), lineterm="")]))
    return results


RUN_IT_DEMO = re.compile(r"^(?:sudo )?\./(0[1-7]-[a-z-]+/demo)((?: +[^ #]+)*)")


def run_it_results(pages, stage):
    """Each stage demo a "Run it" block shows must still take those options:
    the same command with --help added parses them all, then prints the usage
    (nothing runs, no root needed). The samples run the commands for real."""
    results = []
    for page, _ in pages:
        with open(page, encoding="utf-8") as f:
            text = f.read().split("\n")
        if "## Run it" not in text:
            continue
        i = text.index("## Run it") + 1
        while i < len(text) and not text[i].startswith("```"):
            i += 1
        for line in text[i + 1:]:
            if line.startswith("```"):
                break
            m = RUN_IT_DEMO.match(line.strip())
            if not m or (stage and not m.group(1).startswith(stage)):
                continue
            argv = ["./" + m.group(1)] + m.group(2).split() + ["--help"]
            r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=20,
                               stdin=subprocess.DEVNULL)
            desc = "lesson %s \"Run it\": %s" % (os.path.relpath(page, ROOT), line.split("  #")[0].strip())
            ok = r.returncode == 0 and "usage" in (r.stdout + r.stderr)
            results.append((desc, None if ok else
                            ["# %s exited %d: %s" % (" ".join(argv), r.returncode,
                                                     (r.stderr or r.stdout).strip()[:300])]))
    return results


def skip_reason(s):
    if s.layout in ("host", "v2", "v1") and not is_root():
        return "needs root: run 'sudo make lessons'"
    if s.layout == "user" and is_root() and not shutil_which("setpriv"):
        return "needs setpriv (util-linux) to become uid %d" % USER_UID
    return None


def shutil_which(name):
    import shutil
    return shutil.which(name)


def cmd_check(args):
    layouts, pages, chosen, problems = selected(args)
    comp = (companion_results(pages, args.stage) + run_it_results(pages, args.stage)
            if "host" in layouts else [])
    own = selftest_results() if args.selftest else []
    print("1..%d" % (len(own) + len(chosen) + len(comp) + len(problems)))
    failed = sum(1 for r in own if not r.startswith("ok"))
    if own:
        print("\n".join(own))
    push_pids(layouts)
    for p in problems:
        print("not ok - lesson markup: " + p)
        failed += 1
    for desc, diag in comp:
        if diag is None:
            print("ok - " + desc)
        else:
            print("not ok - " + desc)
            print("\n".join(diag[:60]))
            failed += 1
    for s in chosen:
        why = "--no-run: markup, companions and Run it only" if args.no_run else skip_reason(s)
        if why:
            print("skip - lesson %s (%s)" % (s.id, why))
            continue
        sys.stdout.flush()
        actual = run_sample(s)
        bad = compare(s.lines, actual, s.tolerance, s.unordered)
        if bad is None:
            print("ok - lesson %s" % s.id)
        else:
            failed += 1
            print("not ok - lesson %s (%s:%d, layout %s; make lessons-update re-captures it)"
                  % (s.id, os.path.relpath(s.path, ROOT), s.fence_start + 1, s.layout))
            for d in bad[:80]:
                print("# " + d)
            print("# this run, as it printed:")
            for line in actual[:80]:
                print("#   " + line)
        sys.stdout.flush()
    return 1 if failed else 0


def write_block(path, sample_id, block):
    """Put BLOCK in place of sample SAMPLE_ID's lines in PATH; False if absent."""
    with open(path, encoding="utf-8") as f:
        text = f.read().split("\n")
    for s in read_samples(path)[0]:
        if s.id == sample_id:
            text[s.fence_start + 1:s.fence_end] = block
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(text))
            return True
    return False


def copy_to_companion(page, zh, sample_id):
    """The companion's block (comment included) becomes the English one."""
    en = {s.id: s for s in read_samples(page)[0]}[sample_id]
    with open(page, encoding="utf-8") as f:
        eb = f.read().split("\n")[en.comment_line:en.fence_end + 1]
    with open(zh, encoding="utf-8") as f:
        text = f.read().split("\n")
    for z in read_samples(zh)[0]:
        if z.id == sample_id:
            text[z.comment_line:z.fence_end + 1] = eb
            with open(zh, "w", encoding="utf-8") as f:
                f.write("\n".join(text))
            return True
    return False


def apply_capture(sample_id, block):
    for page, zh in lesson_pages():
        if write_block(page, sample_id, block):
            msg = "updated %s in %s" % (sample_id, os.path.relpath(page, ROOT))
            if zh:
                if copy_to_companion(page, zh, sample_id):
                    msg += " and its zh-CN companion"
                else:
                    msg += "; %s has no sample id=%s: add the comment there" % (
                        os.path.relpath(zh, ROOT), sample_id)
            print(msg)
            return True
    print("lessons.py: no English page has sample id=%s" % sample_id, file=sys.stderr)
    return False


def cmd_update(args):
    layouts, _, chosen, problems = selected(args)
    push_pids(layouts)
    for p in problems:
        print("lessons.py: " + p, file=sys.stderr)
    for s in chosen:
        why = skip_reason(s)
        if why:
            print("skipped %s: %s" % (s.id, why))
            continue
        apply_capture(s.id, run_sample(s))
    return 1 if problems else 0


def cmd_capture(args):
    """Inside a VM: the captures go back on stdout (the VM's files vanish)."""
    layouts, _, chosen, _ = selected(args)
    push_pids(layouts)
    for s in chosen:
        block = run_sample(s)
        print("LESSONCAPTURE " + json.dumps({"id": s.id, "block": block}), flush=True)
    return 0


def cmd_apply(_args):
    ok = True
    for line in sys.stdin:
        i = line.find("LESSONCAPTURE ")
        if i < 0:
            continue
        try:
            cap = json.loads(line[i + len("LESSONCAPTURE "):])
        except ValueError:
            print("lessons.py: a capture line was cut (a kernel message in between?): rerun",
                  file=sys.stderr)
            ok = False
            continue
        ok = apply_capture(cap["id"], cap["block"]) and ok
    return 0 if ok else 1


# ------------------------------------------------------------- selftest

def selftest_results():
    """The checker checks itself: honest variations pass, drift fails."""
    results = []

    def t(desc, cond):
        results.append(("ok - " if cond else "not ok - ") + "lessons.py selftest: " + desc)

    sample = """$ sudo ./01-uts/demo
=> host: pid 7443, hostname "vm", uts:[4026531838]
=> cloning a child with CLONE_NEWUTS ... done (child pid 7444)
  child    7444     container          uts:[4026532177]
=> host and child namespaces: inode 4026531838 vs 4026532177: different namespaces
=> child exited 0""".split("\n")
    rerun = """$ sudo ./01-uts/demo
=> host: pid 912, hostname "vm", uts:[4026531838]
=> cloning a child with CLONE_NEWUTS ... done (child pid 913)
  child      913     container          uts:[4026532299]
=> host and child namespaces: inode 4026531838 vs 4026532299: different namespaces
=> child exited 0""".split("\n")
    t("an honest rerun (other pids, inode, column widths) passes", compare(sample, rerun, 0) is None)
    spliced = list(rerun)
    spliced[3] = "  child      914     container          uts:[4026532299]"
    t("a pid spliced from another run fails", compare(sample, spliced, 0) is not None)
    t("a sample whose two inodes should be one fails",
      compare([l.replace("inode 4026531838 vs 4026532177", "inode 4026531838 vs 4026532178")
               for l in sample], rerun, 0) is not None)
    t("a changed small number (exit status) fails",
      compare(sample, rerun[:-1] + ["=> child exited 1"], 0) is not None)
    t("a missing line fails", compare(sample, rerun[:-1], 0) is not None)
    t("a reworded line fails",
      compare(sample, [l.replace("different", "distinct") for l in rerun], 0) is not None)
    t("another command fails",
      compare(sample, ["$ sudo ./01-uts/demo --hostname x"] + rerun[1:], 0) is not None)

    lc = """$ sudo $M run -d --name web busybox sleep 1000
83d4ea5d49558fd4aa4345c96b80bd36c3205c4e74f568e04b76cc4eaa8208fb
$ sudo $M ps
CONTAINER ID   NAME   STATUS                  PID
83d4ea5d4955   web    Up Less than a second   21149""".split("\n")
    lc_rerun = """$ sudo $M run -d --name web busybox sleep 1000
0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c
$ sudo $M ps
CONTAINER ID   NAME   STATUS          PID
0b1c2d3e4f5a   web    Up 2 seconds    30001""".split("\n")
    t("ids and durations of an honest rerun pass", compare(lc, lc_rerun, 0) is None)
    t("an id that should be the run's own but is another (a splice) fails",
      compare(lc[:4] + ["ceba89476dd8   web    Up Less than a second   21149"], lc_rerun, 0) is not None)

    two = ["$ sudo ./08-mini-docker/demo", "=> init pid 4242 on the host", "=> mounts private", "=> exec sh"]
    two_swapped = ["$ sudo ./08-mini-docker/demo", "=> mounts private", "=> init pid 5151 on the host", "=> exec sh"]
    t("unordered: the same lines in another order pass", compare(two, two_swapped, 0, True) is None)
    t("unordered: a changed line still fails",
      compare(two, two_swapped[:3] + ["=> exec bash"], 0, True) is not None)
    t("ordered: the same lines in another order fail", compare(two, two_swapped, 0) is not None)

    cpu = ["$ sudo ./05-cgroup-cpu/demo",
           "  t= 1.0s  [####################]  100.3%   nr_throttled 0 (+0)  throttled 0.00s",
           "  t= 6.1s  [##########..........]   50.3%   nr_throttled 30 (+10)  throttled 1.48s",
           "=> unlimited 100.0%, then target 50.0%, measured 50.3%"]
    cpu2 = ["$ sudo ./05-cgroup-cpu/demo",
            "  t= 1.0s  [###################.]   99.1%   nr_throttled 0 (+0)  throttled 0.00s",
            "  t= 6.0s  [##########..........]   49.2%   nr_throttled 29 (+9)  throttled 1.50s",
            "=> unlimited 99.1%, then target 50.0%, measured 49.2%"]
    t("measurements within the tolerance pass", compare(cpu, cpu2, 3) is None)
    t("measurements outside the tolerance fail",
      compare(cpu, [l.replace("49.2%", "40.2%") for l in cpu2], 3) is not None)
    t("measurements without a tolerance must be equal", compare(cpu, cpu2, 0) is not None)
    t("a different number of samples (3 s phases vs 5 s) fails", compare(cpu + cpu[1:2], cpu2, 3) is not None)

    # end to end: a page with a sample, run for real, and a companion
    with tempfile.TemporaryDirectory() as d:
        page = os.path.join(d, "README.md")
        zh = os.path.join(d, "README.zh-CN.md")
        good = ["<!-- sample id=selftest-echo layout=%s -->" % ("user" if is_root() else "host"),
                "```sh-session", "$ x=41; echo $((x + 1)) $$ > /dev/null; echo $((x + 1))", "42",
                "$ echo \"still $x\"", "still 41", "```"]
        with open(page, "w") as f:
            f.write("# page\n" + "\n".join(good) + "\n")
        with open(zh, "w") as f:
            f.write("# 页\n" + "\n".join(good) + "\n")
        s = read_samples(page)[0][0]
        if s.layout == "user" and not shutil_which("setpriv"):
            s.layout = "host"
        got = run_sample(s)
        t("a real run of a page's sample, one session, matches it", compare(s.lines, got, 0) is None)
        edited = list(s.lines)
        edited[3] = "still 42"
        t("the same sample hand-edited fails against a real run", compare(edited, got, 0) is not None)
        comp = companion_results([(page, zh)], None)
        t("an identical companion passes", comp and comp[0][1] is None)
        with open(zh, "w") as f:
            f.write("# 页\n" + "\n".join(good).replace("still 41", "still 40") + "\n")
        comp = companion_results([(page, zh)], None)
        t("a companion whose block differs fails", comp and comp[0][1] is not None)
        write_block(page, "selftest-echo", got)
        copy_to_companion(page, zh, "selftest-echo")
        comp = companion_results([(page, zh)], None)
        t("update writes the run into the page and the companion", comp and comp[0][1] is None)
        if os.access(os.path.join(ROOT, "05-cgroup-cpu/demo"), os.X_OK):
            with open(page, "w") as f:
                f.write("## Run it\n```sh\nsudo ./05-cgroup-cpu/demo --cpus 0.2   # ok\n"
                        "sudo ./05-cgroup-cpu/demo --no-such-option\n```\n")
            r = run_it_results([(page, None)], None)
            t("a \"Run it\" command whose option is gone fails, the others pass",
              len(r) == 2 and r[0][1] is None and r[1][1] is not None)
        with open(page, "w") as f:
            f.write("<!-- sample id=x layout=moon -->\n```\n$ true\n```\n")
        t("a bad layout is reported", bool(read_samples(page)[1]))

    return results


def cmd_selftest(_args):
    results = selftest_results()
    print("1..%d" % len(results))
    print("\n".join(results))
    return 0 if all(r.startswith("ok") for r in results) else 1


def main():
    import argparse
    ap = argparse.ArgumentParser(description="check lesson samples against real runs")
    ap.add_argument("mode", choices=["check", "update", "capture", "apply", "selftest"])
    ap.add_argument("--layout", default="auto")
    ap.add_argument("--stage", default=None, help="only samples whose id starts with this (01..08)")
    ap.add_argument("--selftest", action="store_true", help="check: the checker's own tests first")
    ap.add_argument("--no-run", action="store_true", help="check: run no sample (markup, companions, Run it)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_intermixed_args()
    return {"check": cmd_check, "update": cmd_update, "capture": cmd_capture,
            "apply": cmd_apply, "selftest": cmd_selftest}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
