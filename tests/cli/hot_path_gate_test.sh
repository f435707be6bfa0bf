#!/usr/bin/env bash
# scripts/hot-path-gate's verdicts on planted counts: +5% on one operation fails, +2% on all
# passes, a missing operation fails, a broken file is a usage error, and the committed
# reference passes against itself.
set -uo pipefail
root="${1:?usage: hot_path_gate_test.sh SOURCE_DIR TRACEBENCH}"
tracebench="${2:?usage: hot_path_gate_test.sh SOURCE_DIR TRACEBENCH}"
gate="$root/scripts/hot-path-gate"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
failures=0
expect() {  # expect EXIT_CODE DESCRIPTION ARGS...
  local want="$1" what="$2"; shift 2
  "$gate" --tracebench "$tracebench" "$@" >"$dir/out" 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAILED: $what: exit $got, expected $want"; cat "$dir/out"; failures=$((failures + 1))
  fi
}
cat >"$dir/ref.json" <<'JSON'
{"schema": "tracebench.hot-path-instructions/1", "unit": "instructions per operation",
 "operations": {"sampled_child_span": 400.0, "unsampled_child_span": 65.0, "traceparent_inject": 131.0}}
JSON
write() {  # write FILE SAMPLED UNSAMPLED INJECT
  printf '{"schema": "tracebench.hot-path-instructions/1", "operations": {"sampled_child_span": %s, "unsampled_child_span": %s%s}}\n' \
    "$2" "$3" "${4:+, \"traceparent_inject\": $4}" >"$1"
}
write "$dir/same.json" 400 65 131
write "$dir/plus5.json" 420 65 131
write "$dir/plus2.json" 408 66.3 133.6
write "$dir/faster.json" 300 50 100
write "$dir/missing.json" 400 65 ""
echo '{"schema": "tracebench.hot-path-instructions/1", "operations": {"x": "fast"}}' >"$dir/bad.json"
echo '{' >"$dir/notjson.json"

expect 0 "equal counts" --reference "$dir/ref.json" --counts "$dir/same.json"
expect 1 "+5% on one operation" --reference "$dir/ref.json" --counts "$dir/plus5.json"
expect 0 "+2% everywhere" --reference "$dir/ref.json" --counts "$dir/plus2.json"
expect 1 "+2% with a 1% threshold" --reference "$dir/ref.json" --counts "$dir/plus2.json" --threshold 1
expect 0 "faster" --reference "$dir/ref.json" --counts "$dir/faster.json"
expect 1 "an operation not measured" --reference "$dir/ref.json" --counts "$dir/missing.json"
expect 2 "a count that is not a number" --reference "$dir/ref.json" --counts "$dir/bad.json"
expect 2 "not JSON" --reference "$dir/ref.json" --counts "$dir/notjson.json"
expect 2 "a bad threshold" --reference "$dir/ref.json" --counts "$dir/same.json" --threshold 3%
expect 2 "no reference" --reference "$dir/none.json" --counts "$dir/same.json"
reference="$root/results/reference/hot-path-instructions.json"
expect 0 "the committed reference against itself" --reference "$reference" --counts "$reference"
grep -q "sampled_child_span" "$dir/out" || { echo "FAILED: the reference has no sampled_child_span"; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] && echo "hot-path gate: all verdicts as expected"
exit "$failures"
