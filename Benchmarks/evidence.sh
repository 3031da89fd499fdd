#!/usr/bin/env bash
# Evidence benchmark (issue 8): alert-to-evidence latency, from an alert produced to the alerts
# topic (its Kafka CreateTime, set by kcat's producer) to its evidence pcap and sidecar durable
# (fsynced and renamed; `tapedeck evidence` logs `latency_ms` right after), for alerts whose
# windows have already passed, at 1 and at 100 alerts/s, over a ~1 GB imported store.
#
# The store is Benchmarks/make-input.py's ~1 GB input imported; the alerts (Benchmarks/make-alerts.py)
# are on flows sampled evenly through it, one flow per alert, default flow granularity and 60 s
# padding. kcat produces them one by one at the rate (linger 0) to a local noida-db broker.
#
# Usage: Benchmarks/evidence.sh   (BENCH_DIR=/tmp/tapedeck-bench by default; KAFKA_BROKER=host:port
#        uses a running broker instead of starting noida-db; SECONDS_PER_RATE=30 by default)
# Needs: kcat, python3 with pip (noida-db==0.2.3 is installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
base=${BENCH_DIR:-/tmp/tapedeck-bench}
work=$base/evidence
duration=${SECONDS_PER_RATE:-30}
mkdir -p "$work"
swift build -c release --product tapedeck >/dev/null
tapedeck=$PWD/.build/release/tapedeck

input=$base/input-1e9.pcap
[ -s "$input" ] || python3 Benchmarks/make-input.py --size 1e9 "$input" 2>/dev/null
[ -d "$work/store" ] || "$tapedeck" import --no-progress --store "$work/store" "$input" >&2
[ -s "$work/alerts.ndjson" ] || python3 Benchmarks/make-alerts.py --count $((100 * duration + 100)) "$input" "$work/alerts.ndjson"

broker=${KAFKA_BROKER:-}
if [ -z "$broker" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore noida-db==0.2.3
    noida_db="$(python3 -c 'import noida_db, os; print(os.path.dirname(noida_db.__file__))')/noida-db"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    rm -rf "$work/broker"
    "$noida_db" start --only kafka --host 127.0.0.1 --kafka-port "$port" --data-dir "$work/broker" >"$work/broker.log" 2>&1 &
    broker_pid=$!
    stop_broker() {
        kill "$broker_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$broker_pid" 2>/dev/null || true  # still shutting down after 10 s
        wait "$broker_pid" 2>/dev/null || true
    }
    trap stop_broker EXIT
    deadline=$((SECONDS + 60))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        ((SECONDS < deadline)) || { cat "$work/broker.log" >&2; exit 1; }
        sleep 0.2
    done
    broker=127.0.0.1:$port
fi

printf '%-9s %7s %9s %9s %9s %9s\n' rate alerts p50_ms p99_ms max_ms files
for rate in 1 100; do
    count=$((rate * duration))
    [ "$rate" -eq 1 ] && count=$duration
    topic=tapedeck-bench-alerts-$rate-$RANDOM
    rm -rf "$work/out-$rate"
    # The first alert creates the topic (the consumer then finds it when it subscribes) and is
    # not measured: it waits for the group join.
    head -n 1 "$work/alerts.ndjson" | kcat -b "$broker" -P -t "$topic" -X linger.ms=0
    "$tapedeck" evidence --store "$work/store" --kafka-brokers "$broker" --alerts-topic "$topic" \
        --evidence-dir "$work/out-$rate" --group "bench-$rate" -v 2>"$work/evidence-$rate.log" &
    consumer=$!
    trap 'kill "$consumer" 2>/dev/null || true; ${broker_pid:+stop_broker}' EXIT
    # One kcat process produces the measured alerts 2…count+1, one every 1/rate s on an absolute
    # schedule, one message per line; it starts with an EVE stats record (counted as ignored,
    # nothing written) and 5 s of quiet, so that kcat's connection and the consumer's group
    # join are not part of the measurement.
    python3 -c '
import sys, time
rate, count = float(sys.argv[1]), int(sys.argv[2])
lines = open(sys.argv[3]).readlines()[1:count + 1]
sys.stdout.write("{\"event_type\":\"stats\",\"timestamp\":\"2023-11-14T22:13:20.000000+0000\"}\n")
sys.stdout.flush()
time.sleep(5)
start = time.monotonic()
for index, line in enumerate(lines):
    delay = start + index / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    sys.stdout.write(line)
    sys.stdout.flush()
' "$rate" "$count" "$work/alerts.ndjson" | kcat -b "$broker" -P -t "$topic" -X linger.ms=0
    deadline=$((SECONDS + 120))
    until [ "$(grep -c "evidence written" "$work/evidence-$rate.log")" -ge $((count + 1)) ]; do
        ((SECONDS < deadline)) || { echo "not all evidence written" >&2; tail "$work/evidence-$rate.log" >&2; exit 1; }
        sleep 0.2
    done
    kill "$consumer"
    wait "$consumer" || true
    files=$(find "$work/out-$rate" -name '*.pcap' | wc -l)
    # Skip the first alert; the rest are the measurement.
    grep "evidence written" "$work/evidence-$rate.log" | tail -n +2 | sed -n 's/.*latency_ms=\([0-9.]*\).*/\1/p' \
        | python3 -c '
import sys
values = sorted(float(line) for line in sys.stdin)
def pct(p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
print("%-9s %7d %9.1f %9.1f %9.1f %9s" % (sys.argv[1] + "/s", len(values), pct(50), pct(99), values[-1], sys.argv[2]))
' "$rate" "$files"
done
