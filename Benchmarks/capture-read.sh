#!/usr/bin/env bash
# Read throughput of PcapFileReader against `tcpdump -r FILE -w /dev/null` on the same file, in
# the same run, plus an allocation check (heaptrack, when installed): allocations of the whole
# test process must not grow with the number of packets read.
#
# Usage: Benchmarks/capture-read.sh [FILE]
#   FILE defaults to the Ethernet pcaps of ../shared/pcaps merged (mergecap) and repeated 8 times.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

file=${1:-}
if [[ -z $file ]]; then
    pcaps=${PCAPS_DIR:-../shared/pcaps}
    ethernet=()
    for candidate in "$pcaps"/*.pcap; do
        [[ $(capinfos -T -r -t -E "$candidate" 2>/dev/null | cut -f2,3) == $'pcap\tether' ]] && ethernet+=("$candidate")
    done
    mergecap -F pcap -w "$work/merged.pcap" "${ethernet[@]}"
    mergecap -a -F pcap -w "$work/bench.pcap" $(printf "$work/merged.pcap %.0s" {1..8})
    file=$work/bench.pcap
fi
capinfos -c -s -M "$file" | tail -2

best_tcpdump=
for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    tcpdump -r "$file" -w /dev/null 2>/dev/null
    elapsed=$(( $(date +%s%N) - start ))
    [[ -z $best_tcpdump || $elapsed -lt $best_tcpdump ]] && best_tcpdump=$elapsed
done
packets=$(capinfos -c -M "$file" | awk '/Number of packets/ {print $4}')
echo "tcpdump -r FILE -w /dev/null: best of 5: $(awk "BEGIN {printf \"%.3f\", $best_tcpdump / 1e9}") s" \
    "(process start included), $(awk "BEGIN {printf \"%d\", $packets / ($best_tcpdump / 1e9)}") packets/s"

swift build -c release --build-tests >/dev/null
result=$(TAPEDECK_BENCH_PCAP=$file TAPEDECK_BENCH_RUNS=5 \
    .build/release/TapedeckPackageTests.xctest --testing-library swift-testing --filter ReadThroughputBenchmark 2>&1 |
    grep 'capture-read:')
echo "$result"
ours=$(sed -E 's/.* ([0-9]+) packets\/s.*/\1/' <<<"$result")
echo "ratio PcapFileReader / tcpdump (packets/s): $(awk "BEGIN {printf \"%.2f\", $ours / ($packets / ($best_tcpdump / 1e9))}")"

if command -v heaptrack >/dev/null; then
    small=Tests/Fixtures/rdp.pcap
    for input in "$small" "$file"; do
        TAPEDECK_BENCH_PCAP=$input TAPEDECK_BENCH_RUNS=1 heaptrack -o "$work/heap" \
            .build/release/TapedeckPackageTests.xctest --testing-library swift-testing \
            --filter ReadThroughputBenchmark >/dev/null 2>&1
        echo "allocations while reading $(capinfos -c -M "$input" | awk '/Number of packets/ {print $4}') packets:" \
            "$(heaptrack_print "$work"/heap*.zst 2>/dev/null | awk -F': ' '/^calls to allocation functions/ {print $2}')"
        rm -f "$work"/heap*
    done
fi
