import TapedeckCore

/// The packets of one flow chunk, in capture order, copied out of the borrowed capture buffers
/// into buffers that the chunk owns.
///
/// Each packet is kept as a classic pcap record with nanosecond times: a 16-byte header (seconds,
/// nanoseconds, captured length, original length — at least the captured one — as little-endian
/// `UInt32`s) followed by the captured bytes, so a chunk's pcap file is a file header and the
/// pages one after the other (``pcapBytes(snapLength:)``), ``pcapHeaderSize`` +
/// ``storageByteCount`` bytes. Times follow ``TapedeckCore/TimestampPrecision``'s rules (clamped
/// to 1970…2106, which every pcap and live capture time is in). Records are kept in pages that
/// are allocated at their final size and never move (a record does not span pages), so a growing
/// chunk never copies what it holds. The first page starts with room for the pcap file header:
/// once ``storePcapHeader(snapLength:)`` wrote it there, a chunk of one page (at least half full)
/// is its own pcap file and needs no copy. All packets have the same ``linkType`` (a packet of another link type
/// starts a new chunk).
public struct FlowPackets: Sendable {
    /// Size of a pcap file header.
    public static let pcapHeaderSize = PcapFileHeader.size
    /// Size of the header in front of each packet's bytes, the same as a pcap record header.
    public static let recordHeaderSize = 16
    /// The largest page after the first (unless one record needs more); pages start at the
    /// first record's size and double up to it.
    static let maximumPageBytes = 64 << 10

    /// The link type of every packet.
    public private(set) var linkType: LinkType
    /// Number of packets.
    public private(set) var count = 0
    /// The sum of the packets' captured lengths.
    public private(set) var capturedByteCount = 0
    /// The sum of the packets' original (wire) lengths, each at least its captured length.
    public private(set) var originalByteCount = 0
    /// The longest captured length of a packet (the snap length its pcap needs).
    public private(set) var maximumCapturedLength = 0
    /// Bytes of the records (headers included), the size of the packet part of a pcap file.
    public private(set) var storageByteCount = 0
    /// The pages of records; the first starts with ``pcapHeaderSize`` bytes for the file header.
    private(set) var pages: [[UInt8]] = []
    /// The file header last stored in front of the first page.
    private var storedHeader: PcapFileHeader?
    /// Bytes asked for the pages (what the allocator rounds up is not counted, so that the
    /// accounting, and with it eviction, is the same in every run).
    private var pageCapacity = 0
    /// Bytes asked for the last page: records are appended while they fit in it.
    private(set) var lastPageSize = 0

    /// An empty list for packets of `linkType`.
    init(linkType: LinkType) {
        self.linkType = linkType
    }

    /// Whether there are no packets.
    public var isEmpty: Bool { count == 0 }

    /// Bytes held in memory for the packets: the pages (the file header's room included) and the
    /// page list.
    var memoryCost: Int { pageCapacity + pages.count * MemoryLayout<[UInt8]>.stride }

    /// Calls `body` with each packet in capture order, borrowed from this list's buffers for the
    /// duration of the call.
    public func forEach(_ body: (PacketRecord) throws -> Void) rethrows {
        for (index, page) in pages.enumerated() {
            try page.withUnsafeBytes { buffer in
                var offset = index == 0 ? Self.pcapHeaderSize : 0
                while offset < buffer.count {
                    let seconds = Int64(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                    let nanoseconds = Int64(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)))
                    let capturedLength = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)))
                    let originalLength = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let start = offset + Self.recordHeaderSize
                    try body(PacketRecord(timestamp: Timestamp(nanoseconds: seconds * 1_000_000_000 + nanoseconds),
                                          originalLength: originalLength, linkType: linkType,
                                          bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<start + capturedLength])))
                    offset = start + capturedLength
                }
            }
        }
    }

    /// The file header of the packets' pcap: nanosecond times, `snapLength` or the longest
    /// packet's length if that is more.
    private func pcapHeader(snapLength: UInt32) -> PcapFileHeader {
        PcapFileHeader(linkType: linkType, precision: .nanoseconds, snapLength: max(snapLength, UInt32(maximumCapturedLength)))
    }

    /// Writes the pcap file header for `snapLength` in front of the first page, so that
    /// ``pcapBytes(snapLength:)`` of a one-page list is that page, without a copy.
    mutating func storePcapHeader(snapLength: UInt32) {
        guard !pages.isEmpty else { return }
        let header = pcapHeader(snapLength: snapLength)
        pages[0].withUnsafeMutableBytes { header.store(to: $0.baseAddress!) }
        storedHeader = header
    }

    /// The packets as a classic pcap file with nanosecond times (magic `0xa1b23c4d`) whose header
    /// says `snapLength` (at least ``maximumCapturedLength``): the first page itself when it is
    /// the only one, at least half full (so that whoever holds the pcap does not hold much more
    /// memory than its size), and ``storePcapHeader(snapLength:)`` stored that header; otherwise
    /// the file header and the pages copied one after the other.
    public func pcapBytes(snapLength: UInt32) -> [UInt8] {
        let header = pcapHeader(snapLength: snapLength)
        if pages.count == 1, pages[0].count * 2 >= lastPageSize, storedHeader == header { return pages[0] }
        return [UInt8](unsafeUninitializedCapacity: Self.pcapHeaderSize + storageByteCount) { buffer, initialized in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            header.store(to: base)
            var offset = Self.pcapHeaderSize
            for (index, page) in pages.enumerated() {
                page.withUnsafeBytes { bytes in
                    let records = UnsafeRawBufferPointer(rebasing: bytes[(index == 0 ? Self.pcapHeaderSize : 0)...])
                    guard let source = records.baseAddress else { return }
                    (base + offset).copyMemory(from: source, byteCount: records.count)
                    offset += records.count
                }
            }
            initialized = offset
        }
    }

    /// Copies `record` to the end and returns where its captured bytes start. The first page is
    /// at least `firstPage` bytes (the file header's room included), later ones at least twice
    /// the last (up to ``maximumPageBytes``), and every page holds at least the record; pages
    /// never add up to more than `capacityLimit` unless one record needs more.
    mutating func append(_ record: PacketRecord, firstPage: Int, capacityLimit: Int) -> StoredBytes {
        let bytes = record.bytes
        let needed = Self.recordHeaderSize + bytes.count
        if pages.isEmpty {
            lastPageSize = Self.pcapHeaderSize + max(needed, min(firstPage, capacityLimit) - Self.pcapHeaderSize)
            var page: [UInt8] = []
            page.reserveCapacity(lastPageSize)
            page.append(contentsOf: repeatElement(0, count: Self.pcapHeaderSize))
            pageCapacity = lastPageSize
            pages.append(page)
        } else if lastPageSize - pages[pages.count - 1].count < needed {
            let wanted = min(Self.maximumPageBytes, lastPageSize * 2)
            lastPageSize = max(needed, min(wanted, capacityLimit - pageCapacity))
            var page: [UInt8] = []
            page.reserveCapacity(lastPageSize)
            pageCapacity += lastPageSize
            pages.append(page)
        }
        let index = pages.count - 1
        let offset = pages[index].count
        let time = TimestampPrecision.nanoseconds.pcapTime(record.timestamp)
        let capturedLength = UInt32(truncatingIfNeeded: bytes.count)
        let originalLength = max(record.originalLength, capturedLength)
        let header = (time.seconds.littleEndian, time.fraction.littleEndian, capturedLength.littleEndian,
                      originalLength.littleEndian)
        withUnsafeBytes(of: header) { pages[index].append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
        pages[index].append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
        count += 1
        capturedByteCount += bytes.count
        originalByteCount += Int(originalLength)
        maximumCapturedLength = max(maximumCapturedLength, bytes.count)
        storageByteCount += needed
        return StoredBytes(page: Int32(index), offset: Int32(offset + Self.recordHeaderSize))
    }

    /// Calls `body` with `length` stored bytes at `location`.
    func withBytes<R>(at location: StoredBytes, length: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        pages[Int(location.page)].withUnsafeBytes { page in
            body(UnsafeRawBufferPointer(rebasing: page[Int(location.offset)..<Int(location.offset) + length]))
        }
    }
}

/// Where bytes lie in a ``FlowPackets``' pages.
struct StoredBytes {
    /// The page.
    var page: Int32
    /// Offset in the page.
    var offset: Int32

    /// The location `count` bytes further on (within the same record).
    func advanced(by count: Int) -> StoredBytes {
        StoredBytes(page: page, offset: offset + Int32(count))
    }
}
