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
    /// Index of a recovered segment (keys and block table rebuilt from the data file).
    private var recoveredIndex: SegmentIndexBuilder?
    /// Block table of the blocks written by ``write(_:)``.
    private var blockTable: [BlockInfo] = []
    /// The latest packet time written so far.
    private(set) var latest: Timestamp?
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
            recoveredIndex = SegmentIndexBuilder()
            return
        }
        _ = try scanner.readFileHeader()
        var index = SegmentIndexBuilder()
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
        recoveredIndex = index
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

    /// Compresses, checksums and appends `block`, and notes it in the block table.
    func write(_ block: BlockBuffer) throws(StorageError) {
        let needed = BlockCodec.encodedCapacity(payloadLength: block.used)
        if output.count < needed {
            output.deallocate()
            output = .allocate(byteCount: needed, alignment: 16)
        }
        let (header, encodedLength) = BlockCodec.encode(block, into: output)
        do {
            try descriptor.writeAll(UnsafeRawBufferPointer(rebasing: output[0..<encodedLength]))
        } catch {
            // Leave no partial block behind: cut the file back to the last whole block.
            try? descriptor.truncate(to: length)
            throw .system(error)
        }
        blockTable.append(BlockInfo(header: header, offset: length))
        latest = max(latest ?? .distantPast, Timestamp(nanoseconds: header.latest))
        length += Int64(encodedLength)
    }

    /// Makes every written block durable (`fdatasync`).
    func sync() throws(StorageError) {
        do { try descriptor.dataSync() } catch { throw .system(error) }
    }

    /// Seals a recovered segment with the index rebuilt from its data file.
    func sealRecovered() throws(StorageError) -> SegmentSummary {
        guard var index = recoveredIndex else { throw .closed }
        return try seal(index: &index)
    }

    /// Seals the segment with the keys gathered while its blocks were appended (`keys` must
    /// have closed as many blocks as were written).
    func seal(keys: SegmentIndexBuilder) throws(StorageError) -> SegmentSummary {
        guard keys.closedBlocks == blockTable.count else {
            throw .invalidPacket(reason: "index has \(keys.closedBlocks) blocks, data file \(blockTable.count)")
        }
        var index = keys
        index.setBlockTable(blockTable)
        return try seal(index: &index)
    }

    /// Seals: data synced, index written under a temporary name, synced and renamed, data file
    /// renamed to `.data`, directory synced. Returns the catalog entry.
    private func seal(index: inout SegmentIndexBuilder) throws(StorageError) -> SegmentSummary {
        do {
            try descriptor.dataSync()
            let indexBytes = index.serialize(segmentID: files.id, dataLength: length)
            try writeFileAtomically(directory: files.directory, name: "\(files.name).index", bytes: indexBytes)
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
