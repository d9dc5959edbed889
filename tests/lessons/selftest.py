"""tests/lessons/selftest.py — the checker checks itself: honest variations
of a run pass, drift of any kind fails (a spliced pid or id, a hand-edited
line, a missing line, another command, a percentage outside its tolerance,
a companion that drifted, a "Run it" option that is gone)."""
import os
import re
import shutil
import tempfile

from normalise import compare
from pages import ROOT, read_samples, companion_results, run_it_results, write_block, copy_to_companion
from session import is_root, run_sample


def selftest_results():
    """The checker checks itself: honest variations pass, drift fails."""
    results = []

    def t(desc, cond):
        results.append(("ok - " if cond else "not ok - ") + "lessons selftest: " + desc)

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

    timed = ["$ time sleep 3", "", "real\t0m3.008s", "user\t0m0.007s", "sys\t0m0.000s"]
    t("times (decimals) of an honest rerun pass, however their digits coincide",
      compare(timed, ["$ time sleep 3", "", "real\t0m3.008s", "user\t0m0.008s", "sys\t0m0.000s"], 0) is None)
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
    veth = ["$ ip -br link show master mini0", "md72e7d64cd8ee@if2 UP c2:52:7f:86:8d:6c", "$ echo 8080"]
    veth2 = ["$ ip -br link show master mini0", "md24f6a50d3311@if2 UP ee:00:a5:48:e5:75", "$ echo 8080"]
    t("a veth named after another container id passes", compare(veth, veth2, 0) is None)
    cg = ["$ sudo ./05-cgroup-cpu/demo --controllers", "   memory   4   88   1", "   pids   8   1   1"]
    cg2 = ["$ sudo ./05-cgroup-cpu/demo --controllers", "   memory   4   91   1", "   pids   8   1   1"]
    vary = re.compile(r"^\s+\w+\s+\d+\s+\d+\s+\d+$")
    t("vary=: a machine-wide counter on the lines it matches may differ", compare(cg, cg2, 0, vary=vary) is None)
    t("without vary= the same counter must be equal", compare(cg, cg2, 0) is not None)
    t("vary= does not excuse a line that changed otherwise",
      compare(cg, cg2[:2] + ["   pids   8   1   0   extra"], 0, vary=vary) is not None)

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
        if s.layout == "user" and not shutil.which("setpriv"):
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


