import TapedeckCore

/// The flows being tracked: states in reusable slots (``FlowSlab``), an index from canonical
/// 5-tuple to slot (``FlowIndex``), one list per ``ActivityClass`` in order of last activity
/// (oldest first) and a list of the flows that hold buffered packets, so that timeouts, idle
/// chunk flushes and eviction find their flows without scanning. The slots and the index keep
/// their largest size.
struct FlowTable {
    /// The states; slots not in use hold a placeholder.
    private let flows = FlowSlab()
    private var freeSlots: [Int32] = []
    private var index = FlowIndex()
    /// Oldest and newest flow of each activity class (-1 for none).
    private var oldest = [Int32](repeating: -1, count: ActivityClass.allCases.count)
    /// See `oldest`.
    private var newest = [Int32](repeating: -1, count: ActivityClass.allCases.count)
    /// Oldest and newest flow of the buffer list: the flows that hold buffered packets, in order
    /// of last activity (-1 for none).
    private var oldestBuffered: Int32 = -1
    /// See `oldestBuffered`.
    private var newestBuffered: Int32 = -1

    /// Number of flows.
    var count: Int { index.count }

    /// The flow in `slot`, read and written in place.
    subscript(slot: Int32) -> FlowState {
        @inline(__always) unsafeAddress { UnsafePointer(flows.address(slot)) }
        @inline(__always) nonmutating unsafeMutableAddress { flows.address(slot) }
    }

    /// The index's hash of `key`, for ``slot(for:hash:)`` and ``insert(_:hash:)``.
    @inline(__always)
    func hash(_ key: FlowKey) -> UInt64 {
        index.hash(key)
    }

    /// The slot of the flow with canonical key `key`, whose hash is `hash`.
    @inline(__always)
    func slot(for key: FlowKey, hash: UInt64) -> Int32? {
        index.find(key, hash: hash, in: flows)
    }

    /// Adds `flow`, whose key's hash is `hash`, newest in its class, and returns its slot.
    mutating func insert(_ flow: FlowState, hash: UInt64) -> Int32 {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            flows[free] = flow
        } else {
            slot = flows.append(flow)
        }
        flows[slot].keyHash = hash
        index.insert(slot, hash: hash)
        link(slot)
        return slot
    }

    /// Removes the flow in `slot` and returns its state.
    mutating func remove(_ slot: Int32) -> FlowState {
        unlink(slot)
        unlinkBuffered(slot)
        let flow = flows[slot]
        flows[slot] = Self.placeholder
        index.remove(slot, hash: flow.keyHash)
        freeSlots.append(slot)
        return flow
    }

    /// Moves the flow in `slot` to the newest end of its (possibly new) activity class, at
    /// clock time `time`.
    mutating func touch(_ slot: Int32, activityClass: ActivityClass, time: Int64) {
        if flows[slot].newer < 0, flows[slot].activityClass == activityClass {
            flows[slot].activity = time
            return
        }
        unlink(slot)
        flows[slot].activityClass = activityClass
        flows[slot].activity = time
        link(slot)
    }

    /// Puts the flow in `slot`, which now holds buffered packets and had a packet just now, at
    /// the newest end of the buffer list.
    mutating func touchBuffered(_ slot: Int32) {
        if flows[slot].isBuffered {
            guard flows[slot].newerBuffered >= 0 else { return }
            unlinkBuffered(slot)
        }
        flows[slot].isBuffered = true
        flows[slot].olderBuffered = newestBuffered
        flows[slot].newerBuffered = -1
        if newestBuffered >= 0 { flows[newestBuffered].newerBuffered = slot } else { oldestBuffered = slot }
        newestBuffered = slot
    }

    /// Takes the flow in `slot` off the buffer list (its buffered packets were emitted).
    mutating func unlinkBuffered(_ slot: Int32) {
        guard flows[slot].isBuffered else { return }
        let (older, newer) = (flows[slot].olderBuffered, flows[slot].newerBuffered)
        if older >= 0 { flows[older].newerBuffered = newer } else { oldestBuffered = newer }
        if newer >= 0 { flows[newer].olderBuffered = older } else { newestBuffered = older }
        flows[slot].isBuffered = false
    }

    /// The least recently active flow that holds buffered packets.
    var oldestWithBufferedPackets: Int32? {
        oldestBuffered < 0 ? nil : oldestBuffered
    }

    /// The least recently active flow of `activityClass`.
    @inline(__always)
    func oldest(in activityClass: ActivityClass) -> Int32? {
        let slot = oldest[activityClass.rawValue]
        return slot < 0 ? nil : slot
    }

    /// The least recently active flow of all.
    func leastRecentlyActive() -> Int32? {
        var best: Int32?
        for activityClass in ActivityClass.allCases {
            guard let slot = oldest(in: activityClass) else { continue }
            if best.map({ flows[slot].activity < flows[$0].activity }) ?? true { best = slot }
        }
        return best
    }

    /// Every flow's slot, oldest activity first within each class.
    var allSlots: [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(count)
        for activityClass in ActivityClass.allCases {
            var slot = oldest[activityClass.rawValue]
            while slot >= 0 {
                result.append(slot)
                slot = flows[slot].newer
            }
        }
        return result
    }

    private mutating func link(_ slot: Int32) {
        let list = flows[slot].activityClass.rawValue
        let tail = newest[list]
        flows[slot].older = tail
        flows[slot].newer = -1
        if tail >= 0 { flows[tail].newer = slot } else { oldest[list] = slot }
        newest[list] = slot
    }

    private mutating func unlink(_ slot: Int32) {
        let list = flows[slot].activityClass.rawValue
        let (older, newer) = (flows[slot].older, flows[slot].newer)
        if older >= 0 { flows[older].newer = newer } else { oldest[list] = newer }
        if newer >= 0 { flows[newer].older = older } else { newest[list] = older }
    }

    /// What free slots hold: no buffers.
    private static let placeholder: FlowState = {
        let key = FlowKey(FiveTuple(ipProtocol: 0, source: IPAddress(ipv4: 0), destination: IPAddress(ipv4: 0),
                                    sourcePort: 0, destinationPort: 0))
        return FlowState(key: key, record: PacketRecord(timestamp: Timestamp(nanoseconds: 0), originalLength: 0,
                                                        linkType: .ethernet, bytes: UnsafeRawBufferPointer(start: nil, count: 0)),
                         fromCanonicalSource: true, isTCP: false, segment: nil)
    }()
}
