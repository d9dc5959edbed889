# 01-uts --ns-limit: /proc/sys/user/max_{uts,user}_namespaces at 0 make clone
# fail with ENOSPC; the host's values come back on every exit, SIGKILL included.
source "$(dirname "$0")/../lib.sh"
plan 12
D=./01-uts/demo
U=/proc/sys/user/max_uts_namespaces
N=/proc/sys/user/max_user_namespaces

bad() { # bad "the value the line must name" args...
	local named=$1 err rc; shift
	err=$($D "$@" 2>&1 >/dev/null); rc=$?
	check "01 rejects '$*' with one line naming $named" \
		eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "$named"'
}
bad "'0'" --ns-limit --hold 0
bad "'x'" --ns-limit --hold x
bad "--ns-limit" --hold 5

need_root "01 --ns-limit"
before="$(cat $U) $(cat $N)"
out=$(timeout 60 $D --ns-limit 2>&1); rc=$?
show "01 --ns-limit" "$out"
check "01 --ns-limit exits 0" eq "$rc" 0
check "01 --ns-limit: clone3(CLONE_NEWUTS) fails with ENOSPC at 0" \
	has "$out" "clone3(CLONE_NEWUTS) ... ENOSPC (No space left on device)"
check "01 --ns-limit: clone3(CLONE_NEWUSER) fails with ENOSPC at 0" \
	has "$out" "clone3(CLONE_NEWUSER) ... ENOSPC (No space left on device)"
check "01 --ns-limit: the host's limits are as before" eq "$(cat $U) $(cat $N)" "$before"

# Ctrl-C and SIGKILL in the middle of --hold: only where this root may write
# the host's limits (CAP_SYS_RESOURCE); elsewhere the demo works in a user
# namespace of its own and there is nothing of the host's to restore.
if (echo "$(cat $U)" > $U) 2>/dev/null; then
	waitzero() { for _ in $(seq 100); do [ "$(cat $U)" = 0 ] && [ "$(cat $N)" = 0 ] && return 0; sleep 0.1; done; return 1; }
	restored() { for _ in $(seq 50); do [ "$(cat $U) $(cat $N)" = "$before" ] && return 0; sleep 0.1; done; return 1; }
	$D --ns-limit --hold 30 >/dev/null 2>&1 &
	pid=$!
	check "01 --hold: both limits read 0 while it holds" waitzero
	kill -INT $pid; wait $pid; rc=$?
	check "01 Ctrl-C during --hold: exit 130 and both limits restored" \
		eval '[ $rc -eq 130 ] && restored'
	$D --ns-limit --hold 30 >/dev/null 2>&1 &
	pid=$!
	waitzero
	kill -KILL $pid; wait $pid 2>/dev/null
	check "01 SIGKILL during --hold: the guardian restores both limits" restored
	check "01 no demo or guardian left" no_process 01-uts/demo
else
	for what in "limits read 0 while it holds" "Ctrl-C restores" "SIGKILL restores" "no guardian left"; do
		skip "01 --ns-limit --hold: $what" "this root lacks CAP_SYS_RESOURCE: /proc/sys/user is read-only here"
	done
fi
check "01 --ns-limit: nothing changed on the host in the end" eq "$(cat $U) $(cat $N)" "$before"
