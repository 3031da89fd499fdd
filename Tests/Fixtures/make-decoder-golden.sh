#!/usr/bin/env bash
# Regenerates the decoder's golden files: for each capture below, what tshark dissects in every
# packet, written to <capture>.tshark.tsv. IP reassembly is off so that each row describes its own
# packet; occurrences are comma-separated, outermost first; frame.protocols is cut to its first 20
# layers (certificate dissection adds dozens). Run from anywhere; needs tshark (4.0 was used).
set -euo pipefail
cd "$(dirname "$0")"
captures=(KakaoTalk_talk.pcap rdp.pcap 1kxun.pcap anyconnect-vpn-300.pcap ip_fragmented_garbage-62.pcap
          synthetic-encapsulations.pcapng)
fields=(frame.number frame.len frame.cap_len frame.protocols
        ieee8021ad.id vlan.id mpls.label
        ip.src ip.dst ip.proto ip.flags.mf ip.frag_offset
        ipv6.src ipv6.dst ipv6.nxt ipv6.fraghdr.offset
        tcp.srcport tcp.dstport tcp.flags tcp.len udp.srcport udp.dstport sctp.srcport sctp.dstport
        icmp.type icmp.code icmpv6.type icmpv6.code)
for capture in "${captures[@]}"; do
    tshark -r "$capture" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE \
        -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, \
        $(printf -- "-e %s " "${fields[@]}") 2>/dev/null \
        | awk 'BEGIN { FS = OFS = "\t" } { n = split($4, layers, ":"); if (n > 20) { $4 = layers[1]; for (i = 2; i <= 20; i++) $4 = $4 ":" layers[i] } print }' \
        > "$capture.tshark.tsv"
done
