// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tapedeck",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tapedeck", targets: ["tapedeck"]),
        .library(name: "TapedeckCore", targets: ["TapedeckCore"]),
        .library(name: "TapedeckStorage", targets: ["TapedeckStorage"]),
        .library(name: "TapedeckQuery", targets: ["TapedeckQuery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C at the edges.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // CRC-32C with the SSE 4.2 instruction (and a table fallback), for block and index checksums.
        .target(name: "CCRC32C"),
        // SHA-256 with the x86 SHA extensions (and a portable fallback), for evidence digests.
        .target(name: "CSHA256"),
        // Linux AF_PACKET headers (TPACKET_V3 ring, fanout) and the macros Swift cannot import.
        .target(name: "CTapedeckLinux"),

        // Value types and packet decoding; imports nothing.
        .target(name: "TapedeckCore"),
        // System calls, wrapped once.
        .target(name: "TapedeckPOSIX", dependencies: ["CTapedeckLinux"]),
        // Packet sources (pcap files, live capture).
        .target(name: "TapedeckCapture", dependencies: ["TapedeckCore", "TapedeckPOSIX", "CTapedeckLinux", "CPcap"]),
        // The segment store.
        .target(name: "TapedeckStorage", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "CLZ4", "CCRC32C",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Query language, planner and executor.
        .target(name: "TapedeckQuery", dependencies: ["TapedeckCore", "TapedeckStorage"]),
        // Flow table, TCP reassembly, timeouts and memory limits; pure.
        .target(name: "TapedeckFlows", dependencies: ["TapedeckCore"]),

        // Suricata EVE alerts, the queries that carve their evidence, and the evidence directory
        // (POSIX for its atomic writes: temporary file, fsync, rename, fsync of the directory;
        // CSHA256 for the digests in the sidecars).
        .target(name: "TapedeckAlerts", dependencies: ["TapedeckCore", "TapedeckQuery", "TapedeckPOSIX", "CSHA256"]),
        // The HTTP/1.1 server: query, alert and stats API on POSIX sockets.
        .target(name: "TapedeckHTTP", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "TapedeckStorage", "TapedeckQuery", "TapedeckAlerts",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Rate control and injection: capture files and the store back onto an interface.
        .target(name: "TapedeckReplay", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "TapedeckCapture", "CTapedeckLinux",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // librdkafka producer and consumer, and the durable publish cursor.
        .target(name: "TapedeckKafka", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "CRdKafka",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Wiring of the long-running jobs: capture → store, Kafka alerts → evidence, a Kafka topic → replay.
        .target(name: "TapedeckDaemon", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "TapedeckCapture", "TapedeckStorage", "TapedeckQuery", "TapedeckFlows",
            "TapedeckAlerts", "TapedeckKafka", "TapedeckReplay",
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "tapedeck", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "TapedeckCapture", "TapedeckStorage", "TapedeckQuery", "TapedeckDaemon",
            "TapedeckHTTP", "TapedeckReplay", "TapedeckKafka", "TapedeckFlows", "TapedeckAlerts",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Benchmarks/reassembly.sh's runner: capture files through a FlowTracker, timed.
        .executableTarget(name: "tapedeck-bench-flows", dependencies: ["TapedeckFlows", "TapedeckCapture", "TapedeckCore"],
                          path: "Benchmarks/FlowsBenchmark"),
        // Benchmarks/kafka.sh's publisher (KafkaProducer and DurablePublisher vs kcat -P).
        .executableTarget(name: "tapedeck-bench-kafka", dependencies: [
            "TapedeckKafka", "TapedeckPOSIX", .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/KafkaPublish"),

        .testTarget(name: "TapedeckCoreTests", dependencies: ["TapedeckCore"]),
        .testTarget(name: "TapedeckCaptureTests", dependencies: ["TapedeckCapture", "TapedeckCore", "CTapedeckLinux", "CPcap"]),
        .testTarget(name: "TapedeckStorageTests", dependencies: ["TapedeckStorage", "TapedeckCore", "TapedeckPOSIX"]),
        .testTarget(name: "TapedeckQueryTests", dependencies: [
            "TapedeckQuery", "TapedeckStorage", "TapedeckCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What the Kafka-using test targets share (a consumer, an in-memory logger, settings).
        .target(name: "KafkaTestSupport", dependencies: [
            "TapedeckKafka", .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/KafkaTestSupport"),
        .testTarget(name: "TapedeckKafkaTests", dependencies: [
            "TapedeckKafka", "TapedeckCore", "TapedeckPOSIX", "KafkaTestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TapedeckFlowsTests", dependencies: ["TapedeckFlows", "TapedeckCapture", "TapedeckCore", "TapedeckAlerts"]),
        .testTarget(name: "TapedeckAlertsTests", dependencies: ["TapedeckAlerts", "TapedeckCore", "TapedeckQuery", "TapedeckPOSIX"]),
        .testTarget(name: "TapedeckHTTPTests", dependencies: [
            "TapedeckHTTP", "TapedeckAlerts", "TapedeckCore", "TapedeckPOSIX", "TapedeckQuery", "TapedeckStorage",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TapedeckReplayTests", dependencies: [
            "TapedeckReplay", "TapedeckCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TapedeckDaemonTests", dependencies: [
            "TapedeckDaemon", "TapedeckFlows", "TapedeckAlerts", "TapedeckKafka", "TapedeckStorage", "TapedeckQuery",
            "TapedeckCapture", "TapedeckCore", "TapedeckPOSIX", "TapedeckReplay", "KafkaTestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: ["tapedeck", "TapedeckCore", "TapedeckCapture", "TapedeckStorage", "TapedeckQuery", "TapedeckKafka"]),
    ]
)
