#!/usr/bin/env bash
# 08-mini-docker/mkrootfs.sh DIR — the default image: a busybox root
# filesystem from Debian's busybox-static package (`make rootfs`).
# Built beside DIR and renamed into place, so a half-built image is never used.
set -euo pipefail
dest=${1:?usage: mkrootfs.sh DIR}
bb=/bin/busybox
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "mkrootfs: $bb is missing or not static: apt-get install busybox-static (make deps)" >&2
	exit 1
fi
[ -d "$dest" ] && { echo "mkrootfs: $dest exists"; exit 0; }
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
