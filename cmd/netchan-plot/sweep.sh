#!/usr/bin/env bash
# Measures netchan-bench over a sweep and plots it, for the channel API and
# for typed: clients 1 to 64 at the default capacity, then capacity 1 to 4096
# with 8 clients. Each run writes one JSON summary into a temporary
# directory; netchan-plot then writes docs/throughput-clients.png and
# docs/throughput-capacity.png.
# DURATION (default 3s) is each run's length, OUT (default docs) where the
# PNG files go, RESULTS (default a new temporary directory) where the JSON
# files go. Run it from anywhere; paths are taken from the repository root.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${DURATION:-3s}
out=${OUT:-$root/docs}
results=${RESULTS:-$(mktemp -d)}
mkdir -p "$results"

bench=$results/netchan-bench
(cd "$root" && go build -o "$bench" ./cmd/netchan-bench)

for api in chan typed; do
	for c in 1 2 4 8 16 32 64; do
		echo "api=$api clients=$c" >&2
		"$bench" -json -api "$api" -duration "$duration" -clients "$c" 2>/dev/null >"$results/$api-clients-$c.json"
	done
	for n in 1 4 16 64 256 1024 4096; do
		echo "api=$api capacity=$n clients=8" >&2
		"$bench" -json -api "$api" -duration "$duration" -clients 8 -buffer "$n" 2>/dev/null >"$results/$api-capacity-$n.json"
	done
done

(cd "$root/cmd/netchan-plot" && go run . -out "$out" "$results")
echo "results in $results" >&2
