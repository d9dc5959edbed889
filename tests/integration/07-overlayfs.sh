# 07-overlayfs: precedence, copy-up, whiteout, opaque dir, lowers unchanged; rootless too.
source "$(dirname "$0")/../lib.sh"
plan 32

no_lab_left() {
	local d m
	d=$(find "${1:-/tmp}" -maxdepth 1 -name 'mini-docker-07-*' 2>/dev/null)
	m=$(grep ' overlay ' /proc/mounts | grep mini-docker-07)
	[ -z "$d$m" ] || { echo "#   left behind: $d $m" >&2; return 1; }
}

err=$(./07-overlayfs/demo --dir relative/path 2>&1 >/dev/null); rc=$?
check "07 rejects a relative --dir, naming it" \
	eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "'"'"'relative/path'"'"' is relative"'
err=$(./07-overlayfs/demo --dir /no/such/dir 2>&1 >/dev/null); rc=$?
check "07 rejects a missing --dir, naming it" eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "/no/such/dir"'
err=$(./07-overlayfs/demo --keep --rootless 2>&1 >/dev/null); rc=$?
check "07 rejects --keep with --rootless" eval '[ $rc -ne 0 ] && one_line "$err"'

effects() { # label, output
	local l=$1 out=$2
	check "07 $l: 1. the leftmost lower wins" has "$out" 'merged/shared.txt: "from lower1"'
	check "07 $l: 2. a write copies up, the lower is untouched" \
		eval 'has "$out" "upper/edit-me.txt \"original text|changed in the container\"" && has "$out" "lower1/edit-me.txt \"original text\" (untouched)"'
	check "07 $l: 3. a new file lands in upper only" has "$out" "upper/new.txt exists; lower1/new.txt no; lower2/new.txt no"
	check "07 $l: 4. the whiteout is a character device 0:0" \
		has "$out" "upper/delete-me.txt: character device, device 0:0"
	check "07 $l: 4. the file is gone from merged, not from lower2" \
		has "$out" "merged/delete-me.txt is gone; lower2/delete-me.txt is still there"
	check "07 $l: 6. every lower file unchanged" \
		eval '[ "$(grep -c "  unchanged$" <<<"$out")" -eq 7 ]'
	check "07 $l: 6. upper lists exactly the five changes" \
		eq "$(sed -n '/upper holds exactly/,/=> result/p' <<<"$out" | grep -cE '^   ')" 5
	check "07 $l: all six effects" has "$out" "=> result: all six effects seen"
}

need_root "07 overlay mounts"
out=$(./07-overlayfs/demo 2>&1); rc=$?
show 07 "$out"
check "07 exits 0" eq "$rc" 0
check "07 prints the mount command" has "$out" "mount -t overlay overlay -o lowerdir=/tmp/mini-docker-07-"
effects root "$out"
check "07 5. opaque dir: trusted.overlay.opaque = y" has "$out" 'upper/dir xattr trusted.overlay.opaque = "y"'
check "07 5. the lower dir's files are hidden" has "$out" "merged/dir holds: fresh.txt "
check "07 nothing left (mount, lab dir)" no_lab_left

# Interrupted right after the mount: the handler unmounts and removes the lab.
out=$(strace -o /dev/null -e trace=mount -e inject=mount:signal=SIGINT:when=1 ./07-overlayfs/demo 2>&1); rc=$?
check "07 SIGINT right after mount ends the demo" eq "$rc" 130
check "07 nothing left after that SIGINT" no_lab_left

out=$(./07-overlayfs/demo --keep 2>&1); rc=$?
cmd=$(sed -n 's/^   remove it with: //p' <<<"$out")
check "07 --keep leaves the overlay mounted" eval 'grep -q " overlay .*mini-docker-07" /proc/mounts'
eval "$cmd"
check "07 --keep's printed command removes everything" no_lab_left

# Rootless: kernel >= 5.11, and an upper filesystem with user.* xattrs.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups ./07-overlayfs/demo --rootless 2>&1); rc=$?
show 07-rootless "$out"
if [ $rc -ne 0 ] && has "$out" "does not support user.* xattrs"; then
	skip "07 --rootless as nobody" "/tmp has no user.* xattrs on kernel $(uname -r) (tmpfs before 6.6)"
else
	check "07 --rootless as nobody exits 0" eq "$rc" 0
	check "07 --rootless: the mount option userxattr" has "$out" ",userxattr "
	effects rootless "$out"
	check "07 --rootless 5. opaque dir: user.overlay.opaque = y" has "$out" 'upper/dir xattr user.overlay.opaque = "y"'
fi
check "07 nothing left after --rootless" no_lab_left
