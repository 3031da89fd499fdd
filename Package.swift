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
    ],
    targets: [
        // C at the edges.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // CRC-32C with the SSE 4.2 instruction (and a table fallback), for block and index checksums.
        .target(name: "CCRC32C"),

        // Value types and packet decoding; imports nothing.
        .target(name: "TapedeckCore"),
        // System calls, wrapped once.
        .target(name: "TapedeckPOSIX"),
        // Packet sources (pcap files, live capture).
        .target(name: "TapedeckCapture", dependencies: ["TapedeckCore", "TapedeckPOSIX", "CPcap"]),
        // The segment store.
        .target(name: "TapedeckStorage", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "CLZ4", "CCRC32C",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Query language, planner and executor.
        .target(name: "TapedeckQuery", dependencies: ["TapedeckCore", "TapedeckStorage"]),
        // Flow table, TCP reassembly, timeouts and memory limits; pure.
        .target(name: "TapedeckFlows", dependencies: ["TapedeckCore"]),

        .executableTarget(name: "tapedeck", dependencies: [
            "TapedeckCore", "TapedeckPOSIX", "TapedeckCapture", "TapedeckStorage", "TapedeckQuery",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Benchmarks/reassembly.sh's runner: capture files through a FlowTracker, timed.
        .executableTarget(name: "tapedeck-bench-flows", dependencies: ["TapedeckFlows", "TapedeckCapture", "TapedeckCore"],
                          path: "Benchmarks/FlowsBenchmark"),

        .testTarget(name: "TapedeckCoreTests", dependencies: ["TapedeckCore"]),
        .testTarget(name: "TapedeckCaptureTests", dependencies: ["TapedeckCapture", "TapedeckCore"]),
        .testTarget(name: "TapedeckStorageTests", dependencies: ["TapedeckStorage", "TapedeckCore", "TapedeckPOSIX"]),
        .testTarget(name: "TapedeckQueryTests", dependencies: [
            "TapedeckQuery", "TapedeckStorage", "TapedeckCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TapedeckFlowsTests", dependencies: ["TapedeckFlows", "TapedeckCapture", "TapedeckCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["tapedeck"]),
    ]
)
