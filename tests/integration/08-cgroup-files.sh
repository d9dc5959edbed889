# 08-mini-docker: the notes' `docker run --cpus=1.0 -m 128m`, read from the
# host: the container's own cgroup files hold the values Docker writes, in
# mini-docker/<id> (the shape of Docker's cgroupfs driver, docker/<id>).
source "$(dirname "$0")/../lib.sh"
plan 11
M=./08-mini-docker/mini-docker
need_root "08 cgroup files"
ensure_busybox
layout=$(cgroup_layout)
check "08 cgroup files: nothing of ours before" no_project_cgroups

id=$($M run -d --cpus=1.0 -m 128m busybox sleep 300 2>&1); rc=$?
check "08 cgroup files: run -d --cpus=1.0 -m 128m prints a 64-hex id" \
	eval '[ $rc -eq 0 ] && [[ "$id" =~ ^[0-9a-f]{64}$ ]]'
pid=$($M inspect "$id" | jq -r '.[0].State.Pid')
if [ "$layout" = v2 ]; then
	d=/sys/fs/cgroup/mini-docker/$id
	mem=$(cat $d/memory.max); cpu=$(cat $d/cpu.max); pids=$(cat $d/pids.max)
	where=$(grep '^0::' /proc/$pid/cgroup | cut -d: -f3)
else
	mem=$(cat /sys/fs/cgroup/memory/mini-docker/$id/memory.limit_in_bytes)
	cpu="$(cat /sys/fs/cgroup/cpu*/mini-docker/$id/cpu.cfs_quota_us | head -1) $(cat /sys/fs/cgroup/cpu*/mini-docker/$id/cpu.cfs_period_us | head -1)"
	pids=$(cat /sys/fs/cgroup/pids/mini-docker/$id/pids.max)
	where=$(grep ':memory:' /proc/$pid/cgroup | cut -d: -f3)
fi
check "08 cgroup files ($layout): memory 128m is 134217728 bytes" eq "$mem" 134217728
check "08 cgroup files ($layout): --cpus=1.0 is quota 100000 per period 100000" eq "$cpu" "100000 100000"
check "08 cgroup files ($layout): no --pids-limit leaves pids.max at max" eq "$pids" max
check "08 cgroup files ($layout): the container's init is in /mini-docker/<full id>" eq "$where" "/mini-docker/$id"
$M rm -f "$id" >/dev/null 2>&1
check "08 cgroup files: rm -f removes the container's cgroup" no_project_cgroups

id=$($M run -d --pids-limit 64 busybox sleep 300 2>&1)
if [ "$layout" = v2 ]; then
	pids=$(cat /sys/fs/cgroup/mini-docker/$id/pids.max); mem=$(cat /sys/fs/cgroup/mini-docker/$id/memory.max)
	cpu=$(cat /sys/fs/cgroup/mini-docker/$id/cpu.max)
else
	pids=$(cat /sys/fs/cgroup/pids/mini-docker/$id/pids.max)
	mem=$(cat /sys/fs/cgroup/memory/mini-docker/$id/memory.limit_in_bytes)
	cpu=$(cat /sys/fs/cgroup/cpu/mini-docker/$id/cpu.cfs_quota_us)
fi
check "08 cgroup files ($layout): --pids-limit 64 writes pids.max 64" eq "$pids" 64
check "08 cgroup files ($layout): no -m leaves the memory limit unset" \
	eval '[ "$mem" = max ] || [ "$mem" = 9223372036854771712 ]'
check "08 cgroup files ($layout): no --cpus leaves the quota unset" \
	eval '[ "$cpu" = "max 100000" ] || [ "$cpu" = -1 ]'
$M rm -f "$id" >/dev/null 2>&1
check "08 cgroup files: nothing of ours after" no_project_cgroups
