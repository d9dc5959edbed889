#!/usr/bin/env bash
# tests/deps.sh — install what building and testing need (called by `make deps`).
# Debian/Ubuntu: apt-get. Elsewhere: print the equivalent and stop.
set -eu
APT_PKGS=(make gcc libc6-dev clang pkg-config libcap-dev libcmocka-dev libssl-dev
	libarchive-dev libjson-c-dev libseccomp-dev golang-github-containers-common
	libmnl-dev libnftables-dev nftables iproute2   # 08's network (NETWORK.md) and its test
	umoci skopeo   # the image tests build real OCI layouts and docker-save archives
	docker.io      # 08-docker-compat.sh compares with Docker itself (its own dockerd)
	strace busybox-static util-linux procps jq bc attr python3
	qemu-system-x86 cpio xz-utils file e2fsprogs)   # the test VM (tests/vm/vm.sh)
DNF_PKGS=(make gcc clang pkgconf-pkg-config libcap-devel libcmocka-devel openssl-devel
	libarchive-devel json-c-devel libseccomp-devel containers-common umoci skopeo moby-engine
	libmnl-devel nftables-devel nftables iproute
	strace busybox util-linux procps-ng jq bc attr perl-interpreter python3 qemu-system-x86 cpio xz file e2fsprogs
	glibc-static compiler-rt)

if ! command -v apt-get >/dev/null; then
	echo "No apt-get here. On Fedora/RHEL/OpenCloudOS run:"
	echo "  sudo dnf install -y ${DNF_PKGS[*]}"
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "make deps: installing packages needs root: run 'sudo make deps'" >&2
	exit 1
fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
export DEBIAN_FRONTEND=noninteractive
updated=0
install() {
	local missing=() p
	for p in "$@"; do installed "$p" || missing+=("$p"); done
	[ ${#missing[@]} -gt 0 ] || return 0
	echo "make deps: installing ${missing[*]}"
	[ $updated = 1 ] || { apt-get update -qq; updated=1; }
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
had_docker=0; installed docker.io && had_docker=1
install "${APT_PKGS[@]}"
# The tests start a dockerd of their own (08-docker-compat.sh) and need no
# system daemon: one the package just installed and started is stopped and
# disabled again, so the host runs what it ran before.
if [ $had_docker = 0 ] && installed docker.io && [ -d /run/systemd/system ]; then
	systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
fi
# libFuzzer and the sanitizers' runtime is only a Recommends of clang on
# Debian: install the one for the clang that is there (14 on Debian 12).
rt="libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
if apt-cache show "$rt" >/dev/null 2>&1; then
	install "$rt"
fi
echo "make deps: everything is installed"
