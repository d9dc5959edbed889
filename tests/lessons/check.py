#!/usr/bin/env python3
"""tests/lessons/check.py — every lesson sample is a real run, re-checked.

  check.py check  [--layout L,...] [--stage NN] [FILE...]   TAP, one line a sample
  check.py update [--layout L,...] [--stage NN] [FILE...]   re-capture into the pages
  check.py capture --layout L ...    (inside a VM) print captures for `apply`
  check.py apply                     read captures on stdin, write the pages
  check.py selftest                  the checker's own tests (no root needed)

--layout auto (the default) is what this machine is: host and user on the
hybrid host, v2 or v1 in the VMs. The format of a sample: pages.py; what
must match: normalise.py; how it runs: session.py; docs/testing.md.
"""
import json
import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ left in the tree
from normalise import compare  # noqa: E402 (after the line above)
from pages import (ROOT, LAYOUTS, lesson_pages, read_samples, companion_results,
                   run_it_results, write_block, copy_to_companion)
from session import auto_layouts, push_pids, run_sample, skip_reason
from selftest import selftest_results


def selected(args):
    layouts = auto_layouts() if args.layout == "auto" else args.layout.split(",")
    for l in layouts:
        if l not in LAYOUTS:
            sys.exit("lessons: --layout %r: one of auto, %s (comma-separated)" % (l, ", ".join(LAYOUTS)))
    pages = lesson_pages(args.files)
    chosen, problems = [], []
    for page, zh in pages:
        samples, p = read_samples(page)
        problems += p
        for s in samples:
            if s.layout in layouts and (not args.stage or s.id.startswith(args.stage)):
                chosen.append(s)
    return layouts, pages, chosen, problems


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
        bad = compare(s.lines, actual, s.tolerance, s.unordered, s.vary)
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
    print("lessons: no English page has sample id=%s" % sample_id, file=sys.stderr)
    return False


def cmd_update(args):
    layouts, _, chosen, problems = selected(args)
    push_pids(layouts)
    for p in problems:
        print("lessons: " + p, file=sys.stderr)
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
            print("lessons: a capture line was cut (a kernel message in between?): rerun",
                  file=sys.stderr)
            ok = False
            continue
        ok = apply_capture(cap["id"], cap["block"]) and ok
    return 0 if ok else 1


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
