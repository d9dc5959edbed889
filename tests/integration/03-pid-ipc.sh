# 03-pid-ipc: pid 1 in a new PID namespace; a host queue invisible in a new IPC namespace.
source "$(dirname "$0")/../lib.sh"
plan 12

err=$(./03-pid-ipc/demo --only net 2>&1 >/dev/null); rc=$?
check "03 rejects --only net naming the value and the accepted ones" \
	eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "'"'"'net'"'"'" && has "$err" "pid"'

need_root "03 namespace checks"
key_dec=$((0x4d444b31))
no_queue() { ! awk -v k="$key_dec" 'NR > 1 && $1 == k { f = 1 } END { exit !f }' /proc/sysvipc/msg; }

out=$(timeout 60 ./03-pid-ipc/demo 2>&1); rc=$?
show 03 "$out"
check "03 exits 0" eq "$rc" 0
check "03 child sees getpid() = 1" has "$out" "=> child: getpid() = 1, getppid() = 0"
host_pid=$(sed -n 's/.*the parent sees it as pid \([0-9]*\).*/\1/p' <<<"$out")
check "03 NSpid shows the host pid, then 1" has "$out" "NSpid: $host_pid 1"
check "03 orphan re-parented to the namespace's init" has "$out" "getppid() is now 1"
check "03 pid 1 reaps the orphan" has "$out" "reaped pid 3 (exited 7)"
check "03 killing pid 1 ends the sleeper" has "$out" "gone: it died with the namespace's init"
check "03 a child without CLONE_NEWIPC finds the queue" has "$out" "the same queue"
check "03 a child with CLONE_NEWIPC gets ENOENT and an empty /proc/sysvipc/msg" \
	eval 'grep -q "with CLONE_NEWIPC.*ENOENT; /proc/sysvipc/msg lists 0" <<<"$out"'
check "03 no message queue left behind" no_queue

# Interrupted right after the queue is made (strace delivers SIGINT on the
# return from msgget): the handler must still find and remove the queue.
if command -v strace >/dev/null; then
	out=$(strace -o /dev/null -e trace=msgget -e inject=msgget:signal=SIGINT:when=1 \
		./03-pid-ipc/demo --only ipc 2>&1); rc=$?
	check "03 SIGINT right after msgget ends the demo" eq "$rc" 130
	check "03 no queue left after that SIGINT" no_queue
else
	echo "not ok - 03 SIGINT cleanup: strace is missing (sudo make deps installs it)"
fi
