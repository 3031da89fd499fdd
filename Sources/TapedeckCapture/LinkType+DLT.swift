import CPcap
import TapedeckCore

extension LinkType {
    /// The `LINKTYPE_*` number for a `DLT_*` value from `pcap_datalink`: what libpcap's own
    /// `dlt_to_linktype` computes when it writes a file. libpcap does not export that function,
    /// so this is its table (libpcap 1.10 `pcap-common.c`), written with the C macros so that
    /// each platform gets its own `DLT_*` values.
    ///
    /// Both numberings agree except where BSDs disagreed about a `DLT_*` value. Reading a file,
    /// libpcap turns such a LINKTYPE into the platform's `DLT_*`; this undoes that, so a file
    /// reads back with the link type `tcpdump -r FILE -w -` would write:
    ///
    /// | `DLT_*` (value on Linux; elsewhere)       | `LINKTYPE_*`         |
    /// |-------------------------------------------|----------------------|
    /// | `DLT_ATM_RFC1483` (11)                    | `ATM_RFC1483` (100)  |
    /// | `DLT_RAW` (12; 14 on OpenBSD)             | `RAW` (101)          |
    /// | `DLT_SLIP_BSDOS` (15; 13 on Net/FreeBSD)  | `SLIP_BSDOS` (102)   |
    /// | `DLT_PPP_BSDOS` (16; 14 on Net/FreeBSD)   | `PPP_BSDOS` (103)    |
    /// | `DLT_ATM_CLIP` (19)                       | `ATM_CLIP` (106)     |
    /// | `DLT_PFSYNC` (246; 18 OpenBSD, 121 FreeBSD) | `PFSYNC` (246)     |
    /// | `DLT_PKTAP` (258; `DLT_USER2` on macOS)   | `PKTAP` (258)        |
    /// | `DLT_LOOP` (108; 12 on OpenBSD)           | `LOOP` (108)         |
    /// | `DLT_ENC` (109; 13 on OpenBSD)            | `ENC` (109)          |
    /// | `DLT_HDLC` (112; 16 on NetBSD)            | `NETBSD_HDLC` (112)  |
    ///
    /// (The last three rows come from older libpcap tables; on Linux they map to themselves.)
    /// Every other value maps to itself: the matching range `DLT_MATCHING_MIN...DLT_MATCHING_MAX`
    /// (104...289) by definition; 0, 1, 6–10, 50, 51 and 99 because their numbers were never
    /// reassigned; and values libpcap has no LINKTYPE for, because it passes unknown file values
    /// through unchanged (tcpdump then refuses to write them; keeping the number loses nothing).
    init(dataLink dlt: Int32) {
        let linkType: Int32
        switch dlt {
        case DLT_PFSYNC: linkType = 246
        case DLT_PKTAP: linkType = 258
        case DLT_MATCHING_MIN...DLT_MATCHING_MAX: linkType = dlt
        case DLT_ATM_RFC1483: linkType = 100
        case DLT_RAW: linkType = 101
        case DLT_SLIP_BSDOS: linkType = 102
        case DLT_PPP_BSDOS: linkType = 103
        case DLT_ATM_CLIP: linkType = 106
        case DLT_LOOP: linkType = 108
        case DLT_ENC: linkType = 109
        case DLT_HDLC: linkType = 112
        default: linkType = dlt
        }
        self.init(rawValue: UInt32(bitPattern: linkType))
    }

    /// The `DLT_*` value libpcap takes for this link type (`pcap_open_dead`, `pcap_compile`):
    /// the inverse of ``init(dataLink:)``, so the `LINKTYPE_*` numbers of its table map back to
    /// the platform's `DLT_*` macros and every other number maps to itself.
    var dataLink: Int32 {
        switch rawValue {
        case 100: DLT_ATM_RFC1483
        case 101: DLT_RAW
        case 102: DLT_SLIP_BSDOS
        case 103: DLT_PPP_BSDOS
        case 106: DLT_ATM_CLIP
        case 108: DLT_LOOP
        case 109: DLT_ENC
        case 112: DLT_HDLC
        case 246: DLT_PFSYNC
        case 258: DLT_PKTAP
        default: Int32(bitPattern: rawValue)
        }
    }
}
