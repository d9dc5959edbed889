"""tests/lessons/session.py — run a sample's commands as one shell session,
where it was captured, and give back the block that run makes."""
import os
import re
import secrets
import shlex
import signal
import shutil
import subprocess
import tempfile

from pages import ROOT

TIMEOUT = int(os.environ.get("LESSON_TIMEOUT", "300"))
USER_UID = 1000
# Where the repository is checked out differs between machines (and the VMs
# show it in their mount table): samples show it as this.
REPO_SHOWN = "/path/to/mini-docker"


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
        # (sudo VAR=value cmd sets VAR for cmd: env does that; a plain
        # command runs as it is, a shell function of the session included)
        script.append('sudo() { if [[ $1 == [A-Za-z_]*=* ]]; then env "$@"; else "$@"; fi; }')
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


def skip_reason(s):
    if s.layout in ("host", "v2", "v1") and not is_root():
        return "needs root: run 'sudo make lessons'"
    if s.layout == "user" and is_root() and not shutil.which("setpriv"):
        return "needs setpriv (util-linux) to become uid %d" % USER_UID
    return None

