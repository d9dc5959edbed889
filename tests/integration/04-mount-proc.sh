# 04-mount-proc: private propagation, a new /proc with only the namespace's processes.
source "$(dirname "$0")/../lib.sh"
plan 10

./04-mount-proc/demo extra >/dev/null 2>&1; rc=$?
check "04 rejects a stray argument" test "$rc" -ne 0

need_root "04 mount namespace checks"
before=$(cat /proc/self/mountinfo)
out=$(./04-mount-proc/demo 2>&1); rc=$?
show 04 "$out"
after=$(cat /proc/self/mountinfo)
check "04 exits 0" eq "$rc" 0
check "04 child is pid 1" has "$out" "=> child: getpid() = 1"
pids=$(awk '/PID  COMM/ { on = 1; next } on && /^ +[0-9]+  / { print $1; next } on { exit }' <<<"$out")
check "04 the new /proc lists pid 1 first" eq "$(head -n1 <<<"$pids")" 1
check "04 the new /proc lists only the namespace's 2 processes" eq "$(wc -l <<<"$pids")" 2
check "04 new /proc is nosuid,noexec,nodev" has "$out" "(nosuid yes, noexec yes, nodev yes)"
check "04 / is private in the child" eval 'grep -E "^ +[0-9]+ +/ +" <<<"$out" | grep -q " private$"'
check "04 the child's table has the new proc mount" has "$out" "<- new proc, only in this namespace"
check "04 demo reports the host table identical" has "$out" "before and after: identical"
check "04 host /proc/self/mountinfo identical before and after (checked by the test)" \
	eq "$after" "$before"
