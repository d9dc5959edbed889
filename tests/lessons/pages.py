"""tests/lessons/pages.py — lesson pages and the samples in them.

A sample is a fenced block after one comment line:

    <!-- sample id=05-cpu-v2 layout=v2 tolerance=5 -->
    ```sh-session
    $ sudo ./05-cgroup-cpu/demo
    => cgroup layout: cgroup v2
    ...
    ```

Lines starting with "$ " are the commands (a trailing backslash continues
one onto the next line); the rest is what they printed, stdout and stderr
together. The layout says where it was captured: host (this hybrid
machine), v2 or v1 (the VMs of tests/vm/vm.sh), user (uid 1000, no
privilege). Optional: tolerance=N (percentages), unordered (two processes
narrate at once: the same lines in any order), vary=REGEX (on lines it
matches, the numbers are counters the kernel keeps for the whole machine,
such as num_cgroups, and may differ; no spaces in REGEX). A zh-CN companion
(README.zh-CN.md beside README.md) carries each sample of the English page,
comment and block byte for byte; and each stage demo a "Run it" block shows
must still take the options shown.
"""
import difflib
import glob
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYOUTS = ("host", "user", "v2", "v1")
COMMENT = re.compile(r"^<!-- sample (.*?)\s*-->\s*$")

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
        self.vary = re.compile(attrs["vary"]) if attrs.get("vary") else None
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


