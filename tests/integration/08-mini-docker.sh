# 08-mini-docker: `mini-docker run`, checked from inside the container with probes.
source "$(dirname "$0")/../lib.sh"
plan 81
M=./08-mini-docker/mini-docker
STATE=/var/lib/mini-docker

no_state_left() {
	local left
	left=$(find "$STATE/containers" "$STATE/names" /run/mini-docker -mindepth 1 -path /run/mini-docker/cache -prune -o -print 2>/dev/null)
	[ -z "$left" ] || { echo "#   state left: $left" >&2; return 1; }
}

# Bad input: exit 125, one line naming the value, nothing created.
bad() { # bad "label" "the value the line must name" args...
	local label=$1 named=$2; shift 2
	local err rc
	err=$($M run "$@" 2>&1 >/dev/null); rc=$?
	check "08 bad input ($label): 125 and one line naming $named" \
		eval '[ $rc -eq 125 ] && one_line "$err" && has "$err" "$named"'
}
bad "memory 12x" "'12x'" -m 12x true
bad "memory below 6m" "'1m'" -m 1m true
bad "cpus abc" "'abc'" --cpus abc true
bad "cpus 0" "'0'" --cpus 0 true
bad "pids 0" "'0'" --pids-limit 0 true
bad "name with space" "'a b'" --name 'a b' true
bad "hostname of 65 bytes" "65 bytes" --hostname "$(printf 'h%.0s' $(seq 65))" true
bad "env without =" "'NOEQUALS'" -e NOEQUALS true
bad "relative volume" "'rel:/data'" -v rel:/data true
bad "volume with .." "'/tmp/../etc:/data'" -v /tmp/../etc:/data true
bad "volume into .." "'/tmp:/a/../../etc'" -v /tmp:/a/../../etc true
bad "unknown flag" "'--bogus'" --bogus true
bad "no image" "no image given"
bad "image without a command" "'$STATE/images/busybox'" "$STATE/images/busybox"
bad "no such image" "no-such-image:1" no-such-image:1 true
bad "bad image name" "Bad:Name" "Bad:Name" true
bad "rootless with limits" "--memory" --rootless -m 64m true
bad "missing rootfs" "'/no/such/rootfs'" --rootfs /no/such/rootfs true
bad "relative workdir" "'srv'" -w srv true
err=$($M frobnicate 2>&1); rc=$?
check "08 unknown command: 125 naming it" eval '[ $rc -eq 125 ] && has "$err" "frobnicate"'

need_root "08 containers"
ensure_busybox
layout=$(cgroup_layout)
bad "missing volume host path" "'/no/such/path'" -v /no/such/path:/data true
check "08 bad input created nothing (state, cgroups)" eval 'no_state_left && no_project_cgroups'

mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
cgroups_before=$(find /sys/fs/cgroup -maxdepth 3 -type d | sort)
image_before=$(cd "$STATE/images/busybox" && find . | sort | md5sum)

# (probes count processes with a shell glob: a pipeline would add its own;
# and the fds are listed with no pipe or redirection: while it sets one up,
# the shell itself holds extra fds, which ls would list)
out=$($M run --rm --hostname box busybox sh -c 'hostname; echo "pid $$"; set -- /proc/[0-9]*; echo $#;
	id -u; grep -E "^(CapEff|CapBnd|CapInh|CapAmb|NoNewPrivs)" /proc/self/status;
	cat /proc/self/cgroup; echo fds-begin; ls /proc/$$/fd; echo fds-end; echo "lo: $(cat /proc/net/dev | grep -c :)";
	ping -c1 -W2 127.0.0.1 >/dev/null && echo ping-ok; pwd; echo "PATH=$PATH HOME=$HOME"' 2>&1); rc=$?
show 08 "$out"
check "08 exits 0" eq "$rc" 0
check "08 hostname inside is --hostname" eq "$(sed -n 1p <<<"$out")" box
check "08 the command is pid 1" eq "$(sed -n 2p <<<"$out")" "pid 1"
check "08 /proc lists only the container's one process" eq "$(sed -n 3p <<<"$out")" 1
check "08 uid 0 inside" eq "$(sed -n 4p <<<"$out")" 0
check "08 CapEff is Docker's default set" has "$out" $'CapEff:\t00000000a80425fb'
check "08 CapBnd is Docker's default set" has "$out" $'CapBnd:\t00000000a80425fb'
check "08 CapInh and CapAmb are empty" eval 'has "$out" $'"'"'CapInh:\t0000000000000000'"'"' && has "$out" $'"'"'CapAmb:\t0000000000000000'"'"''
check "08 NoNewPrivs is set" has "$out" $'NoNewPrivs:\t1'
check "08 /proc/self/cgroup shows / in every hierarchy" \
	eval '[ "$(grep -cE "^[0-9]+:[^:]*:" <<<"$out")" -ge 1 ] && ! grep -E "^[0-9]+:[^:]*:/." <<<"$out" | grep -q .'
check "08 only fds 0-2 are open in the command" \
	eq "$(sed -n '/^fds-begin$/,/^fds-end$/p' <<<"$out" | tr '\n' ' ')" "fds-begin 0 1 2 fds-end "
check "08 a network namespace of its own: lo (up) and the bridge's eth0 (NETWORK.md)" \
	eval 'has "$out" "lo: 2" && has "$out" ping-ok'
check "08 cwd is / and the environment is the image default" \
	eval 'grep -qx / <<<"$out" && has "$out" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root"'

out=$($M run --rm busybox sh -c 'cat /proc/kcore 2>/dev/null | wc -c; echo x > /proc/sys/kernel/hostname 2>&1; [ -e /proc/sysrq-trigger ] && echo x > /proc/sysrq-trigger 2>&1; touch /sys/x 2>&1; mount -t tmpfs t /tmp 2>&1; echo "host: $(hostname)"' 2>&1)
check "08 /proc/sys is read-only" eval 'grep -q "/proc/sys/kernel/hostname: Read-only" <<<"$out"'
if [ -e /proc/sysrq-trigger ]; then
	check "08 /proc/sysrq-trigger is read-only" eval 'grep -q "sysrq-trigger: Read-only" <<<"$out"'
else
	skip "08 /proc/sysrq-trigger is read-only" "this kernel has no /proc/sysrq-trigger"
fi
check "08 /sys is read-only" has "$out" "/sys/x: Read-only file system"
check "08 mount is refused (no CAP_SYS_ADMIN)" eval 'grep -qi "mount.*permission denied\|mount.*not permitted" <<<"$out"'
check "08 /proc/kcore reads nothing" eval '[ "$(sed -n 1p <<<"$out")" = 0 ]'

if [ "$layout" = v2 ]; then
	out=$($M run --rm -m 64m --pids-limit 20 busybox sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; echo x > /sys/fs/cgroup/pids.max' 2>&1)
	check "08 v2: the container sees its own limits at /sys/fs/cgroup, read-only" \
		eval '[ "$(sed -n 1p <<<"$out")" = 67108864 ] && [ "$(sed -n 2p <<<"$out")" = 20 ] && has "$out" "Read-only"'
else
	skip "08 v2: the container sees its own limits at /sys/fs/cgroup" "a $layout host has no cgroup2 to show"
fi
out=$($M run --rm busybox sh -c 'echo "hostname $(hostname)"' 2>&1)
check "08 default hostname is the 12-hex short id" eval '[[ "$out" =~ ^hostname\ [0-9a-f]{12}$ ]]'

out=$($M run --rm -e GREETING=hello -e EMPTY= -w /srv busybox sh -c 'echo "$GREETING|$EMPTY|$(pwd)"' 2>&1)
check "08 -e and -w" eq "$out" "hello||/srv"

# Exit statuses, as Docker gives them.
$M run --rm busybox sh -c 'exit 7' >/dev/null 2>&1; check "08 the command's exit status comes back" eq "$?" 7
err=$($M run --rm busybox no-such-command 2>&1); rc=$?
check "08 command not found: 127 and a message" eval '[ $rc -eq 127 ] && has "$err" "no-such-command"'
$M run --rm busybox /etc/passwd >/dev/null 2>&1; check "08 not executable: 126" eq "$?" 126

# Memory: the OOM kill says so.
err=$($M run --rm -m 64m busybox sh -c 'head -c 300m /dev/zero | tail' 2>&1); rc=$?
check "08 -m 64m: writing past the limit exits 137" eq "$rc" 137
check "08 -m 64m: the OOM kill is reported on stderr" has "$err" "killed by the OOM killer (memory limit 64M)"

# CPU: 3 s of a busy loop under --cpus 0.5 uses about 1.5 s of CPU.
ticks=$($M run --rm --cpus 0.5 busybox sh -c 'timeout 3 sh -c "while :; do :; done"; set -- $(cat /proc/$$/stat); echo $(( ${16} + ${17} ))' 2>/dev/null)
check "08 --cpus 0.5 measured from inside: ~50% ($ticks ticks of 300)" near "$ticks" 150 15

# pids: a fork loop stops at the limit; busybox sh gives up at the first
# failed fork, so count the sleepers it managed to start.
out=$($M run --rm --pids-limit 10 busybox sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 3 & echo started; done' 2>&1)
started=$(grep -c '^started$' <<<"$out")
check "08 --pids-limit 10: fork fails at the limit ($started sleepers + sh)" \
	eval 'has "$out" "can'"'"'t fork" && [ "$started" -eq 9 ]'

# The image is never written; the container's changes go to its upper dir.
$M run --rm busybox sh -c 'echo changed > /etc/passwd; rm /bin/ls; mkdir /newdir' >/dev/null 2>&1
check "08 writes in the container do not reach the image" \
	eq "$(cd "$STATE/images/busybox" && find . | sort | md5sum)" "$image_before"
check "08 the image's /etc/passwd is intact" has "$(cat "$STATE/images/busybox/etc/passwd")" "root:x:0:0"

# Volumes.
vol=$(mktemp -d /tmp/mini-docker-vol.XXXXXX)
echo from-host >"$vol/in"
out=$($M run --rm -v "$vol:/data" busybox sh -c 'cat /data/in; echo from-container > /data/out' 2>&1)
check "08 -v: the container reads the host file" eq "$out" from-host
check "08 -v: the host sees the container's write" eq "$(cat "$vol/out" 2>/dev/null)" from-container
out=$($M run --rm -v "$vol:/data:ro" busybox sh -c 'cat /data/in; echo x > /data/ro-test' 2>&1); rc=$?
check "08 -v :ro is read-only" eval '[ $rc -ne 0 ] && has "$out" "Read-only file system" && [ ! -e "$vol/ro-test" ]'
rm -rf "$vol"

# PID 1 and signals: a plain PID 1 ignores SIGTERM; --init forwards it.
$M run --rm busybox sleep 30 >/dev/null 2>&1 &
runner=$!; sleep 1; kill -TERM $runner; sleep 1
check "08 a plain PID 1 (sleep) ignores a forwarded SIGTERM" kill -0 $runner
kill -TERM $runner; wait $runner; rc=$?
check "08 a second signal to the runner ends the container (137)" eq "$rc" 137
$M run --rm --init busybox sleep 30 >/dev/null 2>&1 &
runner=$!; sleep 1; kill -TERM $runner; wait $runner; rc=$?
check "08 --init forwards SIGTERM to the command: 143" eq "$rc" 143
out=$($M run --rm --init busybox sh -c 'echo "pid $$"; sleep 30 & sleep 30 & set -- /proc/[0-9]*; echo "$#"; cat /proc/1/cmdline | tr "\0" " "' 2>&1)
check "08 --init: the command is pid 2 under our init" has "$out" "pid 2"
check "08 --init: init + sh + two sleepers" eq "$(sed -n 2p <<<"$out")" 4
check "08 --init: pid 1 is mini-docker's init" has "$out" "mini-docker run --rm --init busybox"

# kill -9 of the container's init from the host.
$M run --rm busybox sleep 30 >/dev/null 2>&1 &
runner=$!; sleep 1
pkill -9 -f '^sleep 30$'
wait $runner; rc=$?
check "08 kill -9 of the container's init: 137" eq "$rc" 137

# SIGKILL of the runner: the container dies with it; the next call cleans up.
$M run --rm --name victim busybox sleep 30 >/dev/null 2>&1 &
runner=$!; sleep 1; kill -9 $runner; wait $runner 2>/dev/null; sleep 0.5
check "08 SIGKILL of the runner takes the container down" bash -c '! pgrep -f "^sleep 30$" >/dev/null'
err=$($M run --rm busybox true 2>&1)
check "08 the next call removes what the killed runner left" has "$err" "left by a runner that was killed"
$M run --rm --name victim busybox true >/dev/null 2>&1
check "08 the killed container's name is free again" eq "$?" 0

# Names are unique among running containers.
$M run --rm --name dup busybox sleep 3 >/dev/null 2>&1 &
runner=$!; sleep 1
err=$($M run --rm --name dup busybox true 2>&1); rc=$?
check "08 a second container with a running one's name is refused" eval '[ $rc -eq 125 ] && has "$err" "already in use"'
wait $runner

# A terminal: -it gives the container a tty.
if command -v script >/dev/null; then
	out=$(printf 'tty; echo "TERM=$TERM"; exit 3\n' | script -qec "$M run -it --rm busybox sh" /dev/null | tr -d '\r'; exit "${PIPESTATUS[1]}"); rc=$?
	check "08 -it: stdin is a terminal, TERM=xterm, exit status kept" \
		eval '[ $rc -eq 3 ] && has "$out" "/dev/console" && has "$out" "TERM=xterm"'
else
	echo "not ok - 08 -it: script(1) from util-linux is missing (sudo make deps)"
fi

# Rootless, as an unprivileged user.
rootless_root_existed=0; [ -e /tmp/mini-docker-65534 ] && rootless_root_existed=1
out=$(cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups env -u MINI_DOCKER_ROOT "$ROOT/$M" run --rootless --hostname rl "$STATE/images/busybox" sh -c 'id -u; hostname; echo "pid $$"; cat /proc/self/uid_map' 2>&1); rc=$?
show 08-rootless "$out"
check "08 --rootless as nobody exits 0" eq "$rc" 0
check "08 --rootless: uid 0 inside, pid 1, own hostname" \
	eval '[ "$(sed -n 1p <<<"$out")" = 0 ] && has "$out" rl && has "$out" "pid 1"'
check "08 --rootless: uid 0 maps to nobody" eval 'grep -Eq "^ +0 +65534 +1$" <<<"$out"'
as_nobody() { (cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups env -u MINI_DOCKER_ROOT "$ROOT/$M" "$@"); }
out=$(as_nobody ps -a 2>&1)
check "08 --rootless: kept, and listed by nobody's ps -a" eval 'has "$out" "Exited (0)" && [ "$(wc -l <<<"$out")" -eq 2 ]'
out=$(as_nobody start -a "$(as_nobody ps -aq)" 2>&1); rc=$?
check "08 --rootless: nobody's start -a runs it again, in its user namespace" \
	eval '[ $rc -eq 0 ] && grep -Eq "^ +0 +65534 +1$" <<<"$out" && has "$out" "pid 1"'
out=$(as_nobody rm "$(as_nobody ps -aq)" 2>&1); rc=$?
check "08 --rootless: nobody's rm removes it" eq "$rc" 0
as_nobody run -d --rootless --name rl-bg "$STATE/images/busybox" sleep 1000 >/dev/null
out=$(as_nobody exec rl-bg sh -c 'id -u; echo "pid $$"' 2>&1); rc=$?
out2=$(MINI_DOCKER_EXEC_NSFILES=1 as_nobody exec rl-bg sh -c 'echo "pid $$"' 2>&1); rc2=$?
check "08 --rootless: exec by nobody (pidfd and /proc/PID/ns) enters it as uid 0, pid > 1" \
	eval '[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ "$(sed -n 1p <<<"$out")" = 0 ] && [[ $(sed -n 2p <<<"$out") =~ ^pid\ [2-9] ]] && [[ $out2 =~ ^pid\ [2-9] ]]'
st=$(as_nobody exec rl-bg grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/self/status 2>&1 | tr -s '\t ' ' ')
st2=$(as_nobody run --rm --rootless "$STATE/images/busybox" sh -c 'grep -E "^Seccomp:" /proc/self/status; unshare -U true 2>&1' 2>&1 | tr -s '\t ' ' ')
check "08 --rootless: run and exec get the same confinement (seccomp filter, no_new_privs, Docker's caps; unshare refused)" \
	eval 'has "$st" "Seccomp: 2" && has "$st" "NoNewPrivs: 1" && has "$st" "CapEff: 00000000a80425fb" && has "$st2" "Seccomp: 2" && has "$st2" "not permitted"'
as_nobody rm -f rl-bg >/dev/null
check "08 --rootless left no container state" eval '[ -z "$(find /tmp/mini-docker-65534/containers /tmp/mini-docker-65534/names /tmp/mini-docker-65534/run -mindepth 1 -path "*/run/cache" -prune -o -print 2>/dev/null)" ]'
[ "$rootless_root_existed" = 1 ] || rm -rf /tmp/mini-docker-65534

# The host as it was.
check "08 no container state left" no_state_left
check "08 no cgroup left" no_project_cgroups
check "08 the host's mount table is as before" eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$mounts_before"
check "08 the host's cgroup tree is as before" eq "$(find /sys/fs/cgroup -maxdepth 3 -type d | sort)" "$cgroups_before"
check "08 no container process left" bash -c '! pgrep -f "^sleep 30$" >/dev/null'
