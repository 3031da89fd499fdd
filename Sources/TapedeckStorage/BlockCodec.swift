/// Encodes a block (compress, header, CRC) and decodes one (check CRC, decompress), with
/// buffers owned by the caller and reused.
enum BlockCodec {
    /// Bytes `encode` may need for a payload of `payloadLength`.
    static func encodedCapacity(payloadLength: Int) -> Int {
        BlockHeader.size + max(LZ4.compressBound(payloadLength), payloadLength)
    }

    /// Writes header and stored payload for `block` into `output`; returns the header and the
    /// encoded length. The payload is kept uncompressed when LZ4 would not make it smaller.
    static func encode(_ block: BlockBuffer, into output: UnsafeMutableRawBufferPointer) -> (BlockHeader, Int) {
        let payload = block.payload
        let body = UnsafeMutableRawBufferPointer(rebasing: output[BlockHeader.size...])
        var codec = BlockHeader.Codec.lz4
        var storedLength = LZ4.compress(payload, into: body) ?? payload.count
        if storedLength >= payload.count {
            codec = .stored
            storedLength = payload.count
            body.baseAddress!.copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        }
        let header = BlockHeader(codec: codec, linkType: block.linkType.rawValue, packetCount: block.packetCount,
                                 payloadLength: UInt32(payload.count), storedLength: UInt32(storedLength),
                                 earliest: block.earliest, latest: block.latest)
        header.encode(into: output.baseAddress!,
                      storedPayload: UnsafeRawBufferPointer(rebasing: body[0..<storedLength]))
        return (header, header.totalLength)
    }

    /// The uncompressed payload of a block whose stored payload is `stored`: `stored` itself
    /// when the block is not compressed, otherwise decompressed into `scratch` (grown as needed).
    static func decode(_ header: BlockHeader, stored: UnsafeRawBufferPointer,
                       scratch: inout UnsafeMutableRawBufferPointer) throws(BlockFormatError) -> UnsafeRawBufferPointer {
        switch header.codec {
        case .stored:
            return stored
        case .lz4:
            let length = Int(header.payloadLength)
            if scratch.count < length {
                scratch.deallocate()
                scratch = .allocate(byteCount: length, alignment: 16)
            }
            let destination = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<length])
            guard LZ4.decompress(stored, into: destination) else {
                throw .badPayload("LZ4 data does not decompress to \(length) bytes")
            }
            return UnsafeRawBufferPointer(destination)
        }
    }
}
