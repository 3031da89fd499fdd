import Foundation

/// What a finished process left behind.
struct ProcessResult: Sendable {
    /// The command line, for messages.
    var command: String
    /// The exit status, or the signal number when ``signaled``.
    var status: Int32
    /// Whether the process was ended by a signal rather than exiting.
    var signaled: Bool
    /// Everything written to standard output.
    var stdout: Data
    /// Everything written to standard error.
    var stderr: Data

    /// Standard error as text.
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// Standard output as text.
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Exited with status 0.
    var succeeded: Bool { !signaled && status == 0 }

    /// One paragraph for a failure message: the command, how it ended and its standard error.
    var summary: String {
        "`\(command)` \(signaled ? "was killed by signal \(status)" : "exited with \(status)")"
            + (stderr.isEmpty ? "" : "; stderr:\n\(stderrText)")
    }
}

/// Runs programs with Foundation's `Process`.
///
/// Standard output and error go to temporary files rather than pipes, so a chatty child can never
/// block on a full pipe while the test waits for it; waiting is asynchronous (the termination
/// handler resumes a continuation), so no thread of the cooperative pool is held while a child runs.
enum ProcessRunner {
    /// Runs `executable` with `arguments` to completion.
    ///
    /// - Parameters:
    ///   - stdinPath: a file to connect to standard input (default: `/dev/null`).
    ///   - stdoutPath: a file that receives standard output instead of ``ProcessResult/stdout``
    ///     (for large outputs); it is created or truncated.
    static func run(_ executable: String, _ arguments: [String], stdinPath: String? = nil,
                    stdoutPath: String? = nil) async throws -> ProcessResult {
        let running = try RunningProcess(executable, arguments, stdinPath: stdinPath, stdoutPath: stdoutPath)
        return await running.wait()
    }
}

/// A started child process: its pid while it runs, and its ``ProcessResult`` once it ends.
final class RunningProcess: @unchecked Sendable {
    /// The command line, for messages.
    let command: String
    /// The child's process id.
    var pid: Int32 { process.processIdentifier }

    private let process = Process()
    private let scratch: URL
    private let stdoutURL: URL
    private let stdoutIsCaptured: Bool
    private let handles: [FileHandle]
    private let lock = NSLock()
    private var ended = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Starts `executable`; see ``ProcessRunner/run(_:_:stdinPath:stdoutPath:)`` for the parameters.
    init(_ executable: String, _ arguments: [String], stdinPath: String? = nil, stdoutPath: String? = nil) throws {
        command = ([executable] + arguments).map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutIsCaptured = stdoutPath == nil
        stdoutURL = stdoutPath.map { URL(fileURLWithPath: $0) } ?? scratch.appendingPathComponent("stdout")
        let stderrURL = scratch.appendingPathComponent("stderr")
        for url in [stdoutURL, stderrURL] {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                try? FileManager.default.removeItem(at: scratch)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        }
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdinPath ?? "/dev/null"))
        let output = try FileHandle(forWritingTo: stdoutURL)
        let errors = try FileHandle(forWritingTo: stderrURL)
        handles = [input, output, errors]
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        process.terminationHandler = { [weak self] _ in self?.markEnded() }
        do {
            try process.run()
        } catch {
            for handle in handles { try? handle.close() }
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
    }

    /// Sends `signal` to the child (if it still runs).
    func kill(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if !ended { _ = Glibc.kill(pid, signal) }
    }

    /// What the child has written to standard error so far.
    var standardErrorSoFar: String {
        String(decoding: (try? Data(contentsOf: scratch.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self)
    }

    /// Whether the child has ended.
    var hasEnded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    /// Waits for the child to end and collects what it wrote; removes the scratch files.
    func wait() async -> ProcessResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if ended {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
        for handle in handles { try? handle.close() }
        let stdout = stdoutIsCaptured ? ((try? Data(contentsOf: stdoutURL)) ?? Data()) : Data()
        let stderr = (try? Data(contentsOf: scratch.appendingPathComponent("stderr"))) ?? Data()
        try? FileManager.default.removeItem(at: scratch)
        let signaled = process.terminationReason == .uncaughtSignal
        return ProcessResult(command: command, status: process.terminationStatus, signaled: signaled,
                             stdout: stdout, stderr: stderr)
    }

    private func markEnded() {
        lock.lock()
        ended = true
        let resumed = waiters
        waiters = []
        lock.unlock()
        for waiter in resumed { waiter.resume() }
    }

    deinit {
        for handle in handles { try? handle.close() }
        try? FileManager.default.removeItem(at: scratch)
    }
}

/// Runs `body` for every element with at most `width` running at once, and returns the results
/// in the order of `elements`.
func boundedConcurrentMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], width: Int, _ body: @escaping @Sendable (Element) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: elements.count)
        var next = 0
        func addNext() {
            let index = next
            let element = elements[index]
            group.addTask { (index, try await body(element)) }
            next += 1
        }
        while next < min(width, elements.count) { addNext() }
        while let (index, result) = try await group.next() {
            results[index] = result
            if next < elements.count { addNext() }
        }
        return results.map { $0! }
    }
}
