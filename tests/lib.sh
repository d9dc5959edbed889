# tests/lib.sh — the tiny harness every integration script sources.
# Each check prints one TAP-like line: "ok - ...", "not ok - ...", "skip - ... (reason)".
# tests/run.sh counts those lines; a script's exit status is not what counts.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# plan N, at the top of a script: it will print N results (ok, not ok,
# skip). tests/run.sh fails a script whose count differs: one that stopped
# halfway, or whose checks changed without the plan.
plan() { echo "1..$1"; }

# check "what is proven" command [args...]
check() {
	local desc=$1; shift
	if "$@"; then echo "ok - $desc"; else echo "not ok - $desc"; fi
}
# has "haystack" "needle": fixed-string search, for readable checks
has() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }
# eq A B with a diagnostic on mismatch
eq() { [ "$1" = "$2" ] || { echo "#   expected '$2', got '$1'" >&2; return 1; }; }
skip() { echo "skip - $1 ($2)"; }

# Scripts whose every check needs root call this first.
need_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1" "needs root: run 'sudo make test'"
		echo "# skip-all"   # the rest of the plan is not run, on purpose
		exit 0
	fi
}

# show "label" "text": print a demo's output, indented, so a failing run can be read.
show() { sed 's/^/#   /' <<<"$2" | head -n 80 >&2; }

# one_line_error OUT: exactly one line on stderr was captured in OUT
one_line() { [ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]; }

# Is the host's cgroup tree free of the project's cgroups (any layout)?
# The default image, as a directory and as busybox:latest in the store.
ensure_busybox() {
	bash 08-mini-docker/mkrootfs.sh /var/lib/mini-docker/images/busybox ./08-mini-docker/mini-docker >/dev/null
}
no_project_cgroups() {
	local left
	left=$(find /sys/fs/cgroup -maxdepth 3 -type d -name 'mini-docker' 2>/dev/null)
	[ -z "$left" ] || { echo "#   left behind: $left" >&2; return 1; }
}
cgroup_layout() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo v2
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then echo hybrid
	else echo v1; fi
}
# near VALUE TARGET TOLERANCE: |VALUE - TARGET| <= TOLERANCE (decimals allowed)
near() { awk -v v="$1" -v t="$2" -v d="$3" 'BEGIN { x = v - t; if (x < 0) x = -x; exit !(v != "" && x <= d) }' \
	|| { echo "#   $1 is not within $3 of $2" >&2; return 1; }; }
# no process whose command line starts with ./PROGRAM is running
no_process() { ! pgrep -f "^\./$1" >/dev/null; }
