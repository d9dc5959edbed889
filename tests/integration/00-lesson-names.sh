#!/usr/bin/env bash
# tests/integration/00-lesson-names.sh — every lesson page names files and
# functions as they are in the tree: each backticked `file.c` exists, each
# backticked `function_name` is defined, in the file named just before it
# if one is (tests/lessons/names.py). Text only: no root, any layout.
source "$(dirname "$0")/../lib.sh"

if ! command -v python3 >/dev/null; then
	plan 1
	skip "lesson pages name the code as it is" "needs python3: make deps"
	exit 0
fi
report=$(python3 tests/lessons/names.py "$ROOT") || { plan 1; echo "not ok - tests/lessons/names.py failed"; exit 0; }
pages=$(grep -v $'^\t' <<<"$report")
plan "$(grep -c . <<<"$pages")"
while IFS= read -r page; do
	bad=$(awk -v p="$page" '$0 == p { on = 1; next } /^[^\t]/ { on = 0 } on' <<<"$report")
	if [ -z "$bad" ]; then
		echo "ok - $page names only files and functions that exist"
	else
		echo "not ok - $page names files or functions that do not exist"
		sed 's/^\t/#   /' <<<"$bad" >&2
	fi
done <<<"$pages"
