#!/usr/bin/env python3
"""Writes Suricata EVE alerts (NDJSON) for flows of a benchmark capture, for Benchmarks/evidence.sh.

Reads an Ethernet pcap (Benchmarks/make-input.py's output) and takes the TCP and UDP packets
over IPv4 at evenly spaced positions through the file; each becomes one alert on its flow (a
distinct flow_id per alert, the packet's time as the alert time, Suricata's timestamp format), so
the alerts ask for flows spread over the whole store.
"""
import argparse
import datetime
import json
import struct


def packets(path):
    with open(path, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        scale = 1000 if magic == 0xA1B23C4D else 1  # nanosecond pcap: fractions are ns
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, caplen, _ = struct.unpack("<IIII", record)
            yield seconds, fraction // scale, f.read(caplen)


def flow(data):
    if len(data) < 14 + 20 or data[12:14] != b"\x08\x00":
        return None
    ip = data[14:]
    proto, header = ip[9], (ip[0] & 0x0F) * 4
    if proto not in (6, 17) or len(ip) < header + 4:
        return None
    source = ".".join(str(b) for b in ip[12:16])
    destination = ".".join(str(b) for b in ip[16:20])
    source_port, destination_port = struct.unpack(">HH", ip[header:header + 4])
    return source, source_port, destination, destination_port, "TCP" if proto == 6 else "UDP"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("input")
    parser.add_argument("output")
    args = parser.parse_args()
    total = sum(1 for _ in packets(args.input))
    step = max(1, total // args.count)
    alerts = []
    for index, (seconds, micros, data) in enumerate(packets(args.input)):
        if index % step or len(alerts) >= args.count:
            continue
        found = flow(data)
        if found is None:
            continue
        source, source_port, destination, destination_port, proto = found
        time = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        alerts.append({
            "timestamp": f"{time}.{micros:06d}+0000", "flow_id": 1_000_000 + len(alerts), "event_type": "alert",
            "src_ip": source, "src_port": source_port, "dest_ip": destination, "dest_port": destination_port,
            "proto": proto, "alert": {"action": "allowed", "gid": 1, "signature_id": 9_100_000 + len(alerts) % 7,
                                      "rev": 1, "signature": "TAPEDECK-BENCH sampled flow", "severity": 3},
        })
    with open(args.output, "w") as out:
        for alert in alerts:
            out.write(json.dumps(alert, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
