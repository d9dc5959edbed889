#!/usr/bin/env python3
"""tests/lessons/names.py — do the lessons name the code as it is?

Every backticked `file.c` (or .h) in a lesson page must be a file of the
tree, every backticked `function_name` (a lowercase name with an
underscore, optionally with "()") must be defined in it, and a function
named right after its file ("cgstats.c `cg_cpu_usage`") must be defined in
that file. Names of the kernel and the C library that the lessons cite
(system calls, cgroup files, fields) are listed in EXTERNAL below.

Prints one line per page: "PAGE" then, indented, each name that is not
found. Used by tests/integration/00-lesson-names.sh; pure text, no root."""
import os
import re
import subprocess
import sys

# Not ours: system calls, library calls, kernel files and fields the
# lessons name on purpose.
EXTERNAL = {
    "no_new_privs", "pivot_root", "open_tree", "move_mount", "mount_setattr", "oom_kill",
    "uid_map", "gid_map", "request_key", "add_key", "open_by_handle_at", "cap_to_text",
    "posix_spawn", "pidfd_send_signal", "pidfd_open", "nr_throttled", "throttled_usec",
    "usage_usec", "mq_open", "diff_ids", "close_range", "subtree_control", "oom_group",
    "memory_max", "pid_max", "set_tid", "exit_signal", "clone_args", "keyctl_join",
    "created_by", "empty_layer",
    "ip_forward", "route_localnet", "rtnl_link_veth_alloc", "rtnl_link_add",
}

PAGE_GLOBS = ("README.md", "README.zh-CN.md")


def pages(root):
    out = []
    for d in sorted(os.listdir(root)):
        if re.match(r"0\d-", d):
            for name in sorted(os.listdir(os.path.join(root, d))):
                if name.endswith(".md"):
                    out.append(os.path.join(d, name))
    return out


def sources(root):
    """The tree's C and shell files: git's list (tracked, and new ones not
    ignored), or, outside a checkout (a tarball), every such file but the
    build cache."""
    try:
        ls = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                             "--exclude-standard", "*.c", "*.h", "*.sh"],
                            capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        ls = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if not x.startswith(".")]
            ls += [os.path.relpath(os.path.join(d, n), root) for n in names
                   if n.endswith((".c", ".h", ".sh"))]
    return [f for f in ls if os.path.exists(os.path.join(root, f))]


DEF_C = re.compile(r"^(?!\s)(?!return\b)[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\((?!.*\);\s*$)")
DEF_VAR = re.compile(r"^(?!\s)(?:static\s+)?(?:const\s+)?[^=(#]*?\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\])*\s*=")
DEF_MACRO = re.compile(r"^#define\s+([A-Za-z_]\w*)")
DEF_SH = re.compile(r"^([A-Za-z_]\w*)\s*\(\)\s*\{")


def definitions(root, files):
    where = {}
    for f in files:
        with open(os.path.join(root, f), errors="replace") as fh:
            for line in fh:
                for rx in ((DEF_SH,) if f.endswith(".sh") else (DEF_C, DEF_VAR, DEF_MACRO)):
                    m = rx.match(line)
                    if m:
                        where.setdefault(m.group(1), set()).add(os.path.basename(f))
    return where


def check_page(root, page, files, where):
    text = open(os.path.join(root, page)).read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # samples: output, not names
    basenames = {os.path.basename(f) for f in files} | set(files)
    bad = []
    for m in re.finditer(r"`([^`\n]+)`", text):
        s = m.group(1)
        if re.fullmatch(r"[\w./-]+\.[ch]", s):
            if s not in basenames and not os.path.exists(os.path.join(root, s)):
                bad.append("file %s does not exist" % s)
            continue
        fm = re.fullmatch(r"([a-z][a-z0-9]*_[a-z0-9_]+)(?:\(\))?", s)
        if not fm or fm.group(1) in EXTERNAL:
            continue
        name = fm.group(1)
        if name not in where:
            bad.append("%s is defined nowhere" % name)
            continue
        # "file.c `name`" or "`file.c` `name`": defined in that very file
        before = text[max(0, m.start() - 40):m.start()]
        pm = re.search(r"([\w-]+\.[ch])`?[ \t]*(?:\n[ \t]*)?$", before)
        if pm and pm.group(1) in basenames and pm.group(1) not in where[name]:
            bad.append("%s is not in %s (it is in %s)" % (name, pm.group(1),
                                                         ", ".join(sorted(where[name]))))
    return bad


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    files = sources(root)
    where = definitions(root, files)
    for page in pages(root):
        print(page)
        for b in sorted(set(check_page(root, page, files, where))):
            print("\t" + b)


if __name__ == "__main__":
    main()
