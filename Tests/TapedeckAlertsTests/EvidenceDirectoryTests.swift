#if canImport(Glibc)
import Glibc
#endif
import Testing
import TapedeckCore
import TapedeckPOSIX
import TapedeckQuery
@testable import TapedeckAlerts

/// A fresh directory under /tmp, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/tapedeck-alerts-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func remove() {
        _ = system("rm -rf '\(path)'")
    }
}

@Suite("Evidence directory")
struct EvidenceDirectoryTests {
    static let alertText = #"{"timestamp":"2019-03-14T19:04:03.371057+0000","flow_id":736158315449115,"event_type":"alert","src_ip":"192.168.1.212","src_port":50694,"dest_ip":"90.130.70.73","dest_port":21,"proto":"TCP","alert":{"signature_id":9000004,"signature":"FTP USER"},"flow":{"start":"2019-03-14T19:03:54.892296+0000"}}"#

    static func alertJSON(_ text: String = alertText) -> JSONValue { try! JSONParser.parse(Array(text.utf8)) }

    static func record(alert: JSONValue = alertJSON(), written: Timestamp = .now()) throws -> EvidenceRecord {
        let parsed = try EVEAlert(json: alert)
        let query = AlertQuery()
        return EvidenceRecord(
            id: EvidenceName.stem(time: parsed.timestamp, signatureID: parsed.signatureID ?? 0, flowID: parsed.evidenceFlowID),
            alerts: [alert], query: query.expression(for: parsed).description, granularity: .flow, window: query.window(of: parsed),
            packets: 3, bytes: 0, sha256: "", signatureID: parsed.signatureID ?? 0, flowID: parsed.evidenceFlowID,
            alertTime: parsed.timestamp, written: written)
    }

    @Test func namesFilesByAlertTimeSignatureAndFlow() throws {
        #expect(try Self.record().id == "20190314T190403Z_9000004_736158315449115")
        #expect(EvidenceName.stem(time: Timestamp(seconds: 0, nanoseconds: 999), signatureID: -3, flowID: 0) == "19700101T000000Z_-3_0")
    }

    @Test(arguments: [
        ("20190314T190403Z_9000004_736158315449115", true), ("19700101T000000Z_-3_0", true),
        ("../20190314T190403Z_1_2", false), ("20190314T190403Z_1_2/..", false), ("..", false), ("", false),
        ("20190314T190403Z_1_2.pcap", false), ("20190314T190403Z_1", false), ("20190314T190403Z_1_2_3", false),
        ("2019031xT190403Z_1_2", false), ("20190314T190403Z_1_-2", false), ("/etc/passwd", false),
    ])
    func validatesIDs(_ id: String, _ valid: Bool) {
        #expect(EvidenceName.isValidStem(id) == valid)
    }

    @Test func stagedFilesAppearOnlyWhenCommitted() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.path + "/nested/evidence"
        let directory = try EvidenceDirectory(path: path)
        let pcap = Array("abc".utf8)
        let written = try directory.stage(pcap: pcap, record: try Self.record())
        #expect(try EvidenceDirectory.records(in: path).isEmpty)
        #expect(try FileSystem.contentsOfDirectory(path).allSatisfy { $0.hasPrefix(".") && $0.hasSuffix(".tmp") })
        try directory.commit()
        #expect(written.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(written.bytes == 3)
        #expect(try FileSystem.readWholeFile("\(path)/\(written.id).pcap") == pcap)
        let names = try FileSystem.contentsOfDirectory(path).sorted()
        #expect(names == [written.id + ".json", written.id + ".pcap"])
        let listed = try EvidenceDirectory.records(in: path)
        #expect(listed == [written])
        #expect(try EvidenceDirectory.pcapPath(in: path, id: written.id) == "\(path)/\(written.id).pcap")
    }

    @Test func laterAlertsOfTheFlowRewriteTheSidecarAndSurviveReopening() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = try EvidenceDirectory(path: scratch.path)
        let first = try directory.stage(pcap: [1, 2, 3], record: try Self.record())
        try directory.commit()
        let laterText = Self.alertText.replacingOccurrences(of: "19:04:03.371057", with: "19:04:30.000000")
            .replacingOccurrences(of: "9000004", with: "9000005")
        let later = try EVEAlert(json: Self.alertJSON(laterText))
        var found = try #require(directory.existing(flowID: later.evidenceFlowID, containing: later.timestamp))
        #expect(found.id == first.id)
        found.alerts.append(Self.alertJSON(laterText))
        try directory.stageSidecar(found)
        try directory.commit()

        let reopened = try EvidenceDirectory(path: scratch.path)
        let again = try #require(reopened.existing(flowID: later.evidenceFlowID, holding: Self.alertJSON(laterText)))
        #expect(again.alerts.count == 2)
        #expect(again.signatureIDs == [9000004, 9000005])
        #expect(again.sha256 == first.sha256)
        // Outside the window (60 s after the first alert) the flow gets new evidence.
        #expect(reopened.existing(flowID: later.evidenceFlowID, containing: later.timestamp.advanced(byNanoseconds: 120_000_000_000)) == nil)
        #expect(try FileSystem.contentsOfDirectory(scratch.path).count == 2)
    }

    @Test func discardingForgetsTheStagedFilesAndTheirIndexEntries() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = try EvidenceDirectory(path: scratch.path)
        let first = try directory.stage(pcap: [1], record: try Self.record())
        try directory.commit()
        var merged = first
        merged.alerts.append(Self.alertJSON(Self.alertText.replacingOccurrences(of: "9000004", with: "9000009")))
        try directory.stageSidecar(merged)
        let otherText = Self.alertText.replacingOccurrences(of: "736158315449115", with: "9")
        let other = try directory.stage(pcap: [2], record: try Self.record(alert: Self.alertJSON(otherText)))
        #expect(directory.existing(flowID: 9, holding: Self.alertJSON(otherText)) != nil)
        directory.discard()
        #expect(directory.existing(flowID: 9, holding: Self.alertJSON(otherText)) == nil)
        #expect(directory.record(flowID: first.flowID, id: first.id)?.alerts.count == 1)
        #expect(try EvidenceDirectory.records(in: scratch.path).map(\.id) == [first.id])
        #expect(try FileSystem.contentsOfDirectory(scratch.path).sorted() == [first.id + ".json", first.id + ".pcap"])
        #expect(!FileSystem.exists("\(scratch.path)/\(other.id).pcap"))
    }

    @Test func listsByAlertTimeAndSignature() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = try EvidenceDirectory(path: scratch.path)
        let first = try directory.stage(pcap: [1], record: try Self.record())
        let otherText = Self.alertText.replacingOccurrences(of: "2019-03-14T19:04:03", with: "2019-03-15T10:00:00")
            .replacingOccurrences(of: "9000004", with: "42").replacingOccurrences(of: "736158315449115", with: "7")
        let second = try directory.stage(pcap: [2], record: try Self.record(alert: Self.alertJSON(otherText)))
        try directory.commit()
        func ids(_ filter: EvidenceFilter) throws -> [String] { try EvidenceDirectory.records(in: scratch.path, matching: filter).map(\.id) }
        #expect(try ids(EvidenceFilter()) == [first.id, second.id])
        #expect(try ids(EvidenceFilter(signatureID: 42)) == [second.id])
        #expect(try ids(EvidenceFilter(start: TimeText.parseTime("2019-03-15T00:00:00Z"))) == [second.id])
        #expect(try ids(EvidenceFilter(end: TimeText.parseTime("2019-03-14T19:04:03.371057Z"))) == [])
        #expect(try ids(EvidenceFilter(end: TimeText.parseTime("2019-03-14T19:04:03.371058Z"))) == [first.id])
        #expect(try ids(EvidenceFilter(start: TimeText.parseTime("2019-03-14T00:00:00Z"), signatureID: 1)) == [])
    }

    @Test func rejectsPathsAsIDsAndReportsMissingEvidence() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        _ = try EvidenceDirectory(path: scratch.path)
        for id in ["../../etc/passwd", "..", "/etc/passwd", "x.pcap"] {
            #expect(throws: EvidenceError.invalidID(id)) { try EvidenceDirectory.pcapPath(in: scratch.path, id: id) }
        }
        #expect(throws: EvidenceError.notFound("20190314T190403Z_1_2")) {
            try EvidenceDirectory.pcapPath(in: scratch.path, id: "20190314T190403Z_1_2")
        }
    }

    @Test func openingRemovesTemporaryFilesAndIgnoresForeignFiles() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        try FileSystem.writeAtomically(directory: scratch.path, name: ".x.pcap.tmp", bytes: [1])
        try FileSystem.writeAtomically(directory: scratch.path, name: "notes.json", bytes: Array("{}".utf8))
        try FileSystem.writeAtomically(directory: scratch.path, name: "20190314T190403Z_1_2.json", bytes: Array("{broken".utf8))
        _ = try EvidenceDirectory(path: scratch.path)
        #expect(!FileSystem.exists(scratch.path + "/.x.pcap.tmp"))
        #expect(try EvidenceDirectory.records(in: scratch.path).isEmpty)
    }

    @Test func prunesByWriteTime() throws {
        let scratch = ScratchDirectory()
        defer { scratch.remove() }
        let directory = try EvidenceDirectory(path: scratch.path)
        let old = try directory.stage(pcap: [1], record: try Self.record(written: Timestamp(seconds: 1_000, nanoseconds: 0)))
        let otherText = Self.alertText.replacingOccurrences(of: "736158315449115", with: "9")
        let fresh = try directory.stage(pcap: [2], record: try Self.record(alert: Self.alertJSON(otherText)))
        try directory.commit()
        #expect(try directory.prune(writtenBefore: Timestamp(seconds: 2_000, nanoseconds: 0)) == 1)
        #expect(try EvidenceDirectory.records(in: scratch.path).map(\.id) == [fresh.id])
        #expect(!FileSystem.exists("\(scratch.path)/\(old.id).pcap"))
    }
}
