/// Decodes a `Transfer-Encoding: chunked` body incrementally (RFC 9112 §7.1): chunk-size lines
/// (hex, extensions ignored), chunk data, and a trailer section that is read and dropped.
struct ChunkedDecoder {
    private enum State {
        case sizeLine
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    private var state = State.sizeLine
    private var trailerBytes = 0
    /// The decoded body so far.
    private(set) var body: [UInt8] = []

    /// Whether the last chunk and the trailer section have been read.
    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Consumes what it can of `buffer[position...]`, advancing `position`; stops when it needs
    /// more bytes or the body is complete.
    mutating func decode(_ buffer: [UInt8], position: inout Int, limits: RequestLimits) throws(HTTPError) {
        while true {
            switch state {
            case .done:
                return
            case .sizeLine:
                guard let end = try Self.lineEnd(buffer, from: position, limit: limits.chunkLineBytes, what: "chunk-size line") else { return }
                let line = buffer[position..<end]
                position = end + 2
                let sizeText = line.prefix { $0 != UInt8(ascii: ";") }.trimmingTrailingWhitespace()
                guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16),
                      sizeText.allSatisfy({ Self.isHexDigit($0) }) else {
                    throw HTTPError.malformed("invalid chunk size '\(String(decoding: line.prefix(32), as: UTF8.self))'")
                }
                guard body.count + size <= limits.bodyBytes else {
                    throw HTTPError(.payloadTooLarge, "request body too large",
                                    detail: "the body exceeds \(limits.bodyBytes) bytes", closesConnection: true)
                }
                state = size == 0 ? .trailer : .data(remaining: size)
            case .data(let remaining):
                let available = min(remaining, buffer.count - position)
                guard available > 0 else { return }
                body.append(contentsOf: buffer[position..<position + available])
                position += available
                state = remaining == available ? .dataEnd : .data(remaining: remaining - available)
            case .dataEnd:
                guard buffer.count - position >= 2 else { return }
                guard buffer[position] == 0x0D, buffer[position + 1] == 0x0A else {
                    throw HTTPError.malformed("chunk data is not followed by CRLF")
                }
                position += 2
                state = .sizeLine
            case .trailer:
                guard let end = try Self.lineEnd(buffer, from: position, limit: limits.headerBytes - trailerBytes,
                                                 what: "trailer section") else { return }
                trailerBytes += end + 2 - position
                let empty = end == position
                position = end + 2
                if empty { state = .done }
            }
        }
    }

    /// The index of the CRLF ending the line at `start`, nil if it has not arrived; throws for a
    /// bare CR or LF, or a line longer than `limit`.
    static func lineEnd(_ buffer: [UInt8], from start: Int, limit: Int, what: String) throws(HTTPError) -> Int? {
        var index = start
        while index < buffer.count {
            switch buffer[index] {
            case 0x0D:
                guard index + 1 < buffer.count else { return nil }
                guard buffer[index + 1] == 0x0A else { throw HTTPError.malformed("bare CR in the \(what)") }
                return index
            case 0x0A:
                throw HTTPError.malformed("bare LF in the \(what) (lines end with CRLF)")
            default:
                index += 1
                if index - start > limit {
                    throw HTTPError.malformed("the \(what) is longer than \(max(0, limit)) bytes")
                }
            }
        }
        return nil
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}

extension Collection where Element == UInt8, SubSequence: BidirectionalCollection {
    /// Without trailing spaces and tabs (before a chunk extension's `;`, `BWS` is allowed).
    func trimmingTrailingWhitespace() -> SubSequence {
        var slice = self[...]
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }
}
