#!/usr/bin/env bash
# 08-mini-docker/mkrootfs.sh DIR [MINI_DOCKER] — the default image: a busybox
# root filesystem from Debian's busybox-static package (`make rootfs`).
# Built beside DIR and renamed into place, so a half-built image is never used.
# Given the mini-docker binary, it also imports DIR as the image busybox:latest
# (unless that exists), so `mini-docker run busybox ...` works.
set -euo pipefail
dest=${1:?usage: mkrootfs.sh DIR [MINI_DOCKER]}
md=${2:-}
import() {
	[ -n "$md" ] || return 0
	if ! "$md" images | grep -q '^busybox  *latest '; then
		# sorted names and fixed times: the same tar, so the same DiffID, every time
		tar -C "$dest" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -c . |
			"$md" import - busybox:latest >/dev/null
		echo "mkrootfs: imported $dest as busybox:latest"
	fi
}
bb=/bin/busybox
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "mkrootfs: $bb is missing or not static: apt-get install busybox-static (make deps)" >&2
	exit 1
fi
[ -d "$dest" ] && { echo "mkrootfs: $dest exists"; import; exit 0; }
mkdir -p "$(dirname "$dest")"
tmp=$(mktemp -d "$dest.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,var,run}
chmod 1777 "$tmp/tmp"
chmod 700 "$tmp/root"
cp "$bb" "$tmp/bin/busybox"
for applet in $("$bb" --list-full); do
	[ -e "$tmp/$applet" ] || ln -s /bin/busybox "$tmp/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$tmp/etc/hosts"
chmod 755 "$tmp"
mv "$tmp" "$dest"
trap - EXIT
echo "mkrootfs: busybox image in $dest ($(ls "$dest/bin" | wc -l) commands in /bin)"
import
