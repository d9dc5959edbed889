#!/usr/bin/env bash
# tests/tour.sh — the guided tour (`make tour`): every finished stage's demo, in order.
set -u
cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "make tour: the stages need root: run 'sudo make tour'" >&2
	exit 1
fi
rc=0
for demo in 01-uts/demo 02-user/demo 03-pid-ipc/demo 04-mount-proc/demo \
	05-cgroup-cpu/demo 06-cgroup-memory/demo 07-overlayfs/demo 08-mini-docker/demo; do
	printf '\n\033[1m######## %s  (lesson: %s/README.md)\033[0m\n' "$demo" "${demo%/demo}"
	"./$demo" || { echo "!! $demo failed" >&2; rc=1; }
done
exit $rc
