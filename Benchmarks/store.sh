#!/usr/bin/env bash
# Store benchmark (issue 2): import throughput vs a plain `tcpdump -r -w` copy, and a single-flow
# query through the CLI (process start included) vs tcpdump's full scan with the same filter,
# on ~1 GB and ~4 GB inputs built from ../shared/pcaps by Benchmarks/make-input.py; plus index
# size and compression. Everything runs in this one invocation on this machine and prints ratios.
#
# Usage: Benchmarks/store.sh [SIZES...]     (default: 1e9 4e9; needs ~3x the largest size free in $BENCH_DIR)
# Needs: hyperfine, jq, tcpdump, python3 (Debian packages hyperfine jq tcpdump).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
sizes=("${@:-1e9 4e9}")
read -r -a sizes <<<"${sizes[*]}"
work=${BENCH_DIR:-/tmp/tapedeck-bench}
mkdir -p "$work"
swift build -c release --product tapedeck >/dev/null
tapedeck=$PWD/.build/release/tapedeck

# A flow of the first repetition of the input: the same packets at every input size.
flow_query='host 192.168.1.103 and host 203.205.151.162 and port 54103 and port 443 and tcp'
flow_filter='host 192.168.1.103 and host 203.205.151.162 and tcp port 54103 and tcp port 443'

mean() { jq -r ".results[$2].mean" "$1"; }
declare -A query_mean

printf '%-6s %10s %10s %8s | %10s %10s %8s | %7s %8s\n' size copy_MB/s import_MB/s ratio tcpdump_ms query_ms ratio index% compress
for size in "${sizes[@]}"; do
    input=$work/input-$size.pcap
    [ -s "$input" ] || python3 Benchmarks/make-input.py --size "$size" "$input" 2>/dev/null
    bytes=$(stat -c %s "$input")
    cat "$input" >/dev/null   # both sides read from the page cache
    hyperfine -N --runs 3 --export-json "$work/import.json" \
        --prepare "sh -c 'rm -rf $work/copy.pcap $work/store; sync'" \
        "tcpdump -r $input -w $work/copy.pcap" \
        "$tapedeck import --no-progress --store $work/store $input" >/dev/null 2>&1
    copy=$(mean "$work/import.json" 0)
    import=$(mean "$work/import.json" 1)
    rm -f "$work/copy.pcap"
    hyperfine -N --warmup 3 --runs 5 --export-json "$work/query-tcpdump.json" \
        "tcpdump -r $input -w $work/oracle.pcap '$flow_filter'" >/dev/null 2>&1
    hyperfine -N --warmup 5 --runs 50 --export-json "$work/query.json" \
        "$tapedeck query --store $work/store -w $work/result.pcap '$flow_query'" >/dev/null 2>&1
    cmp <(tcpdump -r "$work/oracle.pcap" -nn -tt -x 2>/dev/null) <(tcpdump -r "$work/result.pcap" -nn -tt -x 2>/dev/null) \
        || { echo "query result differs from tcpdump's" >&2; exit 1; }
    scan=$(mean "$work/query-tcpdump.json" 0)
    query=$(mean "$work/query.json" 0)
    query_mean[$size]=$query
    read -r data index captured < <("$tapedeck" inspect --store "$work/store" --json 2>/dev/null \
        | jq -r '"\(.dataBytes) \(.indexBytes) \(.capturedBytes)"')
    awk -v size="$size" -v bytes="$bytes" -v copy="$copy" -v import="$import" -v scan="$scan" -v query="$query" \
        -v data="$data" -v indexbytes="$index" -v captured="$captured" 'BEGIN {
        printf "%-6s %10.0f %10.0f %7.2fx | %10.1f %10.1f %7.1fx | %6.2f%% %7.2fx\n", size,
            bytes / copy / 1e6, bytes / import / 1e6, copy / import, scan * 1000, query * 1000, scan / query,
            100 * indexbytes / (data + indexbytes), captured / data }'
done
if [ "${#sizes[@]}" -ge 2 ]; then
    first=${sizes[0]}
    last=${sizes[${#sizes[@]}-1]}
    awk -v a="${query_mean[$first]}" -v b="${query_mean[$last]}" -v f="$first" -v l="$last" \
        'BEGIN { printf "query time at %s / at %s: %.2fx\n", l, f, b / a }'
fi
