import TapedeckCore
import TapedeckPOSIX

/// The long-term evidence directory: one pcap and one JSON sidecar per alerted flow
/// (`YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>.pcap` and `.json`), outside the store and its
/// retention.
///
/// Every file is written atomically (hidden temporary name, fsync, rename, fsync of the
/// directory): a reader, or a process restarted after a crash, sees a whole old file or a whole
/// new one. The pcap is written before its sidecar, so a sidecar always describes a durable pcap;
/// a pcap without a sidecar (a crash between the two) is rewritten when its alert comes again.
///
/// One writer at a time: the instance that writes keeps an index of the sidecars by flow (read
/// when it opens the directory) to put later alerts of a flow into that flow's evidence. Readers
/// (the HTTP API) use the static functions, which read the files each time.
public final class EvidenceDirectory {
    /// The directory.
    public let path: String
    /// Sidecars by flow id.
    private var byFlow: [UInt64: [EvidenceRecord]] = [:]

    /// Opens (creating it and its parents if needed) the directory at `path` for writing: removes
    /// temporary files a crash left behind and indexes the sidecars.
    /// - Throws: ``EvidenceError/system(_:)`` when the directory cannot be created or read.
    public init(path: String) throws(EvidenceError) {
        self.path = path
        do {
            try FileSystem.createDirectory(path)
            for name in try FileSystem.contentsOfDirectory(path) where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                try FileSystem.unlink("\(path)/\(name)")
            }
        } catch {
            throw .system(error)
        }
        for record in try Self.records(in: path) {
            byFlow[record.flowID, default: []].append(record)
        }
    }

    /// Evidence of the flow `flowID` whose window contains `time`, if there is any.
    public func existing(flowID: UInt64, containing time: Timestamp) -> EvidenceRecord? {
        byFlow[flowID]?.first { $0.window.contains(time) }
    }

    /// The evidence of the flow `flowID` with id `id`, if there is one.
    public func record(flowID: UInt64, id: String) -> EvidenceRecord? {
        byFlow[flowID]?.first { $0.id == id }
    }

    /// Evidence of the flow `flowID` that already holds `alert` (verbatim), if any: a redelivered
    /// alert that needs nothing written.
    public func existing(flowID: UInt64, holding alert: JSONValue) -> EvidenceRecord? {
        byFlow[flowID]?.first { $0.alerts.contains(alert) }
    }

    /// Writes `pcap` and then the sidecar of `record`, each atomically; the sidecar gets the pcap's
    /// size and SHA-256. Replaces files of the same id. Returns the record as written.
    @discardableResult
    public func write(pcap: [UInt8], record: EvidenceRecord) throws(EvidenceError) -> EvidenceRecord {
        var record = record
        record.bytes = pcap.count
        record.sha256 = SHA256.hex(pcap)
        do {
            try FileSystem.writeAtomically(directory: path, name: record.id + ".pcap", bytes: pcap)
        } catch {
            throw .system(error)
        }
        try writeSidecar(record)
        return record
    }

    /// Rewrites the sidecar of `record` atomically (a later alert of its flow); its pcap stays.
    public func writeSidecar(_ record: EvidenceRecord) throws(EvidenceError) {
        do {
            try FileSystem.writeAtomically(directory: path, name: record.id + ".json",
                                           bytes: Array((record.json.serialized + "\n").utf8))
        } catch {
            throw .system(error)
        }
        var records = byFlow[record.flowID] ?? []
        records.removeAll { $0.id == record.id }
        records.append(record)
        byFlow[record.flowID] = records
    }

    /// Deletes the evidence (pcap, then sidecar) whose sidecar was last written before `time`;
    /// returns how many were deleted.
    public func prune(writtenBefore time: Timestamp) throws(EvidenceError) -> Int {
        var deleted = 0
        for (flowID, records) in byFlow {
            var kept: [EvidenceRecord] = []
            for record in records {
                guard record.written < time else {
                    kept.append(record)
                    continue
                }
                do {
                    for name in [record.id + ".pcap", record.id + ".json"] where FileSystem.exists("\(path)/\(name)") {
                        try FileSystem.unlink("\(path)/\(name)")
                    }
                } catch {
                    throw .system(error)
                }
                deleted += 1
            }
            byFlow[flowID] = kept.isEmpty ? nil : kept
        }
        if deleted > 0 {
            do { try FileSystem.syncDirectory(path) } catch { throw .system(error) }
        }
        return deleted
    }

    /// Every readable sidecar in the directory at `path`, oldest alert first (then by id).
    /// Files that are not evidence sidecars are left out.
    public static func records(in path: String, matching filter: EvidenceFilter = EvidenceFilter()) throws(EvidenceError) -> [EvidenceRecord] {
        let names: [String]
        do { names = try FileSystem.contentsOfDirectory(path) } catch { throw .system(error) }
        var records: [EvidenceRecord] = []
        for name in names where name.hasSuffix(".json") && EvidenceName.isValidStem(String(name.dropLast(5))) {
            guard let record = try? readSidecar("\(path)/\(name)"), filter.matches(record) else { continue }
            records.append(record)
        }
        return records.sorted { ($0.alertTime, $0.id) < ($1.alertTime, $1.id) }
    }

    /// The path of the pcap of evidence `id`.
    /// - Throws: ``EvidenceError/invalidID(_:)`` for anything but an evidence stem (so no path
    ///   outside the directory can be named), ``EvidenceError/notFound(_:)`` when it has no pcap
    ///   and sidecar.
    public static func pcapPath(in path: String, id: String) throws(EvidenceError) -> String {
        guard EvidenceName.isValidStem(id) else { throw .invalidID(id) }
        let pcap = "\(path)/\(id).pcap"
        guard FileSystem.exists(pcap), FileSystem.exists("\(path)/\(id).json") else { throw .notFound(id) }
        return pcap
    }

    /// Reads one sidecar.
    static func readSidecar(_ file: String) throws(EvidenceError) -> EvidenceRecord {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readWholeFile(file) } catch { throw .system(error) }
        do {
            return try EvidenceRecord(json: try JSONParser.parse(bytes))
        } catch let error as JSONSyntaxError {
            throw .invalidSidecar(path: file, reason: error.description)
        } catch let error as EvidenceRecordError {
            throw .invalidSidecar(path: file, reason: error.message)
        } catch {
            throw .invalidSidecar(path: file, reason: "\(error)")
        }
    }
}
