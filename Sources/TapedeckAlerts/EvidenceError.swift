import TapedeckPOSIX

/// Why the evidence directory could not be read or written.
public enum EvidenceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file system call failed (the ``Errno`` names the call and the path).
    case system(Errno)
    /// `id` is not the stem of an evidence file (`YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>`);
    /// rejected before it can name a path (`../x`, `/etc/passwd`).
    case invalidID(String)
    /// No evidence file has this id.
    case notFound(String)
    /// A sidecar is not what Tapedeck writes.
    case invalidSidecar(path: String, reason: String)

    public var description: String {
        switch self {
        case .system(let errno): "evidence directory: \(errno)"
        case .invalidID(let id): "'\(id.prefix(80))' is not an evidence id (YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>)"
        case .notFound(let id): "no evidence with id \(id)"
        case .invalidSidecar(let path, let reason): "\(path): not an evidence sidecar: \(reason)"
        }
    }
}
