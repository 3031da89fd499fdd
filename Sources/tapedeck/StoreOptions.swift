import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The `--store` option shared by every command that touches a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The store directory (default: $TAPEDECK_STORE, else ./Storage).", valueName: "dir"))
    var store: String?

    /// The store directory to use.
    var directory: String {
        if let store { return store }
        if let environment = getenv("TAPEDECK_STORE"), environment.pointee != 0 { return String(cString: environment) }
        return "Storage"
    }
}
