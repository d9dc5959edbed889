#!/usr/bin/env bash
# tests/lessons.sh check|update — every lesson sample, where it was captured:
# host and user samples here, then one VM boot per layout (tests/vm/vm.sh)
# for the v2 and the v1 samples. `update` re-captures them into the English
# pages and copies each block into the zh-CN companion. Needs root (the VMs
# and most demos); run it under the shared lock.
set -u
cd "$(dirname "$0")/.." || exit 1
mode=${1:-check}
rc=0
case "$mode" in
check)
	echo "#### lesson samples on this host ($(uname -r))"
	bash tests/integration/lessons.sh || rc=1
	for l in v2 v1; do
		echo "#### lesson samples in the cgroup $l VM"
		bash tests/vm/vm.sh run "$l" "bash tests/integration/lessons.sh" || rc=1
	done ;;
update)
	python3 tests/lessons/check.py update --layout host,user || rc=1
	for l in v2 v1; do
		echo "#### re-capturing the $l samples in the VM"
		bash tests/vm/vm.sh run "$l" "source tests/lib.sh && ensure_busybox && python3 tests/lessons/check.py capture --layout $l" |
			python3 tests/lessons/check.py apply || rc=1
	done ;;
*)
	echo "usage: tests/lessons.sh check|update" >&2; exit 2 ;;
esac
exit $rc
