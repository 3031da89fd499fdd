import ArgumentParser
import TapedeckQuery
import TapedeckStorage

/// The retention flags shared by the commands that write to a store.
struct RetentionOptions: ParsableArguments {
    @Option(name: .customLong("disk-budget"), help: ArgumentHelp(
        "Most disk space the store may use: a size (500GiB, 2TB) or a percentage of its file system (80%).",
        valueName: "size|pct%"))
    var diskBudget: String?

    @Option(name: .customLong("min-free"), help: ArgumentHelp(
        "Least free space to leave on the store's file system: a size or a percentage.", valueName: "size|pct%"))
    var minimumFree: String?

    @Option(name: .customLong("max-age"), help: ArgumentHelp(
        "Longest span of packet time to keep, back from the newest packet (72h, 30d).", valueName: "duration"))
    var maximumAge: String?

    func validate() throws {
        _ = try policy()
    }

    /// The policy the flags describe.
    func policy() throws -> RetentionPolicy {
        var policy = RetentionPolicy()
        if let diskBudget {
            guard let amount = RetentionPolicy.Amount(diskBudget) else {
                throw ValidationError("--disk-budget: '\(diskBudget)' is not a size (like 500GiB) or a percentage (like 80%)")
            }
            policy.diskBudget = amount
        }
        if let minimumFree {
            guard let amount = RetentionPolicy.Amount(minimumFree) else {
                throw ValidationError("--min-free: '\(minimumFree)' is not a size (like 10GiB) or a percentage (like 5%)")
            }
            policy.minimumFree = amount
        }
        if let maximumAge {
            guard let age = TimeText.parseDuration(maximumAge), age > 0 else {
                throw ValidationError("--max-age: '\(maximumAge)' is not a duration (like 72h or 30d)")
            }
            policy.maximumAge = age
        }
        return policy
    }
}
