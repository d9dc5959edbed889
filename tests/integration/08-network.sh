# 08-mini-docker networking (NETWORK.md): --network bridge|none|host|
# container:NAME, -p, and the host left as found on every path. The only
# "outside" is a network namespace this script makes, behind a veth pair of
# its own (198.51.100.0/24, TEST-NET-2); every packet goes to an address in
# a namespace made here, with bounded counts and timeouts.
source "$(dirname "$0")/../lib.sh"
plan 52
M=./08-mini-docker/mini-docker
OUT=mdt-out                 # the outside's netns
HOST_IP=198.51.100.1 OUT_IP=198.51.100.2

bad() { # bad "label" "named" args...: exit 125, one line naming the value
	local label=$1 named=$2; shift 2
	local err rc
	err=$($M run --rm "$@" 2>&1 >/dev/null); rc=$?
	check "08 network bad input ($label): 125, one line naming '$named'" \
		eval '[ $rc -eq 125 ] && one_line "$err" && has "$err" "$named"'
}
bad "--network bogus" "bogus" --network bogus busybox true
bad "-p 70000:80" "70000:80" -p 70000:80 busybox true
bad "-p 8080" "8080" -p 8080 busybox true
bad "-p 8080:80/sctp" "8080:80/sctp" -p 8080:80/sctp busybox true
bad "-p 1.2.3:8080:80" "1.2.3" -p 1.2.3:8080:80 busybox true
bad "-p twice the same port" "publish the same host port" -p 8080:80 -p 8080:81 busybox true
bad "--rootless --network bridge" "--rootless" --rootless --network bridge busybox true
bad "--rootless -p" "--rootless" --rootless -p 8080:80 busybox true
bad "-p with --network none" "-p needs --network bridge" --network none -p 8080:80 busybox true

need_root "08 network"
ensure_busybox
for t in ip nft jq; do
	command -v $t >/dev/null || { skip "08 network" "$t is missing: run 'make deps'"; echo "# skip-all"; exit 0; }
done
tmp=$(mktemp -d /tmp/mini-docker-net.XXXXXX)
names=(nw-web nw-web2 nw-cli nw-dup nw-join nw-kill nw-killfg nw-int nw-st)
for i in $(seq 1 8); do names+=("nw-par$i"); done
# The VMs boot with lo down: 127.0.0.1 is then no address of the host at
# all. Up for this script (the baseline is taken after), down again at the end.
lo_was_down=; ip -o link show lo | grep -q '[<,]UP[,>]' || { lo_was_down=1; ip link set lo up; }
fwd_before=$(cat /proc/sys/net/ipv4/ip_forward)
links_before=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort)
addrs_before=$(ip -o -4 addr show | awk '{print $2, $4}' | sort)
# routes: all of them, but lo's when this script brought lo up (in the VMs
# the kernel drops the broadcast and ::1 routes of that late lo on its own)
routes() { ip route show table all | { if [ -n "$lo_was_down" ]; then grep -v ' dev lo '; else cat; fi; } | sort; }
routes_before=$(routes)
tables_before=$(nft list tables | sort)
# `ip netns add` makes /run/netns and mounts it on itself (shared) the
# first time; `ip netns del` leaves both: undo them if they were not there
netns_dir_before=$([ -d /run/netns ] && echo yes)
netns_mnt_before=$(findmnt -rno TARGET /run/netns 2>/dev/null)
mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
undo_outside() {
	ip netns del $OUT 2>/dev/null
	[ -n "$netns_mnt_before" ] || ! findmnt -rno TARGET /run/netns >/dev/null 2>&1 || umount /run/netns
	[ -n "$netns_dir_before" ] || rmdir /run/netns 2>/dev/null
	ip link del mdt-h 2>/dev/null
}
cleanup() {
	$M rm -f "${names[@]}" >/dev/null 2>&1
	undo_outside
	rm -rf "$tmp"
	[ -z "$lo_was_down" ] || ip link set lo down
}
trap cleanup EXIT
cleanup; tmp=$(mktemp -d /tmp/mini-docker-net.XXXXXX)

# The host as found: what every residue check compares with.
as_found() {
	local now
	now=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -v '^mdt-h$' | sort)
	[ "$now" = "$(grep -v '^mdt-h$' <<<"$links_before")" ] || { echo "#   links: $now" >&2; return 1; }
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd_before" ] || { echo "#   ip_forward changed" >&2; return 1; }
	[ "$(nft list tables | sort)" = "$tables_before" ] || { echo "#   nft: $(nft list tables)" >&2; return 1; }
	now=$(ip -o -4 addr show | awk '{print $2, $4}' | grep -v '^mdt-h ' | sort)
	[ "$now" = "$(grep -v '^mdt-h ' <<<"$addrs_before")" ] || { echo "#   addresses: $now" >&2; return 1; }
	[ -z "$(ls /run/mini-docker/net/leases 2>/dev/null)" ] || { echo "#   leases left" >&2; return 1; }
}

# The static echo server (busybox's nc has no UDP): "from PEER" per request.
if ! gcc -static -O1 -o "$tmp/echo" tests/network/echo.c 2>"$tmp/cc.log"; then
	echo "not ok - 08 network: could not build tests/network/echo.c ($(head -n1 "$tmp/cc.log"))"
	echo "# skip-all"; exit 0
fi
tcp_get() { timeout 8 bash -c "exec 3<>/dev/tcp/$1/$2 && head -n1 <&3" 2>/dev/null; }
udp_get() { timeout 8 bash -c "exec 3<>/dev/udp/$1/$2 && echo x >&3 && head -n1 <&3" 2>/dev/null; }

# The outside: a namespace with only its end of a veth pair and no default
# route, so an answer to a container's own address could not get back: a
# reply proves the masquerade.
ip netns add $OUT
ip link add mdt-h type veth peer name mdt-o netns $OUT
ip addr add $HOST_IP/24 dev mdt-h && ip link set mdt-h up
ip -n $OUT addr add $OUT_IP/24 dev mdt-o && ip -n $OUT link set mdt-o up && ip -n $OUT link set lo up

# ---- bridge: addresses, files, container <-> container ------------------
web=$($M run -d --name nw-web --hostname webhost -v "$tmp/echo:/echo:ro" -p 8080:80 -p 5353:53/udp \
	busybox sh -c '/echo udp 53 & exec /echo tcp 80')
check "08 network: run -d -p 8080:80 -p 5353:53/udp starts" eval '[[ $web =~ ^[0-9a-f]{64}$ ]]'
wip=$($M inspect nw-web | jq -r '.[0].NetworkSettings.IPAddress')
check "08 network: inspect shows an address on the bridge ($wip)" eval '[[ $wip =~ ^[0-9.]+$ ]]'
check "08 network: inspect shows NetworkMode bridge and the port bindings" \
	eval '[ "$($M inspect nw-web | jq -r ".[0].HostConfig.NetworkMode, .[0].HostConfig.PortBindings[\"80/tcp\"][0].HostPort")" = "$(printf "bridge\n8080")" ]'
br=$(ip -o -4 addr show dev mini0 2>/dev/null | awk '{print $4}')
check "08 network: mini0 has the gateway address of the container's subnet ($br)" \
	eval '[ -n "$br" ] && [ "${br%.*}" = "${wip%.*}" ]'
mtu_up=$(ip route show default | awk '{for (i=1;i<NF;i++) if ($i=="dev") print $(i+1); exit}')
mtu_want=$( [ -n "$mtu_up" ] && cat /sys/class/net/$mtu_up/mtu || echo 1500)
inside=$($M exec nw-web sh -c 'ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/mtu; ip -o link | wc -l')
show ip "$inside"
check "08 network: eth0 inside has the address, a default route via mini0, the uplink's MTU" \
	eval 'has "$inside" "$wip/" && has "$inside" "default via ${br%/*} dev eth0" && has "$inside" "$mtu_want"'
veth=md${web:0:12}
check "08 network: the host end md<id> is on mini0" eval '[ "$(basename "$(readlink /sys/class/net/$veth/master)")" = mini0 ]'
check "08 network: forwarding is on while a bridged container runs" eval '[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]'
hosts=$($M exec nw-web cat /etc/hosts)
check "08 network: /etc/hosts names the container by hostname and name" \
	eval 'has "$hosts" "$(printf "%s\twebhost nw-web" "$wip")" && has "$hosts" "127.0.0.1	localhost"'
want_ns=$(grep -E '^\s*nameserver' /etc/resolv.conf | grep -vE 'nameserver\s+(127\.|::1)')
[ -n "$want_ns" ] || want_ns=$(grep -E '^\s*nameserver' /run/systemd/resolve/resolv.conf 2>/dev/null | grep -vE '127\.|::1')
[ -n "$want_ns" ] || want_ns=$(printf 'nameserver 8.8.8.8\nnameserver 8.8.4.4')
got_ns=$($M exec nw-web grep nameserver /etc/resolv.conf)
check "08 network: /etc/resolv.conf has the host's servers, no loopback stub" eq "$got_ns" "$want_ns"
img=/var/lib/mini-docker/images/busybox
check "08 network: the image's /etc is untouched (no hosts written there)" eval '[ ! -e $img/etc/hosts ] || ! grep -q nw-web $img/etc/hosts'
cli=$($M run --rm --name nw-cli busybox sh -c "ping -c 2 -W 3 $wip >/dev/null && echo ping-ok; nc -w 5 $wip 80 </dev/null")
check "08 network: container -> container: ICMP and TCP (seen from its own address)" \
	eval 'has "$cli" ping-ok && has "$cli" "from ${wip%.*}."'
has "$cli" "from " || show nw-web "$cli
$($M ps -a 2>&1; $M logs nw-web 2>&1 | tail -5; ip -br link; ls /run/mini-docker/net/leases)"

# ---- NAT: outside, host, 127.0.0.1, another container --------------------
ip netns exec $OUT "$tmp/echo" tcp 9000 & outside_srv=$!
sleep 0.5
out=$($M run --rm busybox nc -w 5 $OUT_IP 9000 </dev/null)
check "08 network: container -> outside, masqueraded to the host's address" eq "$out" "from $HOST_IP"
kill $outside_srv; wait $outside_srv 2>/dev/null
out=$(ip netns exec $OUT bash -c "$(declare -f tcp_get); tcp_get $HOST_IP 8080")
check "08 network: outside -> published TCP port, the client's address kept" eq "$out" "from $OUT_IP"
out=$(ip netns exec $OUT bash -c "$(declare -f udp_get); udp_get $HOST_IP 5353")
check "08 network: outside -> published UDP port" eq "$out" "from $OUT_IP"
out=$(tcp_get $HOST_IP 8080)
check "08 network: host -> its own address:8080" eval 'has "$out" "from "'
out=$(tcp_get 127.0.0.1 8080)
check "08 network: host -> 127.0.0.1:8080 (output DNAT, route_localnet on mini0)" eval 'has "$out" "from "'
out=$($M run --rm busybox nc -w 5 $HOST_IP 8080 </dev/null)
check "08 network: another container -> the host's address:8080 (hairpin)" eval 'has "$out" "from "'
rules=$(nft list table ip mini-docker)
show nft "$rules"
check "08 network: the DNAT rules are in table ip mini-docker, tagged with the id, and were hit" \
	eval 'grep -qE "fib daddr type local tcp dport 8080 counter packets [1-9][0-9]* bytes [0-9]+ dnat to $wip:80 comment \"${web:0:12}\"" <<<"$rules" &&
	      grep -qE "udp dport 5353 counter packets [1-9][0-9]* bytes [0-9]+ dnat to $wip:53" <<<"$rules"'

# ---- a published port taken: 125, nothing made -------------------------
links_mid=$(ip -o link | wc -l)
err=$($M run --rm --name nw-dup -p 8080:81 busybox true 2>&1); rc=$?
check "08 network: a host port already published: 125, one line naming it" \
	eval '[ $rc -eq 125 ] && one_line "$err" && has "$err" "8080" && has "$err" "already published"'
check "08 network: ... and nothing made (no name, no link, no lease)" \
	eval '! $M inspect nw-dup >/dev/null 2>&1 && [ "$(ip -o link | wc -l)" = "$links_mid" ] && [ "$(ls /run/mini-docker/net/leases | wc -l)" = 1 ]'
err=$($M run --rm -p $HOST_IP:8080:80 busybox true 2>&1); rc=$?
check "08 network: the same port on one address clashes with every address" eval '[ $rc -eq 125 ] && has "$err" "already published"'

# ---- none, host, container: ----------------------------------------------
out=$($M run --rm --network none busybox sh -c 'ip -o link | wc -l; ip -o link')
check "08 network: --network none has only lo" eval '[ "$(head -n1 <<<"$out")" = 1 ] && has "$out" "lo:"'
out=$($M run --rm --network host busybox ip -o link)
check "08 network: --network host sees the host's links (mdt-h)" eval 'has "$out" "mdt-h"'
hns=$(readlink /proc/self/ns/net)
out=$($M run --rm --network host busybox readlink /proc/1/ns/net)
check "08 network: --network host is the host's namespace" eq "$out" "$hns"
out=$($M run --rm --name nw-join --network container:nw-web busybox sh -c 'ip -o -4 addr show eth0; nc -w 5 127.0.0.1 80 </dev/null')
check "08 network: --network container:nw-web shares its stack (its eth0, its lo:80)" \
	eval 'has "$out" "$wip/" && has "$out" "from 127.0.0.1"'
err=$($M run --rm --network container:nw-nosuch busybox true 2>&1); rc=$?
check "08 network: container:NAME of no such container: 125, one line" eval '[ $rc -eq 125 ] && one_line "$err" && has "$err" nw-nosuch'

# ---- many at once: distinct addresses ----------------------------------
for i in $(seq 1 8); do $M run -d --name nw-par$i busybox sleep 60 >/dev/null & done
wait
addrs=$(for i in $(seq 1 8); do $M inspect nw-par$i | jq -r '.[0].NetworkSettings.IPAddress'; done | sort -u | grep -c .)
check "08 network: 8 containers started at once got 8 distinct addresses" eq "$addrs" 8
$M rm -f $(for i in $(seq 1 8); do echo nw-par$i; done) >/dev/null
check "08 network: removing them left the first container's lease only" eval '[ "$(ls /run/mini-docker/net/leases)" = "$wip" ]'

# ---- stop, start, rm ----------------------------------------------------
$M stop -t 1 nw-web >/dev/null
check "08 network: stop: the veth, the rules, the lease are gone, the host as found" as_found
$M start nw-web >/dev/null
sleep 0.5
out=$(ip netns exec $OUT bash -c "$(declare -f tcp_get); tcp_get $HOST_IP 8080")
check "08 network: start again: the port is published again" eq "$out" "from $OUT_IP"
$M rm -f nw-web >/dev/null
check "08 network: rm -f: the host as found (links, addresses, table, ip_forward)" as_found

# ---- every way a runner ends ---------------------------------------------
runner_of() { jq -r .Runner "/run/mini-docker/$1.json"; }
id=$($M run -d --name nw-kill -p 8090:80 busybox sleep 100)
shim=$(runner_of "$id")
kill -9 "$shim"
for _ in $(seq 50); do [ -e /proc/$shim ] || break; sleep 0.1; done
for _ in $(seq 50); do ! ip link show md${id:0:12} >/dev/null 2>&1 && break; sleep 0.1; done
$M ps -a >/dev/null 2>&1   # the reaper: the next command tidies up
check "08 network: SIGKILL of run -d's shim: after the next command, the host as found" as_found
check "08 network: ... and its port is free again" eval '$M run --rm -p 8090:80 busybox true'
$M rm -f nw-kill >/dev/null 2>&1

$M run --name nw-killfg -p 8091:80 busybox sleep 100 >/dev/null 2>&1 & fg=$!
for _ in $(seq 100); do [ "$($M inspect nw-killfg 2>/dev/null | jq -r '.[0].State.Status')" = running ] && break; sleep 0.1; done
kill -9 $fg; wait $fg 2>/dev/null
out=$($M run --rm busybox true 2>&1)   # the next run reconciles
check "08 network: SIGKILL of a foreground runner: the next run releases it, says so" \
	eval 'has "$out" "released address" && has "$out" "runner was killed"'
$M rm -f nw-killfg >/dev/null 2>&1
check "08 network: ... and the host is as found" as_found

$M run --name nw-int --rm busybox sleep 100 >/dev/null 2>&1 & fg=$!
for _ in $(seq 100); do [ "$($M inspect nw-int 2>/dev/null | jq -r '.[0].State.Status')" = running ] && break; sleep 0.1; done
kill -INT $fg; sleep 0.3; kill -INT $fg; wait $fg; rc=$?
check "08 network: Ctrl-C (SIGINT twice) of a foreground run: it ends" eval '[ $rc -ne 0 ]'
check "08 network: ... and the host is as found" as_found

err=$(MINI_DOCKER_SUBNET=198.51.100.0/24 $M run --rm busybox true 2>&1); rc=$?
check "08 network: MINI_DOCKER_SUBNET overlapping a host route: 125, one line" \
	eval '[ $rc -eq 125 ] && one_line "$err" && has "$err" "overlaps"'
check "08 network: ... nothing left" as_found
out=$(MINI_DOCKER_SUBNET=10.123.4.0/24 $M run --rm busybox ip -o -4 addr show eth0)
check "08 network: MINI_DOCKER_SUBNET=10.123.4.0/24 is used" eval 'has "$out" "10.123.4.2/24"'

# ---- the last word -------------------------------------------------------
undo_outside
check "08 network: at the end: the mount table as found (/run/netns undone if ip netns made it)" \
	eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$mounts_before"
check "08 network: at the end: links, addresses, routes, nft tables, ip_forward as found" \
	eval 'as_found && eq "$(routes)" "$routes_before"'
check "08 network: no md* veth, no mini0" eval '! ip -o link | grep -qE ": (md[0-9a-f]{12}|mini0)[:@]"'
