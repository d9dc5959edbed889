# 02-user --owner: ioctl_ns(2) names the user namespace that owns a namespace.
source "$(dirname "$0")/../lib.sh"
plan 7
D=./02-user/demo

err=$($D --owner --bad-map 2>&1 >/dev/null); rc=$?
check "02 rejects --owner with --bad-map in one line" \
	eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "--owner"'

out=$($D --owner 2>&1); rc=$?
show "02 --owner" "$out"
check "02 --owner exits 0" eq "$rc" 0
# Our own user namespace, read here, not from the demo (root drops to
# nobody first, but stays in the same user namespace).
ours=$(readlink /proc/self/ns/user)
child=$(sed -n 's/^=> child [0-9]*: \/proc\/[0-9]*\/ns\/user \(user:\[[0-9]*\]\); ours: .*/\1/p' <<<"$out")
check "02 --owner: NS_GET_USERNS on the child's uts is the child's own user namespace ($child)" \
	eval '[ -n "$child" ] && [ "$child" != "$ours" ] && has "$out" "its owner is the child'"'"'s user namespace: $child == $child"'
check "02 --owner: NS_GET_USERNS on our uts is our user namespace ($ours)" \
	has "$out" "the host's UTS namespace is owned by ours: $ours == $ours"
check "02 --owner: NS_GET_PARENT of the child's user namespace is ours" \
	has "$out" "created from ours: $ours == $ours"
check "02 --owner: NS_GET_PARENT of ours is refused with EPERM" \
	has "$out" "ioctl(NS_GET_PARENT) on our own user namespace ... EPERM"
uid=$(sed -n 's/.*NS_GET_OWNER_UID.* \.\.\. uid \([0-9]*\) (the euid that created it; ours is \([0-9]*\)).*/\1 \2/p' <<<"$out")
check "02 --owner: NS_GET_OWNER_UID is the creator's euid" \
	eval '[ -n "$uid" ] && [ "${uid% *}" = "${uid#* }" ]'
