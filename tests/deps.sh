#!/usr/bin/env bash
# tests/deps.sh — install what building and testing need (called by `make deps`).
# Debian/Ubuntu: apt-get. Elsewhere: print the equivalent and stop.
set -eu
APT_PKGS=(make gcc clang pkg-config libcap-dev libcmocka-dev libssl-dev
	strace busybox-static util-linux procps
	qemu-system-x86 cpio xz-utils file e2fsprogs)   # the test VM (tests/vm/vm.sh)
DNF_PKGS=(make gcc clang pkgconf-pkg-config libcap-devel libcmocka-devel openssl-devel
	strace busybox util-linux procps-ng qemu-system-x86 cpio xz file e2fsprogs)

if ! command -v apt-get >/dev/null; then
	echo "No apt-get here. On Fedora/RHEL/OpenCloudOS run:"
	echo "  sudo dnf install -y ${DNF_PKGS[*]}"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "make deps: installing packages needs root: run 'sudo make deps'" >&2
	exit 1
fi
missing=()
for p in "${APT_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "make deps: everything is installed"
	exit 0
fi
echo "make deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
