# 08 mini-docker against Docker itself: the same three-layer image in both
# stores (import of the busybox rootfs, then two RUN steps that add, change
# and delete files), compared by what each tool prints and keeps:
#   docker save -> mini-docker load: the same image ID, DiffIDs, ChainIDs
#     (the directory names of both layerdbs), inspect -f and history;
#   mini-docker commit + save -> docker load: the same ID back, and Docker
#     runs it with the change and the deletion visible.
# With Debian's docker.io (tests/deps.sh) a private dockerd runs here: own
# socket, data and exec roots under a temp dir, no iptables, no bridge, and
# the cgroupfs driver under mini-docker-compat; it and everything it made
# are removed on every path. Without it (or where it cannot start, as in the
# test VMs) the same checks run against what Docker printed and saved here,
# recorded in tests/docker-compat/ (RECORD=1 with dockerd re-records it;
# COMPAT_RECORDED=1 uses the recording even where dockerd could run).
source "$(dirname "$0")/../lib.sh"
plan 27
M=$ROOT/08-mini-docker/mini-docker
REC=$ROOT/tests/docker-compat
DOCKER=/usr/bin/docker   # Debian's CLI: /usr/local/bin may hold another
need_root "08 docker compat"
command -v jq >/dev/null || { skip "08 docker compat" "jq is missing: run 'make deps'"; echo "# skip-all"; exit 0; }
ensure_busybox
BB=/var/lib/mini-docker/images/busybox

work=$(mktemp -d /var/tmp/mini-docker-compat.XXXXXX)
D=$work/docker
CG=mini-docker-compat
mounts_before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
# what dockerd makes outside its roots whatever its flags: /etc/docker/key.json
# (20.10's trust key), /run/docker/plugins, /run/containerd/s (shim sockets)
outside=(/etc/docker/key.json /run/docker /run/containerd)
declare -A had
for p in "${outside[@]}"; do [ -e "$p" ] && had[$p]=1; done
links_before=$(ip -o link show | cut -d: -f2 | sort)
dpid=

dk() { "$DOCKER" -H "unix://$D/docker.sock" "$@"; }
# Both stores private: the layerdb listings then hold this image only.
mdA() { MINI_DOCKER_ROOT=$work/mdA "$M" "$@"; }
mdB() { MINI_DOCKER_ROOT=$work/mdB "$M" "$@"; }

stop_dockerd() {
	[ -n "$dpid" ] || return 0
	kill -TERM "$dpid" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$dpid" 2>/dev/null
	# its containerd and shims, should dockerd have died without them
	for f in "$D"/exec/containerd/containerd.pid "$D"/docker.pid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	pkill -KILL -f "containerd-shim.*$D" 2>/dev/null
	wait "$dpid" 2>/dev/null
	dpid=
}
cleanup() {
	mdA rm -f compat-builder >/dev/null 2>&1
	stop_dockerd
	# mounts under the temp dir (dockerd's data root, netns files), deepest first
	grep -F " $work" /proc/self/mountinfo | cut -d' ' -f5 | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	for d in $(find /sys/fs/cgroup -maxdepth 3 -depth -type d -path "*/$CG*" 2>/dev/null); do
		rmdir "$d" 2>/dev/null
	done
	for p in "${outside[@]}"; do [ -z "${had[$p]}" ] && rm -rf "$p"; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/mdA" "$work/mdB" "$D" && chmod 711 "$work" "$work/mdA" "$work/mdB"

# ---- Docker: a private daemon, or the recorded archives ---------------------
start_dockerd() {
	[ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ] || { why_recorded="docker.io is not installed"; return 1; }
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$D" >"$D/daemon.json"
	dockerd --config-file "$D/daemon.json" -H "unix://$D/docker.sock" --data-root "$D/data" \
		--exec-root "$D/exec" --pidfile "$D/docker.pid" --iptables=false --ip6tables=false \
		--bridge=none --ip-forward=false --ip-masq=false --exec-opt native.cgroupdriver=cgroupfs \
		--cgroup-parent "/$CG" --storage-driver overlay2 >"$D/dockerd.log" 2>&1 &
	dpid=$!
	for _ in $(seq 1 150); do
		dk version >/dev/null 2>&1 && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.2
	done
	why_recorded="dockerd did not start here: $(grep -m1 -iE 'level=(fatal|error)' "$D/dockerd.log" | cut -c1-160)"
	stop_dockerd
	return 1
}
# The base layer: the busybox rootfs as a tar made the same way each time,
# so its DiffID is the same wherever it is made.
tar -C "$BB" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/bb.tar" .
if [ "${COMPAT_RECORDED:-}" = 1 ]; then
	why_recorded="COMPAT_RECORDED=1"
fi
if [ -z "${why_recorded:-}" ] && start_dockerd; then
	live=1
	echo "# Docker: a private dockerd $(dk version -f '{{.Server.Version}}') on $D/docker.sock"
	dk import -c 'CMD ["sh"]' "$work/bb.tar" lab/compat-base:1 >/dev/null
	mkdir "$work/ctx" && cat >"$work/ctx/Dockerfile" <<-'EOF'
	FROM lab/compat-base:1
	RUN echo "Hello world" > /tmp/newfile && echo one > /etc/changed
	RUN echo two > /etc/changed && rm /bin/ls
	EOF
	DOCKER_BUILDKIT=0 dk build -q --network none -t lab/compat:1 "$work/ctx" >/dev/null
	dk save -o "$work/three.tar" lab/compat:1
	mkdir "$work/three" && tar -C "$work/three" -xf "$work/three.tar"
	d_id=$(dk inspect -f '{{.Id}}' lab/compat:1)
	d_layers=$(dk inspect -f '{{.RootFS.Layers}}' lab/compat:1)
	d_layerdb=$(ls "$D/data/image/overlay2/layerdb/sha256" | sort)
	d_history=$(dk history -H=false --no-trunc lab/compat:1 | cut -c75-)
	dk tag lab/compat:1 lab/compat:2
	d_rmi=$(dk rmi "${d_id:7:12}" 2>&1 >/dev/null); d_rmi_rc=$?
	dk rmi lab/compat:2 >/dev/null
	dk inspect -f '{{.Nope}}' lab/compat:1 >/dev/null 2>&1; d_missing_rc=$?
	dk inspect -f '{{.Id' lab/compat:1 >/dev/null 2>&1; d_parse_rc=$?
	if [ "${RECORD:-}" = 1 ]; then
		rm -rf "$REC" && mkdir -p "$REC" && cp -a "$work/three" "$REC/three"
		base=$(jq -r '.[0].Layers[0]' "$REC/three/manifest.json")
		rm "$REC/three/$base"   # made again from the busybox rootfs
		printf '%s\n' "$d_id" >"$REC/id"
		printf '%s\n' "$d_layers" >"$REC/layers"
		printf '%s\n' "$d_layerdb" >"$REC/layerdb"
		printf '%s\n' "$d_history" >"$REC/history"
		printf '%s\n%s\n%s %s\n' "$d_rmi_rc" "$d_rmi" "$d_missing_rc" "$d_parse_rc" >"$REC/errors"
		dk version -f '{{.Server.Version}}' >"$REC/version"
		echo "# recorded in $REC"
	fi
else
	live=0
	echo "# $why_recorded: the checks run against what Docker $(cat "$REC/version") printed and" \
		"saved here, recorded in tests/docker-compat/ (not a live dockerd)"
	cp -a "$REC/three" "$work/three"
	base=$(jq -r '.[0].Layers[0]' "$work/three/manifest.json")
	cp "$work/bb.tar" "$work/three/$base"
	tar -C "$work/three" -cf "$work/three.tar" .
	d_id=$(cat "$REC/id"); d_layers=$(cat "$REC/layers"); d_layerdb=$(cat "$REC/layerdb")
	d_history=$(cat "$REC/history")
	d_rmi_rc=$(sed -n 1p "$REC/errors"); d_rmi=$(sed -n 2p "$REC/errors")
	read -r d_missing_rc d_parse_rc < <(sed -n 3p "$REC/errors")
fi
cfg=$(jq -r '.[0].Config' "$work/three/manifest.json")
check "08 compat: Docker's archive holds a 3-layer image whose config is named by its id" \
	eval '[ "$(jq ".[0].Layers | length" $work/three/manifest.json)" = 3 ] && [ "sha256:${cfg%.json}" = "$d_id" ]'

# ---- docker save -> mini-docker load --------------------------------------------
out=$(mdA load -i "$work/three.tar" 2>&1); rc=$?
check "08 compat: mini-docker loads docker save's archive" eval '[ $rc -eq 0 ] && has "$out" "Loaded image: lab/compat:1"'
check "08 compat: ... with the same image ID" eq "$(mdA inspect -f '{{.Id}}' lab/compat:1)" "$d_id"
check "08 compat: ... the same DiffIDs (inspect -f '{{.RootFS.Layers}}')" \
	eq "$(mdA inspect -f '{{.RootFS.Layers}}' lab/compat:1)" "$d_layers"
check "08 compat: ... and the same ChainIDs: both layerdb directories list the same names" \
	eq "$(ls "$work/mdA/image/overlay2/layerdb/sha256" | sort)" "$d_layerdb"
# ChainID by hand, both rules: the real one is recursive; the notes hash all
# DiffIDs joined, which agrees only while there are at most two layers.
mapfile -t diffs < <(mdA inspect -f '{{range .RootFS.Layers}}{{.}}{{"\n"}}{{end}}' lab/compat:1)
c2=$(echo -n "${diffs[0]} ${diffs[1]}" | sha256sum | cut -d' ' -f1)
c3=$(echo -n "sha256:$c2 ${diffs[2]}" | sha256sum | cut -d' ' -f1)
joined=$(echo -n "${diffs[*]}" | sha256sum | cut -d' ' -f1)
check "08 compat: ChainID(3) = sha256(\"sha256:ChainID(2) DiffID(3)\") is a layerdb name; the notes' joined rule is not" \
	eval 'grep -qx "$c3" <<<"$d_layerdb" && ! grep -qx "$joined" <<<"$d_layerdb" && grep -qx "$c2" <<<"$d_layerdb"'
check "08 compat: history -H=false --no-trunc prints Docker's rows (from CREATED AT on)" \
	eq "$(mdA history -H=false --no-trunc lab/compat:1 | cut -c75-)" "$d_history"
check "08 compat: history's top row is the image; the rows below are <missing>, as after a docker load" \
	eq "$(mdA history -q lab/compat:1 | tr '\n' ' ')" "${d_id:7:12} <missing> <missing> "
j=$(mdA image inspect lab/compat:1)
check "08 compat: image inspect has Docker's shape (Id, RepoTags, Config.Cmd, RootFS, GraphDriver overlay2, Size)" \
	eval 'jq -e ".[0] | .Id and (.RepoTags == [\"lab/compat:1\"]) and (.Config.Cmd == [\"sh\"]) and
		(.Config | has(\"Entrypoint\") and has(\"WorkingDir\") and has(\"User\") and has(\"Env\")) and
		.RootFS.Type == \"layers\" and .GraphDriver.Name == \"overlay2\" and .Size > 1900000" <<<"$j" >/dev/null'
lower=$(jq -r '.[0].GraphDriver.Data.LowerDir' <<<"$j")
upper=$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$j")
check "08 compat: LowerDir is one colon-joined string of the two lower layers' diff dirs, top first" \
	eval '[ "$(tr : "\n" <<<"$lower" | wc -l)" = 2 ] && [ -f "$(cut -d: -f1 <<<"$lower")/tmp/newfile" ] &&
		[ -x "$(cut -d: -f2 <<<"$lower")/bin/busybox" ] && [ "$(cat $upper/etc/changed)" = two ]'
err=$(mdA inspect -f '{{.Nope}}' lab/compat:1 2>&1 >/dev/null); rc=$?
check "08 compat: inspect -f with a missing key: exit $d_missing_rc as Docker, 'map has no entry for key'" \
	eval '[ $rc = $d_missing_rc ] && has "$err" "map has no entry for key \"Nope\""'
mdA inspect -f '{{.Id' lab/compat:1 >/dev/null 2>&1; rc=$?
check "08 compat: inspect -f with a template that does not parse: exit $d_parse_rc as Docker" eq "$rc" "$d_parse_rc"
out=$(mdA run --rm lab/compat:1 sh -c 'cat /tmp/newfile /etc/changed; ls /bin/ls 2>&1')
check "08 compat: mini-docker runs Docker's image: the file added, the file changed, the file deleted" \
	eval 'has "$out" "Hello world" && has "$out" two && has "$out" "No such file"'

# ---- tag and rmi, as Docker distinguishes them --------------------------------------
mdA tag lab/compat:1 lab/compat:2
err=$(mdA rmi "${d_id:7:12}" 2>&1 >/dev/null); rc=$?
check "08 compat: rmi of an id two tags name: exit $d_rmi_rc and Docker's conflict text" \
	eval '[ $rc = $d_rmi_rc ] && has "$err" "${d_rmi#Error response from daemon: }"'
out=$(mdA rmi lab/compat:2); rc=$?
check "08 compat: rmi of a tag only untags while another tag names the image" \
	eval '[ $rc -eq 0 ] && [ "$out" = "Untagged: lab/compat:2" ] && [ "$(mdA images -q | wc -l)" = 1 ]'

# ---- mini-docker commit + save -> Docker ----------------------------------------------
mdA run --name compat-builder lab/compat:1 sh -c 'echo three > /etc/changed; rm /tmp/newfile; echo new > /new' >/dev/null
check "08 compat: a container's LowerDir is its image's layers, top first: the image's UpperDir, then its LowerDir" \
	eq "$(mdA inspect -f '{{.GraphDriver.Data.LowerDir}}' compat-builder)" "$upper:$lower"
new=$(mdA commit -m "from mini-docker" -c 'CMD ["cat","/new"]' compat-builder lab/mini:1); rc=$?
check "08 compat: commit -m -c makes a 4-layer image" \
	eval '[ $rc -eq 0 ] && [ "$(mdA inspect -f "{{len .RootFS.Layers}} {{json .Config.Cmd}}" lab/mini:1)" = "4 [\"cat\",\"/new\"]" ]'
row=$(mdA history --no-trunc lab/mini:1 | sed -n 2p)
check "08 compat: ... its history entry: created_by the container's command, comment the -m text" \
	eval 'has "$row" "sh -c echo three > /etc/changed; rm /tmp/newfile; echo new > /new" && [[ $row =~ "from mini-docker"$ ]]'
mdA save -o "$work/mini.tar" lab/mini:1; rc=$?
mdA save lab/mini:1 >"$work/mini-stdout.tar"
check "08 compat: save -o FILE and save to stdout write the same archive" \
	eval '[ $rc -eq 0 ] && cmp -s $work/mini.tar $work/mini-stdout.tar'
mkdir "$work/mini" && tar -C "$work/mini" -xf "$work/mini.tar"
mcfg=$(jq -r '.[0].Config' "$work/mini/manifest.json")
ok=1
for i in 0 1 2 3; do
	l=$(jq -r ".[0].Layers[$i]" "$work/mini/manifest.json")
	[ "sha256:$(sha256sum "$work/mini/$l" | cut -d' ' -f1)" = "$(jq -r ".rootfs.diff_ids[$i]" "$work/mini/$mcfg")" ] || ok=0
done
check "08 compat: the archive is what docker load checks: config named by its sha256, each layer.tar's sha256 its DiffID" \
	eval '[ $ok = 1 ] && [ "$(sha256sum $work/mini/$mcfg | cut -d" " -f1).json" = "$mcfg" ] &&
		[ "sha256:${mcfg%.json}" = "$new" ] && [ "$(jq -c ".[0].RepoTags" $work/mini/manifest.json)" = "[\"lab/mini:1\"]" ]'
if [ $live = 1 ]; then
	out=$(dk load -i "$work/mini.tar"); rc=$?
	check "08 compat: docker load of mini-docker's archive gives the same image ID back" \
		eval '[ $rc -eq 0 ] && [ "$(dk inspect -f "{{.Id}}" lab/mini:1)" = "$new" ]'
	out=$(dk run --rm --network none lab/mini:1 sh -c 'cat /new /etc/changed; ls /tmp/newfile /bin/ls 2>&1')
	who=Docker
else
	echo "# no dockerd: mini-docker's archive goes into a second mini-docker store instead"
	out=$(mdB load -i "$work/mini.tar"); rc=$?
	check "08 compat: (recorded) loaded into a fresh store, mini-docker's archive keeps its image ID" \
		eval '[ $rc -eq 0 ] && [ "$(mdB inspect -f "{{.Id}}" lab/mini:1)" = "$new" ]'
	out=$(mdB run --rm lab/mini:1 sh -c 'cat /new /etc/changed; ls /tmp/newfile /bin/ls 2>&1')
	mdB rmi lab/mini:1 >/dev/null
	who="a second mini-docker"
fi
check "08 compat: $who runs the committed image: the new file, the change, both deletions" \
	eval 'has "$out" new && has "$out" three && [ "$(grep -c "No such file" <<<"$out")" = 2 ]'

# ---- the host as it was ---------------------------------------------------------------
mdA rm compat-builder >/dev/null
out=$(mdA rmi lab/mini:1 lab/compat:1); rc=$?
check "08 compat: rmi of both images empties the store" \
	eval '[ $rc -eq 0 ] && [ -z "$(ls $work/mdA/image/overlay2/layerdb/sha256)" ] && [ -z "$(ls $work/mdA/overlay2)" ]'
cleanup; trap - EXIT
check "08 compat: no dockerd, containerd or shim of ours is left" \
	eval '! pgrep -f "$work" >/dev/null'
check "08 compat: the host's mount table is as before" eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$mounts_before"
check "08 compat: no cgroup $CG or mini-docker left" \
	eval '[ -z "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "$CG*")" ] && no_project_cgroups'
left=
for p in "${outside[@]}"; do [ -z "${had[$p]}" ] && [ -e "$p" ] && left+=" $p"; done
check "08 compat: dockerd's files outside its roots are gone, links and the temp dir too" \
	eval '[ -z "$left" ] && [ "$(ip -o link show | cut -d: -f2 | sort)" = "$links_before" ] && [ ! -e "$work" ]'
