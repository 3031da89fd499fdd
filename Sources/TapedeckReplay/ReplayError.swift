import TapedeckCapture
import TapedeckPOSIX

/// Why a replay could not start or could not go on.
public enum ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A capture file could not be opened or read; the ``CaptureError`` says where.
    case capture(CaptureError)

    /// Another source failed: the store (a query), a Kafka topic. `name` is the source's
    /// ``ReplaySource/name``, `reason` what went wrong.
    case source(name: String, reason: String)

    /// A system call of the injector on `interface` failed (`socket`, `setsockopt`, `mmap`,
    /// `bind`, `send`, …); the ``Errno`` names it. `EPERM`: sending needs root or `CAP_NET_RAW`;
    /// `ENODEV`: no such interface; `ENETDOWN`: the interface is down.
    case system(interface: String, Errno)

    /// The injector cannot send on `interface` for a reason that is not a failed system call:
    /// libpcap's message, or a link layer it does not know how to send on.
    case cannotInject(interface: String, reason: String)

    /// A replay setting is out of range; `reason` names it, its value and what it must be.
    case invalidConfiguration(reason: String)

    public var description: String {
        switch self {
        case .capture(let error): error.description
        case .source(let name, let reason): "\(name): \(reason)"
        case .system(let interface, let error): "sending on \(interface): \(error)"
        case .cannotInject(let interface, let reason): "sending on \(interface): \(reason)"
        case .invalidConfiguration(let reason): "invalid replay configuration: \(reason)"
        }
    }
}
