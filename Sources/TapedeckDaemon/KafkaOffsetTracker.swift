/// The at-least-once bookkeeping of a ``KafkaReplaySource``: which messages' packets have all been
/// sent, and so which offsets may be committed.
///
/// Messages are added in the order they are consumed, each with the number of packets the source
/// had returned once its last packet was returned (for a message without packets, or a malformed
/// one, the number returned before it). Packets are returned in that order, so when the first `n`
/// packets are acknowledged, the messages done are a prefix of that list; within a partition they
/// are in offset order, so the offset to commit for each partition is the one after the last
/// message done.
struct KafkaOffsetTracker {
    private struct Entry {
        var partition: Int32
        var offset: Int64
        var lastPacket: Int
    }

    private var entries: [Entry] = []
    private var head = 0
    /// Per partition, the next offset to commit, for messages done since the last ``takeCommits()``.
    private var done: [Int32: Int64] = [:]

    /// The message at `offset` in `partition` is done once the first `lastPacket` packets are.
    mutating func add(partition: Int32, offset: Int64, lastPacket: Int) {
        entries.append(Entry(partition: partition, offset: offset, lastPacket: lastPacket))
    }

    /// The first `count` packets returned have been sent (or left out, or failed).
    mutating func acknowledge(_ count: Int) {
        while head < entries.count, entries[head].lastPacket <= count {
            let entry = entries[head]
            done[entry.partition] = max(done[entry.partition] ?? 0, entry.offset + 1)
            head += 1
        }
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// Messages added and not done yet.
    var outstanding: Int { entries.count - head }

    /// Whether some partition has a new offset to commit.
    var hasCommits: Bool { !done.isEmpty }

    /// The next offset to commit per partition, for the messages done since the last call.
    mutating func takeCommits() -> [Int32: Int64] {
        defer { done = [:] }
        return done
    }

    /// Puts back offsets whose commit failed, under any newer ones.
    mutating func restore(_ offsets: [Int32: Int64]) {
        done.merge(offsets) { max($0, $1) }
    }
}
