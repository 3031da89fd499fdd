/// Why JSON is not an evidence sidecar.
public struct EvidenceRecordError: Error, Equatable, Sendable {
    /// What is wrong, e.g. `missing 'sha256'`.
    public var message: String
}
