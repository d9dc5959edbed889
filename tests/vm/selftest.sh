# tests/vm/selftest.sh — the VM test bed itself: exit statuses come back,
# a hang is a timeout (124), a panic is its own code (250), and each mode
# really has the cgroup layout it claims.
source "$(dirname "$0")/../lib.sh"
vm() { bash tests/vm/vm.sh "$@"; }

for want in 0 3 127; do
	case $want in 0) cmd=true ;; 3) cmd='exit 3' ;; 127) cmd=no-such-command-here ;; esac
	vm run v2 "$cmd" >/dev/null 2>&1; rc=$?
	check "vm: '$cmd' in the guest comes back as $want" eq "$rc" "$want"
done
VM_TIMEOUT=10 vm run v2 'sleep 60' >/dev/null 2>&1; rc=$?
check "vm: a guest that hangs past VM_TIMEOUT gives 124" eq "$rc" 124
vm run v2 'echo c > /proc/sysrq-trigger' >/dev/null 2>&1; rc=$?
check "vm: a guest kernel panic gives 250" eq "$rc" 250

out=$(vm run v2 'stat -f -c %T /sys/fs/cgroup; cat /sys/fs/cgroup/cgroup.controllers; cat /proc/self/cgroup' 2>&1)
check "vm v2: /sys/fs/cgroup is cgroup2" eq "$(sed -n 1p <<<"$out")" cgroup2fs
ctrls=$(sed -n 2p <<<"$out")
check "vm v2: cgroup.controllers lists cpu, memory, pids, io ($ctrls)" \
	eval 'for c in cpu memory pids io; do [[ " $ctrls " == *" $c "* ]] || exit 1; done'
check "vm v2: the test process starts in the root cgroup" eq "$(sed -n 3p <<<"$out")" "0::/"

out=$(vm run v1 'for h in cpu memory pids; do stat -f -c "$h %T" /sys/fs/cgroup/$h/; done; test -e /sys/fs/cgroup/cgroup.controllers && echo has-v2-root; cat /sys/fs/cgroup/memory/memory.limit_in_bytes >/dev/null && echo v1-memory-files' 2>&1)
check "vm v1: cpu, memory, pids are v1 hierarchies" \
	eq "$(grep -E '^(cpu|memory|pids) ' <<<"$out" | tr '\n' ' ')" "cpu cgroupfs memory cgroupfs pids cgroupfs "
check "vm v1: no cgroup2 root" lacks "$out" has-v2-root
check "vm v1: memory.limit_in_bytes is there" has "$out" v1-memory-files
out=$(vm run v2 'readlink /proc/self/ns/user; unshare -Ur id -u' 2>&1)
check "vm: user namespaces work in the guest (no chroot EPERM)" eq "$(tail -n 1 <<<"$out")" 0

# vm.sh stopped half-way, as Ctrl-C in a terminal stops it (SIGINT to the
# whole process group; perl puts SIGINT back to its default, which a
# background job of a script does not have) and as a killed test run does
# (SIGTERM to vm.sh alone): no qemu and no run directory may outlive it.
log=$(mktemp)
for sig in INT TERM; do
	dirs_before=$(ls -d "${TMPDIR:-/tmp}"/mini-docker-vm.* 2>/dev/null)
	setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
		bash tests/vm/vm.sh run v2 'echo guest-is-up; sleep 300' >"$log" 2>&1 &
	p=$!
	for _ in $(seq 900); do grep -q guest-is-up "$log" && break; sleep 0.1; done
	if [ $sig = INT ]; then kill -INT -- "-$p"; else kill -TERM "$p"; fi
	wait "$p"; rc=$?
	want=$((128 + $(kill -l $sig)))
	check "vm: stopped by SIG$sig while the guest runs: exit $want, no qemu, no run dir left" \
		eval '[ $rc -eq $want ] && ! pgrep -f "qemu-system.*mini-docker-vm\." >/dev/null &&
			[ "$(ls -d "${TMPDIR:-/tmp}"/mini-docker-vm.* 2>/dev/null)" = "$dirs_before" ]'
done
rm -f "$log"
