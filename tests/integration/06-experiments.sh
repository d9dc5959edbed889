# 06-cgroup-memory --after-join (note 001: 50M limit, 100M held before
# joining not counted, OOM on the fifth 10M step) and --pids (pids.max over a
# subtree, a fork loop capped with EAGAIN, a migration above the limit).
source "$(dirname "$0")/../lib.sh"
plan 15
D=./06-cgroup-memory/demo

for args in "--pids --after-join" "--pids --limit 50m" "--after-join --touch 1g"; do
	err=$($D $args 2>&1 >/dev/null); rc=$?
	check "06 rejects '$args' in one line" eval '[ $rc -ne 0 ] && one_line "$err"'
done

need_root "06 --after-join/--pids"
layout=$(cgroup_layout)
out=$(timeout 120 $D --after-join 2>&1); rc=$?
show "06 --after-join" "$out"
check "06 --after-join exits 0" eq "$rc" 0
check "06 --after-join: the child holds ~100M (VmRSS) before joining" \
	eval 'grep -Eq "before joining: .* child.s VmRSS +10[0-9.]+M" <<<"$out"'
check "06 --after-join: right after joining the cgroup is charged under 1M" \
	eval 'grep -Eq "right after joining: +memory\.(current|usage_in_bytes) +[0-9.]+[BK] " <<<"$out"'
check "06 --after-join: four 10M steps pass, the fifth is killed" \
	eval '[ "$(grep -c "the child touches 10M more ... done" <<<"$out")" = 4 ] && has "$out" "=> child killed by SIGKILL on step 5"'
check "06 --after-join: the kernel counted one OOM kill" eval 'grep -Eq "oom_kill: 1$" <<<"$out"'

out=$(timeout 60 $D --pids 2>&1); rc=$?
show "06 --pids" "$out"
check "06 --pids exits 0" eq "$rc" 0
check "06 --pids: the parent counts its subtree (a 2 + b 1 = 3)" \
	eval 'grep -Eq "pids.current   a 2   b 1   06-pids-[0-9]+ 3$" <<<"$out"'
check "06 --pids: the fork loop stops at pids.max 10 with EAGAIN" \
	eval 'has "$out" "forks made 6, then fork: EAGAIN" && grep -Eq "pids.current   a 9   b 1   06-pids-[0-9]+ 10$" <<<"$out"'
# Where a refused fork is counted: in the forking cgroup a, or, on v2
# kernels with pids.events.local (a 2024 change), where the limit was hit.
if has "$out" "this kernel has pids.events.local"; then
	check "06 --pids ($layout): pids.events max counted on the limited parent, not in a" \
		eval '[ "$layout" = v2 ] && grep -Eq "refused forks .*: a 0, 06-pids-[0-9]+ 1$" <<<"$out"'
else
	check "06 --pids ($layout): pids.events max counted in the forking cgroup a" \
		eval 'grep -Eq "refused forks .*: a 1, 06-pids-[0-9]+ 0$" <<<"$out"'
fi
check "06 --pids: after moving 3 in, pids.current 13 > pids.max 10" \
	eval 'grep -Eq "pids.current   a 9   b 4   06-pids-[0-9]+ 13$" <<<"$out" && has "$out" "13 > pids.max 10"'
$D --after-join >/dev/null 2>&1 &
pid=$!
sleep 0.8
kill -INT $pid; wait $pid; rc=$?
check "06 --after-join Ctrl-C between steps: 130, the child gone, no cgroup left" \
	eval '[ $rc -eq 130 ] && no_process 06-cgroup-memory/demo && no_project_cgroups'
check "06 --after-join/--pids: no process, no cgroup left" \
	eval 'no_process 06-cgroup-memory/demo && no_project_cgroups'
