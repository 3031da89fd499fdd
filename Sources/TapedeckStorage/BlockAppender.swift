import TapedeckCore

/// Fills blocks for a ``StoreWriter`` on one producing thread: copies each packet once into the
/// current block, notes its index keys, and hands the block to the writer thread when it is full,
/// when the link type changes, when its packets would span a whole segment duration, or when
/// asked to (``closeBlock()``, ``closeBlock(ifOpenLongerThan:)``). Not thread-safe: one thread
/// per appender.
public final class BlockAppender: @unchecked Sendable {
    private let writer: StoreWriter
    private var current: BlockBuffer

    init(writer: StoreWriter, block: BlockBuffer) {
        self.writer = writer
        current = block
    }

    /// Copies `record` into the current block. Throws if the writer thread failed (the error is
    /// sticky) or the packet is larger than a block accepts.
    @inline(__always)
    public func append(_ record: PacketRecord) throws(StorageError) {
        if let failure = writer.currentFailure { throw failure }
        let length = record.bytes.count
        guard length <= BlockBuffer.maxPacketLength else {
            throw .invalidPacket(reason: "\(length) captured bytes exceed the \(BlockBuffer.maxPacketLength)-byte limit")
        }
        if !current.isEmpty,
           current.linkType != record.linkType
            || current.span(adding: record.timestamp.nanoseconds) >= writer.configuration.segmentDuration
            || Int64(current.used + length + PacketPayload.recordHeaderSize) > writer.segmentMaxBytes {
            closeBlock()
        }
        current.append(record, now: monotonicNow())
        if current.isFull { closeBlock() }
    }

    /// Hands the current block (if it holds packets) to the writer thread.
    public func closeBlock() {
        guard !current.isEmpty else { return }
        writer.submit(current)
        current = writer.freeBlocks.pop()
    }

    /// Hands the current block over if its first packet came more than `seconds` ago, so that
    /// packets on a quiet link reach the store (and queries) promptly.
    public func closeBlock(ifOpenLongerThan seconds: Double) {
        guard !current.isEmpty, monotonicNow() - current.openedAt >= seconds else { return }
        closeBlock()
    }
}
