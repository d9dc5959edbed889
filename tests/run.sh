#!/usr/bin/env bash
# tests/run.sh [PART...] — run the tests and end with one line:
# "N passed, N failed, N skipped". PARTs, in the order given:
#   unit         cmocka unit tests (no root needed)
#   host         integration scripts on this machine's kernel and cgroup layout
#   vm-self      the VM test bed's own checks
#   vm-v2 vm-v1  the integration scripts again, in a qemu VM booted with a
#                pure cgroup v2 / v1-only layout (tests/vm/vm.sh)
#   stage-NN     one stage only, on this host (make check-NN): its unit
#                tests, its integration scripts, its lesson samples
# Default: all of them (the stage parts excepted). The lesson samples run as
# one more integration script (tests/integration/lessons.sh): each layout's
# in its own part, so no VM boots for them.
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- unit host vm-self vm-v2 vm-v1
passed=0 failed=0 skipped=0
failures=()

# count LABEL OUTPUT: add up the ok / not ok / skip lines of a run
count() {
	local label=$1 out=$2
	passed=$((passed + $(grep -c '^ok - ' <<<"$out")))
	skipped=$((skipped + $(grep -c '^skip - ' <<<"$out")))
	failed=$((failed + $(grep -c '^not ok - ' <<<"$out")))
	while IFS= read -r l; do failures+=("$label: ${l#not ok - }"); done \
		< <(grep '^not ok - ' <<<"$out")
}

run_unit() {
	local t out p f
	echo "#### unit tests (cmocka)"
	for t in ${UNIT_TESTS:-tests/unit/test_*}; do
		[ -x "$t" ] || continue
		case "$t" in *.c) continue ;; esac
		out=$("$t" 2>&1)
		printf '%s\n' "$out" | grep -E '^\[ *(OK|FAILED|ERROR) *\]|^\[ *LINE' | sed "s|^|${t##*/}: |"
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-0}))
		if [ -z "$p$f" ]; then   # crashed before cmocka could report
			failed=$((failed + 1)); failures+=("$t: no cmocka summary")
		fi
		[ -n "$f" ] && failures+=("$t")
	done
}

# The integration scripts, here; prints their lines (used inside the VM too).
# Each script declares its plan ("1..N", lib.sh's plan); one that printed
# another number of results stopped halfway (or changed without its plan).
run_scripts() {
	local s out planned ran
	for s in ${SCRIPTS:-tests/integration/*.sh}; do
		echo "## ${s##*/}"
		out=$(bash "$s" 2>&1)
		printf '%s\n' "$out"
		planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$out" | head -n 1)
		ran=$(grep -cE '^(ok|not ok|skip) - ' <<<"$out")
		if [ -z "$planned" ]; then
			echo "not ok - ${s##*/} declares no plan (plan N in the script)"
		elif [ "$ran" -ne "$planned" ] && ! grep -qx '# skip-all' <<<"$out"; then
			echo "not ok - ${s##*/} printed $ran of its $planned planned results: it stopped halfway"
		fi
	done
}

layout() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then echo "cgroup v2"
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then echo "hybrid"
	else echo "cgroup v1"; fi
}

run_host() {
	echo "#### integration tests on this host (kernel $(uname -r), $(layout))"
	local out
	out=$(run_scripts)
	printf '%s\n' "$out"
	count "host" "$out"
}

vm_ready() { # the VM needs root (9p share of /, mknod in the initramfs) and qemu
	if [ "$(id -u)" != 0 ]; then
		echo "skip - $1 (needs root: run 'sudo make test')"
		skipped=$((skipped + 1))
		return 1
	fi
	return 0
}

run_vm() {
	local mode=$1 out rc
	echo "#### integration tests in a qemu VM, cgroup $mode (Debian's kernel; tests/vm/vm.sh)"
	vm_ready "vm-$mode" || return 0
	out=$(bash tests/vm/vm.sh run "$mode" 'bash tests/run.sh --scripts' 2>&1); rc=$?
	printf '%s\n' "$out" | sed 's/^\(ok\|not ok\|skip\) - /&['"$mode"'] /'
	count "vm-$mode" "$(sed 's/^\(ok\|not ok\|skip\) - /&['"$mode"'] /' <<<"$out")"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' <<<"$out"; then
		failed=$((failed + 1)); failures+=("vm-$mode: the VM run ended with status $rc")
	fi
}

# The unit tests of each stage's modules (stage 08: the runner's).
stage_units() {
	case "$1" in
	01) echo test_ns ;; 02) echo test_userns ;; 03) echo test_pidns ;;
	04) echo test_mountinfo ;; 05 | 06) echo test_cgvalue ;; 07) echo test_overlay ;;
	08) echo test_options test_image test_record test_state test_confine ;;
	esac
}

run_stage() {
	local n=$1 u units=() out
	for u in $(stage_units "$n"); do units+=("tests/unit/$u"); done
	UNIT_TESTS="${units[*]}" run_unit
	echo "#### stage $n on this host (kernel $(uname -r), $(layout)): its scripts and lesson samples"
	out=$(SCRIPTS="$(echo tests/integration/"$n"-*.sh) tests/integration/lessons.sh" \
		LESSON_STAGE=$n run_scripts)
	printf '%s\n' "$out"
	count "stage-$n" "$out"
}

run_vm_self() {
	echo "#### the VM test bed's own checks (tests/vm/selftest.sh)"
	vm_ready "vm-self" || return 0
	local out
	out=$(bash tests/vm/selftest.sh 2>&1)
	printf '%s\n' "$out"
	count "vm-self" "$out"
}

if [ "${1:-}" = --scripts ]; then   # inside the VM: just the scripts' lines
	run_scripts
	exit 0
fi
for part in "$@"; do
	case "$part" in
	unit) run_unit ;;
	host) run_host ;;
	vm-self) run_vm_self ;;
	vm-v2) run_vm v2 ;;
	vm-v1) run_vm v1 ;;
	stage-0[1-8]) run_stage "${part#stage-}" ;;
	*) echo "usage: tests/run.sh [unit|host|vm-self|vm-v2|vm-v1|stage-01..stage-08]..." >&2; exit 2 ;;
	esac
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "#### failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
