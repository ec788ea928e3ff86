#!/bin/bash
# Binary size of husk vs crun vs runc: file size, and text/data/bss from
# size(1), and the stripped file size (a debug build carries symbols), with
# the ratio of stripped sizes to crun.  husk and crun link their
# libraries dynamically; runc is a Go binary with its runtime inside.
#
#   tests/bench/bench-size.sh [-o OUT.json]
set -euo pipefail
source "$(dirname "$0")/bench-lib.bash"

OUT=$REPO_ROOT/tests/.tmp/bench-size.json
parse_bench_options o: "$@"
find_runtimes
mkdir -p "$(dirname "$OUT")"

stripped_size() {
	local tmp
	tmp=$(mktemp)
	strip -o "$tmp" "$1" 2>/dev/null || cp "$1" "$tmp"
	stat -c %s "$tmp"
	rm -f "$tmp"
}

crun_bytes=""
for rt in "${RUNTIMES[@]}"; do
	[ "${rt%%=*}" = crun ] && crun_bytes=$(stripped_size "${rt#*=}")
done

printf '%-6s %12s %12s %12s %10s %10s %12s %s\n' runtime file_bytes stripped text data bss ratio_to_crun path
json="[]"
for rt in "${RUNTIMES[@]}"; do
	name=${rt%%=*}
	path=${rt#*=}
	bytes=$(stat -c %s "$path")
	stripped=$(stripped_size "$path")
	read -r text data bss _ < <(size "$path" | awk 'NR == 2')
	ratio=nan
	[ -n "$crun_bytes" ] && ratio=$(awk -v a="$stripped" -v b="$crun_bytes" 'BEGIN { printf "%.2f", a / b }')
	printf '%-6s %12s %12s %12s %10s %10s %12s %s\n' "$name" "$bytes" "$stripped" "$text" "$data" "$bss" "$ratio" "$path"
	json=$(jq -c --arg n "$name" --arg p "$path" --argjson b "$bytes" --argjson st "$stripped" --argjson t "$text" \
		--argjson d "$data" --argjson s "$bss" --arg r "$ratio" \
		'. + [{runtime: $n, path: $p, file_bytes: $b, stripped_bytes: $st, text: $t, data: $d, bss: $s,
			ratio_to_crun: (if $r == "nan" then null else ($r | tonumber) end)}]' <<<"$json")
done
jq -n --argjson r "$json" '{benchmark: "binary size", results: $r}' >"$OUT"
echo "JSON: $OUT"
