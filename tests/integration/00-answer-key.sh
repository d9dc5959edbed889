#!/usr/bin/env bash
# tests/integration/00-answer-key.sh — the instructor's guide has an answer
# for every exercise of every lesson page, in English and in Chinese: for
# each numbered item under a page's "## Exercises", an item of the same
# number under that lesson's "### NN" heading of section 4 of
# docs/instructor.md and docs/instructor.zh-CN.md. Text only: no root, any layout.
source "$(dirname "$0")/../lib.sh"

# exercises: "KEY N" per exercise; KEY is the heading the guide files it under
exercises() {
	local f k
	for f in [0-9][0-9]-*/README.md 08-mini-docker/{LIFECYCLE,IMAGES,CONFINEMENT,NETWORK}.md; do
		case $f in
		08-mini-docker/README.md) k=08 ;;
		*/LIFECYCLE.md) k=08b ;;
		*/IMAGES.md) k=08c ;;
		*/CONFINEMENT.md) k=08d ;;
		*/NETWORK.md) k=08e ;;
		*) k=${f%%-*} ;;
		esac
		awk -v k="$k" '/^## /{ on = ($0 ~ /^## Exercises/) } on && /^[0-9]+\. / { print k, $1 + 0 }' "$f"
	done
}
# answers GUIDE: "KEY N" per numbered answer of section 4
answers() {
	awk '/^## 4\./ { on = 1; next } /^## / { on = 0 } on && /^### / { k = $2 }
	     on && k != "" && /^[0-9]+\. / { print k, $1 + 0 }' "$1"
}

ex=$(exercises)
en=$(answers docs/instructor.md)
zh=$(answers docs/instructor.zh-CN.md)
plan $((2 * $(grep -c . <<<"$ex")))
while read -r k n; do
	check "docs/instructor.md answers exercise $k.$n" grep -qx "$k $n" <<<"$en"
	check "docs/instructor.zh-CN.md answers exercise $k.$n" grep -qx "$k $n" <<<"$zh"
done <<<"$ex"
