# 05-cgroup-cpu: cpu.max halves a busy loop, cpu.weight splits a CPU 25/75.
source "$(dirname "$0")/../lib.sh"
plan 23

for args in "--cpus abc" "--cpus 0" "--cpus 2000" "--seconds 0" "--loops 99" "--quota 5" "--period 5"; do
	set -- $args; val=$2
	err=$(./05-cgroup-cpu/demo "$@" 2>&1 >/dev/null); rc=$?
	check "05 rejects '$args' with one line naming '$2'" \
		eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "$val"'
done
err=$(./05-cgroup-cpu/demo --cpus 0.5 --quota 50000 2>&1 >/dev/null); rc=$?
check "05 rejects --cpus with --quota" eval '[ $rc -ne 0 ] && one_line "$err"'

need_root "05 cgroup checks"
check "05 nothing of ours before the run" no_project_cgroups
layout=$(cgroup_layout)

out=$(./05-cgroup-cpu/demo --seconds 4 --csv /tmp/05-test.csv 2>&1); rc=$?
show 05 "$out"
check "05 exits 0 ($layout)" eq "$rc" 0
res=$(grep '^=> unlimited' <<<"$out")
unl=$(sed -n 's/^=> unlimited \([0-9.]*\)%.*/\1/p' <<<"$res")
lim=$(sed -n 's/.*measured \([0-9.]*\)%$/\1/p' <<<"$res")
check "05 unlimited loop uses ~100% ($unl%)" near "$unl" 100 5
check "05 cpu.max 50000 100000 gives 50% within 3 points ($lim%, $layout)" near "$lim" 50 3
check "05 throttling is reported" eval 'grep -q "nr_throttled [1-9][0-9]* (+[1-9]" <<<"$out"'
check "05 --csv wrote a header and 8 samples" eq "$(wc -l </tmp/05-test.csv)" 9
rm -f /tmp/05-test.csv
if [ "$layout" = v2 ]; then
	check "05 writes cpu.max on v2" has "$out" 'writing cpu.max "50000 100000"'
else
	check "05 writes cfs_quota_us/cfs_period_us on v1" has "$out" "cpu.cfs_quota_us 50000"
fi

out=$(./05-cgroup-cpu/demo --cpus 0.2 --seconds 4 2>&1)
lim=$(sed -n 's/^=> unlimited.*measured \([0-9.]*\)%$/\1/p' <<<"$out")
check "05 --cpus 0.2 gives 20% within 3 points ($lim%)" near "$lim" 20 3

out=$(./05-cgroup-cpu/demo --weight --seconds 4 2>&1); rc=$?
show 05-weight "$out"
light=$(sed -n 's/^=> result: .*measured \([0-9.]*\)% \/ \([0-9.]*\)% (.*/\1/p' <<<"$out")
heavy=$(sed -n 's/^=> result: .*measured \([0-9.]*\)% \/ \([0-9.]*\)% (.*/\2/p' <<<"$out")
check "05 --weight exits 0" eq "$rc" 0
check "05 --weight light group gets ~25% of CPU 0 ($light%)" near "$light" 25 5
check "05 --weight heavy group gets ~75% of CPU 0 ($heavy%)" near "$heavy" 75 5

./05-cgroup-cpu/demo --seconds 10 >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid; rc=$?
check "05 Ctrl-C ends with 130" eq "$rc" 130
check "05 nothing left after Ctrl-C" no_project_cgroups
check "05 no busy loop left running" no_process 05-cgroup-cpu/demo
check "05 no cgroup left behind" no_project_cgroups
