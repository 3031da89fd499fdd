#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EventNotifier {
    /// Makes the descriptor unreadable again: reads the counter back to 0 (`read(2)` of 8
    /// bytes), so that a poll loop can wait for the next ``notify()``. Nothing happens if no
    /// notification is pending.
    public func reset() {
        var value: UInt64 = 0
        _ = Glibc.read(descriptor.rawValue, &value, 8)
    }
}
