import ArgumentParser
import TapedeckStorage

/// `tapedeck publish`: publishes the flows of a store that no earlier run published.
struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the flows of the store's packets that were not published yet to Kafka, then exit.",
        discussion: """
            Reads the store from the publisher's checkpoint (kafka/<topic>.checkpoint in the store; \
            the whole store without one), publishes one message per flow chunk, ends the flows still \
            open (close reason shutdown) and returns once Kafka acknowledged everything. Killed \
            midway, the next run publishes again what Kafka had not acknowledged.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup(title: "Kafka") var publishing: FlowPublishingOptions

    @Flag(name: .shortAndLong, help: "Log the publisher's progress.")
    var verbose = false

    func validate() throws {
        if !publishing.isEnabled { throw ValidationError("give --kafka-brokers") }
    }

    func run() throws {
        _ = try StoreReader(directory: storeOptions.directory)  // a clear error for a directory that is not a store
        let flowPublishing = try FlowPublishing(options: publishing, live: false,
                                                logger: makeLogger(verbose: verbose, level: .notice))
        try flowPublishing.start(store: storeOptions.directory)
        try flowPublishing.finish()
    }
}
