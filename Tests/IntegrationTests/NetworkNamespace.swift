import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A network namespace `tdtest-<hex>` holding one end of a veth pair whose other end stays in the
/// test's own namespace: tcpreplay sends inside, the sources under test capture outside.
///
/// Both ends have IPv6 turned off before they come up, so the kernel sends no neighbour or router
/// solicitations of its own and the capture end carries only replayed frames; their MTU is 9000,
/// so that frames with added VLAN tags fit. Names are random, so tests can run in parallel; the
/// namespace and the pair are deleted in `deinit`, also when the test fails, and when setting up
/// fails halfway. Creating one needs root: without it, `init` throws, and the test fails.
final class NetworkNamespace {
    /// The namespace's name.
    let name: String
    /// The veth end in the test's namespace, where sources capture.
    let captureInterface: String
    /// The veth end inside the namespace, where ``replay(_:packetsPerSecond:)`` sends.
    let replayInterface: String
    private var removed = false

    init() throws {
        guard getuid() == 0 else {
            throw LiveTestFailure("live-capture tests need root (network namespaces, veth pairs, raw sockets);"
                + " run them as root: sudo swift test --skip-build --filter LiveCapture")
        }
        let suffix = String(UInt32.random(in: .min ... .max) | 0x1000_0000, radix: 16)
        name = "tdtest-\(suffix)"
        captureInterface = "td\(suffix)c"
        replayInterface = "td\(suffix)r"
        do {
            try Self.run("ip", ["netns", "add", name])
            try Self.run("ip", ["link", "add", captureInterface, "mtu", "9000", "type", "veth",
                                "peer", "name", replayInterface, "mtu", "9000", "netns", name])
            try Self.run("sysctl", ["-q", "-w", "net.ipv6.conf.\(captureInterface).disable_ipv6=1"])
            try inside("sysctl", ["-q", "-w", "net.ipv6.conf.\(replayInterface).disable_ipv6=1"])
            try Self.run("ip", ["link", "set", captureInterface, "up"])
            try inside("ip", ["link", "set", replayInterface, "up"])
        } catch {
            remove()
            throw error
        }
    }

    deinit {
        remove()
    }

    /// Deletes the pair (both ends go with either) and then the namespace; what is gone already
    /// is skipped.
    private func remove() {
        guard !removed else { return }
        removed = true
        _ = try? Self.run("ip", ["link", "delete", captureInterface])
        _ = try? Self.run("ip", ["netns", "delete", name])
    }

    /// Sends every packet of the capture file at `path` out of ``replayInterface`` (or `interface`
    /// inside the namespace) with tcpreplay at `packetsPerSecond` (`nil`: as fast as it can,
    /// `--topspeed`) and returns when tcpreplay has exited, after checking that it sent every
    /// packet; returns how many it sent.
    @discardableResult
    func replay(_ path: String, packetsPerSecond: Int?, on interface: String? = nil) throws -> Int {
        let rate = packetsPerSecond.map { ["--pps", String($0)] } ?? ["--topspeed"]
        let output = try inside("tcpreplay", ["-i", interface ?? replayInterface] + rate + [path])
        func count(_ label: String) -> Int? {
            guard let range = output.range(of: "\(label):") else { return nil }
            return Int(output[range.upperBound...].prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces))
        }
        guard let sent = count("Successful packets"), count("Failed packets") == 0 else {
            throw LiveTestFailure("tcpreplay did not send every packet:\n\(output)")
        }
        return sent
    }

    /// Starts tcpreplay sending the capture file at `path` out of ``replayInterface`` over and over
    /// at `packetsPerSecond` until the returned process is released.
    func replayForever(_ path: String, packetsPerSecond: Int) throws -> EndlessReplay {
        try EndlessReplay(["ip", "netns", "exec", name, "tcpreplay", "-q", "-i", replayInterface,
                           "--pps", String(packetsPerSecond), "--loop", "0", path])
    }

    /// Runs `body` on a new thread that has joined the namespace (`setns`), to open sockets on
    /// its interfaces: a socket stays in the namespace it was created in, so what `body` returns
    /// can be used from any thread.
    func onThreadInside<Value>(_ body: @escaping () throws -> Value) throws -> Value {
        nonisolated(unsafe) var result: Result<Value, any Error> = .failure(LiveTestFailure("the thread did not run"))
        nonisolated(unsafe) let body = body
        let done = DispatchSemaphore(value: 0)
        let path = "/var/run/netns/\(name)"
        let thread = Thread {
            defer { done.signal() }
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            defer { close(descriptor) }
            guard descriptor >= 0, Self.setns(descriptor, Self.newNetworkNamespace) == 0 else {
                result = .failure(LiveTestFailure("cannot join \(path): \(String(cString: strerror(errno)))"))
                return
            }
            result = Result { try body() }
        }
        thread.start()
        done.wait()
        return try result.get()
    }

    /// `setns(2)`, which Swift's Glibc module leaves out (it is a GNU extension).
    private static let setns = unsafeBitCast(dlsym(nil, "setns"), to: (@convention(c) (Int32, Int32) -> Int32).self)
    /// `CLONE_NEWNET`.
    private static let newNetworkNamespace: Int32 = 0x4000_0000

    /// Runs `executable` inside the namespace (`ip netns exec`) and returns its output.
    @discardableResult
    func inside(_ executable: String, _ arguments: [String]) throws -> String {
        try Self.run("ip", ["netns", "exec", name, executable] + arguments)
    }

    /// Runs `executable` (looked up in `PATH`) and returns its standard output and error,
    /// throwing unless it exits with 0.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw LiveTestFailure("\(([executable] + arguments).joined(separator: " ")) failed"
                + " (status \(process.terminationStatus)):\n\(output)")
        }
        return output
    }
}

/// A failed step of a live-capture test, with what to look at.
struct LiveTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A tcpreplay that runs until it is released, then is killed. `SIGKILL`, because a child of the
/// test runner inherits its blocked signals, `SIGINT` and `SIGTERM` among them.
final class EndlessReplay {
    private let process = Process()

    init(_ command: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
