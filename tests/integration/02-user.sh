# 02-user: an unprivileged user is root with full capabilities in its own user namespace.
source "$(dirname "$0")/../lib.sh"
plan 18

./02-user/demo --nope >/dev/null 2>&1; rc=$?
check "02 exits 2 on an unknown flag" eq "$rc" 2

run_checks() { # $1 = who, $2.. = how to run the demo
	local who=$1; shift
	local out rc
	out=$("$@" ./02-user/demo 2>&1); rc=$?
	show "02 $who" "$out"
	check "02 ($who) exits 0" eq "$rc" 0
	check "02 ($who) child is uid 0 gid 0 inside" has "$out" "=> child: uid 0 gid 0 euid 0"
	check "02 ($who) uid_map maps 0 to the caller" \
		eval '[[ $(grep "uid_map:" <<<"$out") =~ uid_map:\ +0\ +65534\ +1$ ]]'
	check "02 ($who) full capability set inside (=ep)" has "$out" "caps:     =ep"
	check "02 ($who) sethostname works in its own UTS namespace" has "$out" 'hostname is now "userns-demo"'
	check "02 ($who) a host-root file stays unwritable (EACCES)" has "$out" "EACCES"
	check "02 ($who) the child's user namespace is new" \
		eval '[ "$(sed -n "s/.*uid 65534 gid 65534, \(user:\[[0-9]*\]\) (host: \(user:\[[0-9]*\]\)).*/\1 \2/p" <<<"$out" | awk "\$1 != \$2")" ]'
	out=$("$@" ./02-user/demo --bad-map 2>&1); rc=$?
	check "02 ($who) --bad-map reproduces EINVAL (invalid argument)" \
		eval '[ $rc -eq 0 ] && has "$out" "EINVAL (Invalid argument)"'
}

if [ "$(id -u)" = 0 ]; then
	run_checks "as nobody via setpriv" setpriv --reuid=65534 --regid=65534 --clear-groups
	run_checks "as root, drops to nobody"
	check "02 hostname of the host unchanged" bash -c '[ "$(hostname)" != userns-demo ]'
else
	run_checks "as $(id -un)" env
	skip "02 as nobody via setpriv" "needs root to switch users"
fi
