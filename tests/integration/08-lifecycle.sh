# 08-mini-docker lifecycle: run -d, ps, logs, inspect, exec, stop, kill, rm,
# checked against what the kernel says (namespace inodes, cgroup membership,
# processes) rather than against mini-docker's own words alone.
source "$(dirname "$0")/../lib.sh"
plan 84
M=./08-mini-docker/mini-docker
STATE=/var/lib/mini-docker
gone() { ! pgrep -fx "$1" >/dev/null; }   # no process with exactly this command line

# Bad input to the new commands: non-zero, one line naming the value.
bad() { # bad "label" "named" args...
	local label=$1 named=$2; shift 2
	local err rc
	err=$($M "$@" 2>&1 >/dev/null); rc=$?
	check "08 lifecycle bad input ($label): non-zero, one line naming '$named'" \
		eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "$named"'
}
bad "ps option" "-x" ps -x
bad "logs without a container" "usage" logs
bad "stop -t abc" "abc" stop -t abc x
bad "stop -t -1" "-1" stop -t -1 x
bad "kill -s FOO" "FOO" kill -s FOO x
bad "rm without a container" "usage" rm
bad "exec without a command" "usage" exec x
bad "exec -e 1A=x" "1A=x" exec -e 1A=x x true
bad "exec -w relative" "relative" exec -w relative x true
bad "import with a bad name" "Bad:Name" import /dev/null Bad:Name
bad "load without -i" "usage" load /dev/null

need_root "08 lifecycle"
ensure_busybox
command -v jq >/dev/null || { skip "08 lifecycle" "jq is missing: run 'make deps'"; exit 0; }
bad "logs of no such container" "lc-nosuch" logs lc-nosuch
bad "exec in no such container" "lc-nosuch" exec lc-nosuch true
bad "inspect of no such container" "lc-nosuch" inspect lc-nosuch
bad "start without a container" "usage" start
bad "start of no such container" "lc-nosuch" start lc-nosuch
bad "start -a of two containers" "one container" start -a lc-x lc-y

mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
names=(lc-web lc-trap lc-count lc-kept lc-shim lc-same lc-init-exec lc-fg lc-fgt lc-yes lc-sig lc-st lc-sta)
for i in 1 2 3 4 5 6; do names+=("lc-par$i"); done
cleanup() { $M rm -f "${names[@]}" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup

# ---- run -d, ps, logs, inspect ------------------------------------------
id=$($M run -d --name lc-web busybox sh -c 'echo hello-from-the-log; echo to-stderr >&2; exec sleep 1000'); rc=$?
check "08 run -d exits 0 at once" eq "$rc" 0
check "08 run -d prints the 64-hex container id" eval '[[ $id =~ ^[0-9a-f]{64}$ ]]'
ps_out=$($M ps)
show 08-ps "$ps_out"
check "08 ps: header with ID, NAME, IMAGE, COMMAND, CREATED, STATUS, PID" \
	eval 'has "$(head -1 <<<"$ps_out")" "CONTAINER ID" && has "$ps_out" "STATUS" && has "$ps_out" "PID"'
line=$(grep " lc-web " <<<"$ps_out")
check "08 ps lists lc-web, short id, image, Up" \
	eval 'has "$line" "${id:0:12}" && has "$line" busybox && has "$line" "Up "'
pid=$($M inspect lc-web | jq -r '.[0].State.Pid')
check "08 ps's PID is the container's init on the host" eval '[ "${line##* }" = "$pid" ] && [ -d /proc/$pid ]'
check "08 inspect: running, image, id" \
	eval '[ "$($M inspect lc-web | jq -r ".[0] | \"\(.State.Status) \(.Image) \(.Id)\"")" = "running busybox $id" ]'
sleep 0.3
out=$($M logs lc-web)
check "08 logs: the detached container's stdout and stderr" eval 'has "$out" hello-from-the-log && has "$out" to-stderr'
check "08 ps -q: the short id" eval '$M ps -q | grep -qx "${id:0:12}"'

# ---- exec ---------------------------------------------------------------
out=$($M exec lc-web sh -c 'hostname; echo "pid $$"; cat /proc/1/cmdline | tr "\0" " "; echo;
	grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; grep " / " /proc/mounts; pwd; echo "PATH=$PATH"'); rc=$?
show 08-exec "$out"
check "08 exec exits 0" eq "$rc" 0
check "08 exec: the container's hostname" eq "$(sed -n 1p <<<"$out")" "${id:0:12}"
check "08 exec: pid 1 inside is the container's init (sleep 1000)" has "$out" "sleep 1000"
check "08 exec: a pid of its own inside, not 1" eval '[[ $(sed -n 2p <<<"$out") =~ ^pid\ [0-9]+$ ]] && [ "$(sed -n 2p <<<"$out")" != "pid 1" ]'
check "08 exec: Docker's capabilities, no_new_privs" eval 'has "$out" "a80425fb" && has "$out" $'"'"'NoNewPrivs:\t1'"'"
check "08 exec: the container's overlay root" has "$out" "overlay / overlay"
# From the host: the exec'd process is in every namespace and the cgroup of init.
$M exec lc-web sleep 7.5 >/dev/null 2>&1 &
ex=$!
for _ in $(seq 50); do epid=$(pgrep -fx 'sleep 7.5' | head -1); [ -n "$epid" ] && break; sleep 0.1; done
same=0
for ns in uts pid mnt net ipc cgroup; do
	[ "$(readlink /proc/"$epid"/ns/$ns)" = "$(readlink /proc/"$pid"/ns/$ns)" ] && same=$((same + 1))
done
check "08 exec: same uts, pid, mnt, net, ipc, cgroup namespace inodes as init (host view)" eq "$same" 6
check "08 exec: not the host's pid namespace" eval '[ "$(readlink /proc/$epid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]'
nspid=$(awk '/^NSpid:/ {print $3}' /proc/"$epid"/status)
check "08 exec: NSpid shows an inner pid above 1" eval '[ -n "$nspid" ] && [ "$nspid" -gt 1 ]'
check "08 exec: in the container's cgroup" eval 'grep -q "mini-docker/$id" /proc/$epid/cgroup'
kill "$ex" 2>/dev/null; wait "$ex" 2>/dev/null
check "08 exec: killing the exec client ends the process inside" gone 'sleep 7.5'

out=$(MINI_DOCKER_EXEC_NSFILES=1 $M exec lc-web sh -c 'hostname; readlink /proc/1/ns/pid'); rc=$?
check "08 exec through /proc/PID/ns files: same hostname and pid namespace" \
	eval '[ $rc -eq 0 ] && [ "$(sed -n 1p <<<"$out")" = "${id:0:12}" ] && [ "$(sed -n 2p <<<"$out")" = "$(readlink /proc/$pid/ns/pid)" ]'
$M exec lc-web sh -c 'exit 7'; rc=$?
check "08 exec: the command's exit status" eq "$rc" 7
err=$($M exec lc-web no-such-cmd 2>&1); rc=$?
check "08 exec: not found is 127 with one line" eval '[ $rc -eq 127 ] && one_line "$err" && has "$err" no-such-cmd'
out=$($M exec -w /tmp -e GREETING=hi lc-web sh -c 'echo "$(pwd) $GREETING"')
check "08 exec -w -e" eq "$out" "/tmp hi"
out=$($M exec -t lc-web sh -c 'tty; ls /dev/pts' </dev/null | tr -d '\r')
check "08 exec -t: a terminal from the container's own devpts" \
	eval '[[ $(sed -n 1p <<<"$out") =~ ^/dev/pts/[0-9]+$ ]] && has "$out" "$(basename "$(sed -n 1p <<<"$out")")"'
$M exec lc-web sh -c 'echo from-exec > /tmp/exec-file'
check "08 exec writes land in the container's upper dir" \
	eq "$(cat "$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$($M inspect lc-web)")/tmp/exec-file")" from-exec

# ---- stop, kill, rm ------------------------------------------------------
err=$($M rm lc-web 2>&1); rc=$?
check "08 rm of a running container refuses, one line" eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "rm -f"'
check "08 ... and it still runs" eval '[ -d /proc/$pid ]'
start=$(date +%s.%N)
$M stop -t 2 lc-web >/dev/null; rc=$?
took=$(echo "$(date +%s.%N) - $start" | bc)
check "08 stop -t 2 of a PID 1 that ignores SIGTERM: SIGKILL after ~2 s (took $took s)" \
	eval '[ $rc -eq 0 ] && (( $(echo "$took >= 1.9 && $took < 6" | bc) ))'
line=$($M ps -a | grep " lc-web ")
check "08 ps -a: Exited (137)" has "$line" "Exited (137)"
check "08 ps without -a leaves it out" eval '! $M ps | grep -q " lc-web "'
check "08 inspect after stop: exited 137, not running" \
	eq "$($M inspect lc-web | jq -r '.[0].State | "\(.Status) \(.ExitCode) \(.Running)"')" "exited 137 false"
check "08 stopped: its cgroup is gone" eval '! find /sys/fs/cgroup -maxdepth 3 -name "$id" | grep -q .'

$M run -d --name lc-trap busybox sh -c 'trap "echo got-TERM; exit 3" TERM; echo trap-set; while :; do sleep 0.2; done' >/dev/null
# run -d returns once sh is exec'd, maybe before it has set its trap; a
# PID 1 without a handler would ignore the SIGTERM (and wait out stop's 10 s)
for _ in $(seq 100); do $M logs lc-trap 2>/dev/null | grep -q trap-set && break; sleep 0.05; done
start=$(date +%s.%N)
$M stop lc-trap >/dev/null
took=$(echo "$(date +%s.%N) - $start" | bc)
check "08 stop: a command that handles SIGTERM ends at once with its own code (took $took s)" \
	eval '(( $(echo "$took < 3" | bc) )) && $M ps -a | grep " lc-trap " | grep -q "Exited (3)"'
check "08 logs after stop" has "$($M logs lc-trap)" got-TERM

$M run -d --name lc-kept busybox sleep 1000 >/dev/null
err=$($M kill -s USR1 lc-kept 2>&1); rc=$?
sleep 0.3
check "08 kill -s USR1: a PID 1 without a handler ignores it" eval '[ $rc -eq 0 ] && $M ps | grep -q " lc-kept "'
$M kill lc-kept >/dev/null
for _ in $(seq 50); do $M ps -a | grep " lc-kept " | grep -q Exited && break; sleep 0.1; done
check "08 kill (SIGKILL by default): Exited (137)" eval '$M ps -a | grep " lc-kept " | grep -q "Exited (137)"'
err=$($M kill lc-kept 2>&1); rc=$?
check "08 kill of a stopped container: non-zero, one line" eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "not running"'
err=$($M run --name lc-kept busybox true 2>&1); rc=$?
check "08 a stopped container keeps its name" eval '[ $rc -eq 125 ] && one_line "$err" && has "$err" "lc-kept"'
kid=$($M inspect lc-kept | jq -r '.[0].Id')
$M rm lc-kept lc-trap lc-web >/dev/null; rc=$?
check "08 rm of stopped containers" eq "$rc" 0
check "08 rm: no directory, name, runtime file or cgroup left" \
	eval '[ ! -e $STATE/containers/$kid ] && [ ! -e $STATE/names/lc-kept ] && [ ! -e /run/mini-docker/$kid.json ] && [ ! -e $STATE/containers/$id ] && no_project_cgroups'

# logs -f follows until the container ends
$M run -d --name lc-count busybox sh -c 'for i in 1 2 3 4; do echo line$i; sleep 0.3; done' >/dev/null
out=$(timeout 10 $M logs -f lc-count); rc=$?
check "08 logs -f: every line, returns when the container exits" eval '[ $rc -eq 0 ] && has "$out" line1 && has "$out" line4'
$M rm lc-count >/dev/null

# A kept foreground container is logged too (Docker's json-file does the
# same); its stdout and stderr still reach ours, each on its own stream.
errf=$(mktemp)
out=$($M run --name lc-fg busybox sh -c 'echo fg-out; echo fg-err >&2' 2>"$errf"); rc=$?
err=$(cat "$errf"); rm -f "$errf"
check "08 foreground run: stdout and stderr reach the caller apart" \
	eval '[ $rc -eq 0 ] && [ "$out" = fg-out ] && [ "$err" = fg-err ]'
out=$($M logs lc-fg)
check "08 logs of a foreground container that has exited: both streams" \
	eval 'has "$out" fg-out && has "$out" fg-err'
out=$(printf 'echo tty-line; exit 4\n' | script -qec "$M run -it --name lc-fgt busybox sh" /dev/null >/dev/null; $M logs lc-fgt | tr -d '\r')
check "08 logs of a foreground -t container: what its terminal showed" has "$out" tty-line
# The runner relays through pipes: a reader that goes away must end the
# container the way a closed pipe would (SIGPIPE: 141), not hang it. Not as
# PID 1, which the kernel spares signals it has no handler for: there,
# yes would get EPIPE and exit 1.
timeout 20 $M run --name lc-yes busybox sh -c 'yes; exit $?' | head -n 1 >/dev/null
rc=${PIPESTATUS[0]}
check "08 run ... | head -1 of an endless writer: ends with SIGPIPE (141)" eq "$rc" 141
# Signals the caller ignores are not the container's: nohup, a shell's trap.
# (32 and 33 are glibc's own, out of a program's reach: masked off.)
out=$(trap '' PIPE HUP INT; $M run --rm busybox grep SigIgn /proc/self/status;
	$M run -d --name lc-sig busybox sleep 100 >/dev/null; $M exec lc-sig grep SigIgn /proc/self/status)
ign=0
while read -r _ mask; do ign=$((ign | (0x$mask & ~0x180000000))); done <<<"$out"
check "08 the container's command and exec's start with no signal ignored (PIPE, HUP, INT were)" \
	eval '[ "$(echo "$out" | wc -l)" -eq 2 ] && [ $ign -eq 0 ]'
$M rm -f lc-fg lc-fgt lc-yes lc-sig >/dev/null

# start: a stopped container again, with its upper dir, log, name, limits
$M run -d --name lc-st -m 32m busybox sh -c \
	'echo started >> /count; wc -l < /count; trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
for _ in $(seq 300); do [ -n "$($M logs lc-st)" ] && break; sleep 0.1; done
host1=$($M exec lc-st hostname)
$M stop -t 5 lc-st >/dev/null
out=$($M start lc-st); rc=$?
check "08 start of a stopped container: prints its name, exit 0" eval '[ $rc -eq 0 ] && [ "$out" = lc-st ]'
for _ in $(seq 300); do [ "$($M logs lc-st | wc -l)" -ge 2 ] && break; sleep 0.1; done
check "08 start: running again, its log appended (1 then 2)" \
	eval '$M ps | grep -q " lc-st " && [ "$($M logs lc-st | tr "\n" " ")" = "1 2 " ]'
check "08 start: the file it wrote before is still there (same upper dir)" \
	eq "$($M exec lc-st cat /count | wc -l)" 2
check "08 start: same hostname" eq "$($M exec lc-st hostname)" "$host1"
mem=$($M inspect lc-st | jq -r '.[0].CgroupPaths[]' | grep -E 'memory|^/sys/fs/cgroup/mini-docker' | head -n 1)
check "08 start: a new cgroup with the same memory limit (32M)" \
	eval 'cat "$mem/memory.max" "$mem/memory.limit_in_bytes" 2>/dev/null | grep -qx 33554432'
pid1=$($M inspect lc-st | jq -r '.[0].State.Pid')
out=$($M start lc-st); rc=$?
check "08 start of a running container: its name, exit 0, nothing restarted" \
	eval '[ $rc -eq 0 ] && [ "$out" = lc-st ] && [ "$($M inspect lc-st | jq -r ".[0].State.Pid")" = "$pid1" ]'
$M stop -t 5 lc-st >/dev/null
id=$($M inspect lc-st | jq -r '.[0].Id')
$M rm lc-st >/dev/null
check "08 start, stop, rm: nothing left" \
	eval '[ ! -e $STATE/containers/$id ] && [ ! -e $STATE/names/lc-st ] && no_project_cgroups'
out=$($M run --name lc-sta busybox sh -c 'echo x >> /n; wc -l < /n; exit 3'); rc=$?
out2=$($M start -a lc-sta); rc2=$?
check "08 start -a: attached, its output and exit status (3) each time" \
	eval '[ "$out $rc" = "1 3" ] && [ "$out2 $rc2" = "2 3" ]'
$M rm lc-sta >/dev/null

# rm -f of a running container
$M run -d --name lc-web busybox sleep 1000 >/dev/null
id=$($M inspect lc-web | jq -r '.[0].Id')
$M rm -f lc-web >/dev/null; rc=$?
check "08 rm -f of a running container: gone, process and cgroup too" \
	eval '[ $rc -eq 0 ] && [ ! -e $STATE/containers/$id ] && gone "sleep 1000" && no_project_cgroups'

# The shim (runner) killed with SIGKILL: the container dies with it, and
# the next command records it as exited and removes its cgroup.
$M run -d --name lc-shim busybox sleep 1000 >/dev/null
sid=$($M inspect lc-shim | jq -r '.[0].Id')
runner=$(jq -r .Runner /run/mini-docker/"$sid".json)
kill -9 "$runner"
for _ in $(seq 50); do pgrep -fx 'sleep 1000' >/dev/null || break; sleep 0.1; done
line=$($M ps -a | grep " lc-shim ")
check "08 shim SIGKILLed: the container died with it, recorded as Exited (137)" \
	eval 'gone "sleep 1000" && has "$line" "Exited (137)"'
check "08 shim SIGKILLed: cgroup removed by the next command" no_project_cgroups
$M rm lc-shim >/dev/null

# --rm with -d: gone when it exits
did=$($M run -d --rm busybox true)
for _ in $(seq 50); do [ -e "$STATE/containers/$did" ] || break; sleep 0.1; done
check "08 run -d --rm: removed when it exits" eval '[ ! -e $STATE/containers/$did ]'
err=$($M run -d busybox no-such-cmd 2>&1); rc=$?
check "08 run -d of a missing command: 127 at once" eval '[ $rc -eq 127 ] && has "$err" no-such-cmd'
$M rm "$($M ps -aq | head -1)" >/dev/null

# Parallel: six run -d at once, two rm -f at once; one name, two runs.
for i in 1 2 3 4 5 6; do $M run -d --name "lc-par$i" busybox sleep 1000 >/dev/null & done
wait
check "08 six run -d in parallel: six running, six different ids" \
	eval '[ "$($M ps -q | sort -u | wc -l)" -eq 6 ]'
$M rm -f lc-par1 lc-par2 lc-par3 >/dev/null & a=$!
$M rm -f lc-par4 lc-par5 lc-par6 >/dev/null & b=$!
wait $a; ra=$?; wait $b; rb=$?
check "08 two rm -f at once: both succeed" eval '[ $ra -eq 0 ] && [ $rb -eq 0 ]'
check "08 ... and the store is empty and consistent" \
	eval '[ -z "$(find $STATE/containers $STATE/names /run/mini-docker -mindepth 1 -path /run/mini-docker/cache -prune -o -print)" ] && no_project_cgroups && gone "sleep 1000"'
( $M run -d --name lc-same busybox sleep 1000 >/dev/null 2>&1; echo $? ) >/tmp/lc-same.1 &
( $M run -d --name lc-same busybox sleep 1000 >/dev/null 2>&1; echo $? ) >/tmp/lc-same.2 &
wait
check "08 two run -d with one name: exactly one wins" \
	eq "$(sort /tmp/lc-same.1 /tmp/lc-same.2 | tr '\n' ' ')" "0 125 "
rm -f /tmp/lc-same.1 /tmp/lc-same.2
$M rm -f lc-same >/dev/null

# ---- the host as it was --------------------------------------------------
cleanup
check "08 lifecycle: no container state left" \
	eval '[ -z "$(find $STATE/containers $STATE/names /run/mini-docker -mindepth 1 -path /run/mini-docker/cache -prune -o -print 2>/dev/null)" ]'
check "08 lifecycle: no cgroup left" no_project_cgroups
check "08 lifecycle: the host's mount table is as before" eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$mounts_before"
check "08 lifecycle: no container process left" eval 'gone "sleep 1000" && gone "sleep 7.5"'
