import TapedeckPOSIX

/// The bounded hand-over between the producer thread of a ``PushedPacketSource`` and the
/// replayer: a fixed set of ``PacketChunk``s that go to the consumer full and come back empty,
/// so memory stays bounded and nothing is allocated per packet. The producer waits while every
/// chunk is full or being read; the consumer waits while none is full.
final class ChunkChannel: @unchecked Sendable {
    /// The consumer has closed the channel; the producer should stop.
    struct Closed: Error {}

    /// What ``take()`` found.
    enum Taken {
        case chunk(PacketChunk)
        case end
        case failed(String)
    }

    private let lock = ConditionLock()
    /// Full chunks, oldest first, and empty ones; guarded by `lock`.
    private var full: [PacketChunk] = []
    private var empty: [PacketChunk] = []
    private var finished = false
    private var failure: String?
    private var closed = false

    /// A channel of `count` chunks of `capacity` bytes.
    init(chunks count: Int, capacity: Int) {
        full.reserveCapacity(count)
        empty.reserveCapacity(count)
        for _ in 0..<count { empty.append(PacketChunk(capacity: capacity)) }
    }

    // MARK: Producer

    /// An empty chunk with room for a record of `length` bytes (a chunk too small is replaced by
    /// one large enough), waiting while none is empty.
    ///
    /// - Throws: ``Closed`` once the consumer has closed the channel.
    func emptyChunk(roomFor length: Int) throws(Closed) -> PacketChunk {
        lock.lock()
        defer { lock.unlock() }
        while empty.isEmpty, !closed { lock.wait() }
        if closed { throw Closed() }
        let chunk = empty.removeLast()
        return chunk.hasRoom(for: length) ? chunk : PacketChunk(capacity: PacketChunk.footprint(length))
    }

    /// Hands a filled chunk to the consumer.
    func publish(_ chunk: PacketChunk) {
        lock.withLock {
            full.append(chunk)
            lock.broadcast()
        }
    }

    /// The producer is done: at the end of its input (`failure` `nil`) or because it failed.
    func finish(failure: String?) {
        lock.withLock {
            finished = true
            self.failure = failure
            lock.broadcast()
        }
    }

    // MARK: Consumer

    /// The oldest full chunk, waiting while there is none and the producer is not done.
    func take() -> Taken {
        lock.lock()
        defer { lock.unlock() }
        while full.isEmpty, !finished { lock.wait() }
        if !full.isEmpty { return .chunk(full.removeFirst()) }
        return failure.map(Taken.failed) ?? .end
    }

    /// Gives a read chunk back to the producer.
    func recycle(_ chunk: PacketChunk) {
        chunk.reset()
        lock.withLock {
            empty.append(chunk)
            lock.broadcast()
        }
    }

    /// The consumer wants no more: a producer waiting for an empty chunk, or asking for one
    /// later, gets ``Closed``.
    func close() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
    }
}
