import Foundation
import Testing

/// Flow publishing end to end against a real broker (noida-db, `TAPEDECK_TEST_KAFKA`), read back
/// by an independent client (kcat) and checked against independent oracles: tshark's conversation
/// list and tcpdump's packets of each conversation; Wireshark's readers open every message.
@Suite(.serialized) struct FlowPublishingTests {
    /// The real captures of the end-to-end test: Linux SLL, BSD null, pcapng; IPv4 and IPv6; TCP
    /// with out-of-order segments, a 1 MB transfer, an hour of mDNS.
    static let captures = ["KakaoTalk_talk.pcap", "rdp.pcap", "1kxun.pcap", "ftp.pcap", "no_sni.pcap", "wechat.pcap"]

    // MARK: - Reading the topic with kcat

    /// One message as kcat printed it, value byte for byte.
    struct Message: Sendable {
        var offset: Int64
        var key: String
        var headers: [String: String]
        var value: [UInt8]

        var flowID: String { headers["tapedeck-flow-id"] ?? "" }
        var chunk: Int { Int(headers["tapedeck-chunk"] ?? "") ?? -1 }
        var isFinal: Bool { headers["tapedeck-final"] == "true" }
        var identity: Identity { Identity(flowID: flowID, chunk: chunk) }
    }

    /// (flow id, chunk index): what consumers dedupe by.
    struct Identity: Hashable, CustomStringConvertible {
        var flowID: String
        var chunk: Int
        var description: String { "\(flowID)#\(chunk)" }
    }

    /// A message's identity and its value, for comparing publishes.
    struct Fingerprint: Hashable {
        var identity: Identity
        var value: [UInt8]
    }

    /// Everything in `topic`, from the beginning to the end, as kcat reads it:
    /// `-f '%o %S %k %h\n%s'` (offset, value size, key, headers, then the value's bytes).
    static func kcatMessages(_ topic: String) async throws -> [Message] {
        let scratch = try TemporaryDirectory("kcat")
        let output = scratch.path("out")
        let result = try await ProcessRunner.run(try Tool.find("kcat", package: "kcat"), [
            "-b", try KafkaBroker.address(), "-C", "-t", topic, "-o", "beginning", "-e", "-q",
            "-X", "fetch.message.max.bytes=2000000", "-f", "%o %S %k %h\n%s",
        ], stdoutPath: output)
        guard result.succeeded else { throw TestFailure(description: "kcat failed: \(result.summary)") }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        var messages: [Message] = []
        var index = 0
        while index < bytes.count {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else {
                throw TestFailure(description: "kcat output ends in the middle of a message line at byte \(index)")
            }
            let line = String(decoding: bytes[index..<newline], as: UTF8.self)
            let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3, let offset = Int64(fields[0]), let size = Int(fields[1]), size >= 0,
                  newline + 1 + size <= bytes.count else {
                throw TestFailure(description: "cannot parse kcat's message line '\(line.prefix(300))'")
            }
            var headers: [String: String] = [:]
            if fields.count == 4 {
                for pair in fields[3].split(separator: ",") {
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    headers[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
                }
            }
            messages.append(Message(offset: offset, key: String(fields[2]), headers: headers,
                                    value: Array(bytes[(newline + 1)..<(newline + 1 + size)])))
            index = newline + 1 + size
        }
        return messages
    }

    /// The number of messages in `topic` (partition 0's end offset, `kcat -Q`); 0 before it exists.
    static func messageCount(_ topic: String) async throws -> Int {
        let result = try await ProcessRunner.run(try Tool.find("kcat", package: "kcat"),
                                                 ["-b", try KafkaBroker.address(), "-Q", "-t", "\(topic):0:-1"])
        guard result.succeeded else { return 0 }
        return result.stdoutText.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    // MARK: - Conversations

    /// A TCP or UDP conversation, endpoints in either order.
    struct ConversationKey: Hashable, CustomStringConvertible {
        var transport: String
        var endpoints: [String]

        init(transport: String, _ a: String, _ portA: Int, _ b: String, _ portB: Int) {
            self.transport = transport
            endpoints = ["\(a)|\(portA)", "\(b)|\(portB)"].sorted()
        }

        /// The conversation of a `tapedeck-5tuple` header (`6 10.0.0.1:1234 > [::1]:80`); nil when
        /// it is neither TCP nor UDP.
        init?(fiveTuple text: String) {
            let parts = text.split(separator: " ")
            guard parts.count == 4, parts[2] == ">", let source = Self.endpoint(parts[1]), let destination = Self.endpoint(parts[3])
            else { return nil }
            switch parts[0] {
            case "6": self.init(transport: "tcp", source.0, source.1, destination.0, destination.1)
            case "17": self.init(transport: "udp", source.0, source.1, destination.0, destination.1)
            default: return nil
            }
        }

        private static func endpoint(_ text: Substring) -> (String, Int)? {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
            return (String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
        }

        var description: String { "\(transport) \(endpoints.joined(separator: " <-> "))" }
    }

    /// The packets tcpdump selects for `conversation` in `file`, both directions, in file order.
    static func oraclePackets(_ conversation: Tshark.Conversation, in file: String) async throws -> [CapturedPacket] {
        let c = conversation
        let filter = "\(c.transport) and ((src host \(c.addressA) and src port \(c.portA) and dst host \(c.addressB) and dst port \(c.portB))"
            + " or (src host \(c.addressB) and src port \(c.portB) and dst host \(c.addressA) and dst port \(c.portA)))"
        return try await Tcpdump.filter(file, filter)
    }

    // MARK: - End to end

    @Test func importPublishesEveryConversationCompletelyOncePerChunkAndWiresharkReadsEveryMessage() async throws {
        let address = try KafkaBroker.address()
        let scratch = try TemporaryDirectory("publish-e2e")
        let cli = try TapedeckCLI(in: scratch)
        let topic = KafkaBroker.uniqueTopic("flows-e2e")
        let files = Self.captures.map(Fixtures.path)
        let imported = try await cli.run("import", ["--no-progress", "--kafka-brokers", address, "--kafka-topic", topic,
                                                    "--sensor", "itest"] + files)
        try #require(imported.succeeded, "\(imported.summary)")
        #expect(imported.stderrText.contains("published"))
        #expect(imported.stderrText.contains("pending 0"))

        let messages = try await Self.kcatMessages(topic)
        try #require(!messages.isEmpty)
        #expect(messages.map(\.offset) == Array(0..<Int64(messages.count)))

        // Every message: key = flow id header, the contract's headers, a complete nanosecond pcap
        // whose packet count and bytes the headers state.
        var flows: [String: [Message]] = [:]
        var captures: [Identity: CaptureFile] = [:]
        for message in messages {
            #expect(message.key == message.flowID && message.key.count == 16 && UInt64(message.key, radix: 16) != nil)
            #expect(message.headers["tapedeck-sensor"] == "itest")
            #expect(message.headers["tapedeck-version"] == "1")
            #expect(message.isFinal == (message.headers["tapedeck-close-reason"] != nil))
            if let reason = message.headers["tapedeck-close-reason"] {
                #expect(["fin", "rst", "idle", "evicted", "shutdown"].contains(reason))
            }
            let capture = try CaptureFile(bytes: message.value)
            #expect(capture.format == .pcap(nanoseconds: true, bigEndian: false))
            #expect(capture.damageOffset == nil, "message \(message.offset) holds a damaged pcap")
            #expect(capture.packets.count == Int(message.headers["tapedeck-packets"] ?? "") ?? -1)
            #expect(capture.packets.reduce(0) { $0 + Int($1.originalLength) } == Int(message.headers["tapedeck-bytes"] ?? "") ?? -1,
                    "tapedeck-bytes is the sum of the packets' wire lengths")
            if capture.packets.isEmpty {
                // Only a final chunk may be empty: the flow's packets were all in earlier chunks
                // (FlowChunk's contract); its times are those of the flow's last packet.
                #expect(message.isFinal && message.chunk > 0, "message \(message.offset): a chunk without packets that is not a final one")
                #expect(message.headers["tapedeck-first-ts"] == message.headers["tapedeck-last-ts"])
            } else {
                #expect(capture.packets.first?.time == rfc3339Header(message.headers["tapedeck-first-ts"]))
                #expect(capture.packets.last?.time == rfc3339Header(message.headers["tapedeck-last-ts"]))
            }
            #expect(captures.updateValue(capture, forKey: message.identity) == nil, "\(message.identity) published twice")
            flows[message.flowID, default: []].append(message)
        }

        // Per flow: chunks 0, 1, 2, … in topic order, each once, only the last final, one 5-tuple.
        var conversationFlows: [ConversationKey: [(start: Int64, packets: [CapturedPacket])]] = [:]
        for (flowID, chunks) in flows {
            #expect(chunks.map(\.chunk) == Array(0..<chunks.count), "flow \(flowID): chunks \(chunks.map(\.chunk))")
            #expect(chunks.last?.isFinal == true, "flow \(flowID) has no final chunk")
            #expect(chunks.dropLast().allSatisfy { !$0.isFinal }, "flow \(flowID) has a final chunk before its last")
            if chunks.count > 1, let last = chunks.last, last.headers["tapedeck-packets"] == "0" {
                #expect(last.headers["tapedeck-last-ts"] == chunks[chunks.count - 2].headers["tapedeck-last-ts"])
            }
            #expect(Set(chunks.compactMap { $0.headers["tapedeck-5tuple"] }).count == 1)
            let packets = chunks.flatMap { captures[$0.identity]?.packets ?? [] }
            guard let tuple = chunks.first?.headers["tapedeck-5tuple"], let key = ConversationKey(fiveTuple: tuple),
                  let start = packets.first?.time else { continue }
            conversationFlows[key, default: []].append((start, packets))
        }

        // Every published packet is an input packet.
        var inputKeys = Set<PacketKey>()
        for file in files { for packet in try CaptureFile(path: file).packets { inputKeys.insert(PacketKey(packet)) } }
        let publishedPackets = captures.values.flatMap(\.packets)
        #expect(publishedPackets.allSatisfy { inputKeys.contains(PacketKey($0)) }, "a message holds a packet that is not in the input")

        // Every TCP and UDP conversation of the input (tshark), complete: its flows' packets,
        // flow after flow, are tcpdump's packets of that conversation, byte for byte, in order.
        var expected: [ConversationKey: [CapturedPacket]] = [:]
        for file in files {
            let conversations = try await Tshark.conversations(file)
            #expect(!conversations.isEmpty)
            let packets = try await boundedConcurrentMap(conversations, width: 2) { conversation in
                try await Self.oraclePackets(conversation, in: file)
            }
            for (conversation, packets) in zip(conversations, packets) {
                let key = ConversationKey(transport: conversation.transport, conversation.addressA, conversation.portA,
                                          conversation.addressB, conversation.portB)
                expected[key, default: []] += packets
            }
        }
        #expect(expected.count > 200)
        var complete = 0
        for (key, oracle) in expected {
            guard let published = conversationFlows[key] else {
                Issue.record("conversation \(key) (\(oracle.count) packets) is not in the topic")
                continue
            }
            let actual = published.sorted { $0.start < $1.start }.flatMap(\.packets)
            let comparable = { (packets: [CapturedPacket]) in packets.map(PacketKey.init) }
            if comparable(actual) == comparable(oracle) {
                complete += 1
            } else {
                Issue.record("conversation \(key): \(PacketComparison.difference(expected: oracle, actual: actual) ?? "link types differ")")
            }
        }
        #expect(complete == expected.count)
        #expect(Set(conversationFlows.keys).subtracting(expected.keys).isEmpty,
                "flows of conversations tshark does not list: \(Set(conversationFlows.keys).subtracting(expected.keys).prefix(5))")

        // Wireshark's reader opens every message: capinfos on all of them (a few hundred per run),
        // tshark on a few.
        let values = try TemporaryDirectory("values")
        var paths: [String] = []
        for message in messages {
            let path = values.path(String(format: "%06lld.pcap", message.offset))
            try Data(message.value).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        var batch = 0
        while batch < paths.count {
            let files = Array(paths[batch..<min(batch + 300, paths.count)])
            let result = try await ProcessRunner.run(try Tool.capinfos(), ["-M", "-c"] + files)
            #expect(result.succeeded, "capinfos: \(result.summary)")
            let counts = result.stdoutText.split(separator: "\n").filter { $0.hasPrefix("Number of packets:") }
                .map { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? -1 }
            let headerCounts = messages[batch..<(batch + files.count)].map { Int($0.headers["tapedeck-packets"] ?? "") ?? -2 }
            #expect(counts == headerCounts)
            batch += files.count
        }
        let largest = messages.indices.max { messages[$0].value.count < messages[$1].value.count }!
        for index in Set([0, largest, messages.count - 1]) {
            #expect(try await Tshark.packetCount(paths[index]) == Int(messages[index].headers["tapedeck-packets"] ?? "") ?? -1)
        }
    }

    /// A `tapedeck-first-ts`/`-last-ts` header (RFC 3339, UTC, nanoseconds) as nanoseconds.
    private func rfc3339Header(_ text: String?) -> Int64? {
        text.flatMap(RFC3339.parseUTC)
    }

    // MARK: - kill -9

    /// `(flow id, chunk) → value` of every message, and the messages in topic order.
    private func fingerprints(_ messages: [Message]) -> [Fingerprint] {
        messages.map { Fingerprint(identity: $0.identity, value: $0.value) }
    }

    @Test func publishKilledMidwayLosesNothingAndRepeatsOnlyWhatFollowsTheCheckpoint() async throws {
        let address = try KafkaBroker.address()
        let scratch = try TemporaryDirectory("publish-kill")
        // 20 copies of KakaoTalk_talk.pcap (80 s apart) and three more captures: about 600 chunks.
        let (repeated, _) = try DerivedCaptures.repeated("KakaoTalk_talk.pcap", copies: 20, spacing: 80_000_000_000, into: scratch)
        let input = [repeated] + ["1kxun.pcap", "rdp.pcap", "ftp.pcap"].map(Fixtures.path)
        let cli = try TapedeckCLI(in: scratch)
        let imported = try await cli.run("import", ["--no-progress"] + input)
        try #require(imported.succeeded, "\(imported.summary)")

        // The reference: a clean publish of a copy of the store.
        let referenceStore = scratch.path("reference")
        let copied = try await ProcessRunner.run("/bin/cp", ["-a", cli.store, referenceStore])
        try #require(copied.succeeded, "\(copied.summary)")
        let referenceTopic = KafkaBroker.uniqueTopic("flows-reference")
        let clean = try await ProcessRunner.run(cli.executable, ["publish", "--store", referenceStore, "--kafka-brokers", address,
                                                                 "--kafka-topic", referenceTopic])
        try #require(clean.succeeded, "\(clean.summary)")
        let reference = fingerprints(try await Self.kcatMessages(referenceTopic))
        try #require(reference.count > 300)
        #expect(Set(reference.map(\.identity)).count == reference.count)

        // A throttled publish: one message in librdkafka's queue at a time, each waiting to fill a
        // batch of two until linger.ms. Killed once part of the store is acknowledged and a
        // checkpoint was written.
        let topic = KafkaBroker.uniqueTopic("flows-kill")
        let checkpointPath = cli.store + "/kafka/\(topic).checkpoint"
        let publisher = try RunningProcess(cli.executable, [
            "publish", "--store", cli.store, "--kafka-brokers", address, "--kafka-topic", topic,
            "-X", "queue.buffering.max.messages=1", "-X", "batch.num.messages=2", "-X", "linger.ms=5",
        ])
        let deadline = ContinuousClock.now + .seconds(120)
        var countAtKill = 0
        while !publisher.hasEnded, ContinuousClock.now < deadline {
            countAtKill = try await Self.messageCount(topic)
            if countAtKill >= 100, FileManager.default.fileExists(atPath: checkpointPath) { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        try #require(!publisher.hasEnded, "the publish ended before it could be killed (\(countAtKill) messages)")
        publisher.kill(SIGKILL)
        let killed = await publisher.wait()
        try #require(killed.signaled && killed.status == SIGKILL, "\(killed.summary)")
        let checkpointText = try String(contentsOfFile: checkpointPath, encoding: .utf8)
        let checkpointSequence = try #require(checkpointText.split(separator: "\n")
            .first { $0.hasPrefix("sequence ") }.flatMap { Int($0.dropFirst("sequence ".count)) })
        let afterKill = try await Self.messageCount(topic)
        #expect(afterKill < reference.count, "the kill came too late: \(afterKill) of \(reference.count) messages were in the topic")
        #expect(checkpointSequence > 0 && checkpointSequence <= afterKill)

        // The next run publishes the rest.
        let rerun = try await cli.run("publish", ["--kafka-brokers", address, "--kafka-topic", topic, "--verbose"])
        try #require(rerun.succeeded, "\(rerun.summary)")
        #expect(rerun.stderrText.contains("pending 0"))

        let published = fingerprints(try await Self.kcatMessages(topic))
        // Every chunk of the clean publish, with the same flow ids, chunk indexes and bytes;
        // nothing else.
        #expect(Set(published) == Set(reference))
        let missing = Set(reference).subtracting(published)
        #expect(missing.isEmpty, "\(missing.count) chunks missing, e.g. \(missing.first.map { "\($0.identity)" } ?? "")")
        // Duplicates only for chunks after the checkpoint: what Kafka had acknowledged when the
        // checkpoint was written (the first `sequence` messages) is never sent again.
        let acknowledged = Set(published.prefix(checkpointSequence).map(\.identity))
        #expect(acknowledged.count == checkpointSequence)
        let repeatedAcknowledged = published.dropFirst(checkpointSequence).filter { acknowledged.contains($0.identity) }
        #expect(repeatedAcknowledged.isEmpty,
                "\(repeatedAcknowledged.count) chunks before the checkpoint were published again, e.g. \(repeatedAcknowledged.first.map { "\($0.identity)" } ?? "")")
        var occurrences: [Identity: Int] = [:]
        for fingerprint in published { occurrences[fingerprint.identity, default: 0] += 1 }
        #expect(occurrences.values.allSatisfy { $0 <= 2 })
        let duplicates = published.count - reference.count
        #expect(duplicates >= 0 && duplicates <= afterKill - checkpointSequence,
                "\(duplicates) duplicates; \(afterKill - checkpointSequence) messages were after the checkpoint at the kill")
    }

    // MARK: - Lost data

    @Test func segmentsRetentionDeletedBeforePublishingAreReportedAsLost() async throws {
        let address = try KafkaBroker.address()
        let scratch = try TemporaryDirectory("publish-lost")
        // ~10 MB of packets into a 3 MiB budget (1 MiB segments): the oldest segments go.
        let (repeated, _) = try DerivedCaptures.repeated("KakaoTalk_talk.pcap", copies: 20, spacing: 80_000_000_000, into: scratch)
        let cli = try TapedeckCLI(in: scratch)
        let imported = try await cli.run("import", ["--no-progress", "--disk-budget", "3MiB", repeated])
        try #require(imported.succeeded, "\(imported.summary)")
        let names = try FileManager.default.contentsOfDirectory(atPath: cli.store)
        try #require(!names.contains("seg-0000000000000001.data"), "retention deleted nothing: \(names.sorted())")

        let topic = KafkaBroker.uniqueTopic("flows-lost")
        let published = try await cli.run("publish", ["--kafka-brokers", address, "--kafka-topic", topic])
        try #require(published.succeeded, "\(published.summary)")
        #expect(published.stderrText.contains("segments lost to retention before publishing"), "\(published.stderrText)")
        #expect(published.stderrText.contains("deleted before their flows were published"), "\(published.stderrText)")
        let stats = try String(contentsOfFile: cli.store + "/flow-publisher-stats.json", encoding: .utf8)
        let lost = try #require(stats.firstRange(of: "\"lostSegments\":").map { range in
            Int(stats[range.upperBound...].prefix { $0.isNumber })
        } ?? nil)
        #expect(lost > 0)
        // As many as retention deleted: segments 1 to the oldest kept.
        let oldestKept = names.filter { $0.hasPrefix("seg-") && $0.hasSuffix(".data") }.sorted().first
            .flatMap { UInt64($0.dropFirst(4).prefix(16), radix: 16) }
        #expect(oldestKept.map { Int($0) - 1 } == lost)
        // What was kept is published.
        #expect(try await Self.messageCount(topic) > 0)
    }
}
