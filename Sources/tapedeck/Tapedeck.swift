import ArgumentParser
import TapedeckPOSIX

/// The `tapedeck` command: configuration only; the work is in the subcommands.
@main
struct Tapedeck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tapedeck",
        abstract: "A rolling full-packet buffer: record packets into an indexed store and carve pcaps out of it.",
        discussion: """
            Any command also takes `--config FILE`: a file of the command's flags, one per line \
            (`--interface eth0`, `--disk-budget 80%`, `--filter not port 22`); blank lines and \
            lines starting with # are ignored, and flags given on the command line come after it.
            """,
        subcommands: [Run.self, Record.self, Serve.self, Import.self, Publish.self, Query.self, Replay.self, Inspect.self,
                      Retention.self, Evidence.self])

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            main(try ConfigFile.expand(arguments))
        } catch {
            exit(withError: error)
        }
    }
}

/// `--config FILE`: flags read from a file and put in front of the command line's own.
enum ConfigFile {
    /// `arguments` with `--config FILE` (or `--config=FILE`) replaced by the file's flags, right
    /// after the subcommand name.
    static func expand(_ arguments: [String]) throws -> [String] {
        guard let index = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) else {
            return arguments
        }
        var remaining = arguments
        let path: String
        if arguments[index] == "--config" {
            guard index + 1 < arguments.count else { throw ValidationError("--config needs a file") }
            path = arguments[index + 1]
            remaining.removeSubrange(index...index + 1)
        } else {
            path = String(arguments[index].dropFirst("--config=".count))
            remaining.remove(at: index)
        }
        let text: String
        do {
            text = String(decoding: try FileSystem.readWholeFile(path), as: UTF8.self)
        } catch {
            throw ValidationError("--config \(path): \(error.message)")
        }
        var flags: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard trimmed.hasPrefix("-") else {
                throw ValidationError("--config \(path): '\(trimmed)' is not a flag (lines look like '--interface eth0')")
            }
            if let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                flags.append(String(trimmed[..<space]))
                flags.append(String(trimmed[space...].drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()))
            } else {
                flags.append(String(trimmed))
            }
        }
        // The subcommand name comes first; the file's flags follow it, then the command line's.
        let insertAt = remaining.isEmpty || remaining[0].hasPrefix("-") ? 0 : 1
        remaining.insert(contentsOf: flags, at: insertAt)
        return remaining
    }
}
