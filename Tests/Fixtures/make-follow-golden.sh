#!/usr/bin/env bash
# Regenerates the reassembly oracle's golden files: for every TCP stream of each capture below,
# what `tshark -q -z follow,tcp,raw,N` reassembles in each direction, summarised as length,
# SHA-256, first and last 16 bytes, and tshark's gap markers, in follow/<capture>.follow.tsv.
#
# Usage: ./make-follow-golden.sh [CAPTURE...]   (default: the fixtures below, then every capture
# of ../../../shared/pcaps that is not a fixture, written as follow/shared-<capture>.follow.tsv)
# Needs tshark (4.0.17 was used) and python3. Run from anywhere; review the diff afterwards.
#
# Columns (tab-separated, one row per stream, header first):
#   stream        tshark's tcp.stream index
#   first_time    capture time of the stream's first TCP packet (ns since the epoch; packets
#                 quoted inside ICMP errors are not counted)
#   node0, node1  tshark's endpoints, ADDRESS:PORT (IPv6 in brackets); node 0 is the sender of
#                 the stream's first packet
#   then for node0 and node1 (the bytes each node sent):
#   *_bytes       number of payload bytes, tshark's gap markers removed
#   *_sha256      SHA-256 of those bytes
#   *_head        their first 16 bytes, hex
#   *_tail        their last 16 bytes, hex
#   *_gaps        tshark's "[N bytes missing in capture file]" markers, as POSITION+N separated
#                 by commas (POSITION: index in the bytes where the missing data would be), or -
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p follow
fixtures=(no_sni.pcap wechat.pcap ftp.pcap 1kxun.pcap anyconnect-vpn-300.pcap KakaoTalk_talk.pcap rdp.pcap)
shared=../../../shared/pcaps

golden() {  # golden CAPTURE OUTPUT
    local capture=$1 output=$2
    local streams
    streams=$(tshark -r "$capture" -n -Y 'tcp and not icmp and not icmpv6' -T fields -e tcp.stream 2>/dev/null | sort -un)
    local args=()
    for stream in $streams; do args+=(-z "follow,tcp,raw,$stream"); done
    # First TCP packet of every stream: its time in nanoseconds.
    tshark -r "$capture" -n -Y 'tcp and not icmp and not icmpv6' -T fields -e tcp.stream -e frame.time_epoch \
        2>/dev/null >"$output.times"
    tshark -r "$capture" -n -o tcp.relative_sequence_numbers:FALSE -q "${args[@]}" 2>/dev/null >"$output.follow"
    python3 - "$output.times" "$output.follow" >"$output" <<'PY'
import hashlib, re, sys

first_time = {}
for line in open(sys.argv[1]):
    stream, epoch = line.split()
    seconds, _, fraction = epoch.partition(".")
    first_time.setdefault(int(stream), int(seconds) * 10**9 + int((fraction + "000000000")[:9]))

marker = re.compile(rb"\[(\d+) bytes missing in capture file\]\x00")
rows = {}
stream = None
for line in open(sys.argv[2]):
    line = line.rstrip("\n")
    if line.startswith("Filter: tcp.stream eq "):
        stream = int(line.split()[-1])
        rows[stream] = {"node": ["", ""], "data": [bytearray(), bytearray()], "gaps": [[], []]}
    elif line.startswith("Node 0: ") or line.startswith("Node 1: "):
        rows[stream]["node"][int(line[5])] = line[8:]
    elif stream is not None and re.fullmatch(r"\t?[0-9a-f]+", line):
        node = 1 if line.startswith("\t") else 0
        chunk = bytes.fromhex(line.strip())
        row = rows[stream]
        gap = marker.fullmatch(chunk)
        if gap:  # one whole record is tshark's placeholder for data the receiver acknowledged
            row["gaps"][node].append(f"{len(row['data'][node])}+{int(gap.group(1))}")
        else:
            row["data"][node] += chunk
    elif line.startswith("====="):
        pass

columns = ["stream", "first_time", "node0", "node1"]
for node in ("node0", "node1"):
    columns += [f"{node}_bytes", f"{node}_sha256", f"{node}_head", f"{node}_tail", f"{node}_gaps"]
print("\t".join(columns))
for stream in sorted(rows):
    row = rows[stream]
    fields = [str(stream), str(first_time[stream]), row["node"][0], row["node"][1]]
    for node in (0, 1):
        data = bytes(row["data"][node])
        fields += [str(len(data)), hashlib.sha256(data).hexdigest(), data[:16].hex() or "-", data[-16:].hex() or "-",
                   ",".join(row["gaps"][node]) or "-"]
    print("\t".join(fields))
PY
    rm -f "$output.times" "$output.follow"
}

if [ "$#" -gt 0 ]; then
    for capture in "$@"; do golden "$capture" "follow/$(basename "$capture").follow.tsv"; done
    exit 0
fi
for capture in "${fixtures[@]}"; do
    golden "$capture" "follow/$capture.follow.tsv"
done
if [ -d "$shared" ]; then
    for path in "$shared"/*.pcap "$shared"/*.pcapng; do
        name=$(basename "$path")
        [ -e "$name" ] && continue
        golden "$path" "follow/shared-$name.follow.tsv"
    done
fi
