import CTapedeckLinux

#if canImport(Glibc)
import Glibc
#endif

/// Frames queued for one `sendmmsg`: copied one after another into a buffer allocated once, each
/// described by a message (`mmsghdr`) of one `iovec` pointing at its bytes. Up to ``capacity``
/// frames of up to `largestFrame` bytes each.
final class MessageBatch {
    /// The most frames the batch holds.
    let capacity: Int
    /// The messages, ready for `sendmmsg`: the first ``count`` describe the queued frames.
    let messages: UnsafeMutablePointer<tapedeck_mmsghdr>
    /// Frames queued.
    private(set) var count = 0

    private let buffer: UnsafeMutableRawBufferPointer
    private let vectors: UnsafeMutablePointer<iovec>
    /// Bytes of the buffer in use.
    private var used = 0

    /// A batch of `capacity` frames of up to `largestFrame` bytes.
    init(capacity: Int, largestFrame: Int) {
        self.capacity = capacity
        buffer = .allocate(byteCount: capacity * largestFrame, alignment: 64)
        vectors = .allocate(capacity: capacity)
        messages = .allocate(capacity: capacity)
        for index in 0..<capacity {
            vectors.advanced(by: index).initialize(to: iovec(iov_base: nil, iov_len: 0))
            var header = msghdr()
            header.msg_iov = vectors.advanced(by: index)
            header.msg_iovlen = 1
            messages.advanced(by: index).initialize(to: tapedeck_mmsghdr(msg_hdr: header, msg_len: 0))
        }
    }

    deinit {
        buffer.deallocate()
        vectors.deallocate()
        messages.deallocate()
    }

    /// Whether another frame fits.
    @inline(__always)
    var isFull: Bool { count == capacity }

    /// Copies `frame` in as the next message; the batch must not be full.
    @inline(__always)
    func append(_ frame: UnsafeRawBufferPointer) {
        let target = buffer.baseAddress.unsafelyUnwrapped + used
        if let bytes = frame.baseAddress {
            target.copyMemory(from: bytes, byteCount: frame.count)
        }
        vectors[count] = iovec(iov_base: target, iov_len: frame.count)
        used &+= frame.count
        count &+= 1
    }

    /// Bytes of frame `index`.
    @inline(__always)
    func length(_ index: Int) -> Int {
        vectors[index].iov_len
    }

    /// Empties the batch.
    @inline(__always)
    func removeAll() {
        count = 0
        used = 0
    }
}
