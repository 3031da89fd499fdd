import TapedeckCore
import TapedeckPOSIX

/// Writes one segment: appends encoded blocks to its `.active` data file, indexes them, and
/// seals it (index written and renamed into place, data file renamed to `.data`).
/// Used only by the store's writer thread.
final class SegmentWriter {
    let files: SegmentFiles
    private let descriptor: FileDescriptor
    /// Whether the data file still has its `.active` name.
    private let isActive: Bool
    private(set) var length = Int64(DataFileHeader.size)
    private var index = SegmentIndexBuilder()
    private var output: UnsafeMutableRawBufferPointer

    /// Creates the segment's `.active` data file (it must not exist) with its header.
    init(files: SegmentFiles, created: Timestamp) throws(Errno) {
        self.files = files
        isActive = true
        descriptor = try FileDescriptor.open(files.activePath, [.writeOnly, .create, .exclusive])
        output = .allocate(byteCount: 0, alignment: 16)
        do {
            try descriptor.writeAll(DataFileHeader(segmentID: files.id, created: created.nanoseconds).encoded())
            try FileSystem.syncDirectory(files.directory)
        } catch {
            try? descriptor.close()
            try? FileSystem.unlink(files.activePath)
            throw error
        }
    }

    /// Reopens the data file at `path` (an `.active` file left by a crash, or a `.data` file
    /// whose index is missing): keeps the blocks that pass their CRC, cuts the file after the
    /// last of them, and rebuilds the index from them. ``seal()`` then completes the segment.
    init(recovering files: SegmentFiles, path: String, isActive: Bool) throws(StorageError) {
        self.files = files
        self.isActive = isActive
        output = .allocate(byteCount: 0, alignment: 16)
        do {
            descriptor = try FileDescriptor.open(path, .readWrite)
        } catch {
            throw .system(error)
        }
        let fileLength: Int64
        do { fileLength = try descriptor.size() } catch { throw .system(error) }
        var scanner = BlockScanner(descriptor: descriptor, path: path, fileLength: fileLength)
        if fileLength < Int64(DataFileHeader.size) {
            // Torn before its header was complete: keep an empty segment with a fresh header.
            do {
                try descriptor.truncate(to: 0)
                try descriptor.writeAll(DataFileHeader(segmentID: files.id, created: 0).encoded())
            } catch { throw .system(error) }
            truncatedBytes = fileLength
            return
        }
        _ = try scanner.readFileHeader()
        var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)
        defer { scratch.deallocate() }
        while let (header, offset, stored) = try scanner.next() {
            do {
                let payload = try BlockCodec.decode(header, stored: stored, scratch: &scratch)
                try index.addBlock(BlockInfo(header: header, offset: offset), payload: payload)
            } catch {
                throw .corrupt(path: path, offset: offset, reason: "\(error)")
            }
        }
        length = scanner.offset
        truncatedBytes = fileLength - length
        stopReason = scanner.stopReason
        if truncatedBytes > 0 {
            do {
                try descriptor.truncate(to: length)
                try descriptor.dataSync()
            } catch { throw .system(error) }
        }
    }

    /// Bytes cut from the end of the data file by recovery (a torn tail).
    private(set) var truncatedBytes: Int64 = 0
    /// Why recovery stopped reading blocks before the end of the file, if it did.
    private(set) var stopReason: BlockFormatError?

    deinit {
        output.deallocate()
        try? descriptor.close()
    }

    /// Packets, bytes and times of the blocks written so far.
    var totals: SegmentTotals { index.totals }

    /// Payload bytes (before compression) of the blocks written so far.
    private(set) var payloadBytes: Int64 = 0

    /// Compresses, checksums and appends `block`, and adds it and its keys to the index.
    func write(_ block: BlockBuffer) throws(StorageError) {
        let needed = BlockCodec.encodedCapacity(payloadLength: block.used)
        if output.count < needed {
            output.deallocate()
            output = .allocate(byteCount: needed, alignment: 16)
        }
        let (header, encodedLength) = BlockCodec.encode(block, into: output)
        do {
            // At an explicit offset: after a failed (partial) write is cut off, the retry must land
            // where the last whole block ends, not where the file position was left.
            try descriptor.writeAll(toAbsoluteOffset: length, UnsafeRawBufferPointer(rebasing: output[0..<encodedLength]))
        } catch {
            // Leave no partial block behind: cut the file back to the last whole block.
            try? descriptor.truncate(to: length)
            throw .system(error)
        }
        index.addBlock(BlockInfo(header: header, offset: length), keys: block.keys)
        length += Int64(encodedLength)
        payloadBytes += Int64(block.used)
    }

    /// Makes every written block durable (`fdatasync`).
    func sync() throws(StorageError) {
        do { try descriptor.dataSync() } catch { throw .system(error) }
    }

    /// Seals the segment: data synced, index written under a temporary name, synced and renamed,
    /// data file renamed to `.data`, directory synced. Returns the catalog entry.
    func seal() throws(StorageError) -> SegmentSummary {
        do {
            try descriptor.dataSync()
            let indexBytes = index.serialize(segmentID: files.id, dataLength: length)
            try FileSystem.writeAtomically(directory: files.directory, name: "\(files.name).index", bytes: indexBytes)
            if isActive {
                try FileSystem.rename(files.activePath, to: files.dataPath)
                try FileSystem.syncDirectory(files.directory)
            }
            return SegmentSummary(id: files.id, totals: index.totals, dataBytes: UInt64(length),
                                  indexBytes: UInt64(indexBytes.count))
        } catch {
            throw .system(error)
        }
    }
}
