# 08-mini-docker image attacks: hostile archives given to `load` (a FIFO
# manifest, a layer that is a symlink to /dev/zero or a device node, a
# member symlinked out of the archive, a layer that changes between two
# reads), and a container that races `commit` by swapping a directory of its
# upper dir for a symlink to a host directory. Each check tries the attack
# and looks at the outcome: the exit status, the one-line error, the
# store's listing before and after, and what ended up in the layers.
# Everything runs in a private store (MINI_DOCKER_ROOT), removed at the end.
source "$(dirname "$0")/../lib.sh"
plan 21
need_root "08 image attacks"
# LeakSanitizer cannot run under ptrace: a sanitized build (make SANITIZE=1
# test) traced by strace would die at exit for that reason alone.
ST="env ASAN_OPTIONS=detect_leaks=0 strace"
for t in python3 strace flock; do
	command -v $t >/dev/null || { skip "08 image attacks" "$t is missing: run 'make deps'"; exit 0; }
done
M=./08-mini-docker/mini-docker
L=./08-mini-docker/mini-docker-layer
BB=/var/lib/mini-docker/images/busybox
[ -d "$BB" ] || ensure_busybox
export MINI_DOCKER_ROOT
MINI_DOCKER_ROOT=$(mktemp -d /var/tmp/mini-docker-attacks.XXXXXX)
S=$MINI_DOCKER_ROOT
work=$(mktemp -d /var/tmp/mini-docker-attacks-work.XXXXXX)
bg=()
ids=()
cleanup() {
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	$M rm -f atk-race atk-count >/dev/null 2>&1
	rm -rf "$work" "$S"
}
trap cleanup EXIT
mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
store_now() {
	ls "$S/overlay2" "$S/image/overlay2/layerdb/sha256" "$S/image/overlay2/imagedb/content/sha256" \
		"$S/tmp" "$S/image/overlay2/layerdb/tmp" 2>&1
	cat "$S/image/overlay2/repositories.json" 2>/dev/null
}
unlocked() { flock -n "$S/lock" true; }
tar -C "$BB" -c . | $M import - atk/bb:1 >/dev/null || echo "#   could not import busybox" >&2

# ---- the archives -----------------------------------------------------------
# save/: a docker-save directory (manifest.json, <config>.json, l1/layer.tar);
# oci/: an OCI layout with a gzip layer (blob digest != DiffID); swap/: a
# docker-save dir whose config promises good2.tar, while evil.tar is what a
# second read of the layer would get.
python3 - "$work" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
w = sys.argv[1]
def layer(files):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for n, c in files.items():
            i = tarfile.TarInfo(n); i.size = len(c); i.mtime = 0
            t.addfile(i, io.BytesIO(c))
    return b.getvalue()
sha = lambda b: hashlib.sha256(b).hexdigest()
def config(lay):
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["cat", "/hello"]},
                       "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(lay)]}}).encode()
def docker_save(d, lay, tag):
    os.makedirs(f"{d}/l1")
    open(f"{d}/l1/layer.tar", "wb").write(lay)
    cfg = config(lay)
    open(f"{d}/{sha(cfg)}.json", "wb").write(cfg)
    json.dump([{"Config": f"{sha(cfg)}.json", "RepoTags": [tag], "Layers": ["l1/layer.tar"]}],
              open(f"{d}/manifest.json", "w"))
def oci(d, lay):
    os.makedirs(f"{d}/blobs/sha256")
    def put(b):
        open(f"{d}/blobs/sha256/{sha(b)}", "wb").write(b)
        return {"digest": "sha256:" + sha(b), "size": len(b)}
    gz = gzip.compress(lay, mtime=0)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": dict(put(config(lay)), mediaType="application/vnd.oci.image.config.v1+json"),
                      "layers": [dict(put(gz), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}).encode()
    json.dump({"schemaVersion": 2, "manifests": [dict(put(man), mediaType="application/vnd.oci.image.manifest.v1+json",
               annotations={"org.opencontainers.image.ref.name": "atk/oci:1"})]}, open(f"{d}/index.json", "w"))
    open(f"{d}/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
    open(f"{w}/oci-layer-blob", "w").write(sha(gz))
good = layer({"hello": b"good layer\n"})
good2 = layer({"hello": b"good layer, second\n"})
open(f"{w}/good2.tar", "wb").write(good2)
open(f"{w}/evil.tar", "wb").write(layer({"hello": b"EVIL-LAYER\n", "evil": b"EVIL-LAYER\n"}))
docker_save(f"{w}/save", good, "atk/save:1")
# two/: two layers, the second not the one the config's DiffID names;
# badtag/: a valid image whose RepoTags holds an object, not a name
os.makedirs(f"{w}/two/l1"); os.makedirs(f"{w}/two/l2")
second = layer({"second": b"second\n"})
open(f"{w}/two/l1/layer.tar", "wb").write(good)
open(f"{w}/two/l2/layer.tar", "wb").write(second)
cfg2 = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                   "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(good), "sha256:" + "0" * 64]}}).encode()
open(f"{w}/two/{sha(cfg2)}.json", "wb").write(cfg2)
json.dump([{"Config": f"{sha(cfg2)}.json", "RepoTags": ["atk/two:1"], "Layers": ["l1/layer.tar", "l2/layer.tar"]}],
          open(f"{w}/two/manifest.json", "w"))
docker_save(f"{w}/badtag", good2, "atk/badtag:1")
m = json.load(open(f"{w}/badtag/manifest.json")); m[0]["RepoTags"] = [{"name": "x"}]
json.dump(m, open(f"{w}/badtag/manifest.json", "w"))
docker_save(f"{w}/swap", good2, "atk/swap:1")
oci(f"{w}/oci", good)
PY
cfg=$(jq -r '.[0].Config' "$work/save/manifest.json")

# ---- one read of each layer ---------------------------------------------------
# The proof of the single pass: strace sees every open by mini-docker and its
# helper, and a layer's file is opened exactly once. Two opens (digest,
# then unpack) would let a file swapped in between be unpacked under the
# digest of the first. For OCI, the blob digest check was a third.
opens() { grep -E "open(at2?)?\(.*$1" "$work/trace" | grep -vc '= -1'; }
out=$($ST -f -qq -o "$work/trace" -e trace=open,openat,openat2 $M load -i "$work/save"); rc=$?
check "08 attacks: a docker-save dir loads, its layer file opened once (digest and unpack in one pass)" \
	eval '[ $rc -eq 0 ] && has "$out" "Loaded image: atk/save:1" && eq "$(opens l1/layer.tar)" 1'
out=$($ST -f -qq -o "$work/trace" -e trace=open,openat,openat2 $M load -i "$work/oci"); rc=$?
check "08 attacks: an OCI layout (gzip layer) loads, its blob opened once (blob digest, DiffID, unpack)" \
	eval '[ $rc -eq 0 ] && has "$out" "atk/oci:1" && eq "$(opens "$(cat "$work/oci-layer-blob")")" 1'
$M rmi atk/save:1 atk/oci:1 >/dev/null

# ---- hostile members ---------------------------------------------------------
# attack NAME DIR MEMBER WORD: load DIR (20 s at most: the old code blocked
# for ever on these); refused with 125, one line naming MEMBER and saying
# WORD, the lock released and the store exactly as before.
attack() {
	local name=$1 dir=$2 member=$3 word=$4 before err rc
	before=$(store_now)
	err=$(timeout 20 $M load -i "$dir" 2>&1 >/dev/null); rc=$?
	echo "#   : rc=$rc $err" >&2
	check "08 attacks: $name: refused (125) in one line naming '$member'; lock released, store as before" \
		eval '{ [ $rc -eq 125 ] && one_line "$err" && has "$err" "$member" && has "$err" "$word" ||
			{ show x "rc=$rc $err"; false; }; } && unlocked && [ "$(store_now)" = "$before" ]'
}
cp -a "$work/save" "$work/fifo-manifest"
rm "$work/fifo-manifest/manifest.json" && mkfifo "$work/fifo-manifest/manifest.json"
attack "manifest.json a FIFO" "$work/fifo-manifest" manifest.json FIFO
cp -a "$work/save" "$work/zero-link"
ln -sf /dev/zero "$work/zero-link/l1/layer.tar"
attack "layer a symlink to /dev/zero" "$work/zero-link" l1/layer.tar "No such file"
cp -a "$work/save" "$work/zero-node"
rm "$work/zero-node/l1/layer.tar" && mknod "$work/zero-node/l1/layer.tar" c 1 5
attack "layer a device node (/dev/zero's 1:5)" "$work/zero-node" l1/layer.tar "character device"
cp -a "$work/save" "$work/dir-layer"
rm "$work/dir-layer/l1/layer.tar" && mkdir "$work/dir-layer/l1/layer.tar"
attack "layer a directory" "$work/dir-layer" l1/layer.tar directory
# A config that is a valid one, but outside the archive: followed, it loads.
cp -a "$work/save" "$work/out-link"
mv "$work/out-link/$cfg" "$work/outside.json" && ln -s "$work/outside.json" "$work/out-link/$cfg"
attack "config a symlink out of the archive" "$work/out-link" "$cfg" "No such file"

# A refused load takes back what it stored: the first layer of two/ is
# complete when the second is refused, and an image refused its name would
# stay behind untagged.
attack "second layer not the DiffID its config names: the first goes too" "$work/two" l2/layer.tar DiffID
attack "RepoTags holds an object: refused before anything is stored" "$work/badtag" RepoTags "valid image name"

# A layer the collector cannot account for is kept: with one image's
# config unreadable, rmi of another deletes none of the first one's layers.
tar -C "$BB" -c ./bin/busybox | $M import - atk/gc:1 >/dev/null
gcid=$($M image inspect -f '{{.Id}}' atk/gc:1 | sed 's/^sha256://')
gclayers=$(ls "$S/image/overlay2/layerdb/sha256" | wc -l)
cp "$S/image/overlay2/imagedb/content/sha256/$gcid" "$work/gc-config"
echo '{"truncated' >"$S/image/overlay2/imagedb/content/sha256/$gcid"
err=$($M rmi atk/bb:1 2>&1 >/dev/null); rc=$?
check "08 attacks: a config that cannot be read keeps every layer: rmi says none deleted, the $gclayers layers stay" \
	eval '[ $rc -eq 0 ] && has "$err" "none deleted" && eq "$(ls "$S/image/overlay2/layerdb/sha256" | wc -l)" "$gclayers"'
cp "$work/gc-config" "$S/image/overlay2/imagedb/content/sha256/$gcid"
tar -C "$BB" -c . | $M import - atk/bb:1 >/dev/null

# A container can nest 2000 directories within PATH_MAX; the walk of its
# upper dir (commit) must go through them, not die of a stack overflow.
python3 - "$work/deep" <<'PY'
import os, sys
os.makedirs(sys.argv[1]); os.chdir(sys.argv[1])
for _ in range(2040):
    os.mkdir("a"); os.chdir("a")
open("f", "w").write("deep\n")
PY
(ulimit -s 8192; ulimit -n 4096; $L pack "$work/deep" "$work/deep.tar" >/dev/null 2>&1); rc=$?
check "08 attacks: pack of a 2040-deep upper dir: rc $rc, the deepest file in the tar" \
	eval '[ $rc -eq 0 ] && tar -tf "$work/deep.tar" | grep -q "a/a/f$"'

# A layer that changes between two reads: the layer is a FIFO, and the test
# writes the good tar (the one the config names) for the first open and an
# evil one for the second. The old code hashed the first read and unpacked
# the second, and stored the evil files under the good DiffID. Now the layer
# is opened once and must be a regular file, so the second read cannot
# happen (the strace checks above prove the single open for regular files).
rm "$work/swap/l1/layer.tar" && mkfifo "$work/swap/l1/layer.tar"
# The second write waits for the unpacking helper, so that it cannot reach
# the first reader: the sequence is the same on every run.
timeout 30 sh -c 'cat "$1/good2.tar" >"$1/swap/l1/layer.tar"
	until pgrep -f "^mini-docker-layer unpack" >/dev/null; do sleep 0.05; done
	cat "$1/evil.tar" >"$1/swap/l1/layer.tar"' sh "$work" 2>/dev/null & bg+=($!)
attack "layer swapped after its digest was read (FIFO: good, then evil)" "$work/swap" l1/layer.tar FIFO
check "08 attacks: the swapped layer's evil files are nowhere in the store" \
	eval '! grep -rqs EVIL-LAYER "$S/overlay2" && ! $M images | grep -q "^atk/swap "'

# ---- commit against a container that swaps a dir for a symlink ---------------
# secret/ is a host directory with the same names as the container's /x,
# holding a token: a walk that follows x -> secret reads the token into
# the layer (as it would read /etc/shadow through x -> /etc).
token=host-secret-$RANDOM$RANDOM
mkdir "$work/secret" "$work/upper" "$work/upper/x"
for i in $(seq 40); do echo "$token" >"$work/secret/f$i"; echo mine >"$work/upper/x/f$i"; done
# The walk alone (mini-docker-layer pack, which commit runs), on a host dir
# changed under it at a known point: x holds a symlink, a_link, which the
# walk reads first; strace holds the helper in that readlink for 3 s, and
# meanwhile the test renames x away and puts a symlink to secret/ in its
# place. A walk by paths then goes on through x into secret/; one from the
# directory's fd goes on in the real x.
ln -s nowhere "$work/upper/x/a_link"
$ST -f --seccomp-bpf -qq -o /dev/null -e trace=readlinkat \
	-e inject=readlinkat:delay_exit=3000000 $L pack "$work/upper" "$work/walk.tar" >/dev/null 2>&1 & sp=$!
for _ in $(seq 500); do
	hp=$(pgrep -f "^$L pack") && [ "$(awk '/^State/ {print $2}' /proc/$hp/status 2>/dev/null)" = t ] && break
	sleep 0.02
done
mv "$work/upper/x" "$work/upper/x.d" && ln -s "$work/secret" "$work/upper/x"
wait $sp; rc=$?
check "08 attacks: pack, x swapped for a symlink to a host dir mid-walk: rc $rc, the tar holds x's own files, no host file" \
	eval '[ $rc -eq 0 ] && ! grep -qa "$token" "$work/walk.tar" && [ "$(tar -xOf "$work/walk.tar" x/f1)" = mine ]'
# The same from inside a container, through commit: the container's /a
# holds a_link and f1..f40; when the test says go (a file in a volume), it
# renames /a away and puts a symlink to secret/ in its place. The test says
# go while the helper sits in the readlink of a/a_link (strace, 3 s). A
# paused container cannot act then; one left running swaps mid-walk.
mkdir "$work/trig"
$M run -d --name atk-race -v "$work/trig:/trig" atk/bb:1 sh -c "mkdir /a; ln -s nowhere /a/a_link;
	for i in \$(seq 40); do echo mine >/a/f\$i; done; touch /trig/ready
	while [ ! -e /trig/go ]; do :; done; mv /a /a.d; ln -s $work/secret /a; touch /trig/done; sleep 1000" >/dev/null
ids+=("$($M inspect atk-race | jq -r '.[0].Id')")
for _ in $(seq 200); do [ -e "$work/trig/ready" ] && break; sleep 0.05; done
$ST -f --seccomp-bpf -qq -o /dev/null -e trace=readlinkat \
	-e inject=readlinkat:delay_exit=3000000 $M commit atk-race atk/race:1 >/dev/null 2>&1 & sp=$!
for _ in $(seq 500); do
	hp=$(pgrep -f "^mini-docker-layer pack") && [ "$(awk '/^State/ {print $2}' /proc/$hp/status 2>/dev/null)" = t ] && break
	sleep 0.02
done
touch "$work/trig/go"
sleep 1; swapped_during=$([ -e "$work/trig/done" ] && echo yes || echo no)
wait $sp; rc=$?
for _ in $(seq 100); do [ -e "$work/trig/done" ] && break; sleep 0.05; done
check "08 attacks: commit of a container that swaps /a for a symlink on cue: rc $rc, swapped during the walk: $swapped_during, no host file in the layer" \
	eval '[ $rc -eq 0 ] && [ $swapped_during = no ] && ! grep -rqs "$token" "$S/overlay2" && [ -e "$work/trig/done" ]'
$M rm -f atk-race >/dev/null

# ---- paused while committed, thawed after -------------------------------------
# A counter in the container renames its value into /count. strace delays
# the helper's execve by 1.5 s, which happens while the container should be
# paused: the counter must stand still then, and move again after.
id=$($M run -d --name atk-count atk/bb:1 sh -c 'i=0; while :; do i=$((i+1)); echo $i >/c.tmp; mv /c.tmp /count; done')
ids+=("$id")
up=$S/containers/$id/upper
freezer_state() {
	case $(cgroup_layout) in
	v2) grep -q '^frozen 1' "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "$id" | head -1)/cgroup.events" && echo FROZEN ;;
	*) cat "/sys/fs/cgroup/freezer/mini-docker/$id/freezer.state" 2>/dev/null ;;
	esac
}
# Wait (up to 30 s: a loaded emulated VM is slow) until the helper packs:
# the container is paused by then. Reading the counter any earlier races
# with the pause itself.
helper_packs() { for _ in $(seq 1500); do pgrep -f "mini-docker-layer pack" >/dev/null && return 0; sleep 0.02; done; return 1; }
sleep 0.3
$ST -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_exit=1500000 $M commit atk-count atk/count:1 >/dev/null & cpid=$!
helper_packs
a=$(cat "$up/count"); state=$(freezer_state); sleep 0.5; b=$(cat "$up/count")
wait $cpid; rc=$?
c=$(cat "$up/count"); sleep 0.3; d=$(cat "$up/count")
check "08 attacks: during commit the container is frozen ($state), its counter stands still ($a = $b); after (rc $rc) it runs ($c -> $d), not frozen" \
	eval '[ "$state" = FROZEN ] && [ -n "$a" ] && [ "$a" = "$b" ] && [ $rc -eq 0 ] && [ "$c" != "$d" ] && [ -z "$(freezer_state)" ]'
# Ctrl-C mid-commit: the helper is stopped, the container thawed, no image.
before=$(store_now)
$ST -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_exit=1500000 $M commit atk-count atk/count:2 >/dev/null 2>"$work/err" & cpid=$!
helper_packs
state=$(freezer_state)
kill -INT "$(pgrep -f '^\./08-mini-docker/mini-docker commit atk-count')"
wait $cpid; rc=$?
c=$(cat "$up/count"); sleep 0.3; d=$(cat "$up/count")
check "08 attacks: commit ($state) stopped by Ctrl-C: 130, container thawed ($c -> $d), store as before" \
	eval '[ "$state" = FROZEN ] && [ $rc -eq 130 ] && [ "$c" != "$d" ] && [ -z "$(freezer_state)" ] && [ "$(store_now)" = "$before" ]'
$M rm -f atk-count >/dev/null

# ---- a tree deeper than PATH_MAX in the upper dir, then rm ---------------------
# 3000 levels of "d/" is about 6000 bytes of path: a remover that builds
# paths (nftw) gives up there and would leave the container's dir behind.
# (two chains of 1500, each path under PATH_MAX, then one moved to the
# bottom of the other: the shell's cd stops at PATH_MAX, mv does not care)
$M run --network none --name atk-deep atk/bb:1 sh -c \
	'p=$(seq 1500 | sed "s/.*/d/" | tr "\n" /) && mkdir -p /tmp/a/$p /tmp/b/$p && mv /tmp/a /tmp/b/$p' >/dev/null 2>&1; rc=$?
id=$($M inspect atk-deep | jq -r '.[0].Id'); ids+=("$id")
depth=$(find "$S/containers/$id" -type d -name d 2>/dev/null | wc -l)
$M rm atk-deep >/dev/null 2>&1
check "08 attacks: a container's 3000-deep upper dir (rc $rc, $depth levels) is removed with it by rm" \
	eval '[ $rc -eq 0 ] && [ "$depth" -ge 3000 ] && [ ! -e "$S/containers/$id" ]'

# ---- nothing left --------------------------------------------------------------
left=
for i in "${ids[@]}"; do left+=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$i" 2>/dev/null); done
check "08 attacks: no cgroup of these containers left (freezer included)" eq "$left" ""
check "08 attacks: no container left in the private store" eval '[ -z "$(ls -A $S/containers)" ]'
check "08 attacks: the host's mount table is as before" eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$mounts_before"
