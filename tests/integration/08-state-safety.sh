# 08-mini-docker state safety: two unprivileged users (uids 1001 and 1002,
# no accounts needed) and planted state directories and symlinks. What is
# planted is refused (one line naming the path, exit 125) and nothing is
# written through a link; ps shows a command's control bytes escaped.
source "$(dirname "$0")/../lib.sh"
plan 12
M=$ROOT/08-mini-docker/mini-docker
need_root "08 state safety"
command -v setpriv >/dev/null || { skip "08 state safety" "setpriv is missing"; exit 0; }
[ -d /var/lib/mini-docker/images/busybox ] || ensure_busybox
RFS=/var/lib/mini-docker/images/busybox
R1=/tmp/mini-docker-1001 R2=/tmp/mini-docker-1002
if [ -e $R1 ] || [ -e $R2 ]; then
	skip "08 state safety" "$R1 or $R2 exists: another user of uids 1001/1002 is here"
	exit 0
fi
T=$(mktemp -d /tmp/md-state-safety.XXXXXX)
chmod 755 "$T"
for u in 1001 1002; do mkdir -m 700 "$T/h$u" && chown $u:$u "$T/h$u"; done
X1=$T/h1001                       # 1001's HOME and XDG_RUNTIME_DIR

# as UID cmd...: that user, its own HOME and XDG_RUNTIME_DIR, no groups
as() { local u=$1; shift; (cd /tmp && setpriv --reuid="$u" --regid="$u" --clear-groups \
	env -u MINI_DOCKER_ROOT HOME="$T/h$u" XDG_RUNTIME_DIR="$T/h$u" "$@"); }
md1() { as 1001 "$M" "$@"; }
# forget every container of 1001 and its state dir
reset1() {
	local id
	for id in $(md1 ps -aq 2>/dev/null); do md1 rm -f "$id" >/dev/null 2>&1; done
	rm -rf $R1 "$X1/mini-docker"
}
cleanup() {
	reset1
	MINI_DOCKER_ROOT=$T/rootstate "$M" rm -f md-ss-root >/dev/null 2>&1
	rm -rf $R1 $R2 "$T"
}
trap cleanup EXIT
# refused CMD_OUTPUT RC PATH: exit 125, one line, naming the path
refused() { [ "$2" -eq 125 ] && one_line "$1" && has "$1" "$3" \
	|| { echo "#   rc $2, stderr: $1" >&2; return 1; }; }
empty() { [ -z "$(find "$1" -mindepth 1 2>/dev/null)" ] || { echo "#   written: $(find "$1" -mindepth 1)" >&2; return 1; }; }

# ---- where a rootless user's state lives ------------------------------------
id=$(md1 run -d --rootless --name ss-xdg --rootfs $RFS sleep 30); rc=$?
check "08 state: rootless run -d keeps its pids in XDG_RUNTIME_DIR/mini-docker, 0700, its own" \
	eval '[ $rc -eq 0 ] && [ -f "$X1/mini-docker/$id.json" ] && [ "$(stat -c %a:%u "$X1/mini-docker")" = 700:1001 ]'
md1 rm -f ss-xdg >/dev/null 2>&1
reset1
mkdir -m 777 "$T/shared" && chown 1002:1002 "$T/shared"
out=$(cd /tmp && setpriv --reuid=1001 --regid=1001 --clear-groups env -u MINI_DOCKER_ROOT HOME="$X1" \
	XDG_RUNTIME_DIR="$T/shared" "$M" run --rootless --rm --rootfs $RFS true 2>&1); rc=$?
check "08 state: an XDG_RUNTIME_DIR of someone else's is not used; the fallback $R1/run is made 0700" \
	eval '[ $rc -eq 0 ] && empty "$T/shared" && [ "$(stat -c %a:%u $R1/run)" = 700:1001 ]'
reset1

# ---- 1002 plants the directory 1001 would use -------------------------------
as 1002 mkdir -m 777 $R1
err=$(md1 run --rootless --rm --rootfs $RFS true 2>&1 >/dev/null); rc=$?
check "08 state: 1001's run refuses a $R1 made by 1002 (125, one line, names it)" \
	eval 'refused "$err" $rc "$R1" && has "$err" "uid 1002" && empty $R1'
err=$(md1 ps -a 2>&1 >/dev/null); rc=$?
check "08 state: 1001's ps refuses it too" refused "$err" $rc "$R1"
rm -rf $R1
mkdir -m 777 "$T/trap" && chown 1002:1002 "$T/trap" && as 1002 ln -s "$T/trap" $R1
err=$(md1 run --rootless --rm --rootfs $RFS true 2>&1 >/dev/null); rc=$?
check "08 state: 1001's run refuses $R1 as 1002's symlink, writes nothing through it" \
	eval 'refused "$err" $rc "$R1" && has "$err" "symbolic link" && empty "$T/trap"'
# the image store lives there too (save is the image command a user may
# run): it must not make its directories through the link before it finds
# out whose it is (it did: image/, overlay2/ appeared in the trap)
err=$(md1 save -o "$X1/x.tar" busybox 2>&1 >/dev/null); rc=$?
check "08 state: 1001's save refuses $R1 as 1002's symlink (rc $rc), makes no store directory through it" \
	eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "$R1" && empty "$T/trap" && [ ! -e "$X1/x.tar" ] ||
		{ echo "#   rc $rc, stderr: $err" >&2; false; }'
rm -rf $R1

# ---- planted links inside a state dir, for 1001 and for root ------------------
md1 run --rootless --name ss-kept --rootfs $RFS true >/dev/null 2>&1
id=$(md1 inspect ss-kept 2>/dev/null | grep -m1 '"Id"' | cut -d'"' -f4)
echo precious >"$T/victim" && chown 1001:1001 "$T/victim"
[ -n "$id" ] && ln -s "$T/victim" "$R1/containers/$id/config.json.tmp"
err=$(md1 start -a ss-kept 2>&1 >/dev/null); rc=$?
check "08 state: config.json.tmp a symlink: start refuses it, nothing written through it" \
	eval '[ -n "$id" ] && [ $rc -eq 125 ] && has "$err" "config.json.tmp" && [ "$(cat "$T/victim")" = precious ]'
show 08-state-tmp-link "$err"
chmod 777 $R1
err=$(md1 ps -a 2>&1 >/dev/null); rc=$?
check "08 state: 1001's own state dir made world-writable is refused (ps: 125, one line)" \
	eval 'refused "$err" $rc "$R1" && has "$err" "writable by its group or others"'
chmod 711 $R1
mkdir -p "$T/rootstate" "$T/trap2" && ln -s "$T/trap2" "$T/rootstate/run"
err=$(MINI_DOCKER_ROOT=$T/rootstate "$M" run -d --name md-ss-root --rootfs $RFS sleep 30 2>&1 >/dev/null); rc=$?
check "08 state: root's run dir a symlink: run refuses it, writes nothing through it" \
	eval 'refused "$err" $rc "$T/rootstate/run" && empty "$T/trap2"'

# ---- ps escapes what a container's command holds ------------------------------
md1 run --rootless --name ss-esc --rootfs $RFS sh -c $'true \033[2J\nx' >/dev/null 2>&1
full=$(md1 ps -a --no-trunc 2>&1)
short=$(md1 ps -a 2>&1)
show 08-state-ps "$full"
check "08 ps --no-trunc: ESC and newline escaped (\\x1b[2J\\nx), no raw ESC byte" \
	eval 'has "$full" "\"sh -c true \\x1b[2J\\nx\"" && [ "$(grep -c $'"'"'\x1b'"'"' <<<"$full")" -eq 0 ]'
check "08 ps: no raw ESC byte either" \
	eval 'has "$short" "\\x1b[2J" && [ "$(grep -c $'"'"'\x1b'"'"' <<<"$short")" -eq 0 ]'
reset1
# a shim killed by rm -f is a zombie until init reaps it: give it a moment
for _ in $(seq 50); do pgrep -u 1001 >/dev/null || break; sleep 0.1; done
check "08 state safety: no container or process of 1001 or root left" \
	eval '[ ! -e $R1 ] && ! pgrep -u 1001 >/dev/null && [ -z "$(MINI_DOCKER_ROOT=$T/rootstate "$M" ps -q 2>/dev/null)" ]'
