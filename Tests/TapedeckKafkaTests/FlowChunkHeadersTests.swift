import Testing
import TapedeckCore
import TapedeckKafka

/// The flow message key and headers follow the contract in `api/asyncapi.yaml`.
@Suite struct FlowChunkHeadersTests {
    @Test func headersOfAFinalChunk() throws {
        let tuple = FiveTuple(ipProtocol: 6, source: try #require(IPAddress("10.0.0.1")),
                              destination: try #require(IPAddress("10.0.0.2")), sourcePort: 1234, destinationPort: 80)
        let headers = FlowChunkHeaders(flowID: 0x00ab_cdef_0123_4567, fiveTuple: tuple,
                                       firstTimestamp: Timestamp(seconds: 1_700_000_000, nanoseconds: 5),
                                       lastTimestamp: Timestamp(seconds: 1_700_000_001, nanoseconds: 123_456_789),
                                       packets: 12, bytes: 3456, chunk: 2, closeReason: .fin, sensor: "sensor-1")
        #expect(headers.key == Array("00abcdef01234567".utf8))
        #expect(headers.kafkaHeaders.map(\.description) == [
            "tapedeck-version=1",
            "tapedeck-flow-id=00abcdef01234567",
            "tapedeck-5tuple=6 10.0.0.1:1234 > 10.0.0.2:80",
            "tapedeck-first-ts=2023-11-14T22:13:20.000000005Z",
            "tapedeck-last-ts=2023-11-14T22:13:21.123456789Z",
            "tapedeck-packets=12",
            "tapedeck-bytes=3456",
            "tapedeck-chunk=2",
            "tapedeck-final=true",
            "tapedeck-close-reason=fin",
            "tapedeck-sensor=sensor-1",
        ])
    }

    @Test func aMiddleChunkHasNoCloseReasonAndIPv6InBrackets() throws {
        let tuple = FiveTuple(ipProtocol: 17, source: try #require(IPAddress("2001:db8::1")),
                              destination: try #require(IPAddress("2001:db8::2")), sourcePort: 5353, destinationPort: 53)
        let headers = FlowChunkHeaders(flowID: 1, fiveTuple: tuple, firstTimestamp: Timestamp(nanoseconds: 0),
                                       lastTimestamp: Timestamp(nanoseconds: 0), packets: 1, bytes: 80, chunk: 0,
                                       closeReason: nil, sensor: "s")
        #expect(headers.isFinal == false)
        #expect(headers.key == Array("0000000000000001".utf8))
        let names = headers.kafkaHeaders.map(\.name)
        #expect(!names.contains(KafkaHeaders.closeReason))
        #expect(headers.kafkaHeaders.first { $0.name == KafkaHeaders.fiveTuple }?.stringValue == "17 [2001:db8::1]:5353 > [2001:db8::2]:53")
        #expect(headers.kafkaHeaders.first { $0.name == KafkaHeaders.final }?.stringValue == "false")
    }
}
