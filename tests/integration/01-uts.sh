# 01-uts: a new UTS namespace has its own hostname and its own inode.
source "$(dirname "$0")/../lib.sh"
plan 13

# Bad input first: needs no root, creates nothing.
long=$(printf 'a%.0s' $(seq 65))
err=$(./01-uts/demo --hostname "$long" 2>&1 >/dev/null); rc=$?
check "01 rejects a 65-byte hostname with one line naming the limit" \
	eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "at most 64"'
err=$(./01-uts/demo --hostname 'bad name' 2>&1 >/dev/null); rc=$?
check "01 rejects a hostname with a space, naming it" \
	eval '[ $rc -ne 0 ] && one_line "$err" && has "$err" "'"'"'bad name'"'"'"'
./01-uts/demo --no-such-flag >/dev/null 2>&1; rc=$?
check "01 exits 2 on an unknown flag" eq "$rc" 2

need_root "01 namespace checks"

host_before=$(hostname)
my_ns=$(readlink /proc/self/ns/uts)
out=$(./01-uts/demo 2>&1); rc=$?
show 01 "$out"
check "01 exits 0" eq "$rc" 0
row() { awk -v w="$1" '$1 == w { print $NF }' <<<"$out"; }
host_ns=$(row host); child_ns=$(row child); joiner_ns=$(row joiner)
check "01 host row shows this shell's uts namespace ($my_ns)" eq "$host_ns" "$my_ns"
check "01 child's uts inode differs from the host's" \
	eval '[[ $child_ns == uts:\[*\] ]] && [ "$child_ns" != "$host_ns" ]'
check "01 joiner (setns) is in the child's namespace" eq "$joiner_ns" "$child_ns"
check "01 child and joiner see hostname 'container'" \
	eval '[ "$(awk '"'"'$1=="child"||$1=="joiner"{print $3}'"'"' <<<"$out" | sort -u)" = container ]'
check "01 host hostname unchanged" eq "$(hostname)" "$host_before"

out=$(./01-uts/demo --hostname web-1.lab 2>&1)
check "01 --hostname sets the child's name" eq "$(awk '$1=="child"{print $3}' <<<"$out")" web-1.lab

out=$(printf 'hostname\nreadlink /proc/$$/ns/uts\nexit\n' | ./01-uts/demo --shell --hostname shelltest 2>/dev/null)
check "01 --shell runs sh in the namespace" has "$out" shelltest
shell_ns=$(grep -x 'uts:\[[0-9]*\]' <<<"$out")
check "01 --shell's namespace is not the host's" eval '[ -n "$shell_ns" ] && [ "$shell_ns" != "$my_ns" ]'
check "01 host hostname unchanged after --shell" eq "$(hostname)" "$host_before"
