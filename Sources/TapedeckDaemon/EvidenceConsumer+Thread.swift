import TapedeckPOSIX

extension EvidenceConsumer {
    /// Runs ``run()`` on a thread of its own (beside a recorder and an HTTP server, in
    /// `tapedeck run`); a fatal error there is logged. Stop it with ``stop()``, then join the
    /// returned thread.
    public func startThread() throws(Errno) -> OSThread {
        try OSThread(name: "evidence") { [self] in
            do {
                try run()
            } catch {
                logError("evidence consumer failed", error)
            }
        }
    }
}
