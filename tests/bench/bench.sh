#!/usr/bin/env bash
# tests/bench/bench.sh — `make bench`: start-to-exit time of a trivial
# container against the peers, mini-docker's own phases, limit accuracy, and
# footprint. Writes docs/benchmarks.md. Needs root; installs the peers.
#
# Every tool runs /bin/true from the same busybox image with all namespaces;
# mini-docker, crun and runc also with the same limits (64M, 0.5 CPU, 32 pids).
# The tools are timed in ROUNDS rounds of RUNS_PER_ROUND runs each, the tools
# taking turns within a round, so a noisy moment on this shared machine hurts
# all of them alike; medians and ranges are over all rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROUNDS=${ROUNDS:-5}
RUNS_PER_ROUND=${RUNS_PER_ROUND:-10}
IMAGE=/var/lib/mini-docker/images/busybox
OUT=${BENCH_OUT:-docs/benchmarks.md}
M=$ROOT/08-mini-docker/mini-docker

[ "$(id -u)" = 0 ] || { echo "make bench: needs root (sudo make bench)" >&2; exit 1; }
need=()
for p in hyperfine crun runc bubblewrap jq time; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "bench: installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash 08-mini-docker/mkrootfs.sh "$IMAGE" ./08-mini-docker/mini-docker >/dev/null

work=$(mktemp -d /tmp/mini-docker-bench.XXXXXX)
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
# An OCI bundle for crun and runc: the same image, read-only, same limits,
# and the same seccomp rules mini-docker loads by default (seccomp-oci.jq
# turns its profile into an OCI config's linux.seccomp: same work).
mkdir -p "$work/bundle"
(cd "$work/bundle" && crun spec)
jq --slurpfile p /usr/share/containers/seccomp.json -f tests/bench/seccomp-oci.jq \
	"$work/bundle/config.json" >"$work/seccomp.json"
jq --arg root "$IMAGE" '.process.args=["/bin/true"] | .process.terminal=false
	| .root.path=$root | .root.readonly=true
	| .linux.namespaces += [{"type":"cgroup"}]
	| .linux.resources={"memory":{"limit":67108864},"cpu":{"quota":50000,"period":100000},"pids":{"limit":32}}' \
	"$work/seccomp.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"
touch "$work/empty"

layout=$(if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo "cgroup v2";
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then echo hybrid;
	else echo "cgroup v1"; fi)
crun_note=""
# crun 1.8 refuses a hybrid host whose cgroup2 lists any controller. Inside a
# private mount namespace an empty file is bound over that list; the host's
# mount is untouched, and every tool runs inside the same namespace.
if [ "$layout" = hybrid ] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
	crun_note="crun 1.8 refuses hybrid hosts whose cgroup2 lists controllers, so all tools ran in a private mount namespace with an empty file bound over /sys/fs/cgroup/unified/cgroup.controllers (the host's mount untouched)."
fi

names=(mini-docker unshare bwrap crun runc chroot md-nocache md-bridge)
cmds=(
	"$M run --rm --network none -m 64m --cpus 0.5 --pids-limit 32 busybox /bin/true"
	"unshare --uts --pid --ipc --mount --net --fork --mount-proc chroot $IMAGE /bin/true"
	"bwrap --unshare-all --bind $IMAGE / --proc /proc --dev /dev /bin/true"
	"crun run -b $work/bundle bench-crun"
	"runc run -b $work/bundle bench-runc"
	"chroot $IMAGE /bin/true"
	"$M run --rm --network none -m 64m --cpus 0.5 --pids-limit 32 busybox /bin/true"
	"$M run --rm -m 64m --cpus 0.5 --pids-limit 32 busybox /bin/true"
)
# mini-docker runs with --network none, like its peers here (a network
# namespace with only lo). md-nocache is that again with its seccomp cache
# removed before every run: it compiles the profile each time, as crun does
# (the same work). md-bridge is the default, Docker's bridge network: a veth
# pair, an address lease, the nftables rules (NETWORK.md).
prepares=(true true true true true true "rm -rf /run/mini-docker/cache" true)
printf '%s\n' "${cmds[@]}" >"$work/commands"
printf '%s\n' "${prepares[@]}" >"$work/prepares"
cat >"$work/rounds.sh" <<RUN
set -e
mount --make-rprivate /
if [ -n "$crun_note" ]; then mount --bind $work/empty /sys/fs/cgroup/unified/cgroup.controllers; fi
mapfile -t cmds <$work/commands
mapfile -t preps <$work/prepares
pargs=(); for p in "\${preps[@]}"; do pargs+=(--prepare "\$p"); done
for r in \$(seq $ROUNDS); do
	hyperfine -N -w 3 -r $RUNS_PER_ROUND "\${pargs[@]}" --export-json $work/round-\$r.json "\${cmds[@]}" >/dev/null 2>&1
done
RUN
echo "bench: $ROUNDS rounds x $RUNS_PER_ROUND runs of ${#cmds[@]} tools ..."
unshare -m bash "$work/rounds.sh"

# Median and range per tool over all rounds (times in ms).
stats() { # index -> "median min max n"
	jq -s --argjson i "$1" '[.[].results[$i].times[]] | sort | map(. * 1000)
		| { n: length, min: .[0], max: .[-1],
		    med: (if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end) }
		| "\(.med) \(.min) \(.max) \(.n)"' -r "$work"/round-*.json
}
declare -A med mn mx cnt
for i in "${!names[@]}"; do
	read -r med[$i] mn[$i] mx[$i] cnt[$i] <<<"$(stats "$i")"
done

# mini-docker's own phases: the median of 20 runs per phase.
for i in $(seq 20); do
	MINI_DOCKER_TIMINGS=1 "$M" run --rm -m 64m --cpus 0.5 --pids-limit 32 busybox /bin/true 2>&1 |
		sed -n 's/^timing: \(.*[^ ]\) *+ *\([0-9.]*\) ms.*/\1|\2/p'
done >"$work/phases.txt"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
phases=$(cut -d'|' -f1 "$work/phases.txt" | awk '!seen[$0]++' | while IFS= read -r ph; do
	printf '| %s | %.3f |\n' "$ph" "$(grep -F "$ph|" "$work/phases.txt" | cut -d'|' -f2 | median)"
done)

# Limit accuracy, from the container's cgroup as the host sees it: the runner
# names its cgroup on stderr (MINI_DOCKER_VERBOSE=1); we read its CPU time.
cg_file() { # cgroup-name controller file-v2 file-v1 -> path
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo "/sys/fs/cgroup/$1/$3"
	else echo "$(awk -v c="$2" '$9 == "cgroup" && ("," $NF ",") ~ ("," c ",") { print $5; exit }' /proc/self/mountinfo)/$1/$4"; fi
}
cpu_usec() { # path -> microseconds
	case $1 in *cpu.stat) awk '$1 == "usage_usec" { print $2 }' "$1" ;; *) echo $(( $(cat "$1") / 1000 )) ;; esac
}
start_verbose() { # args... -> sets CG to the container's cgroup name
	MINI_DOCKER_VERBOSE=1 "$M" run --rm "$@" >/dev/null 2>"$work/verbose" &
	RUNNER=$!
	CG=""
	for t in $(seq 200); do
		CG=$(sed -n 's/^=> cgroup \(mini-docker\/[0-9a-f]*\) .*/\1/p' "$work/verbose")
		[ -n "$CG" ] && break
		sleep 0.01
	done
}
acc=""
for spec in "0.2 1" "0.5 1" "1.5 2"; do
	set -- $spec
	start_verbose --cpus "$1" busybox sh -c 'for i in $(seq $1); do timeout 7 sh -c "while :; do :; done" & done; wait' sh "$2"
	f=$(cg_file "$CG" cpuacct cpu.stat cpuacct.usage)
	sleep 1
	u0=$(cpu_usec "$f"); t0=$(date +%s%N)
	sleep 5
	u1=$(cpu_usec "$f"); t1=$(date +%s%N)
	wait "$RUNNER" || true
	acc+="| --cpus $1, $2 loop(s) | $(awk -v c="$1" 'BEGIN { printf "%.0f%%", c * 100 }') | $(awk -v a="$u0" -v b="$u1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f%%", (b - a) / ((e - s) / 1000) * 100 }') |"$'\n'
done
# Memory: follow the cgroup's peak and OOM counter until the runner removes it.
start_verbose -m 64m busybox sh -c 'sleep 0.3; head -c 256m /dev/zero | tail'
peakf=$(cg_file "$CG" memory memory.peak memory.max_usage_in_bytes)
evf=$(cg_file "$CG" memory memory.events memory.oom_control)
peak=0; kills=0
while [ -e "$peakf" ]; do
	p=$(cat "$peakf" 2>/dev/null) && [ -n "$p" ] && peak=$p
	k=$(awk '$1 == "oom_kill" { print $2 }' "$evf" 2>/dev/null) && [ -n "$k" ] && kills=$k
	sleep 0.01
done
mrc=0; wait "$RUNNER" || mrc=$?
oom_line="exit $mrc; $(grep -o 'killed by the OOM killer.*' "$work/verbose" || echo 'no OOM message'); highest peak sampled from the host $peak bytes (limit 67108864: $([ "$peak" -le 67108864 ] && echo "peak <= limit" || echo "PEAK ABOVE LIMIT"))"

# 50 containers at once.
start=$(date +%s.%N)
for i in $(seq 50); do "$M" run --rm -m 32m --pids-limit 16 busybox sh -c 'sleep 1' >/dev/null 2>&1 & done
ok=0; for j in $(jobs -p); do wait "$j" && ok=$((ok + 1)); done
wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
left_state=$(find /var/lib/mini-docker/containers /var/lib/mini-docker/names -mindepth 1 | wc -l)
left_cg=$(find /sys/fs/cgroup -maxdepth 3 -type d -name mini-docker | wc -l)

rss=$(/usr/bin/time -f %M "$M" run --rm busybox /bin/true 2>&1 >/dev/null | tail -n 1)
size=$(stat -c %s "$M")

# What the libraries cost before main(): an empty program linked against
# each library, started the way hyperfine starts a tool; "+ sha256" also
# hashes a few bytes once (OpenSSL 3 sets up its providers on first use).
printf 'int main(void) { return 0; }\n' >"$work/empty.c"
cat >"$work/sha.c" <<'C'
#include <openssl/evp.h>
int main(void)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;
	return !EVP_Digest("x", 1, md, &n, EVP_sha256(), NULL);
}
C
libs_row=""
for l in none -lcap -ljson-c -lcrypto "-lcrypto + sha256" -larchive; do
	case $l in
	none) src=empty.c flags= ;;
	*sha256) src=sha.c flags=-lcrypto ;;
	*) src=empty.c flags=$l ;;
	esac
	# shellcheck disable=SC2086
	cc -O2 -o "$work/empty" "$work/$src" -Wl,--no-as-needed $flags
	t=$(hyperfine -N -w 5 -r 100 --export-json "$work/empty.json" "$work/empty" >/dev/null 2>&1 &&
		jq -r '.results[0].median * 1000' "$work/empty.json")
	n=$(ldd "$work/empty" | wc -l)
	libs_row+="| ${l/none/(nothing)} | $n | $(printf '%.2f' "$t") |"$'\n'
done
needs() { objdump -p "$1" | awk '/NEEDED/ { printf "%s%s", s, $2; s = ", " }'; }
needed_md=$(needs "$M")
needed_helper=$(needs ./08-mini-docker/mini-docker-layer)

row() { # name index
	awk -v n="$1" -v m="${med[$2]}" -v a="${mn[$2]}" -v b="${mx[$2]}" -v c="${cnt[$2]}" -v ref="${med[0]}" \
		'BEGIN { printf "| %s | %.2f | %.2f – %.2f | %d | %.2f× |\n", n, m, a, b, c, m / ref }'
}
bar() { awk -v n="$1" -v m="${med[$2]}" -v top="$3" 'BEGIN { w = int(m / top * 50 + 0.5);
	s = ""; for (i = 0; i < w; i++) s = s "█"; printf "%-12s %s %.2f ms\n", n, s, m }'; }
top=$(printf '%s\n' "${med[@]}" | sort -g | tail -n 1)
crun_ratio=$(awk -v a="${med[0]}" -v b="${med[3]}" 'BEGIN { printf "%.2f", a / b }')
crun_ratio_nc=$(awk -v a="${med[6]}" -v b="${med[3]}" 'BEGIN { printf "%.2f", a / b }')
unshare_ratio=$(awk -v a="${med[0]}" -v b="${med[1]}" 'BEGIN { printf "%.2f", a / b }')

{
	echo "# Benchmarks"
	echo
	echo "Measured by \`sudo make bench\` (tests/bench/bench.sh) on $(date -u +%Y-%m-%d)."
	echo "This machine is shared and noisy: compare the ratios measured in one run,"
	echo "not absolute times across runs."
	echo
	echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(free -g | awk '/Mem:/ { print $2 }') GiB"
	echo "- kernel: $(uname -r); cgroup layout: $layout"
	echo "- tools: $(hyperfine --version), $(crun --version | head -n 1), $(runc --version | head -n 1), bubblewrap $(bwrap --version | awk '{ print $2 }'), $(unshare --version)"
	[ -n "$crun_note" ] && echo "- note: $crun_note"
	echo
	echo "## Start to exit of a trivial container (/bin/true)"
	echo
	echo "$ROUNDS rounds × $RUNS_PER_ROUND runs per tool, tools taking turns (hyperfine -N, 3 warm-up runs per round)."
	echo
	echo "| tool | median ms | min – max ms | runs | ratio to mini-docker |"
	echo "| --- | --- | --- | --- | --- |"
	row "mini-docker run --rm --network none busybox (64M, 0.5 CPU, 32 pids, overlay root, pivot_root)" 0
	row "unshare (uts, pid, ipc, mount, net; --mount-proc; chroot)" 1
	row "bwrap --unshare-all (bind root, proc, dev)" 2
	row "crun run (OCI bundle, same limits, read-only root)" 3
	row "runc run (OCI bundle, same limits, read-only root)" 4
	row "chroot (the floor: no namespaces)" 5
	row "mini-docker, seccomp profile compiled every run (cache removed: crun's work)" 6
	row "mini-docker with its default network, bridge (veth pair, address, nft rules)" 7
	echo
	echo '```'
	for i in "${!names[@]}"; do bar "${names[$i]}" "$i" "$top"; done
	echo '```'
	echo
	echo "Targets: mini-docker ≤ 0.8 × crun (measured: ${crun_ratio} ×; compiling its seccomp profile every run, as crun does: ${crun_ratio_nc} ×) and ≤ 1.6 × unshare (measured: ${unshare_ratio} ×)."
	echo
	echo "crun and runc get the seccomp rules mini-docker loads by default in their"
	echo "config.json (tests/bench/seccomp-oci.jq: containers-common's profile for"
	echo "Docker's 14 capabilities, with Docker's rules on top), and compile them"
	echo "with libseccomp on every run. mini-docker compiles the default profile"
	echo "once and keeps the program in /run/mini-docker/cache (seccomp_cache.c);"
	echo "the last row removes that cache before every run."
	echo
	echo "## Where mini-docker's time goes (median of 20 runs, MINI_DOCKER_TIMINGS=1)"
	echo
	echo "| phase | ms |"
	echo "| --- | --- |"
	echo "$phases"
	echo
	echo "The child's phases run while the runner is still in its clone3 phase (on a v1"
	echo "or hybrid host that phase also writes the pid into each hierarchy's cgroup.procs),"
	echo "so the lines are not strictly in time order; each is the median of its own 20 values."
	echo
	echo "### Against unshare, phase by phase"
	echo
	echo "unshare makes the same five namespaces and mounts a proc, then chroots: that cost"
	echo "is in both tools (the clone, and the container's run and exit, where the kernel"
	echo "tears the namespaces down). What mini-docker does on top, per the table above:"
	echo "its state directory and name (create, then remove), a cgroup in every hierarchy"
	echo "with three limits (on this hybrid host four v1 hierarchies: cpu, cpuacct, memory,"
	echo "pids; each cgroup.procs write waits for an RCU grace period), the overlay root, a"
	echo "tmpfs /dev with bound nodes, the /proc masks, pivot_root, and the capability and"
	echo "no_new_privs steps. No single phase is large; together they are the difference."
	echo "What was tried: clone3 with CLONE_INTO_CGROUP removes the attach on cgroup v2 (it"
	echo "cannot on v1); mounting the overlay inside the container's mount namespace removes"
	echo "an unmount from the runner's cleanup; the runner never forks helpers (no shell, no"
	echo "mount(8)). Left: the per-container cgroup is what Docker does too, and it is why a"
	echo "container can be limited and cleaned up at all; this report keeps that cost rather"
	echo "than meet the unshare target by skipping it."
	echo
	echo "### Before main(): the libraries"
	echo
	echo "Every shared library a program links is mapped and relocated at each start, and"
	echo "its mappings are copied again by each clone of the program. An empty program"
	echo "linked against each of the libraries the image commands use, same run:"
	echo
	echo "| linked with | shared objects | median start ms |"
	echo "| --- | --- | --- |"
	printf '%s' "$libs_row"
	echo
	echo "So \`run\` keeps them out: libarchive (with libxml2, ICU and libstdc++ on Debian)"
	echo "is linked only into the \`mini-docker-layer\` helper, which \`import\`, \`load\` and"
	echo "\`commit\` run for the tar work; libcrypto is opened with dlopen at the first digest"
	echo "(a ChainID: \`run\` of a one-layer image computes none). mini-docker needs: $needed_md."
	echo "The helper needs: $needed_helper."
	echo "When mini-docker still linked all of them (2026-11-23, same-run medians of this"
	echo "benchmark's \`run\`): libarchive cost ~2.5 ms and libcrypto ~1.1 ms per \`run\`,"
	echo "0.94 x crun then; without them \`run\` was as fast as before the image commands."
	echo
	echo "## Limit accuracy"
	echo
	echo "CPU: busy loops in a container; share = growth of the container cgroup's CPU time"
	echo "(cpu.stat usage_usec, v1 cpuacct.usage), read from the host, over 5 s of wall time."
	echo
	echo "| limit | target | measured |"
	echo "| --- | --- | --- |"
	printf '%s' "$acc"
	echo
	echo "Memory: \`-m 64m\`, writing 256M: $oom_line"
	echo
	echo "50 containers started at once (32M, 16 pids, \`sleep 1\` each): $ok of 50 exited 0, wall time $wall s; afterwards $left_state state entries and $left_cg project cgroups left."
	echo
	echo "## Footprint"
	echo
	echo "- mini-docker binary: $size bytes (shared libraries: $needed_md)"
	echo "- peak RSS of \`mini-docker run --rm busybox /bin/true\`: $rss KiB"
	echo
	echo "Reproduce: \`sudo make bench\` (ROUNDS and RUNS_PER_ROUND to change the counts)."
} >"$OUT"
echo "bench: wrote $OUT"
sed -n '/## Start/,/Targets/p' "$OUT"
