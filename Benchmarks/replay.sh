#!/usr/bin/env bash
# Replay benchmark (issue 7): `tapedeck replay --topspeed` (AF_PACKET socket, sendmmsg batches;
# and libpcap's pcap_inject for comparison) vs `tcpreplay --topspeed` (one send() per packet),
# sending the same ~150 MB real-traffic file from inside a network namespace onto the same veth
# pair, in turn, five rounds (ROUNDS=n to change). Prints, per sender, the median round's
# packets/s (from its own summary, and from the receiving end's rx_packets over the process's
# wall time) and CPU seconds (user + system, /usr/bin/time), and packets/s over tcpreplay's.
#
# Usage (as root): Benchmarks/replay.sh [SIZE]     (default 1.5e8 bytes)
# Needs: tcpreplay, iproute2, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
size=${1:-1.5e8}
rounds=${ROUNDS:-5}
work=${BENCH_DIR:-/tmp/tapedeck-bench}
mkdir -p "$work"
swift build -c release --product tapedeck >/dev/null
tapedeck=$PWD/.build/release/tapedeck
input=$work/replay-$size.pcap
[ -s "$input" ] || python3 Benchmarks/make-input.py --size "$size" "$input" 2>/dev/null
# Packets in the file, and those that fit the veth's MTU of 9000 (14-byte header, 4 more for an
# 802.1Q tag): the others are skipped by tapedeck and fail in tcpreplay.
read -r packets sendable < <(python3 - "$input" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
offset, count, sendable = 24, 0, 0
while offset + 16 <= len(data):
    length = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
    tagged = data[offset + 28:offset + 30] == b"\x81\x00"
    sendable += length <= 9014 + (4 if tagged else 0)
    offset += 16 + length
    count += 1
print(count, sendable)
PY
)
cat "$input" >/dev/null   # into the page cache before the first round

. Benchmarks/veth.sh
veth_pair tdreplay
rx() { cat "/sys/class/net/$capture/statistics/rx_packets"; }

# run NAME COMMAND...: sends the file once; appends "name own_pps wire_pps cpu_s received" to $work/replay-rounds.
run() {
    local name=$1
    shift
    local before after log=$work/replay-$name.log
    before=$(rx)
    /usr/bin/time -f "time %e %U %S" ip netns exec "$ns" "$@" >"$log" 2>&1
    after=$(rx)
    awk -v name="$name" -v received=$((after - before)) -v expected="$sendable" '
        /^Rated:/ { for (i = 1; i <= NF; i++) if ($i ~ /^pps/) own = $(i - 1) }
        /^time / { wall = $2; cpu = $3 + $4 }
        END {
            if (received != expected) printf "warning: %s: %d of %d packets arrived\n", name, received, expected > "/dev/stderr"
            printf "%s %.0f %.0f %.2f %d\n", name, own, received / wall, cpu, received
        }' "$log" >>"$work/replay-rounds"
}

: >"$work/replay-rounds"
for _ in $(seq 1 "$rounds"); do
    run tcpreplay tcpreplay --topspeed -q -i "$replay" "$input"
    run tapedeck "$tapedeck" replay --no-progress --topspeed -i "$replay" "$input"
    run tapedeck-pcap "$tapedeck" replay --no-progress --topspeed --injector pcap -i "$replay" "$input"
done

echo "input: $input ($packets packets, $sendable fit the MTU, $(stat -c %s "$input") bytes); veth pair, MTU 9000; median of $rounds rounds"
median() { grep "^$1 " "$work/replay-rounds" | sort -k2,2n | sed -n "$(((rounds + 1) / 2))p"; }
base=$(median tcpreplay | awk '{ print $2 }')
printf '%-14s %10s %10s %7s %9s %13s\n' sender pps_own pps_wire cpu_s received vs_tcpreplay
for name in tcpreplay tapedeck tapedeck-pcap; do
    median "$name" | awk -v base="$base" '{ printf "%-14s %10d %10d %7.2f %9d %12.2fx\n", $1, $2, $3, $4, $5, $2 / base }'
done
echo "all rounds (name pps_own pps_wire cpu_s received):"
cat "$work/replay-rounds"
