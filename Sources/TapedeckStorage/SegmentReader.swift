import TapedeckCore
import TapedeckPOSIX

/// Reads one segment for a query: its block table, index lookups that return candidate
/// blocks, and the packets of a block. A sealed segment is searched through its memory-mapped
/// index; the active segment (no index yet) is read through its valid blocks, and every lookup
/// returns all of them. Open descriptors keep a segment readable if retention deletes it.
public final class SegmentReader: @unchecked Sendable {
    /// The segment id.
    public let id: UInt64
    /// Whether this is the segment being recorded (no index; lookups do not prune).
    public let isActive: Bool
    /// Path of the data file.
    public let dataPath: String
    private let descriptor: FileDescriptor
    private let index: SegmentIndex?
    private let activeBlocks: [BlockInfo]
    private var readBuffer: UnsafeMutableRawBufferPointer
    private var scratch: UnsafeMutableRawBufferPointer

    /// Opens a sealed segment: its index and its data file.
    public init(sealed files: SegmentFilesReference) throws(StorageError) {
        let segmentFiles = files.files
        id = segmentFiles.id
        isActive = false
        dataPath = segmentFiles.dataPath
        index = try SegmentIndex(path: segmentFiles.indexPath)
        do { descriptor = try FileDescriptor.open(segmentFiles.dataPath, .readOnly) } catch { throw .system(error) }
        activeBlocks = []
        readBuffer = .allocate(byteCount: 0, alignment: 16)
        scratch = .allocate(byteCount: 0, alignment: 16)
    }

    /// Opens the active segment and lists the blocks written and checksummed so far.
    public init(active files: SegmentFilesReference) throws(StorageError) {
        let segmentFiles = files.files
        id = segmentFiles.id
        isActive = true
        dataPath = segmentFiles.activePath
        index = nil
        do { descriptor = try FileDescriptor.open(segmentFiles.activePath, .readOnly) } catch { throw .system(error) }
        readBuffer = .allocate(byteCount: 0, alignment: 16)
        scratch = .allocate(byteCount: 0, alignment: 16)
        let length: Int64
        do { length = try descriptor.size() } catch {
            try? descriptor.close()
            throw .system(error)
        }
        // Headers only: payloads are checked when a query reads them, and the last block may
        // still be being written (see `packets(inBlock:)`).
        var scanner = BlockScanner(descriptor: descriptor, path: dataPath, fileLength: length)
        var blocks: [BlockInfo] = []
        if length >= Int64(DataFileHeader.size) {
            while let (header, offset) = try scanner.nextHeader() {
                blocks.append(BlockInfo(header: header, offset: offset))
            }
        }
        activeBlocks = blocks
    }

    deinit {
        readBuffer.deallocate()
        scratch.deallocate()
        try? descriptor.close()
    }

    /// Number of blocks.
    public var blockCount: Int { index?.blockCount ?? activeBlocks.count }

    /// The block table entry of block `number`.
    public func block(_ number: Int) -> BlockInfo {
        index?.block(number) ?? activeBlocks[number]
    }

    /// Whether packets are in time order across the whole segment (unknown, so false, while active).
    public var isTimeOrdered: Bool { index?.totals.isTimeOrdered ?? false }

    // MARK: - Lookups

    /// Every block.
    public var allBlocks: BlockSet { .all(capacity: blockCount) }

    /// Blocks holding a packet whose time may lie in `window`.
    public func blocks(overlapping window: TimeWindow) -> BlockSet {
        var set = BlockSet(capacity: blockCount)
        for number in 0..<blockCount {
            let info = block(number)
            if window.overlaps(first: info.earliest, last: info.latest) { set.insert(number) }
        }
        return set
    }

    /// Blocks holding a packet with a source or destination address in `range` (one family).
    public func blocks(addressesIn range: ClosedRange<IPAddress>) -> BlockSet {
        guard let index else { return allBlocks }
        var set = BlockSet(capacity: blockCount)
        if range.lowerBound.isIPv6 == range.upperBound.isIPv6 {
            if range.lowerBound.isIPv6 {
                index.collectBlocks(.ipv6, in: IPv6Key(range.lowerBound)...IPv6Key(range.upperBound), into: &set)
            } else {
                index.collectBlocks(.ipv4, in: UInt32(truncatingIfNeeded: range.lowerBound.low)...UInt32(truncatingIfNeeded: range.upperBound.low),
                                    into: &set)
            }
        } else {
            index.collectBlocks(.ipv4, in: UInt32(truncatingIfNeeded: range.lowerBound.low)...UInt32.max, into: &set)
            index.collectBlocks(.ipv6, in: IPv6Key(IPAddress(ipv6High: 0, low: 0))...IPv6Key(range.upperBound), into: &set)
        }
        return set
    }

    /// Blocks holding a TCP, UDP or SCTP packet with `port` as source or destination port.
    public func blocks(port: UInt16) -> BlockSet {
        lookup(.port, port)
    }

    /// Blocks holding a packet of IP protocol `ipProtocol` (upper layer, or IPv6 first Next Header).
    public func blocks(ipProtocol: UInt8) -> BlockSet {
        lookup(.ipProtocol, ipProtocol)
    }

    /// Blocks holding a packet tagged with VLAN `vlan` at any depth.
    public func blocks(vlan: UInt16) -> BlockSet {
        lookup(.vlan, vlan)
    }

    /// Blocks holding a packet with MPLS label `label` at any depth.
    public func blocks(mplsLabel label: UInt32) -> BlockSet {
        lookup(.mpls, label)
    }

    /// Blocks holding a packet of the flow `flow` (either direction).
    public func blocks(flow: FlowKey) -> BlockSet {
        lookup(.flow, flow.stableHash)
    }

    private func lookup<Key: IndexKey>(_ section: IndexSection, _ key: Key) -> BlockSet {
        guard let index else { return allBlocks }
        var set = BlockSet(capacity: blockCount)
        index.collectBlocks(section, in: key...key, into: &set)
        return set
    }

    // MARK: - Packets

    /// Reads, checks and decompresses block `number`, and returns a cursor over its packets.
    /// The cursor's records are valid until the next call on this reader.
    public func packets(inBlock number: Int) throws(StorageError) -> PacketCursor {
        let info = block(number)
        let length = Int(info.totalLength)
        if readBuffer.count < length {
            readBuffer.deallocate()
            readBuffer = .allocate(byteCount: max(length, 1 << 20), alignment: 16)
        }
        let raw = UnsafeMutableRawBufferPointer(rebasing: readBuffer[0..<length])
        let count: Int
        do { count = try descriptor.read(fromAbsoluteOffset: info.offset, into: raw) } catch { throw .system(error) }
        func corrupt(_ reason: String) -> StorageError { .corrupt(path: dataPath, offset: info.offset, reason: reason) }
        guard count == length else { throw corrupt("block \(number) extends past the end of the file") }
        let header: BlockHeader
        switch BlockHeader.decode(UnsafeRawPointer(raw.baseAddress!)) {
        case .failure(let reason): throw corrupt("block \(number): \(reason)")
        case .success(let decoded): header = decoded
        }
        guard header.totalLength == length else { throw corrupt("block \(number) length differs from the index") }
        let stored = UnsafeRawBufferPointer(rebasing: raw[BlockHeader.size...])
        guard BlockHeader.verify(header: UnsafeRawPointer(raw.baseAddress!), storedPayload: stored) else {
            // The last block of the segment being recorded may be caught mid-write: it is not
            // there yet, rather than damaged.
            if isActive, number == blockCount - 1 { return PacketCursor() }
            throw corrupt("block \(number): \(BlockFormatError.badChecksum)")
        }
        let payload: UnsafeRawBufferPointer
        do { payload = try BlockCodec.decode(header, stored: stored, scratch: &scratch) } catch {
            throw corrupt("block \(number): \(error)")
        }
        return PacketCursor(payload: payload, linkType: info.linkType, expectedCount: header.packetCount)
    }

    /// Calls `body` with each packet of block `number` in stored order, until it returns false;
    /// returns false if `body` stopped early. The record's bytes are valid only during the call.
    @discardableResult
    public func forEachPacket(inBlock number: Int, _ body: (PacketRecord) throws -> Bool) throws -> Bool {
        var cursor = try packets(inBlock: number)
        do {
            while let record = try cursor.next() {
                if try !body(record) { return false }
            }
        } catch let error as BlockFormatError {
            throw StorageError.corrupt(path: dataPath, offset: block(number).offset, reason: "block \(number): \(error)")
        }
        return true
    }
}

/// Names a segment's files for opening a ``SegmentReader``.
public struct SegmentFilesReference: Sendable {
    let files: SegmentFiles

    /// The segment `id` of the store at `directory`.
    public init(directory: String, id: UInt64) {
        files = SegmentFiles(directory: directory, id: id)
    }
}
