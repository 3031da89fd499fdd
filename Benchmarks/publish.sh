#!/usr/bin/env bash
# Flow publishing benchmark (issue 6), in one run on one input:
# - reassembly alone: tapedeck-bench-flows (flow table, TCP reassembly, chunking) over the input
#   file's packets in memory: flows/s and MB/s;
# - end to end: `tapedeck publish` of a store holding the input (read the store, rebuild flows,
#   publish one message per flow chunk, wait for every acknowledgement, write the checkpoint)
#   vs `kcat -P` producing the same messages (same keys and values, ten headers each, read from one
#   file) to the same broker with the same producer settings (idempotent, acks=all, LZ4,
#   linger 5 ms). Every run goes to an empty broker started for it (noida-db keeps a core busy
#   for seconds after a burst of messages, which would otherwise land on the next run), the
#   tools alternate who goes first, best of ROUNDS; ratio = kcat's wall time over tapedeck's
#   (target >= 0.8x), of the best runs and of the means. Every run is checked: the topic must
#   hold every message. The broker's CPU during each run is printed too: broker and client share
#   the machine's cores.
#
# Usage: sudo Benchmarks/publish.sh [SIZE] [ROUNDS]   (default 1e9 bytes, 3 rounds;
#        BENCH_DIR=/tmp/tapedeck-bench; KAFKA_BROKER=host:port uses a running broker)
# Needs: kcat, python3, ~3x SIZE free in $BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size=${1:-1e9}
rounds=${2:-3}
bench=${BENCH_DIR:-/tmp/tapedeck-bench}
work=$bench/publish
rm -rf "$work"
mkdir -p "$work"
swift build -c release --product tapedeck >/dev/null
swift build -c release --product tapedeck-bench-flows >/dev/null
tapedeck=$PWD/.build/release/tapedeck
input=$bench/input-$size.pcap
[ -s "$input" ] || python3 Benchmarks/make-input.py --size "$size" "$input" 2>/dev/null
bytes=$(stat -c %s "$input")

source Benchmarks/broker.sh
kafka_broker "$work"

echo "== reassembly alone (tapedeck-bench-flows, packets in memory)"
line=$(.build/release/tapedeck-bench-flows "$input")
read -r flows seconds < <(awk '{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1); print v["flows"], v["seconds"] }' <<<"$line")
awk -v b="$bytes" -v f="$flows" -v s="$seconds" 'BEGIN {
    printf "%d bytes, %d flows in %.3f s: %.0f MB/s, %.0f flows/s\n", b, f, s, b / s / 1e6, f / s }'

store=$work/store
"$tapedeck" import --no-progress --store "$store" "$input" 2>/dev/null

settings=(-X enable.idempotence=true -X acks=all -X compression.type=lz4 -X linger.ms=5 -X message.max.bytes=1048576
          -X message.timeout.ms=0 -X queue.buffering.max.messages=100000 -X queue.buffering.max.kbytes=1048576)

# The messages tapedeck publishes, as kcat's input: key, key delimiter, value, message delimiter.
reference=bench-publish-reference-$$
"$tapedeck" publish --store "$store" --kafka-brokers "$broker" --kafka-topic "$reference" 2>/dev/null
messages=$(kafka_count "$reference")
key_delimiter='<<tapedeck-key>>'
message_delimiter='<<tapedeck-end-of-message>>'
kcat -b "$broker" -C -t "$reference" -e -q -X receive.message.max.bytes=2000000000 \
    -f "%k$key_delimiter%s$message_delimiter" >"$work/messages"
kcat_headers=()
for header in tapedeck-version=1 tapedeck-flow-id=0123456789abcdef "tapedeck-5tuple=6 10.0.0.1:51000 > 10.0.0.2:80" \
              tapedeck-first-ts=2026-11-29T12:00:00.000000000Z tapedeck-last-ts=2026-11-29T12:00:01.000000000Z \
              tapedeck-packets=10 tapedeck-bytes=5000 tapedeck-chunk=0 tapedeck-final=true tapedeck-sensor=bench; do
    kcat_headers+=(-H "$header")
done
megabytes=$(awk -v b="$(stat -c %s "$work/messages")" 'BEGIN { print b / 1e6 }')

# run TOOL TOPIC: publishes to TOPIC, prints "WALL CPU" seconds.
run() {
    local tool=$1 topic=$2
    case $tool in
        kcat) /usr/bin/time -f '%e %U %S' -o "$work/time" kcat -b "$broker" -P -t "$topic" -K "$key_delimiter" \
                  -D "$message_delimiter" "${settings[@]}" "${kcat_headers[@]}" -l "$work/messages" 2>>"$work/kcat.log" ;;
        tapedeck) sync; /usr/bin/time -f '%e %U %S' -o "$work/time" "$tapedeck" publish --store "$store" \
                  --kafka-brokers "$broker" --kafka-topic "$topic" 2>>"$work/tapedeck.log" ;;
    esac
    awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/time"
}

echo "== end to end: $messages messages, $(printf '%.1f' "$megabytes") MB of keys and values; broker $broker; best of $rounds"
declare -A wall=() cpu=() total=()
for round in $(seq "$rounds"); do
    # Alternate who goes first (the page cache and the machine warm up too).
    order="kcat tapedeck"
    ((round % 2 == 0)) && order="tapedeck kcat"
    for tool in $order; do
        topic=bench-publish-$tool-$round-$$
        kafka_broker_restart
        before=$(kafka_broker_cpu)
        read -r seconds cpuseconds < <(run "$tool" "$topic")
        brokerseconds=$(awk -v b="$before" -v a="$(kafka_broker_cpu)" 'BEGIN { printf "%.2f", a - b }')
        delivered=$(kafka_count "$topic")
        [ "$delivered" -eq "$messages" ] || { echo "$tool delivered $delivered of $messages to $topic" >&2; exit 1; }
        echo "round $round: $tool $seconds s wall, $cpuseconds s cpu (broker $brokerseconds s cpu)"
        total[$tool]=$(awk -v a="${total[$tool]:-0}" -v b="$seconds" 'BEGIN { print a + b }')
        if [ -z "${wall[$tool]:-}" ] || awk -v a="$seconds" -v b="${wall[$tool]}" 'BEGIN { exit !(a < b) }'; then wall[$tool]=$seconds; fi
        if [ -z "${cpu[$tool]:-}" ] || awk -v a="$cpuseconds" -v b="${cpu[$tool]}" 'BEGIN { exit !(a < b) }'; then cpu[$tool]=$cpuseconds; fi
    done
done
printf '%-9s %8s %8s %10s %10s %12s %8s %14s\n' tool "wall s" "cpu s" "MB/s" "msg/s" "÷ kcat" "mean s" "÷ kcat (mean)"
for tool in kcat tapedeck; do
    awk -v t="$tool" -v s="${wall[$tool]}" -v c="${cpu[$tool]}" -v mb="$megabytes" -v n="$messages" -v k="${wall[kcat]}" \
        -v m="${total[$tool]}" -v km="${total[kcat]}" -v r="$rounds" \
        'BEGIN { printf "%-9s %8.2f %8.2f %10.1f %10.0f %11.2fx %8.2f %13.2fx\n", t, s, c, mb / s, n / s, k / s, m / r, km / m }'
done
