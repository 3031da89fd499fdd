import TapedeckCore
import TapedeckPOSIX

/// The long-term evidence directory: one pcap and one JSON sidecar per alerted flow
/// (`YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>.pcap` and `.json`), outside the store and its
/// retention.
///
/// Files are written in batches: ``stage(pcap:record:)`` and ``stageSidecar(_:)`` write them
/// under hidden temporary names, ``commit()`` fsyncs each, renames them (every pcap before any
/// sidecar) and fsyncs the directory once. A reader, or a process restarted after a crash, sees
/// a whole old file or a whole new one, and a sidecar always describes a durable pcap; a pcap
/// without a sidecar (a crash between the renames) is rewritten when its alert comes again.
/// Batching lets one journal commit of the file system carry the files of many alerts.
///
/// One writer at a time: the instance that writes keeps an index of the sidecars by flow (read
/// when it opens the directory, updated as it stages) to put later alerts of a flow into that
/// flow's evidence. Readers (the HTTP API) use the static functions, which read the files each
/// time.
public final class EvidenceDirectory {
    /// The directory.
    public let path: String
    /// Sidecars by flow id, the staged ones included.
    private var byFlow: [UInt64: [EvidenceRecord]] = [:]
    /// The committed index entries of the flows the staged files change, to restore on ``discard()``.
    private var rollback: [UInt64: [EvidenceRecord]?] = [:]
    /// Staged files: final names in staging order, and their temporary names.
    private var staged: [(name: String, temporary: String)] = []

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

    /// Stages `pcap` and the sidecar of `record` (which gets the pcap's size and SHA-256), to
    /// replace files of the same id at ``commit()``. Returns the record as staged.
    @discardableResult
    public func stage(pcap: [UInt8], record: EvidenceRecord) throws(EvidenceError) -> EvidenceRecord {
        var record = record
        record.bytes = pcap.count
        record.sha256 = SHA256.hex(pcap)
        try stageFile(record.id + ".pcap", pcap)
        try stageSidecar(record)
        return record
    }

    /// Stages the sidecar of `record` (a later alert of its flow); its pcap stays.
    public func stageSidecar(_ record: EvidenceRecord) throws(EvidenceError) {
        try stageFile(record.id + ".json", Array((record.json.serialized + "\n").utf8))
        if rollback.index(forKey: record.flowID) == nil { rollback[record.flowID] = .some(byFlow[record.flowID]) }
        var records = byFlow[record.flowID] ?? []
        records.removeAll { $0.id == record.id }
        records.append(record)
        byFlow[record.flowID] = records
    }

    /// Makes the staged files durable and visible: fsyncs each, renames the pcaps, then the
    /// sidecars, then fsyncs the directory. On failure nothing more is renamed; call
    /// ``discard()`` and stage again.
    public func commit() throws(EvidenceError) {
        guard !staged.isEmpty else { return }
        do {
            for file in staged {
                let descriptor = try FileDescriptor.open(file.temporary, .readOnly)
                defer { try? descriptor.close() }
                try descriptor.sync()
            }
            for file in staged where file.name.hasSuffix(".pcap") { try FileSystem.rename(file.temporary, to: "\(path)/\(file.name)") }
            for file in staged where !file.name.hasSuffix(".pcap") { try FileSystem.rename(file.temporary, to: "\(path)/\(file.name)") }
            try FileSystem.syncDirectory(path)
        } catch {
            throw .system(error)
        }
        staged = []
        rollback = [:]
    }

    /// Drops the staged files (after a failed ``commit()``) and their index entries.
    public func discard() {
        for file in staged { try? FileSystem.unlink(file.temporary) }
        staged = []
        for (flowID, records) in rollback { byFlow[flowID] = records }
        rollback = [:]
    }

    /// Writes `bytes` to the temporary file of `name` (replacing what an earlier staging of the
    /// same name wrote).
    private func stageFile(_ name: String, _ bytes: [UInt8]) throws(EvidenceError) {
        let temporary = "\(path)/.\(name).tmp"
        do {
            let descriptor = try FileDescriptor.open(temporary, [.writeOnly, .create, .truncate])
            defer { try? descriptor.close() }
            try descriptor.writeAll(bytes)
        } catch {
            throw .system(error)
        }
        if !staged.contains(where: { $0.name == name }) { staged.append((name, temporary)) }
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
