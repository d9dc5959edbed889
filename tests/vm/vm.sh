#!/usr/bin/env bash
# tests/vm/vm.sh — boot Debian's kernel in qemu with a pure cgroup v2 (or a
# v1-only) layout and run a command there, on the host's own files.
#
#   tests/vm/vm.sh prepare                 fetch and cache kernel + initramfs
#   tests/vm/vm.sh run v2|v1 'COMMAND'     run COMMAND in the repo, exit with its status
#   tests/vm/vm.sh shell [v2|v1]           interactive shell on the serial console
#
# Exit status of `run`: the command's own; 124 when the VM timed out
# (VM_TIMEOUT seconds, default 1500: the whole integration suite takes
# about 8 minutes under TCG, and two to three times that built with ASan); 250 when the guest died without
# reporting (kernel panic, init crash); 251 when the VM could not be prepared.
#
# How it works: the host's / is shared read-only over virtio-9p. The guest's
# init mounts it as the lower layer of an overlay whose upper layer is a tmpfs,
# so the guest sees the host's binaries, bash, util-linux and this repository
# unchanged, can write anywhere, and every write vanishes at power-off. Fresh
# /proc, /sys, /dev, /tmp and cgroup mounts are made, then init switch_roots
# into it (a plain chroot would make user-namespace creation fail with EPERM,
# and pivot_root never works on the initramfs itself).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${MINI_DOCKER_VM_CACHE:-$ROOT/.cache/vm}
KPKG=${VM_KERNEL_PKG:-}
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
netfs fscache 9pnet 9pnet_virtio 9p overlay veth virtio_blk crc32c_generic ext4
bridge nf_tables nft_chain_nat nft_nat nft_masq nft_ct nft_fib nft_fib_ipv4 nf_nat nf_conntrack"

die() { echo "vm.sh: $*" >&2; exit 251; }

# Whatever this script makes in /tmp goes in scratch, and goes away however
# it ends: done, failed, Ctrl-C, a closed terminal, a killed test run. On
# the way out each shell (the script, and boot's subshell) sends TERM to
# its own children: the subshell, which then does the same; the timeout
# that watches qemu, which passes it on to qemu.
scratch=()
cleanup() {
	# a second signal (Ctrl-C pressed twice; the script's TERM reaching
	# boot's subshell) must not cut the cleanup short
	trap '' INT TERM HUP
	pkill -TERM -P "$BASHPID" 2>/dev/null || true
	wait 2>/dev/null || true
	[ ${#scratch[@]} -eq 0 ] || rm -rf "${scratch[@]}"
}
on_exit() {
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}
on_exit

need() {
	local missing=()
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	command -v cpio >/dev/null || missing+=(cpio)
	[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static \
		|| missing+=(busybox-static)
	command -v xz >/dev/null || missing+=(xz-utils)
	command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "vm.sh: missing ${missing[*]}; install with:" >&2
		echo "  sudo apt-get install --no-install-recommends ${missing[*]}   (or: sudo make deps)" >&2
		exit 251
	fi
}

# Debian's current kernel: the package linux-image-amd64 depends on.
kernel_package() {
	[ -n "$KPKG" ] && { echo "$KPKG"; return; }
	local dep
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$dep" ] || die "apt-cache knows no linux-image-amd64 (run apt-get update)"
	echo "${dep%-amd64}-amd64-unsigned"
}

# Order modules so each comes after what its depends= field names.
module_order() {
	local dir=$1 done_list="" m
	visit() {
		local name=$1 f deps d
		case " $done_list " in *" $name "*) return ;; esac
		f=$(find "$dir" -name "$name.ko" | head -n 1)
		[ -n "$f" ] || return 0 # built in
		deps=$(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' ')
		for d in $deps; do visit "$d"; done
		done_list="$done_list $name"
		echo "$name $f"
	}
	for m in $MODULES; do visit "$m"; done
}

prepare() {
	need
	# the cache is rebuilt when the module list changes (a new stage's)
	[ -f "$CACHE/vmlinux" ] && [ -f "$CACHE/base.cpio" ] &&
		[ "$(cat "$CACHE/modules" 2>/dev/null)" = "$MODULES" ] && return 0
	mkdir -p "$CACHE"
	local work pkg
	work=$(mktemp -d "$CACHE/prep.XXXXXX")
	scratch+=("$work") # also if a signal ends the script in here
	trap 'rm -rf "$work"' RETURN
	pkg=$(kernel_package)
	echo "vm.sh: fetching $pkg (Debian's kernel, into $CACHE; the host's /boot is not touched)" >&2
	(cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) || {
		apt-get update -qq >/dev/null 2>&1 || true
		(cd "$work" && apt-get download "$pkg" >/dev/null) || die "apt-get download $pkg failed"
	}
	dpkg-deb -x "$work"/*.deb "$work/x"
	local vmlinuz off
	vmlinuz=$(ls "$work"/x/boot/vmlinuz-*)
	# Boot the uncompressed ELF directly (PVH entry): about twice as fast
	# under emulation as going through the BIOS with the bzImage.
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || die "no xz payload in $vmlinuz"
	tail -c +$((off + 1)) "$vmlinuz" | xz -dc --single-stream >"$work/vmlinux" 2>/dev/null || true
	file "$work/vmlinux" | grep -q ELF || die "could not extract vmlinux from $vmlinuz"

	local initdir="$work/initramfs" name f
	mkdir -p "$initdir"/{bin,dev,proc,sys,mnt,modules,newroot}
	cp /bin/busybox "$initdir/bin/busybox"
	# The kernel opens /dev/console before devtmpfs exists: it must be in the archive.
	mknod -m 600 "$initdir/dev/console" c 5 1
	module_order "$work/x/lib/modules" | while read -r name f; do
		cp "$f" "$initdir/modules/$name.ko"
		echo "$name" >>"$initdir/modules/order"
	done
	cp "$ROOT/tests/vm/init" "$initdir/init"
	chmod +x "$initdir/init"
	(cd "$initdir" && find . | cpio -o -H newc --quiet) >"$work/base.cpio"
	mv "$work/vmlinux" "$CACHE/vmlinux"
	mv "$work/base.cpio" "$CACHE/base.cpio"
	echo "$MODULES" >"$CACHE/modules"
	echo "$pkg" >"$CACHE/kernel"
}

# qemu: KVM only where it really works (vmx/svm and a writable /dev/kvm);
# these CI machines expose a /dev/kvm that cannot run a stock kernel.
accel() {
	if [ -z "${VM_FORCE_TCG:-}" ] && grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ]; then
		echo "-accel kvm -cpu host"
	else
		echo "-accel tcg,thread=multi -cpu max"
	fi
}

boot() { # boot MODE INTERACTIVE CMDFILE -> runs qemu, output on stdout
	local mode=$1 interactive=$2 cmdfile=$3 run nonce
	# `run` calls this in a process substitution: a subshell, where bash
	# has reset the traps, so set them again here
	on_exit
	run=$(mktemp -d "${TMPDIR:-/tmp}/mini-docker-vm.XXXXXX")
	scratch+=("$run")
	nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	mkdir -p "$run/extra/vm"
	printf '%s\n' "$mode" >"$run/extra/vm/mode"
	printf '%s\n' "$nonce" >"$run/extra/vm/nonce"
	printf '%s\n' "$ROOT" >"$run/extra/vm/repo"
	printf '%s\n' "$interactive" >"$run/extra/vm/interactive"
	cp "$cmdfile" "$run/extra/vm/cmd"
	# Concatenated cpio archives form one initramfs: the cached base plus
	# this run's command, mode and nonce.
	(cd "$run/extra" && find . | cpio -o -H newc --quiet) | cat "$CACHE/base.cpio" - >"$run/initrd"
	# A scratch ext4 disk for /tmp and /var/lib/mini-docker: a real disk
	# filesystem, with user.* xattrs (tmpfs has them only from Linux 6.6),
	# as a student's machine would have. Sparse, gone after the run.
	truncate -s 4G "$run/scratch.img"
	mkfs.ext4 -q -F -E lazy_itable_init=1 "$run/scratch.img"
	local serial="-serial stdio" limit=(timeout -k 10 "${VM_TIMEOUT:-1500}")
	if [ "$interactive" = 1 ]; then
		serial="-serial mon:stdio"
		# --foreground: timeout would otherwise put qemu in a background
		# process group, and the terminal would stop it (SIGTTIN) at its
		# first read. No time limit for a shell: Ctrl-A X quits.
		limit=(timeout --foreground "${VM_SHELL_TIMEOUT:-0}")
	fi
	local accel_args serial_args
	read -ra accel_args <<<"$(accel)"
	read -ra serial_args <<<"$serial"
	# shellcheck disable=SC2054 # the commas are qemu's, inside one argument
	local qemu=(qemu-system-x86_64 "${accel_args[@]}" -M pc -nodefaults -no-reboot
		-smp 2 -m "${VM_MEMORY:-2G}" -display none "${serial_args[@]}"
		-kernel "$CACHE/vmlinux" -initrd "$run/initrd"
		-append "console=ttyS0 loglevel=1 panic=-1 rdinit=/init"
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
		-drive file="$run/scratch.img",if=virtio,format=raw,cache=unsafe)
	set +e
	if [ "$interactive" = 1 ]; then
		"${limit[@]}" "${qemu[@]}" 2> >(grep -v 'multidevs\|warning: .* spans' >&2)
	else
		# In the background, so a stop signal reaches our trap at once
		# (bash runs traps only between commands, and wait is one).
		"${limit[@]}" "${qemu[@]}" 2> >(grep -v 'multidevs\|warning: .* spans' >&2) &
		wait $!
	fi
	local rc=$?
	set -e
	rm -rf "$run"
	[ "$interactive" = 1 ] || echo "__VM_QEMU_RC $rc $nonce"
}

run() {
	local mode=$1 cmd=$2 cmdfile qrc nonce
	prepare
	cmdfile=$(mktemp)
	scratch+=("$cmdfile")
	printf '%s\n' "$cmd" >"$cmdfile"
	# Stream the guest's console, strip \r, and pick out our marker line:
	# kernel messages (an OOM report, say) may interleave with the output.
	while IFS= read -r line; do
		line=${line%$'\r'}
		case "$line" in
		__VM_QEMU_RC\ *) read -r _ qrc nonce <<<"$line" ;;
		VMRESULT\ *) result_line=$line ;;
		*"] reboot: Power down") ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <(boot "$mode" 0 "$cmdfile")
	rm -f "$cmdfile"
	if [ "${qrc:-}" = 124 ] || [ "${qrc:-}" = 137 ]; then
		echo "vm.sh: the VM timed out after ${VM_TIMEOUT:-1500} s" >&2
		exit 124
	fi
	if [ -n "${result_line:-}" ]; then
		local rnonce rrc
		read -r _ rnonce rrc <<<"$result_line"
		if [ "$rnonce" = "$nonce" ]; then
			exit "$rrc"
		fi
	fi
	echo "vm.sh: the guest died without reporting a result (kernel panic or init failure)" >&2
	exit 250
}

case "${1:-}" in
prepare) prepare ;;
run) [ $# -eq 3 ] || die "usage: vm.sh run v2|v1 'COMMAND'"
	case "$2" in v1|v2) ;; *) die "mode '$2': use v2 or v1" ;; esac
	run "$2" "$3" ;;
shell) prepare
	mode=${2:-v2}
	f=$(mktemp)
	scratch+=("$f")
	# the VM's /var/lib/mini-docker is a fresh disk: give it 08's default image
	printf '%s\n' "bash 08-mini-docker/mkrootfs.sh /var/lib/mini-docker/images/busybox ./08-mini-docker/mini-docker >/dev/null 2>&1" \
		"echo 'cgroup v2 VM: stages in ./NN-*/demo, containers: ./08-mini-docker/mini-docker run -it --rm busybox sh'" \
		"exec bash -l" >"$f"
	echo "vm.sh: booting a cgroup $mode VM; the repository is at $ROOT. Ctrl-A X quits qemu." >&2
	# qemu talks to the terminal directly: a pipe here would buffer it
	boot "$mode" 1 "$f"; rm -f "$f" ;;
*) echo "usage: tests/vm/vm.sh prepare | run v2|v1 'COMMAND' | shell [v2|v1]" >&2; exit 2 ;;
esac
