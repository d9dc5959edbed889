#!/usr/bin/env bash
# tests/fuzz/run.sh RUNS — run each libFuzzer target RUNS times (make fuzz),
# from the seeds in tests/fuzz/seeds, in a scratch corpus; a crash fails.
set -u
cd "$(dirname "$0")/../.." || exit 1
runs=${1:-1000000}
passed=0 failed=0
for t in tests/fuzz/fuzz_values tests/fuzz/fuzz_kernel_text tests/fuzz/fuzz_store; do
	name=${t##*/fuzz_}
	corpus=$(mktemp -d /tmp/mini-docker-fuzz.XXXXXX)
	log="$corpus.log"
	start=$(date +%s)
	len=512; [ "$name" = store ] && len=2048   # a container record is ~1.5 kB
	"$t" -runs="$runs" -seed=1 -max_len=$len -print_final_stats=1 -artifact_prefix="$corpus.crash-" "$corpus" "tests/fuzz/seeds/$name" >"$log" 2>&1
	rc=$?
	done_runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log")
	if [ $rc -eq 0 ] && [ "${done_runs:-0}" -ge "$runs" ]; then
		echo "ok - fuzz $name: $done_runs runs in $(( $(date +%s) - start )) s, no crash"
		passed=$((passed + 1))
	else
		echo "not ok - fuzz $name: exit $rc after ${done_runs:-?} runs; log:"
		grep -E 'ERROR|SUMMARY|runtime error|Assertion|artifact' "$log" | head -n 10 | sed 's/^/#   /'
		# the stack and the input itself: CI keeps nothing else of a crash
		grep -E '^ +#[0-9]+ ' "$log" | head -n 12 | sed 's/^/#   /'
		for f in "$corpus".crash-*; do
			[ -f "$f" ] && echo "#   input (base64): $(head -c 4096 "$f" | base64 -w0)"
		done
		failed=$((failed + 1))
	fi
	rm -rf "$corpus" "$log" "$corpus".crash-*
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
