import TapedeckPOSIX

/// What can go wrong with a store, with enough context to act on it.
public enum StorageError: Error, CustomStringConvertible, Sendable {
    /// A system call failed.
    case system(Errno)
    /// The directory is not a Tapedeck store, or one of a format version this build cannot read.
    case notAStore(path: String, reason: String)
    /// Another process is writing to the store.
    case locked(path: String)
    /// A file of the store is damaged at `offset`.
    case corrupt(path: String, offset: Int64, reason: String)
    /// A packet cannot be stored as given.
    case invalidPacket(reason: String)
    /// The store was used after it was closed.
    case closed

    public var description: String {
        switch self {
        case .system(let error): "\(error)"
        case .notAStore(let path, let reason): "\(path) is not a usable Tapedeck store: \(reason)"
        case .locked(let path): "\(path) is being written by another tapedeck process (lock held on \(path)/lock)"
        case .corrupt(let path, let offset, let reason): "\(path): corrupt at byte \(offset): \(reason)"
        case .invalidPacket(let reason): "invalid packet: \(reason)"
        case .closed: "the store writer is closed"
        }
    }
}
