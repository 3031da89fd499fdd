import TapedeckCore

/// The index from canonical 5-tuple to slab slot: open addressing with linear probing and
/// backward-shift deletion, keyed by a seeded 64-bit hash of the tuple.
///
/// It stores only the slot and the hash (12 bytes an entry, at most half full); keys are compared
/// in the slab. The seed is random per index, so that traffic cannot be crafted to collide
/// (the order of entries never shows in the tracker's output).
struct FlowIndex {
    private var slots: [Int32]
    private var hashes: [UInt64]
    private var mask: Int
    /// Number of entries.
    private(set) var count = 0
    private let seed: UInt64

    /// Bytes per flow the index holds at its fullest (two entries per flow at half load).
    static let bytesPerFlow = 2 * (MemoryLayout<Int32>.stride + MemoryLayout<UInt64>.stride)

    init() {
        slots = [Int32](repeating: -1, count: 64)
        hashes = [UInt64](repeating: 0, count: 64)
        mask = 63
        seed = UInt64.random(in: .min ... .max) | 1
    }

    /// The seeded hash of `key`.
    @inline(__always)
    func hash(_ key: FlowKey) -> UInt64 {
        let tuple = key.canonical
        var h = Self.mix(tuple.source.low ^ seed, tuple.source.high &+ (tuple.source.isIPv6 ? 1 : 0))
        h = Self.mix(h ^ tuple.destination.low, tuple.destination.high ^ seed)
        let rest = UInt64(tuple.sourcePort) << 32 | UInt64(tuple.destinationPort) << 16 | UInt64(tuple.ipProtocol)
        return Self.mix(h ^ rest, seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The slot of `key` (whose hash is `hash`), looking keys up in `flows`.
    @inline(__always)
    func find(_ key: FlowKey, hash: UInt64, in flows: FlowSlab) -> Int32? {
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[position]
            if slot < 0 { return nil }
            if hashes[position] == hash, flows[slot].key == key { return slot }
            position = (position + 1) & mask
        }
    }

    /// Adds `slot` under `hash`; the key must not be present.
    mutating func insert(_ slot: Int32, hash: UInt64) {
        if (count + 1) * 2 > slots.count { grow() }
        var position = Int(truncatingIfNeeded: hash) & mask
        while slots[position] >= 0 { position = (position + 1) & mask }
        slots[position] = slot
        hashes[position] = hash
        count += 1
    }

    /// Removes the entry for `slot` under `hash`.
    mutating func remove(_ slot: Int32, hash: UInt64) {
        var position = Int(truncatingIfNeeded: hash) & mask
        while slots[position] != slot {
            if slots[position] < 0 { return }
            position = (position + 1) & mask
        }
        // Backward shift: move later entries of the probe run into the hole when that brings
        // them no further from their home position.
        var hole = position
        var next = (hole + 1) & mask
        while slots[next] >= 0 {
            let home = Int(truncatingIfNeeded: hashes[next]) & mask
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hashes[hole] = hashes[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = -1
        count -= 1
    }

    private mutating func grow() {
        let (oldSlots, oldHashes) = (slots, hashes)
        slots = [Int32](repeating: -1, count: oldSlots.count * 2)
        hashes = [UInt64](repeating: 0, count: oldSlots.count * 2)
        mask = slots.count - 1
        count = 0
        for (slot, hash) in zip(oldSlots, oldHashes) where slot >= 0 {
            insert(slot, hash: hash)
        }
    }

    /// Multiplies to 128 bits and folds (the wyhash mixer).
    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b ^ 0xA076_1D64_78BD_642F)
        return product.high ^ product.low
    }
}
