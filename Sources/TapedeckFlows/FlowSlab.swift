/// The flow table's states, by slot: a growable buffer that is read and written in place.
///
/// A class holding a raw buffer rather than an array, so that the many small reads and writes
/// of the per-packet path cost neither copy-on-write uniqueness checks nor bounds checks; the
/// tracker owns it on one thread, and slots are only ever those ``append(_:)`` returned.
final class FlowSlab {
    private var base: UnsafeMutablePointer<FlowState>
    /// Slots allocated.
    private(set) var capacity: Int
    /// Slots in use or free for reuse (initialized).
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Adds `flow` in a new slot (doubling the buffer when full) and returns the slot.
    func append(_ flow: FlowState) -> Int32 {
        if count == capacity {
            let grown = UnsafeMutablePointer<FlowState>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: flow)
        count += 1
        return Int32(count - 1)
    }

    /// Where the state in `slot` is; valid until the next ``append(_:)``.
    @inline(__always)
    func address(_ slot: Int32) -> UnsafeMutablePointer<FlowState> {
        base + Int(slot)
    }

    /// The state in `slot`.
    subscript(slot: Int32) -> FlowState {
        @inline(__always) unsafeAddress { UnsafePointer(address(slot)) }
        @inline(__always) unsafeMutableAddress { address(slot) }
    }
}
