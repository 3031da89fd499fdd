import TapedeckCore

/// How much a store may keep. Any combination of limits may be set; the strictest wins. The
/// oldest sealed segments (by their latest packet) are deleted first; the segment being
/// recorded never is.
public struct RetentionPolicy: Sendable, Equatable {
    /// An amount of disk space: bytes, or a percentage of the file system holding the store.
    public enum Amount: Sendable, Equatable, CustomStringConvertible {
        case bytes(Int64)
        case percent(Double)

        /// The amount in bytes on a file system of `total` bytes.
        public func bytes(ofFileSystemTotal total: Int64) -> Int64 {
            switch self {
            case .bytes(let bytes): bytes
            case .percent(let percent): Int64(Double(total) * percent / 100)
            }
        }

        /// Parses `500GiB`, `2TB`, `1048576`, `80%`: a number with an optional unit (B, K/KB/KiB,
        /// M/MB/MiB, G/GB/GiB, T/TB/TiB; decimal units are powers of 1000, binary ones of 1024)
        /// or a percentage from 0 to 100.
        public init?(_ text: String) {
            let trimmed = text.trimmingWhitespace()
            if trimmed.hasSuffix("%") {
                guard let percent = Double(trimmed.dropLast()), percent >= 0, percent <= 100 else { return nil }
                self = .percent(percent)
                return
            }
            let digits = trimmed.prefix { $0.isNumber || $0 == "." }
            let unit = trimmed.dropFirst(digits.count).lowercased().filter { $0 != " " }
            let (kibi, mebi, gibi, tebi) = (1024.0, 1_048_576.0, 1_073_741_824.0, 1_099_511_627_776.0)
            let multipliers: [String: Double] = [
                "": 1, "b": 1, "k": kibi, "kib": kibi, "kb": 1e3, "m": mebi, "mib": mebi, "mb": 1e6,
                "g": gibi, "gib": gibi, "gb": 1e9, "t": tebi, "tib": tebi, "tb": 1e12,
            ]
            guard let number = Double(digits), let multiplier = multipliers[unit] else { return nil }
            let bytes = number * multiplier
            guard bytes >= 0, bytes < 9e18 else { return nil }
            self = .bytes(Int64(bytes))
        }

        public var description: String {
            switch self {
            case .bytes(let bytes): "\(bytes) bytes"
            case .percent(let percent): "\(percent)%"
            }
        }
    }

    /// The most the store may use (data and index files).
    public var diskBudget: Amount?
    /// The least free space to leave on the store's file system.
    public var minimumFree: Amount?
    /// The longest span of packet time to keep, in nanoseconds, counted back from the newest
    /// packet in the store (for a recorder that is now; for an import of old captures it is the
    /// newest imported packet, so old captures are not deleted for being old).
    public var maximumAge: Int64?

    /// No limits.
    public init(diskBudget: Amount? = nil, minimumFree: Amount? = nil, maximumAge: Int64? = nil) {
        self.diskBudget = diskBudget
        self.minimumFree = minimumFree
        self.maximumAge = maximumAge
    }

    /// Whether no limit is set.
    public var isUnlimited: Bool { diskBudget == nil && minimumFree == nil && maximumAge == nil }

    /// The bytes the store may occupy, given its file system's size and free space and the store's
    /// current size; nil when no space limit is set.
    public func allowedStoreBytes(fileSystemTotal: Int64, fileSystemAvailable: Int64, storeBytes: Int64) -> Int64? {
        var allowed: Int64?
        if let diskBudget {
            allowed = diskBudget.bytes(ofFileSystemTotal: fileSystemTotal)
        }
        if let minimumFree {
            let keepFree = minimumFree.bytes(ofFileSystemTotal: fileSystemTotal)
            let fromFree = storeBytes + fileSystemAvailable - keepFree
            allowed = min(allowed ?? .max, fromFree)
        }
        return allowed.map { max(0, $0) }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
