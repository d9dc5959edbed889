# 08-mini-docker images: import, commit, load (real umoci/skopeo output),
# images, rmi, and the notes' layer-store experiment (DiffID -> ChainID ->
# cache-id -> diff) done with sha256sum on mini-docker's own store.
source "$(dirname "$0")/../lib.sh"
plan 72
M=./08-mini-docker/mini-docker
STATE=/var/lib/mini-docker
IMG=$STATE/image/overlay2

need_root "08 images"
for t in jq umoci skopeo getfattr; do
	command -v $t >/dev/null || { skip "08 images" "$t is missing: run 'make deps'"; exit 0; }
done
ensure_busybox
BB=$STATE/images/busybox
work=$(mktemp -d /var/tmp/mini-docker-images.XXXXXX)
images=(lab/bb:1 lab/bb:gz hello-busybox:latest hello-busybox:v2 lab/oci:1.0 savedbb:2.0 lab-oci-archive:1.0)
cleanup() {
	$M rm -f img-builder img-builder2 img-user >/dev/null 2>&1
	$M rmi "${images[@]}" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
cleanup >/dev/null 2>&1; work=$(mktemp -d /var/tmp/mini-docker-images.XXXXXX)
layers_before=$(ls "$IMG/layerdb/sha256" | sort)
mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)

# ---- bad input ------------------------------------------------------------
bad() { # bad "label" "named" args...
	local label=$1 named=$2; shift 2
	local err rc
	err=$($M "$@" 2>&1 >/dev/null); rc=$?
	check "08 images bad input ($label): non-zero, one line naming '$named'" \
		eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "$named"'
}
echo "not a tar" >"$work/junk.tar"
mkdir "$work/empty"
bad "import of a non-tar" "junk.tar" import "$work/junk.tar" lab/junk
bad "import of a missing file" "/no/such.tar" import /no/such.tar lab/junk
bad "load of a dir that is no layout" "neither" load -i "$work/empty"
bad "rmi of an unknown image" "no-such-image" rmi no-such-image:9
bad "commit of an unknown container" "img-nosuch" commit img-nosuch lab/x
bad "run of an unknown image" "no-such-image" run --rm no-such-image:9 true
bad "history of an unknown image" "no-such-image" history no-such-image:9
bad "tag to a name that is not one" "Bad:x" tag no-such-image:9 Bad:x
bad "commit -c of an instruction it does not support" "EXPOSE 80" commit -c 'EXPOSE 80' img-nosuch lab/x
bad "inspect -f with an unknown function" "nosuch" inspect -f '{{nosuch .Id}}' img-nosuch
bad "save of an unknown image" "no-such-image" save -o "$work/x.tar" no-such-image:9
check "08 images: a failed save leaves no file behind" eval '[ -z "$(ls -A $work | grep -v -e junk.tar -e empty)" ]'

# The tar side is a helper program; without it an image command says so.
mkdir "$work/alone" && cp $M "$work/alone/"
n_layers=$(ls "$IMG/layerdb/sha256" | wc -l)
err=$("$work/alone/mini-docker" import "$work/junk.tar" lab/junk 2>&1 >/dev/null); rc=$?
check "08 images without the mini-docker-layer helper: non-zero, one line naming it, store unchanged" \
	eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "mini-docker-layer" &&
		[ "$(ls $IMG/layerdb/sha256 | wc -l)" = "$n_layers" ] && [ -z "$(ls -A $STATE/tmp)" ]'
check "08 mini-docker links neither libarchive (its helper does) nor libcrypto (opened when a digest is needed)" \
	eval '! ldd $M | grep -Eq "libarchive|libcrypto" && ldd ./08-mini-docker/mini-docker-layer | grep -q libarchive'

# ---- import ---------------------------------------------------------------
tar -C "$BB" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/bb.tar" .
out=$($M import "$work/bb.tar" lab/bb:1); rc=$?
check "08 import prints the image id" eval '[ $rc -eq 0 ] && [[ $out =~ ^sha256:[0-9a-f]{64}$ ]]'
diff1=$(sha256sum "$work/bb.tar" | cut -d' ' -f1)
check "08 import: the layer's DiffID is sha256sum of the tar (layerdb/<ChainID>/diff)" \
	eq "$(cat "$IMG/layerdb/sha256/$diff1/diff")" "sha256:$diff1"
check "08 import: image id = sha256 of its config file" \
	eq "$(sha256sum "$IMG/imagedb/content/sha256/${out#sha256:}" | cut -d' ' -f1)" "${out#sha256:}"
n_before=$(ls "$IMG/layerdb/sha256" | wc -l)
gzip -c "$work/bb.tar" >"$work/bb.tar.gz"
$M import "$work/bb.tar.gz" lab/bb:gz >/dev/null; rc=$?
check "08 import of the .tar.gz: same DiffID (uncompressed), layer stored once" \
	eval '[ $rc -eq 0 ] && [ "$(ls $IMG/layerdb/sha256 | wc -l)" = "$n_before" ]'
check "08 images lists lab/bb 1 and gz" \
	eval '$M images | grep -Eq "^lab/bb +1 " && $M images | grep -Eq "^lab/bb +gz "'
bb_id=$($M inspect -f '{{.Id}}' lab/bb:1)
check "08 images --no-trunc shows the full id, -q the short one, tag adds a name to the same image" \
	eval '$M images --no-trunc | grep -Eq "^lab/bb +1 +$bb_id " && $M images -q | grep -qx "${bb_id:7:12}" &&
		$M tag lab/bb:1 lab/bb:tagged && [ "$($M inspect -f "{{.Id}}" lab/bb:tagged)" = "$bb_id" ] &&
		[ "$($M rmi lab/bb:tagged)" = "Untagged: lab/bb:tagged" ]'
n_images=$(ls "$IMG/imagedb/content/sha256" | wc -l)
$M import "$work/bb.tar" lab/bb:gz >/dev/null
check "08 re-import under the same name: the replaced image is deleted, not left dangling" \
	eq "$(ls "$IMG/imagedb/content/sha256" | wc -l)" "$n_images"
out=$($M run --rm lab/bb:1 sh -c 'echo ok-from-import')
check "08 run of the imported image" eq "$out" ok-from-import

# ---- the notes' experiment: commit a change, follow the IDs by hand -------
# (the notes: FROM ubuntu; RUN echo "Hello world" > /tmp/newfile)
$M run --name img-builder lab/bb:1 sh -c 'echo "Hello world" > /tmp/newfile; rm /bin/ls;
	rm -rf /root; mkdir /root; echo fresh > /root/only' >/dev/null; rc=$?
check "08 the builder container ran" eq "$rc" 0
new=$($M commit img-builder hello-busybox); rc=$?
check "08 commit prints the new image id" eval '[ $rc -eq 0 ] && [[ $new =~ ^sha256:[0-9a-f]{64}$ ]]'
cfg="$IMG/imagedb/content/sha256/${new#sha256:}"
mapfile -t diffs < <(jq -r '.rootfs.diff_ids[]' "$cfg")
check "08 imagedb: the new image's config lists two DiffIDs, the first the base's" \
	eval '[ ${#diffs[@]} -eq 2 ] && [ "${diffs[0]}" = "sha256:$diff1" ]'
chain1=$(echo -n "${diffs[0]} ${diffs[1]}" | sha256sum | awk '{print $1}')
show 08-chain "ChainID1 = sha256(\"${diffs[0]} ${diffs[1]}\") = $chain1"
check "08 layerdb/sha256/<ChainID computed with sha256sum> exists" test -d "$IMG/layerdb/sha256/$chain1"
check "08 layerdb: diff is the DiffID, parent the first ChainID" \
	eval '[ "$(cat $IMG/layerdb/sha256/$chain1/diff)" = "${diffs[1]}" ] && [ "$(cat $IMG/layerdb/sha256/$chain1/parent)" = "sha256:$diff1" ]'
cache=$(cat "$IMG/layerdb/sha256/$chain1/cache-id")
layer="$STATE/overlay2/$cache/diff"
check "08 overlay2/<cache-id>/diff/tmp/newfile holds Hello world" eq "$(cat "$layer/tmp/newfile")" "Hello world"
check "08 the deleted /bin/ls is an overlay whiteout (c 0:0) in the layer" \
	eq "$(stat -c '%F %t:%T' "$layer/bin/ls")" "character special file 0:0"
check "08 the recreated /root is an opaque dir in the layer" \
	eq "$(getfattr --only-values -n trusted.overlay.opaque "$layer/root" 2>/dev/null)" y
out=$($M run --rm hello-busybox sh -c 'cat /tmp/newfile; ls /bin/ls 2>&1; ls /root')
show 08-committed "$out"
check "08 run of the committed image sees the new file" has "$out" "Hello world"
check "08 ... a deleted file stays deleted" has "$out" "No such file"
check "08 ... and an opaque dir hides the base's contents" eq "$(sed -n 3,9p <<<"$out")" "only"
# save hands out each layer's tar as it was hashed; a layer stored before
# those were kept cannot be saved, and says how to fix it
check "08 the committed layer's tar is kept, gzipped, for save" test -s "$STATE/overlay2/$cache/layer.tar.gz"
mv "$STATE/overlay2/$cache/layer.tar.gz" "$work/kept.gz"
err=$($M save -o "$work/legacy.tar" hello-busybox 2>&1 >/dev/null); rc=$?
mv "$work/kept.gz" "$STATE/overlay2/$cache/layer.tar.gz"
check "08 save of a layer without its kept tar: 1, one line saying to load it again, no file" \
	eval '[ $rc -eq 1 ] && one_line "$err" && has "$err" "load or import the image again" && [ ! -e $work/legacy.tar ] &&
		[ -z "$(ls -A $work | grep legacy)" ]'
# the archive holds the layers' files (keys, shadow): only its owner reads it
$M save -o "$work/private.tar" hello-busybox >/dev/null 2>&1
check "08 save -o writes the archive 0600, whatever the umask" eq "$(stat -c %a "$work/private.tar" 2>&1)" 600
rm -f "$work/private.tar"
# a second commit from the same base shares the base layer
$M run --name img-builder2 lab/bb:1 sh -c 'echo two > /two' >/dev/null
$M commit img-builder2 hello-busybox:v2 >/dev/null
check "08 two images on one base: the base layer is stored once" \
	eq "$(grep -l "sha256:$diff1" "$IMG"/layerdb/sha256/*/diff | wc -l)" 1

# ---- load: an OCI layout (umoci) and a docker-save archive (skopeo) --------
# Two layers made by the real tools: the busybox rootfs, then one that
# deletes /bin/ls and adds /etc/layer2.
(
	cd "$work" && umoci init --layout oci-layout && umoci new --image oci-layout:1.0 &&
	umoci unpack --image oci-layout:1.0 b1 && cp -a "$BB/." b1/rootfs/ &&
	umoci repack --image oci-layout:1.0 b1 &&
	umoci config --image oci-layout:1.0 --config.cmd sh --config.cmd -c --config.cmd 'echo from-oci' &&
	umoci unpack --image oci-layout:1.0 b2 && rm b2/rootfs/bin/ls && echo layer2 >b2/rootfs/etc/layer2 &&
	umoci repack --image oci-layout:1.0 b2
) >"$work/umoci.log" 2>&1
check "08 umoci built a two-layer OCI layout" eval '[ $? -eq 0 ] || { cat $work/umoci.log >&2; false; }'
mv "$work/oci-layout" "$work/lab-oci"
TMPDIR=$work skopeo --insecure-policy copy oci:"$work/lab-oci":1.0 docker-archive:"$work/saved.tar":savedbb:2.0 \
	>"$work/skopeo.log" 2>&1
check "08 skopeo wrote a docker-save archive" eval '[ -s $work/saved.tar ] || { cat $work/skopeo.log >&2; false; }'
TMPDIR=$work skopeo --insecure-policy copy oci:"$work/lab-oci":1.0 oci-archive:"$work/lab-oci-archive.tar":1.0 \
	>>"$work/skopeo.log" 2>&1

# lab/oci: the OCI layout's tag 1.0 under the layout directory's name
mv "$work/lab-oci" "$work/lab"; mkdir "$work/lab-dir"; mv "$work/lab" "$work/lab-dir/oci"
out=$($M load -i "$work/lab-dir/oci"); rc=$?
check "08 load -i OCI layout dir: Loaded image: oci:1.0" eval '[ $rc -eq 0 ] && has "$out" "Loaded image: oci:1.0"'
images+=(oci:1.0)
out=$($M run --rm oci:1.0); rc=$?
check "08 run of the loaded OCI image runs its own Cmd" eval '[ $rc -eq 0 ] && [ "$out" = from-oci ]'
out=$($M run --rm oci:1.0 sh -c 'cat /etc/layer2; ls /bin/ls 2>&1')
check "08 OCI image: the top layer's file, and its whiteout hides /bin/ls" \
	eval 'has "$out" layer2 && has "$out" "No such file"'

out=$($M load -i "$work/saved.tar"); rc=$?
check "08 load -i docker-save archive: Loaded image: savedbb:2.0" eval '[ $rc -eq 0 ] && has "$out" "Loaded image: savedbb:2.0"'
out=$($M run --rm savedbb:2.0 sh -c 'cat /etc/layer2; ls /bin/ls 2>&1')
check "08 docker-save image runs, same two layers" eval 'has "$out" layer2 && has "$out" "No such file"'
mkdir "$work/saved" && tar -C "$work/saved" -xf "$work/saved.tar"
mapfile -t files < <(jq -r '.[0].Layers[]' "$work/saved/manifest.json")
mapfile -t ids < <(jq -r '.rootfs.diff_ids[]' "$work/saved/$(jq -r '.[0].Config' "$work/saved/manifest.json")")
ok=0 chain=
for i in "${!files[@]}"; do
	d=$(sha256sum "$work/saved/${files[$i]}" | cut -d' ' -f1)
	[ "sha256:$d" = "${ids[$i]}" ] || continue
	if [ -z "$chain" ]; then chain=$d; else chain=$(echo -n "sha256:$chain sha256:$d" | sha256sum | cut -d' ' -f1); fi
	[ "$(cat "$IMG/layerdb/sha256/$chain/diff" 2>/dev/null)" = "sha256:$d" ] && ok=$((ok + 1))
done
check "08 docker-save layers: DiffID = sha256sum of layer.tar, ChainIDs on disk = sha256sum's" \
	eval '[ ${#files[@]} -eq 2 ] && [ $ok -eq 2 ]'
check "08 the OCI layout and the docker-save archive share their layers" \
	eq "$($M images | awk '$1=="oci" || $1=="savedbb" {print $3}' | sort -u | wc -l)" 1
out=$($M load -i "$work/lab-oci-archive.tar"); rc=$?
check "08 load -i an OCI archive (a tar of a layout)" eval '[ $rc -eq 0 ] && has "$out" "lab-oci-archive:1.0"'

# a corrupt blob is refused, and nothing is added
cp -a "$work/lab-dir/oci" "$work/corrupt"
blob=$(jq -r '.manifests[0].digest' "$work/corrupt/index.json" | cut -d: -f2)
layer_blob=$(jq -r '.layers[-1].digest' "$work/corrupt/blobs/sha256/$blob" | cut -d: -f2)
printf 'X' | dd of="$work/corrupt/blobs/sha256/$layer_blob" bs=1 seek=100 conv=notrunc status=none
n_before=$(ls "$IMG/layerdb/sha256" | wc -l)
err=$($M load -i "$work/corrupt" 2>&1); rc=$?
check "08 load of a corrupt blob: refused in one line" eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" corrupt'
check "08 ... nothing added, no temporary left" \
	eval '[ "$(ls $IMG/layerdb/sha256 | wc -l)" = "$n_before" ] && [ -z "$(find $STATE/tmp $IMG/layerdb/tmp -mindepth 1)" ]'

# ---- hostile layers: nothing may land outside the layer -------------------
mkdir -p /tmp/md-evil-dir && echo victim >/tmp/md-evil-dir/victim
python3 - "$work" <<'PY'
import io, sys, tarfile
w = sys.argv[1]
def tar(name, entries):
    with tarfile.open(f"{w}/{name}", "w", format=tarfile.PAX_FORMAT) as t:
        for path, kind, extra in entries:
            i = tarfile.TarInfo(path)
            if kind == "sym":
                i.type, i.linkname = tarfile.SYMTYPE, extra
                t.addfile(i)
            else:
                data = b"evil\n"
                i.size = len(data)
                if extra:
                    i.pax_headers = extra
                t.addfile(i, io.BytesIO(data))
tar("dotdot.tar", [("../../../../../../../../../tmp/md-evil-dotdot", "file", None)])
tar("absolute.tar", [("/tmp/md-evil-abs", "file", None)])
tar("symlink.tar", [("etc", "sym", "/tmp/md-evil-dir"), ("etc/passwd", "file", None)])
tar("whiteout.tar", [("lnk", "sym", "/tmp/md-evil-dir"), ("lnk/.wh.victim", "file", None)])
tar("xattr.tar", [("x", "file", {"SCHILY.xattr.trusted.overlay.redirect": "/etc",
                                  "SCHILY.xattr.user.kept": "1"})])
PY
n_before=$(ls "$IMG/layerdb/sha256" | wc -l)
for t in dotdot absolute whiteout; do
	err=$($M import "$work/$t.tar" lab/evil:$t 2>&1); rc=$?
	check "08 hostile layer ($t): refused in one line" eval '[ $rc -ne 0 ] && one_line "$err"'
done
check "08 hostile layers: no layer stored, no half-made dir left" \
	eval '[ "$(ls $IMG/layerdb/sha256 | wc -l)" = "$n_before" ] && [ -z "$(find $STATE/tmp $IMG/layerdb/tmp -mindepth 1)" ] && [ "$(ls $STATE/overlay2 | wc -l)" = "$n_before" ]'
# "etc -> /tmp/md-evil-dir" then "etc/passwd": libarchive will not write
# through the symlink; it replaces it with a directory inside the layer.
$M import "$work/symlink.tar" lab/evil:symlink >/dev/null; rc=$?
images+=(lab/evil:symlink)
sd=$(sha256sum "$work/symlink.tar" | cut -d' ' -f1)
check "08 hostile layer (symlink then a file through it): defused inside the layer" \
	eval '[ $rc -eq 0 ] && [ -d "$STATE/overlay2/$(cat $IMG/layerdb/sha256/$sd/cache-id)/diff/etc" ] && [ ! -L "$STATE/overlay2/$(cat $IMG/layerdb/sha256/$sd/cache-id)/diff/etc" ]'
check "08 hostile layers: nothing written outside (dotdot, absolute, through symlinks)" \
	eval '[ ! -e /tmp/md-evil-dotdot ] && [ ! -e /tmp/md-evil-abs ] && [ ! -e /tmp/md-evil-dir/passwd ] && [ "$(cat /tmp/md-evil-dir/victim)" = victim ] && [ "$(stat -c %F /tmp/md-evil-dir/victim)" = "regular file" ]'
$M import "$work/xattr.tar" lab/evil:xattr >/dev/null; rc=$?
images+=(lab/evil:xattr)
xd=$(sha256sum "$work/xattr.tar" | cut -d' ' -f1)
xf="$STATE/overlay2/$(cat "$IMG/layerdb/sha256/$xd/cache-id")/diff/x"
check "08 a layer's trusted.overlay.* xattr is dropped, others kept" \
	eval '[ $rc -eq 0 ] && ! getfattr -n trusted.overlay.redirect "$xf" >/dev/null 2>&1 && [ "$(getfattr --only-values -n user.kept "$xf" 2>/dev/null)" = 1 ]'
rm -rf /tmp/md-evil-dir /tmp/md-evil-dotdot /tmp/md-evil-abs

# ---- stopped mid-change: Ctrl-C, SIGTERM, SIGKILL -----------------------------
# import - hands its stdin to the helper, which reads the layer once, in the
# pass that unpacks it: stdin from a FIFO that the test holds open and never
# writes parks the helper mid-unpack, with the layer dir made, at a known point.
mkfifo "$work/fifo"
store_now() { ls "$STATE/overlay2" "$IMG/layerdb/sha256" "$STATE/tmp" "$IMG/layerdb/tmp"; }
helper_at() { # helper_at WORD: wait (30 s at most: sanitized, in an emulated VM) for the helper to run WORD
	for _ in $(seq 300); do pgrep -f "mini-docker-layer $1 " >/dev/null && return 0; sleep 0.1; done
	echo "#   the helper never ran '$1'" >&2
	return 1
}
no_helper() { # wait (20 s at most) until no helper runs
	for _ in $(seq 200); do pgrep -f mini-docker-layer >/dev/null || return 0; sleep 0.1; done
	pgrep -af mini-docker-layer | sed 's/^/#   still running: /' >&2
	return 1
}
parked() { # parked [setsid]: import - from the FIFO in the background; $pid, $writer
	sleep 60 >"$work/fifo" & writer=$!
	$1 $M import - lab/stopped:1 <"$work/fifo" 2>"$work/err" & pid=$!
	helper_at unpack
}
unpark() { kill $writer 2>/dev/null; wait $writer 2>/dev/null; }
before=$(store_now)
n_ovl=$(ls "$STATE/overlay2" | wc -l)
parked
check "08 import, stop test: the layer dir exists while the helper unpacks" \
	eq "$(ls "$STATE/overlay2" | wc -l)" "$((n_ovl + 1))"
kill -TERM $pid; wait $pid; rc=$?; unpark
check "08 import - stopped by SIGTERM mid-unpack: 143, 'interrupted' in one line, no helper, store as before" \
	eval '[ $rc -eq 143 ] && one_line "$(cat $work/err)" && has "$(cat $work/err)" interrupted && no_helper && [ "$(store_now)" = "$before" ]'
# Ctrl-C: the terminal signals the whole foreground group, helper included.
parked setsid
kill -INT -- -$pid; wait $pid; rc=$?; unpark
check "08 import stopped by Ctrl-C mid-unpack: 130, half-made layer removed, store as before" \
	eval '[ $rc -eq 130 ] && has "$(cat $work/err)" interrupted && no_helper && [ "$(store_now)" = "$before" ]'
# SIGKILL: no cleanup can run; the helper dies with its parent, and the
# next change to the store removes what was left.
parked
kill -KILL $pid; wait $pid 2>/dev/null; unpark
check "08 import SIGKILLed mid-unpack: the helper died with it (PR_SET_PDEATHSIG)" no_helper
check "08 import SIGKILLed mid-unpack: its half-made layer dir is left" \
	eq "$(ls "$STATE/overlay2" | wc -l)" "$((n_ovl + 1))"
$M rmi lab/stopped:1 >/dev/null 2>&1
check "08 the next change to the store removes what the killed import left" eq "$(store_now)" "$before"
# The window before the helper's prctl: a parent already gone (here: the
# helper is told its parent is pid 1) makes it exit at once, not wait on
# its stdin (the FIFO, opened read-write so that the open itself returns).
mkdir "$work/x"
MINI_DOCKER_LAYER_PARENT=1 timeout 20 ./08-mini-docker/mini-docker-layer unpack "$work/x" <>"$work/fifo"; rc=$?
check "08 a helper whose parent died before it started exits at once (1, not blocked)" eq "$rc" 1

# ---- rmi ---------------------------------------------------------------------
$M run -d --name img-user hello-busybox sleep 1000 >/dev/null
user_id=$($M inspect -f '{{.Id}}' img-user | cut -c1-12)
err=$($M rmi hello-busybox 2>&1); rc=$?
check "08 rmi of an image a container uses: refused (1), naming the container by its id as Docker does" \
	eval '[ $rc -eq 1 ] && one_line "$err" && has "$err" "container $user_id is using its referenced image"'
$M rm -f img-user img-builder >/dev/null
out=$($M rmi hello-busybox); rc=$?
check "08 rmi: untagged, image and its own layer deleted" \
	eval '[ $rc -eq 0 ] && has "$out" "Untagged: hello-busybox:latest" && has "$out" "Deleted: sha256:${new#sha256:}" && [ ! -d $IMG/layerdb/sha256/$chain1 ] && [ ! -d $STATE/overlay2/$cache ]'
check "08 rmi: the shared base layer stays while others use it" test -d "$IMG/layerdb/sha256/$diff1"

# ---- the store as it was -------------------------------------------------------
cleanup; work=/nonexistent
check "08 images: every layer the tests added is gone" eq "$(ls "$IMG/layerdb/sha256" | sort)" "$layers_before"
orphans=0
for d in "$STATE"/overlay2/*/; do
	c=$(basename "$d")
	grep -qx "$c" "$IMG"/layerdb/sha256/*/cache-id 2>/dev/null || orphans=$((orphans + 1))
done
check "08 images: no overlay2 dir without its layerdb entry" eq "$orphans" 0
check "08 images: no temporary files left" eval '[ -z "$(find $STATE/tmp $IMG/layerdb/tmp -mindepth 1)" ]'
check "08 images: no container left" eval '[ -z "$(find $STATE/containers $STATE/names -mindepth 1)" ]'
check "08 images: the host's mount table is as before" eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$mounts_before"
check "08 images: no cgroup left" no_project_cgroups
