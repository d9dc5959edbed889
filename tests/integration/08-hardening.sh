# 08-hardening: breakout attempts from a default container must fail; 40 kinds
# of bad input must be refused cleanly; a mixed soak must leave nothing behind.
# The confinement checks (seccomp, keyrings, the sealed binary, the one way
# in for run/start/exec) are in 08-confine.inc, sourced below.
# The attempts are made by tests/hardening/probe.c, built static and
# bind-mounted read-only into the container.
source "$(dirname "$0")/../lib.sh"
plan 62
M=./08-mini-docker/mini-docker
STATE=/var/lib/mini-docker
SOAK=${SOAK_RUNS:-50}

no_state_left() {
	local left
	left=$(find "$STATE/containers" "$STATE/names" /run/mini-docker -mindepth 1 -path /run/mini-docker/cache -prune -o -print 2>/dev/null)
	[ -z "$left" ] || { echo "#   state left: $left" >&2; return 1; }
}

# ---- 40 malformed invocations: exit 125, one line, nothing created -------
long=$(printf 'h%.0s' $(seq 65))
cases=(
	"-m 12x true" "-m 1k true" "-m -5m true" "-m max5 true" "--memory= true"
	"--cpus abc true" "--cpus 0 true" "--cpus -1 true" "--cpus 2000 true" "--cpus 0.0001 true"
	"--cpus 1.2.3 true" "--pids-limit 0 true" "--pids-limit -3 true" "--pids-limit ten true"
	"--pids-limit 99999999 true" "--name -lead true" "--name has/slash true" "--name $long true"
	"--hostname $long true" "--hostname bad_name! true" "--hostname -x true"
	"-e NOEQUALS true" "-e =value true" "-e 1ABC=x true" "-e A-B=x true"
	"-v relative:/data true" "-v /tmp:relative true" "-v /tmp true" "-v /tmp:/data:rx true"
	"-v /tmp/../etc:/data true" "-v /tmp:/data/../../etc true" "-v /tmp:/ true"
	"-v /no/such/host/path:/data true" "-w relative true" "-w /a/../b true"
	"--bogus true" "-Z true" "--rootfs /no/such/rootfs true" "--rootless -m 64m true"
	""
)
check "08-hardening has 40 malformed invocations" eq "${#cases[@]}" 40
need_root "08 hardening"
ensure_busybox
refused=0
for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	err=$($M run $c 2>&1 >/dev/null); rc=$?
	if [ $rc -eq 125 ] && one_line "$err" && [[ $err == mini-docker:* ]]; then
		refused=$((refused + 1))
	else
		echo "#   'run $c' -> $rc: $err" >&2
	fi
done
check "08 all 40 bad invocations: exit 125 with one 'mini-docker: ...' line" eq "$refused" 40
check "08 bad input created no state" no_state_left
check "08 bad input created no cgroup" no_project_cgroups

# ---- breakout attempts ------------------------------------------------------
pdir=$(mktemp -d /tmp/mini-docker-probe.XXXXXX)
if ! gcc -static -O1 -std=gnu11 -o "$pdir/probe" tests/hardening/probe.c tests/hardening/probe_confine.c \
	2>"$pdir/cc.log"; then
	echo "not ok - 08 hardening: could not build the static probe ($(head -n1 "$pdir/cc.log"))"
	rm -rf "$pdir"
	exit 0
fi
attempt() { # attempt "label" ATTEMPT [ARG] : run the probe, expect BLOCKED only
	local label=$1; shift
	local out rc
	out=$($M run --rm -v "$pdir/probe:/probe:ro" busybox /probe "$@" 2>&1); rc=$?
	printf '#   %s\n' "$out" >&2
	check "08 breakout: $label (blocked: $(grep -o 'BLOCKED [^:]*: .*' <<<"$out" | head -n1 | cut -d: -f2- | tr -d ' '))" \
		eval '[ $rc -eq 0 ] && has "$out" BLOCKED && lacks "$out" ESCAPED'
}
disk=""
for d in /sys/block/*; do   # the first real disk, not a loop or ram device
	case ${d##*/} in loop*|ram*|zram*) ;; *) disk=$(cat "$d/dev"); break ;; esac
done
attempt "chroot-and-chdir out of the root" chroot
attempt "mount a filesystem, unmount /proc" mount
attempt "mknod the host's disk ($disk) and open it" mknod "$disk"
attempt "write /proc/sys and /sys" proc-sys
attempt "read /proc/kcore" kcore
attempt "load a kernel module" module
attempt "reboot" reboot
attempt "ptrace a host process (pid $$)" ptrace "$$"
attempt "raise CAP_SYS_ADMIN (capset, ambient)" capset
attempt "gain root through a setuid binary (no_new_privs)" setuid
# an fd the runner holds must not reach the container
out=$($M run --rm -v "$pdir/probe:/probe:ro" busybox /probe fds 9</etc/hostname 2>&1); rc=$?
check "08 breakout: use an fd inherited from the runner" eval '[ $rc -eq 0 ] && lacks "$out" ESCAPED'
# TIOCSTI: give the runner a terminal and attach stdin (-i, no -t)
if command -v script >/dev/null; then
	out=$(script -qec "$M run -i --rm -v $pdir/probe:/probe:ro busybox /probe tiocsti" /dev/null </dev/null | tr -d '\r')
	check "08 breakout: TIOCSTI into the caller's terminal" \
		eval 'has "$out" "BLOCKED TIOCSTI" && lacks "$out" ESCAPED'
fi
host_name=$(hostname)
$M run --rm busybox sh -c 'hostname pwned' >/dev/null 2>&1
check "08 breakout: sethostname in the container leaves the host's alone" eq "$(hostname)" "$host_name"
source tests/integration/08-confine.inc
rm -rf "$pdir"

# ---- residue soak -------------------------------------------------------------
mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
kinds=(ok fail notfound oom killinit sigint sigkill)
declare -A seen
for i in $(seq "$SOAK"); do
	k=${kinds[$((i % ${#kinds[@]}))]}
	seen[$k]=1
	case $k in
	ok) $M run --rm busybox true ;;
	fail) $M run --rm busybox sh -c 'exit 3' ;;
	notfound) $M run --rm busybox no-such-cmd ;;
	oom) $M run --rm -m 16m busybox sh -c 'head -c 64m /dev/zero | tail' ;;
	killinit)
		$M run --rm --name "soak$i" busybox sleep 30 & r=$!
		for t in $(seq 50); do pkill -9 -f '^sleep 30$' && break; sleep 0.1; done
		wait $r ;;
	sigint)
		$M run --rm busybox sleep 30 & r=$!
		sleep 0.5; kill -INT $r; sleep 0.2; kill -INT $r; wait $r ;;
	sigkill)
		$M run --rm busybox sleep 30 & r=$!
		sleep 0.5; kill -9 $r; wait $r ;;
	esac >/dev/null 2>&1
done
$M run --rm busybox true >/dev/null 2>&1   # the next call reaps what SIGKILLed runners left
check "08 soak: $SOAK runs of ${#seen[@]} kinds (exit, fail, not found, OOM, kill -9 init, SIGINT and SIGKILL of the runner)" \
	eq "${#seen[@]}" 7
check "08 soak: no container state left" no_state_left
check "08 soak: no cgroup left" no_project_cgroups
check "08 soak: the mount table is as before" eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$mounts_before"
check "08 soak: no container process left" bash -c '! pgrep -f "^sleep 30$" >/dev/null && ! pgrep -f "^\./08-mini-docker/mini-docker" >/dev/null'
