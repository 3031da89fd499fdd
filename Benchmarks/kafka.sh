#!/usr/bin/env bash
# Kafka publishing benchmark (issue 6): end-to-end publish throughput of Tapedeck's KafkaProducer
# (and of the DurablePublisher on top of it) vs `kcat -P`, producing the same messages (same keys,
# values and headers, same producer settings: idempotent, acks=all, LZ4, linger 5 ms) to a local
# noida-db broker, in one run. Time runs from process start until every message is acknowledged.
# Every run gets an empty broker started for it (noida-db works on for seconds after a burst).
#
# Workloads: 100,000 × 900-byte values, and 400 flow-chunk-sized values (64–900 KiB). Values are
# base64 of the real captures in ../shared/pcaps; keys are 16-hex-digit flow ids (1,000 flows).
#
# Usage: Benchmarks/kafka.sh [ROUNDS]   (default 3; BENCH_DIR=/tmp/tapedeck-bench by default;
#        KAFKA_BROKER=host:port uses a running broker instead of starting noida-db)
# Needs: kcat, python3 with pip (noida-db==0.2.3 is installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
rounds=${1:-3}
work=${BENCH_DIR:-/tmp/tapedeck-bench}/kafka
rm -rf "$work"
mkdir -p "$work"
swift build -c release --product tapedeck-bench-kafka >/dev/null
bench=$PWD/.build/release/tapedeck-bench-kafka

source Benchmarks/broker.sh
kafka_broker "$work"

python3 - "$work" <<'PY'
import base64, glob, hashlib, os, sys
work = sys.argv[1]
raw = b"".join(open(p, "rb").read() for p in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(".")), "shared/pcaps/*.pcap"))))
text = base64.b64encode(raw) or b"x" * 1_000_000
def value(offset, length):
    offset %= max(1, len(text) - length)
    return (text * (1 + length // len(text)))[offset:offset + length]
def key(i):
    return hashlib.blake2b(str(i % 1000).encode(), digest_size=8).hexdigest().encode()
with open(os.path.join(work, "small.txt"), "wb") as out:
    for i in range(100_000):
        out.write(key(i) + b"\t" + value(i * 900, 900) + b"\n")
with open(os.path.join(work, "chunks.txt"), "wb") as out:
    for i in range(400):
        length = 64 * 1024 + (i * 211_111) % (836 * 1024)
        out.write(key(i) + b"\t" + value(i * 7919, length) + b"\n")
PY

settings=(-X enable.idempotence=true -X acks=all -X compression.type=lz4 -X linger.ms=5 -X message.max.bytes=1048576
          -X message.timeout.ms=0 -X queue.buffering.max.messages=100000 -X queue.buffering.max.kbytes=1048576)
headers=(tapedeck-version=1 tapedeck-sensor=bench tapedeck-chunk=0 tapedeck-final=false
         "tapedeck-5tuple=6 10.0.0.1:1234 > 10.0.0.2:80")
kcat_headers=()
for header in "${headers[@]}"; do kcat_headers+=(-H "$header"); done

# run TOOL INPUT TOPIC: publishes INPUT to TOPIC, prints "WALL CPU" seconds (CPU = user + system
# of the publishing process, the part of the cost that does not depend on the broker).
run() {
    local tool=$1 input=$2 topic=$3
    case $tool in
        kcat) /usr/bin/time -f '%e %U %S' -o "$work/time" \
                  kcat -b "$broker" -P -t "$topic" -K '\t' "${settings[@]}" "${kcat_headers[@]}" <"$input" 2>>"$work/kcat.log" ;;
        producer|durable) /usr/bin/time -f '%e %U %S' -o "$work/time" \
                  "$bench" "$tool" "$broker" "$topic" "$input" "${headers[@]}" >/dev/null ;;
    esac
    awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/time"
}
echo "broker $broker, $rounds rounds; wall = best end-to-end time, cpu = best CPU time of the publisher"
printf '%-8s %-9s %8s %7s %7s %6s %11s %10s\n' workload tool messages MB wall cpu "wall ratio" "msg/s"
for workload in small chunks; do
    input=$work/$workload.txt
    messages=$(wc -l <"$input")
    megabytes=$(awk -v bytes="$(stat -c %s "$input")" 'BEGIN { print bytes / 1e6 }')
    declare -A wall=() cpu=()
    for round in $(seq "$rounds"); do
        for tool in kcat producer durable; do
            topic=bench-$workload-$tool-$round-$$
            kafka_broker_restart
            read -r seconds cpuseconds < <(run "$tool" "$input" "$topic")
            delivered=$(kafka_count "$topic")
            [ "$delivered" -eq "$messages" ] || { echo "$tool delivered $delivered of $messages to $topic" >&2; exit 1; }
            if [ -z "${wall[$tool]:-}" ] || awk -v a="$seconds" -v b="${wall[$tool]}" 'BEGIN { exit !(a < b) }'; then
                wall[$tool]=$seconds
            fi
            if [ -z "${cpu[$tool]:-}" ] || awk -v a="$cpuseconds" -v b="${cpu[$tool]}" 'BEGIN { exit !(a < b) }'; then
                cpu[$tool]=$cpuseconds
            fi
        done
    done
    for tool in kcat producer durable; do
        awk -v w="$workload" -v t="$tool" -v n="$messages" -v mb="$megabytes" -v s="${wall[$tool]}" -v c="${cpu[$tool]}" \
            -v k="${wall[kcat]}" 'BEGIN { printf "%-8s %-9s %8d %7.1f %7.2f %6.2f %10.2fx %10.0f\n", w, t, n, mb, s, c, k / s, n / s }'
    done
    unset wall cpu
done
