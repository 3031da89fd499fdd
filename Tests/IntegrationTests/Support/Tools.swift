import Foundation

/// The programs the integration tests run: the `tapedeck` binary under test and the reference
/// tools that serve as oracles.
///
/// Nothing here skips: CI runs these tests as root on Debian with the tools installed
/// (`scripts/install-dependencies`), so a missing program is an error that says what to install.
enum Tool {
    /// Why a program could not be found.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The `tapedeck` executable that SwiftPM built beside the test bundle (the IntegrationTests
    /// target depends on the `tapedeck` target for exactly this).
    ///
    /// Found as `dirname(/proc/self/exe)/tapedeck`: the test process is the `.xctest` bundle in
    /// `.build/<triple>/<configuration>/`, where the executable product lands too.
    static func tapedeck() throws -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? ""
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On platforms where the bundle is a directory (…/X.xctest/Contents/MacOS/X), climb out of it.
        while directory.path.contains(".xctest") {
            directory = directory.deletingLastPathComponent()
        }
        let candidate = directory.appendingPathComponent("tapedeck").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw Missing(description: "the tapedeck binary is not at \(candidate) (beside the test bundle \(executable)); "
                + "build it with `swift build --build-tests` (IntegrationTests depends on the tapedeck target)")
        }
        return candidate
    }

    /// `tcpdump` (Debian package `tcpdump`), the packet-selection oracle.
    static func tcpdump() throws -> String { try find("tcpdump", package: "tcpdump") }
    /// `tshark` (Debian package `tshark`), which lists conversations and opens outputs.
    static func tshark() throws -> String { try find("tshark", package: "tshark") }
    /// `capinfos` (Debian package `wireshark-common`), which must open every output.
    static func capinfos() throws -> String { try find("capinfos", package: "wireshark-common") }
    /// `editcap` (Debian package `wireshark-common`), which shifts capture times.
    static func editcap() throws -> String { try find("editcap", package: "wireshark-common") }

    /// The absolute path of `name` on `$PATH` or in the usual system directories.
    static func find(_ name: String, package: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing(description: "\(name) is required by the integration tests but is not installed: "
            + "apt-get install \(package) (scripts/install-dependencies does it)")
    }
}
