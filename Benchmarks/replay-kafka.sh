#!/usr/bin/env bash
# Kafka replay benchmark (issue 7): `tapedeck replay --topspeed` from a Kafka topic holding the
# flows of a real-traffic file (published by `tapedeck import --kafka-brokers`) vs from the same
# file, onto the same veth pair, in turn, ROUNDS rounds (default 5). Both send from the end of the
# pair outside the namespace (where the loopback broker is reachable); the receiving end's
# rx_packets counts what arrived. Prints, per source, the median round's packets/s (the replay's
# own summary, first packet to last), packets/s over the whole process (Kafka: connecting and
# joining the group included), CPU seconds (user + system) and packets sent.
#
# Usage (as root): Benchmarks/replay-kafka.sh [SIZE]     (default 1.5e8 bytes; BENCH_DIR=/tmp/tapedeck-bench;
#        KAFKA_BROKER=host:port uses a running broker, else noida-db is started on a free port)
# Needs: iproute2, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size=${1:-1.5e8}
rounds=${ROUNDS:-5}
bench=${BENCH_DIR:-/tmp/tapedeck-bench}
mkdir -p "$bench"
work=$(mktemp -d "$bench/replay-kafka.XXXXXX")
swift build -c release --product tapedeck >/dev/null
tapedeck=$PWD/.build/release/tapedeck
input=$bench/replay-$size.pcap
[ -s "$input" ] || python3 Benchmarks/make-input.py --size "$size" "$input" 2>/dev/null

source Benchmarks/broker.sh
kafka_broker "$work"
topic=replay-bench-$$
# noida-db answers a fetch with as much of the log as it has, whatever fetch.max.bytes says.
fetch=(-X receive.message.max.bytes=2000000000)
/usr/bin/time -f "published in %e s" "$tapedeck" import --store "$work/store" --no-progress \
    --kafka-brokers "$broker" --kafka-topic "$topic" "$input" 2>&1 | tail -2
cat "$input" >/dev/null   # into the page cache before the first round

source Benchmarks/veth.sh
veth_pair tdkrep
trap 'veth_cleanup; if [ -n "${broker_pid:-}" ]; then kafka_broker_stop; else rm -rf "$work"; fi' EXIT
rx() { ip netns exec "$ns" cat "/sys/class/net/$replay/statistics/rx_packets"; }

# run NAME ARGUMENTS...: one replay; appends "name own_pps wall_pps cpu_s sent received" to $work/rounds.
run() {
    local name=$1
    shift
    local before after log=$work/$name.log
    before=$(rx)
    /usr/bin/time -f "time %e %U %S" "$tapedeck" replay --no-progress --topspeed -i "$capture" "$@" >"$log" 2>&1
    after=$(rx)
    awk -v name="$name" -v received=$((after - before)) '
        /^Rated:/ { for (i = 1; i <= NF; i++) if ($i ~ /^pps/) own = $(i - 1) }
        /Successful packets:/ { sent = $3 }
        /^time / { wall = $2; cpu = $3 + $4 }
        END {
            if (received != sent) printf "warning: %s: %d of %d packets arrived\n", name, received, sent > "/dev/stderr"
            printf "%s %.0f %.0f %.2f %d %d\n", name, own, sent / wall, cpu, sent, received
        }' "$log" >>"$work/rounds"
}

: >"$work/rounds"
for round in $(seq 1 "$rounds"); do
    run file "$input"
    run kafka --kafka-brokers "$broker" --kafka-topic "$topic" --from-beginning --group "bench-$round" "${fetch[@]}"
done

echo "input: $input ($(stat -c %s "$input") bytes), its flows in topic $topic; veth pair, MTU 9000; median of $rounds rounds"
median() { grep "^$1 " "$work/rounds" | sort -k2,2n | sed -n "$(((rounds + 1) / 2))p"; }
base=$(median file | awk '{ print $2 }')
printf '%-7s %10s %10s %7s %9s %9s %8s\n' source pps_own pps_wall cpu_s sent received vs_file
for name in file kafka; do
    median "$name" | awk -v base="$base" '{ printf "%-7s %10d %10d %7.2f %9d %9d %7.2fx\n", $1, $2, $3, $4, $5, $6, $2 / base }'
done
echo "all rounds (name pps_own pps_wall cpu_s sent received):"
cat "$work/rounds"
