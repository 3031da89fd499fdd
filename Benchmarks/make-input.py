#!/usr/bin/env python3
"""Builds a large benchmark capture from the real captures in ../shared/pcaps.

The Ethernet captures (pcapng ones, whatever their name, converted with editcap) are concatenated over and over, in
a fixed order, until the output reaches --size bytes. Packet bytes, lengths and order are kept;
timestamps are rewritten to increase steadily as if the packets arrived on a link running at
--rate bytes per second (default 12.5 MB/s, a 100 Mbit/s sensor), so that the store cuts
segments the way a sensor at that rate would. Output: a microsecond pcap, link type Ethernet.

Every repetition after the first moves the IPv4/IPv6 addresses (the low 16 bits of the source
plus r, of the destination minus r, in ones'-complement arithmetic, which leaves every IP, TCP
and UDP checksum valid), so that each repetition's flows are distinct flows: a flow of the
first repetition is then one flow, of the same size, in a 1 GB and in a 4 GB input.
"""
import argparse
import glob
import os
import struct
import subprocess
import sys
import tempfile


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    offset, packets = 24, []
    while offset + 16 <= len(data):
        _, _, caplen, origlen = struct.unpack(endian + "IIII", data[offset:offset + 16])
        body = data[offset + 16:offset + 16 + caplen]
        if len(body) < caplen:
            break
        packets.append((origlen, body))
        offset += 16 + caplen
    return linktype, packets


def ones_add(word, delta):
    total = word + (delta % 0xFFFF)
    return (total & 0xFFFF) + (total >> 16)


def shift_addresses(body, r):
    """The frame with its IP addresses moved by repetition r (checksums stay valid)."""
    if r == 0 or len(body) < 14:
        return body
    ethertype = struct.unpack(">H", body[12:14])[0]
    if ethertype == 0x0800:
        src_low, dst_low = 14 + 14, 14 + 18  # low 16 bits of source and destination
    elif ethertype == 0x86DD:
        src_low, dst_low = 14 + 22, 14 + 38
    else:
        return body
    if len(body) < dst_low + 2:
        return body
    frame = bytearray(body)
    for offset, delta in ((src_low, r), (dst_low, -r)):
        word = struct.unpack(">H", frame[offset:offset + 2])[0]
        frame[offset:offset + 2] = struct.pack(">H", ones_add(word, delta))
    return bytes(frame)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pcaps", default=os.path.join(os.path.dirname(__file__), "../../shared/pcaps"))
    parser.add_argument("--size", type=float, default=1e9, help="output size in bytes")
    parser.add_argument("--rate", type=float, default=12.5e6, help="simulated link rate, bytes per second")
    parser.add_argument("--start", type=int, default=1_700_000_000, help="first timestamp, seconds since the epoch")
    parser.add_argument("output")
    args = parser.parse_args()

    sources = []
    with tempfile.TemporaryDirectory() as scratch:
        for path in sorted(glob.glob(os.path.join(args.pcaps, "*.pcap*"))):
            with open(path, "rb") as f:
                is_pcapng = f.read(4) == b"\x0a\x0d\x0d\x0a"
            if is_pcapng:
                converted = os.path.join(scratch, os.path.basename(path) + ".pcap")
                subprocess.run(["editcap", "-F", "pcap", path, converted], check=True)
                path = converted
            linktype, packets = read_pcap(path)
            if linktype == 1:
                sources.append(packets)
    if not sources:
        sys.exit("no Ethernet captures found in " + args.pcaps)

    written, sent_bytes, repetition = 24, 0, 0
    with open(args.output, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while written < args.size:
            for packets in sources:
                for origlen, body in packets:
                    body = shift_addresses(body, repetition)
                    micros = args.start * 1_000_000 + int(sent_bytes * 1e6 / args.rate)
                    out.write(struct.pack("<IIII", micros // 1_000_000, micros % 1_000_000, len(body), origlen))
                    out.write(body)
                    written += 16 + len(body)
                    sent_bytes += origlen + 24  # preamble, FCS and inter-frame gap on the wire
                if written >= args.size:
                    break
            repetition += 1
    print(f"{args.output}: {written} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
