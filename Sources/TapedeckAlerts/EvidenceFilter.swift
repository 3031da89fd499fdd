import TapedeckCore

/// Which evidence `GET /v1/evidence` lists: evidence with an alert in `[start, end)` and, if
/// given, an alert of the signature.
public struct EvidenceFilter: Equatable, Sendable {
    /// Earliest alert time, inclusive; nil for no bound.
    public var start: Timestamp?
    /// Latest alert time, exclusive; nil for no bound.
    public var end: Timestamp?
    /// A signature id one of the alerts must have; nil for any.
    public var signatureID: Int64?

    /// A filter; everything passes by default.
    public init(start: Timestamp? = nil, end: Timestamp? = nil, signatureID: Int64? = nil) {
        self.start = start
        self.end = end
        self.signatureID = signatureID
    }

    /// Whether `record` passes.
    public func matches(_ record: EvidenceRecord) -> Bool {
        if let signatureID, !record.signatureIDs.contains(signatureID), record.signatureID != signatureID { return false }
        guard start != nil || end != nil else { return true }
        let window = TimeWindow(start: start ?? .distantPast, end: end ?? .distantFuture)
        return (record.alertTimes + [record.alertTime]).contains { window.contains($0) }
    }
}
