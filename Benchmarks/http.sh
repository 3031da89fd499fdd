#!/usr/bin/env bash
# HTTP benchmark (issue 5): single-flow `GET /v1/pcap?q=…` under wrk at concurrency 1, 16 and 64
# (requests/s, p50/p99 latency, errors) against `tapedeck serve` on a store imported from a ~1 GB
# input built by Benchmarks/make-input.py; and the same query through the CLI (`tapedeck query`,
# process start included) and through one curl per request, for comparison. Everything runs in
# this one invocation on this machine.
#
# Usage: Benchmarks/http.sh [SIZE] [DURATION]     (default: 1e9 30s; BENCH_DIR=/tmp/tapedeck-bench-http)
# Needs: wrk, hyperfine, jq, curl, tcpdump, python3 (Debian packages wrk hyperfine jq curl tcpdump).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size=${1:-1e9}
duration=${2:-30s}
work=${BENCH_DIR:-/tmp/tapedeck-bench-http}
mkdir -p "$work"
for tool in wrk hyperfine jq curl tcpdump; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install $tool" >&2; exit 1; }
done
swift build -c release --product tapedeck >/dev/null
tapedeck=$PWD/.build/release/tapedeck

# The flow of Benchmarks/store.sh: a TCP flow of the input's first repetition, 96 packets.
flow_query='host 192.168.1.103 and host 203.205.151.162 and port 54103 and port 443 and tcp'
flow_filter='host 192.168.1.103 and host 203.205.151.162 and tcp port 54103 and tcp port 443'
encoded=$(jq -rn --arg q "$flow_query" '$q|@uri')

input=$work/input-$size.pcap
[ -s "$input" ] || python3 Benchmarks/make-input.py --size "$size" "$input" 2>/dev/null
store=$work/store-$size
[ -s "$store/catalog" ] || "$tapedeck" import --no-progress --store "$store" "$input" 2>/dev/null

# Enough query slots for the highest concurrency: this measures throughput and latency, not the
# 503 answers a lower --max-concurrent-queries gives the excess.
log=$work/serve.log
: > "$log"
"$tapedeck" serve --store "$store" --listen 127.0.0.1:0 --max-concurrent-queries 64 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { cat "$log" >&2; exit 1; }
url="http://127.0.0.1:$port/v1/pcap?q=$encoded"

# RECORD_PPS=N: meanwhile, `tapedeck record` captures a veth pair (into a store of its own) onto
# which tcpreplay sends real traffic at N packets/s, to show queries do not starve capture.
if [ -n "${RECORD_PPS:-}" ]; then
    . Benchmarks/veth.sh
    veth_pair tdhttp
    rm -rf "$work/record-store"
    "$tapedeck" record --store "$work/record-store" -i "$capture" 2>"$work/record.log" &
    recorder=$!
    for _ in $(seq 1 100); do grep -q "Ctrl-C to stop" "$work/record.log" && break; sleep 0.1; done
    ip netns exec "$ns" tcpreplay -q --pps "$RECORD_PPS" --loop 0 -i "$replay" "$input" >/dev/null 2>&1 &
    replayer=$!
    trap 'kill $server $replayer 2>/dev/null; kill -INT $recorder 2>/dev/null; wait $server $recorder 2>/dev/null || true; veth_cleanup' EXIT
fi

# The HTTP result must be tcpdump's, byte for byte.
curl -sf -o "$work/http.pcap" "$url"
tcpdump -r "$input" -w "$work/oracle.pcap" "$flow_filter" 2>/dev/null
cmp <(tcpdump -r "$work/oracle.pcap" -nn -tt -x 2>/dev/null) <(tcpdump -r "$work/http.pcap" -nn -tt -x 2>/dev/null) \
    || { echo "the HTTP result differs from tcpdump's" >&2; exit 1; }
packets=$(tcpdump -r "$work/http.pcap" 2>/dev/null | wc -l)
echo "store: $(du -sh "$store" | cut -f1) from $(du -h "$input" | cut -f1) input; query: $flow_query ($packets packets, $(stat -c %s "$work/http.pcap") bytes)"
echo "wrk $duration per run, 2 threads (1 at concurrency 1), on $(nproc) cores shared with the server"
printf '%-12s %10s %10s %10s %10s %8s\n' concurrency requests/s p50_ms p99_ms max_ms errors
for connections in 1 16 64; do
    threads=$(( connections < 2 ? 1 : 2 ))
    wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url" > "$work/wrk-$connections.txt"
    awk -v c="$connections" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec:/ { rps = $2 }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /^ +Latency +[0-9]/ { max = ms($4) }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
        END { printf "%-12s %10.0f %10.2f %10.2f %10.2f %8d\n", c, rps, p50, p99, max, errors }' "$work/wrk-$connections.txt"
done

# The same query through the CLI (a process per query, as store.sh measures it) and through
# one curl per request.
if [ -n "${RECORD_PPS:-}" ]; then
    kill "$replayer"; sleep 1; kill -INT "$recorder"; wait "$recorder" || true
    echo "meanwhile tapedeck record at $RECORD_PPS pps: $(grep -E '#0: received' "$work/record.log")"
fi

hyperfine -N --warmup 5 --runs 50 --export-json "$work/cli.json" \
    "$tapedeck query --store $store -w $work/cli.pcap '$flow_query'" \
    "curl -sf -o $work/curl.pcap $url" >/dev/null 2>&1
cmp "$work/cli.pcap" "$work/http.pcap" || { echo "the CLI result differs from the HTTP one" >&2; exit 1; }
jq -r '.results[] | "\(.command | split(" ")[0] | split("/")[-1]): mean \(.mean * 1000 | . * 100 | round / 100) ms, median \(.median * 1000 | . * 100 | round / 100) ms (\(.times | length) runs)"' "$work/cli.json"
