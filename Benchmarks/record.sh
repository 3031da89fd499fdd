#!/usr/bin/env bash
# Live-capture benchmark (issue 3): the same ~150 MB real-traffic file replayed with
# `tcpreplay --topspeed` onto a veth pair (one end in a network namespace) and captured on the
# other end by (a) `tapedeck record`, (b) `tcpdump -w` with its default buffer, (c) `tcpdump -B
# 262144 -w`. Prints packets sent, captured and dropped, and CPU seconds per million packets.
#
# Usage (as root): Benchmarks/record.sh [SIZE]     (default 1.5e8 bytes)
# Needs: tcpreplay, tcpdump, iproute2, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size=${1:-1.5e8}
work=${BENCH_DIR:-/tmp/tapedeck-bench}
mkdir -p "$work"
swift build -c release --product tapedeck >/dev/null
tapedeck=$PWD/.build/release/tapedeck
input=$work/replay-$size.pcap
[ -s "$input" ] || python3 Benchmarks/make-input.py --size "$size" "$input" 2>/dev/null
packets=$(tcpdump -r "$input" 2>/dev/null | wc -l)

. Benchmarks/veth.sh
veth_pair tdbench

# run NAME READY-TEXT COMMAND...: starts the capturer under /usr/bin/time, waits for READY-TEXT on
# its stderr, replays the file, stops the capturer with SIGINT, and prints its stderr.
run() {
    local name=$1 ready=$2
    shift 2
    local log=$work/$name.log
    /usr/bin/time -f "cpu %U %S" "$@" >/dev/null 2>"$log" &
    local pid=$!
    for _ in $(seq 1 300); do grep -q "$ready" "$log" && break; sleep 0.05; done
    ip netns exec "$ns" tcpreplay --topspeed -i "$replay" "$input" >"$work/$name.replay" 2>&1
    sleep 1   # let the capturer drain its buffer before asking it to stop
    pkill -INT -P "$pid" || true
    wait "$pid" || true
    cat "$log"
}

printf '%-22s %9s %9s %9s %8s %14s\n' capturer sent captured dropped cpu_s cpu_s_per_Mpkt
report() {
    local name=$1 captured=$2 dropped=$3 log=$4
    local sent cpu
    sent=$(grep -oP 'Successful packets:\s+\K[0-9]+' "$work/$name.replay")
    cpu=$(awk '/^cpu / { print $2 + $3 }' "$log")
    awk -v n="$name" -v s="$sent" -v c="$captured" -v d="$dropped" -v t="$cpu" \
        'BEGIN { printf "%-22s %9d %9d %9d %8.2f %14.2f\n", n, s, c, d, t, t / (c / 1e6) }'
}

rm -rf "$work/record-store"
run tapedeck "Ctrl-C to stop" "$tapedeck" record --store "$work/record-store" -i "$capture" >/dev/null
log=$work/tapedeck.log
report tapedeck "$(grep -oP 'stored \K[0-9]+(?= packets)' "$log" | tail -1)" "$(grep -oP 'dropped \K[0-9]+$' "$log" | tail -1)" "$log"

for variant in "tcpdump-default" "tcpdump-B262144"; do
    buffer=()
    [ "$variant" = "tcpdump-B262144" ] && buffer=(-B 262144)
    run "$variant" "listening on" tcpdump -i "$capture" "${buffer[@]}" -w "$work/$variant.pcap" >/dev/null
    log=$work/$variant.log
    report "$variant" "$(grep -oP '^[0-9]+(?= packets captured)' "$log")" "$(grep -oP '^[0-9]+(?= packets dropped by kernel)' "$log")" "$log"
    rm -f "$work/$variant.pcap"
done
echo "input: $input ($packets packets)"
