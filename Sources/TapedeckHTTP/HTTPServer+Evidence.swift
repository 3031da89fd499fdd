import TapedeckAlerts
import TapedeckCore
import TapedeckPOSIX

extension HTTPServer {
    /// `GET /v1/evidence`: the evidence the consumer wrote, oldest alert first, as
    /// `{"evidence": [...]}` (each entry a sidecar without its alerts); `start`/`end` keep
    /// evidence with an alert in `[start, end)`, `signature_id` evidence with an alert of that
    /// signature.
    func evidenceList(_ exchange: HTTPExchange) throws {
        let parameters = try Parameters(exchange.request, allowed: ["start", "end", "signature_id"])
        let directory = try evidenceDirectory()
        let now = Timestamp.now()
        var filter = EvidenceFilter(start: try parameters.time("start", now: now), end: try parameters.time("end", now: now))
        if let text = parameters["signature_id"] {
            guard text.count <= 20, let value = Int64(text) else {
                throw HTTPError.invalidParameter("signature_id", "expected an integer, got '\(text.prefix(32))'")
            }
            filter.signatureID = value
        }
        let records: [EvidenceRecord]
        do {
            records = FileSystem.exists(directory) ? try EvidenceDirectory.records(in: directory, matching: filter) : []
        } catch {
            logger.warning("cannot list the evidence directory", metadata: ["error": "\(error)"])
            throw HTTPError(.serviceUnavailable, "evidence unavailable", detail: "the evidence directory cannot be read",
                            headers: HTTPHeaders([("Retry-After", "5")]))
        }
        try exchange.respond(json: .object([("evidence", .array(records.map(\.summary)))]))
    }

    /// `GET /v1/evidence/{id}`: the pcap of one evidence; `id` is its file stem, and anything
    /// else (a path, `..`) is a `400` before any file is touched.
    func evidenceFile(_ exchange: HTTPExchange, id: String) throws {
        try checkNoParameters(exchange.request)
        let directory = try evidenceDirectory()
        let path: String
        do {
            path = try EvidenceDirectory.pcapPath(in: directory, id: id)
        } catch .invalidID {
            throw HTTPError(.badRequest, "invalid evidence id",
                            detail: "an evidence id looks like 20240501T101709Z_2100498_1234567890 (YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>)")
        } catch {
            throw HTTPError(.notFound, "not found", detail: "no evidence with id \(id)")
        }
        let file: FileDescriptor
        let size: Int64
        do {
            file = try FileDescriptor.open(path, .readOnly)
            size = try file.size()
        } catch {
            throw HTTPError(.notFound, "not found", detail: "no evidence with id \(id)")
        }
        defer { try? file.close() }
        let sink = try exchange.startStream(.ok, contentType: "application/vnd.tcpdump.pcap", headers: HTTPHeaders([
            ("Content-Disposition", "attachment; filename=\"\(id).pcap\""),
        ]))
        if exchange.isHead { return }
        var offset: Int64 = 0
        while offset < size {
            let chunk = try file.read(fromAbsoluteOffset: offset, count: Int(min(65_536, size - offset)))
            guard !chunk.isEmpty else { break }
            try chunk.withUnsafeBytes { try sink.write($0) }
            offset += Int64(chunk.count)
        }
        try sink.finish()
    }

    /// The configured evidence directory; `404` when the server has none.
    private func evidenceDirectory() throws(HTTPError) -> String {
        guard let directory = configuration.evidenceDirectory else {
            throw HTTPError(.notFound, "not found", detail: "this server has no evidence directory (tapedeck serve --evidence-dir)")
        }
        return directory
    }
}
