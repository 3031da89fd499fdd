#!/usr/bin/env bash
# Reassembly benchmark (issue 6): how fast a FlowTracker (flow table, TCP reassembly, chunking,
# default limits) gets through ~1 GB of real traffic built by Benchmarks/make-input.py, against
# `tapedeck import` of the same file (issue 2's ingestion), in one run; prints the ratio.
#
# - reassembly = tapedeck-bench-flows' `seconds`: tracking alone, over the file's packets loaded
#   into memory beforehand, with a sink that drops chunks and stream segments (so neither reading
#   nor Kafka is counted); its `file_seconds` (libpcap reading plus tracking) is printed too.
# - import = `tapedeck import --no-progress --store S FILE`, wall time including process start,
#   `sync` and an empty store before each run.
# Runs alternate (import, reassembly, import, …) so that both see the same machine; means of $RUNS.
# Throughput is the input file's size over the time; the target is reassembly ≥ import.
#
# Usage: Benchmarks/reassembly.sh [SIZE]     (default 1e9; BENCH_DIR=/tmp/tapedeck-bench, RUNS=3)
# Needs: python3, and ~3x SIZE free in $BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size=${1:-1e9}
runs=${RUNS:-3}
work=${BENCH_DIR:-/tmp/tapedeck-bench}
mkdir -p "$work"
swift build -c release --product tapedeck >/dev/null
swift build -c release --product tapedeck-bench-flows >/dev/null
input=$work/input-$size.pcap
[ -s "$input" ] || python3 Benchmarks/make-input.py --size "$size" "$input" 2>/dev/null
bytes=$(stat -c %s "$input")
cat "$input" >/dev/null   # both read from the page cache

import_total=0
reassembly_total=0
file_total=0
for run in $(seq "$runs"); do
    rm -rf "$work/store"
    sync
    start=$(date +%s%N)
    .build/release/tapedeck import --no-progress --store "$work/store" "$input" 2>/dev/null
    end=$(date +%s%N)
    import_total=$((import_total + end - start))
    line=$(.build/release/tapedeck-bench-flows "$input")
    read -r flows seconds file_seconds < <(awk '{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1)
        print v["flows"], v["seconds"], v["file_seconds"] }' <<<"$line")
    reassembly_total=$(awk -v a="$reassembly_total" -v b="$seconds" 'BEGIN { print a + b }')
    file_total=$(awk -v a="$file_total" -v b="$file_seconds" 'BEGIN { print a + b }')
    echo "run $run: import $(awk -v t=$((end - start)) 'BEGIN { printf "%.3f", t / 1e9 }') s, $line"
done
rm -rf "$work/store"
awk -v bytes="$bytes" -v runs="$runs" -v flows="$flows" -v import_ns="$import_total" \
    -v reassembly="$reassembly_total" -v file="$file_total" 'BEGIN {
    import = import_ns / 1e9 / runs; reassembly /= runs; file /= runs
    printf "input: %d bytes, %d flows; means of %d runs\n", bytes, flows, runs
    printf "import:                 %6.3f s  %7.0f MB/s\n", import, bytes / import / 1e6
    printf "reassembly:             %6.3f s  %7.0f MB/s  %8.0f flows/s\n", reassembly, bytes / reassembly / 1e6, flows / reassembly
    printf "read + reassembly:      %6.3f s  %7.0f MB/s  %8.0f flows/s\n", file, bytes / file / 1e6, flows / file
    printf "reassembly / import:    %.2fx (target >= 1.0x); read + reassembly / import: %.2fx\n", import / reassembly, import / file
}'
