#!/usr/bin/env bash
# tests/run.sh [unit|integration] — run the unit tests (cmocka) and the
# integration scripts, and end with one line: "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
what=${1:-all}
passed=0 failed=0 skipped=0
failures=()

run_unit() {
	local t out p f
	for t in tests/unit/test_*; do
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

run_integration() {
	local s out
	for s in tests/integration/*.sh; do
		echo "## ${s##*/}"
		out=$(bash "$s" 2>&1)
		printf '%s\n' "$out"
		passed=$((passed + $(grep -c '^ok - ' <<<"$out")))
		skipped=$((skipped + $(grep -c '^skip - ' <<<"$out")))
		local nf
		nf=$(grep -c '^not ok - ' <<<"$out")
		failed=$((failed + nf))
		while IFS= read -r l; do failures+=("${s##*/}: ${l#not ok - }"); done \
			< <(grep '^not ok - ' <<<"$out")
		if ! grep -qE '^(ok|not ok|skip) - ' <<<"$out"; then
			failed=$((failed + 1)); failures+=("${s##*/}: printed no result")
		fi
	done
}

case "$what" in
unit) run_unit ;;
integration) run_integration ;;
all) run_unit; run_integration ;;
*) echo "usage: tests/run.sh [unit|integration|all]" >&2; exit 2 ;;
esac

if [ ${#failures[@]} -gt 0 ]; then
	echo "## failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
