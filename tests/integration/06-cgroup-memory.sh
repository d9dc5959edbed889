# 06-cgroup-memory: OOM kill at memory.max; the late-attach escape.
source "$(dirname "$0")/../lib.sh"
plan 26

for args in "--limit 12x" "--limit max" "--limit 1k" "--touch abc" "--touch 100t"; do
	set -- $args; val=$2
	err=$(./06-cgroup-memory/demo "$@" 2>&1 >/dev/null); rc=$?
	check "06 rejects '$args' with one line naming '$2'" \
		eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "$val"'
done

need_root "06 cgroup checks"
layout=$(cgroup_layout)
check "06 nothing of ours before the run" no_project_cgroups

oom_checks() { # $1 = limit in bytes, $2 = label
	local out rc limit=$1
	out=$(timeout 120 ./06-cgroup-memory/demo "${@:3}" 2>&1); rc=$?
	show "06 $2" "$out"
	check "06 $2: exits 0" eq "$rc" 0
	check "06 $2: child killed by SIGKILL" has "$out" "=> child killed by SIGKILL"
	check "06 $2: the kernel counted an OOM kill" eval 'grep -Eq "oom_kill: [1-9]" <<<"$out"'
	local peak
	peak=$(sed -n 's/.*in bytes \([0-9]*\) <= [0-9]*).*/\1/p' <<<"$out")
	check "06 $2: peak ($peak) <= limit ($limit)" eval '[ -n "$peak" ] && [ "$peak" -le "$limit" ]'
	check "06 $2: the child was in our cgroup" \
		eval 'grep -q "child (pid [0-9]*) /proc/[0-9]*/cgroup memory path: /mini-docker/06-mem-" <<<"$out"'
	if [ "$layout" = v2 ]; then
		check "06 $2: took the CLONE_INTO_CGROUP path on v2" has "$out" "path: CLONE_INTO_CGROUP"
	else
		check "06 $2: took the attach-first fallback on $layout, saying why" \
			eval 'has "$out" "path: attach before it runs (fallback)" && has "$out" "CLONE_INTO_CGROUP only takes a cgroup2"'
	fi
}
oom_checks $((100 << 20)) "default 100M"
oom_checks $((64 << 20)) "--limit 64m" --limit 64m

out=$(timeout 120 ./06-cgroup-memory/demo --late-attach 2>&1); rc=$?
show 06-late "$out"
check "06 --late-attach exits 0" eq "$rc" 0
check "06 --late-attach: the child's pid is in the cgroup" \
	eval 'grep -q "child  (pid [0-9]*) .*memory path: /mini-docker/06-mem-" <<<"$out"'
check "06 --late-attach: the worker is NOT in the cgroup" \
	eval 'grep "worker (pid" <<<"$out" | grep -vq "/mini-docker/"'
check "06 --late-attach: the worker touched 300M and was not killed" \
	has "$out" "worker touched 300M and is still running"
check "06 --late-attach: memory touched before joining is not counted" \
	eval 'grep -Eq "right after the attach: [0-9.]+[BK]," <<<"$out"'

./06-cgroup-memory/demo --limit 1g >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid; rc=$?
check "06 Ctrl-C ends with 130" eq "$rc" 130
check "06 no process left" no_process 06-cgroup-memory/demo
check "06 no cgroup left behind" no_project_cgroups
