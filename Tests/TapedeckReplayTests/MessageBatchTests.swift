@testable import TapedeckReplay
import Testing

/// The `sendmmsg` batch: frames packed into one buffer, each described by a message of one iovec.
@Suite struct MessageBatchTests {
    @Test func framesAreCopiedInAndDescribedInOrder() {
        let batch = MessageBatch(capacity: 4, largestFrame: 100)
        let frames: [[UInt8]] = [Array(0..<60), Array(repeating: 7, count: 100), [], Array(1...14)]
        for frame in frames { frame.withUnsafeBytes { batch.append($0) } }
        #expect(batch.count == 4)
        #expect(batch.isFull)
        for (index, frame) in frames.enumerated() {
            let header = batch.messages[index].msg_hdr
            #expect(header.msg_iovlen == 1)
            let vector = header.msg_iov.pointee
            #expect(vector.iov_len == frame.count)
            #expect(batch.length(index) == frame.count)
            if !frame.isEmpty {
                #expect(Array(UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)) == frame)
            }
        }
    }

    @Test func anEmptiedBatchIsFilledFromTheStartAgain() {
        let batch = MessageBatch(capacity: 2, largestFrame: 10)
        [UInt8](repeating: 1, count: 10).withUnsafeBytes { batch.append($0) }
        let first = batch.messages[0].msg_hdr.msg_iov.pointee.iov_base
        batch.removeAll()
        #expect(batch.count == 0 && !batch.isFull)
        [UInt8](repeating: 2, count: 10).withUnsafeBytes { batch.append($0) }
        #expect(batch.messages[0].msg_hdr.msg_iov.pointee.iov_base == first)
        #expect(UnsafeRawBufferPointer(start: first, count: 10).allSatisfy { $0 == 2 })
    }
}
