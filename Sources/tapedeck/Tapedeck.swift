import ArgumentParser

/// The `tapedeck` command: configuration only; the work is in the subcommands.
@main
struct Tapedeck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tapedeck",
        abstract: "A rolling full-packet buffer: record packets into an indexed store and carve pcaps out of it.",
        subcommands: [Run.self, Record.self, Serve.self, Import.self, Query.self, Inspect.self, Retention.self])
}
