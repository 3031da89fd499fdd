import Testing
import TapedeckCore
import TapedeckKafka

/// A packed header block gives back the headers it was built from, null and empty values included.
@Suite struct KafkaHeaderBlockTests {
    @Test func headersComeBackInOrder() {
        let headers = [KafkaHeader(name: "a", string: "one"), KafkaHeader(name: "empty", value: []),
                       KafkaHeader(name: "null", value: nil), KafkaHeader(name: "a", string: "again"),
                       KafkaHeader(name: "bytes", value: [0, 255, 0])]
        let block = KafkaHeaderBlock(headers)
        #expect(Array(block) == headers)
        #expect(block.count == 5)
        #expect(block.byteCount == headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.count ?? 0) })
        #expect(Array(KafkaHeaderBlock()) == [])
    }

    @Test func writtenValuesKeepOnlyWhatWasWritten() {
        var block = KafkaHeaderBlock(capacity: 16)
        block.append(name: "n", maximumLength: 20) { $0.write(decimal: 42) }
        block.append(name: "nothing", maximumLength: 8) { _ in }
        block.append(name: "s", value: "text".utf8)
        #expect(Array(block).map(\.description) == ["n=42", "nothing=", "s=text"])
        #expect(block.byteCount == 1 + 2 + 7 + 1 + 4)
        #expect(block == [KafkaHeader(name: "n", string: "42"), KafkaHeader(name: "nothing", value: []),
                          KafkaHeader(name: "s", string: "text")])
    }

    @Test func aNameEndsAtANulByteAsLibrdkafkaReadsIt() {
        let block: KafkaHeaderBlock = [KafkaHeader(name: "cut\u{0}off", string: "v"), KafkaHeader(name: "next", string: "w")]
        #expect(Array(block).map(\.description) == ["cut=v", "next=w"])
        #expect(block.byteCount == 3 + 1 + 4 + 1)
    }
}
