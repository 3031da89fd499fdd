import TapedeckCore
import TapedeckPOSIX

/// A ``ReplaySource`` for inputs that push packets to a callback rather than return them one by
/// one: the store's query executor (`QueryExecutor.run { record in … }`), a Kafka consumer loop.
/// A producer thread runs the push loop and copies each packet into a few fixed-size chunks that
/// it hands over through a bounded channel; ``next()`` returns the packets of one chunk after
/// another. Memory stays at `chunkCount × chunkSize` (a larger chunk is made for a packet that
/// does not fit one), nothing is allocated per packet, and a slow replay holds the producer back
/// rather than buffering its input.
///
/// The producer's packets are copied once, into the chunks; the replayer's injector copies them
/// once more, into its send queue.
///
/// ## Ending
/// The producer's end is the source's end. An error the producer throws is returned by ``next()``
/// as ``ReplayError/source(name:reason:)`` after every packet before it. ``close()`` (also from
/// `deinit`) makes the producer's next ``Emitter/emit(_:)`` throw, so that its loop unwinds, and
/// waits for its thread.
public final class PushedPacketSource: ReplaySource {
    /// What the producer pushes its packets into; used on the producer's thread only.
    public final class Emitter {
        private let channel: ChunkChannel
        private var current: PacketChunk?

        init(channel: ChunkChannel) {
            self.channel = channel
        }

        /// Copies `record` into the current chunk, handing it over when it is full (and waiting
        /// for an empty one).
        ///
        /// - Throws: an error the producer should let through once the replay has closed the
        ///   source.
        @inline(__always)
        public func emit(_ record: PacketRecord) throws {
            if let current, current.hasRoom(for: record.bytes.count) {
                current.append(record)
                return
            }
            flush()
            let chunk = try channel.emptyChunk(roomFor: record.bytes.count)
            chunk.append(record)
            current = chunk
        }

        /// Hands the partly filled chunk over now, for a producer about to wait for more input
        /// (a consumer at the end of a topic), so that the packets already pushed are sent.
        public func flush() {
            if let current, !current.isEmpty {
                channel.publish(current)
                self.current = nil
            }
        }
    }

    /// The push loop: calls ``Emitter/emit(_:)`` for every packet, in order, and returns at the
    /// end of its input or throws.
    public typealias Producer = @Sendable (Emitter) throws -> Void

    public let name: String
    private let channel: ChunkChannel
    private var thread: OSThread?
    private var current: PacketChunk?

    /// Starts `produce` on a thread of its own.
    ///
    /// - Parameters:
    ///   - name: what the packets come from, for messages (the query).
    ///   - chunkSize: bytes of each chunk. Default 1 MiB.
    ///   - chunkCount: chunks in flight, at least 2 (one filling, one being read). Default 4.
    /// - Throws: ``ReplayError/source(name:reason:)`` when the thread cannot be started.
    public init(name: String, chunkSize: Int = 1 << 20, chunkCount: Int = 4, produce: @escaping Producer) throws(ReplayError) {
        self.name = name
        let channel = ChunkChannel(chunks: max(2, chunkCount), capacity: max(chunkSize, PacketChunk.footprint(0)))
        self.channel = channel
        do {
            thread = try OSThread(name: "replay source") {
                let emitter = Emitter(channel: channel)
                do {
                    try produce(emitter)
                    emitter.flush()
                    channel.finish(failure: nil)
                } catch is ChunkChannel.Closed {
                    channel.finish(failure: nil)
                } catch {
                    emitter.flush()
                    channel.finish(failure: String(describing: error))
                }
            }
        } catch {
            throw .source(name: name, reason: "cannot start its thread: \(error)")
        }
    }

    deinit {
        close()
    }

    @inline(__always)
    public func next() throws(ReplayError) -> PacketRecord? {
        while true {
            if let current {
                if let record = current.next() { return record }
                channel.recycle(current)
                self.current = nil
            }
            switch channel.take() {
            case .chunk(let chunk): current = chunk
            case .end: return nil
            case .failed(let reason): throw .source(name: name, reason: reason)
            }
        }
    }

    /// Stops the producer and waits for its thread.
    public func close() {
        channel.close()
        thread?.join()
        thread = nil
    }
}

@available(*, unavailable, message: "a source and the records it returns belong to one thread at a time")
extension PushedPacketSource: Sendable {}
