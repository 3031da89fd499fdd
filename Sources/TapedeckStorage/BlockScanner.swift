import TapedeckPOSIX

/// Reads the blocks of a data file one after another from the first, checking each header and
/// CRC, and stops at the first one that is not valid: the end of what was durably written.
/// Recovery, verification and readers of the active segment use it.
struct BlockScanner: ~Copyable {
    let descriptor: FileDescriptor
    let path: String
    let fileLength: Int64
    /// Offset of the next block to read; after a stop, where the valid data ends.
    private(set) var offset = Int64(DataFileHeader.size)
    /// Why scanning stopped before `fileLength`, if it did.
    private(set) var stopReason: BlockFormatError?
    private var buffer: UnsafeMutableRawBufferPointer

    init(descriptor: FileDescriptor, path: String, fileLength: Int64) {
        self.descriptor = descriptor
        self.path = path
        self.fileLength = fileLength
        buffer = .allocate(byteCount: 1 << 20, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Checks the data file header.
    func readFileHeader() throws(StorageError) -> DataFileHeader {
        let raw: [UInt8]
        do { raw = try descriptor.read(fromAbsoluteOffset: 0, count: DataFileHeader.size) } catch { throw .system(error) }
        guard let header = raw.withUnsafeBytes({ DataFileHeader.decode($0) }) else {
            throw .corrupt(path: path, offset: 0, reason: "not a Tapedeck segment data file (bad header)")
        }
        return header
    }

    /// The header and offset of the next block whose header is valid and which lies wholly inside
    /// the file, without reading or checking its payload; nil at the end (see `stopReason`). For
    /// listing the blocks of a segment being written, whose payloads are checked when read.
    mutating func nextHeader() throws(StorageError) -> (header: BlockHeader, offset: Int64)? {
        guard let header = try readHeader() else { return nil }
        let blockOffset = offset
        offset += Int64(header.totalLength)
        return (header, blockOffset)
    }

    private mutating func readHeader() throws(StorageError) -> BlockHeader? {
        guard stopReason == nil, offset < fileLength else { return nil }
        guard fileLength - offset >= Int64(BlockHeader.size) else {
            stopReason = .truncated
            return nil
        }
        let headerBytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<BlockHeader.size])
        do { _ = try descriptor.read(fromAbsoluteOffset: offset, into: headerBytes) } catch { throw .system(error) }
        switch BlockHeader.decode(UnsafeRawPointer(headerBytes.baseAddress!)) {
        case .failure(let reason):
            stopReason = reason
            return nil
        case .success(let header):
            guard Int64(header.totalLength) <= fileLength - offset else {
                stopReason = .truncated
                return nil
            }
            return header
        }
    }

    /// The next valid block (header, its offset, stored payload valid until the next call), or
    /// nil at the end of the valid data (see `stopReason`).
    mutating func next() throws(StorageError) -> (header: BlockHeader, offset: Int64, stored: UnsafeRawBufferPointer)? {
        guard let header = try readHeader() else { return nil }
        if buffer.count < header.totalLength {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: header.totalLength, alignment: 16)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<BlockHeader.size]))
            buffer.deallocate()
            buffer = grown
        }
        let stored = UnsafeMutableRawBufferPointer(rebasing: buffer[BlockHeader.size..<header.totalLength])
        do {
            let count = try descriptor.read(fromAbsoluteOffset: offset + Int64(BlockHeader.size), into: stored)
            guard count == stored.count else {
                stopReason = .truncated
                return nil
            }
        } catch { throw .system(error) }
        guard BlockHeader.verify(header: UnsafeRawPointer(buffer.baseAddress!), storedPayload: UnsafeRawBufferPointer(stored)) else {
            stopReason = .badChecksum
            return nil
        }
        let blockOffset = offset
        offset += Int64(header.totalLength)
        return (header, blockOffset, UnsafeRawBufferPointer(stored))
    }
}
