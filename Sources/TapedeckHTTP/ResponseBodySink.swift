import TapedeckCore

/// A ``ByteSink`` that sends what a pcap writer produces as the body of a streamed response:
/// each write becomes one chunk (`Transfer-Encoding: chunked`), or goes out as it is when the
/// connection closes after the response (HTTP/1.0 clients).
struct ResponseBodySink: ByteSink {
    let output: ConnectionOutput
    let chunked: Bool

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if chunked {
            try output.write(String(bytes.count, radix: 16) + "\r\n")
            try output.write(bytes)
            try output.write("\r\n")
        } else {
            try output.write(bytes)
        }
    }

    /// Ends the body: the last chunk (`0` and an empty trailer section) when chunked, and sends
    /// everything still buffered.
    func finish() throws(OutputError) {
        if chunked { try output.write("0\r\n\r\n") }
        try output.flush()
    }
}
