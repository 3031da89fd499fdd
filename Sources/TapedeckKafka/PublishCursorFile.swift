import TapedeckPOSIX

/// The durable cursor: a small text file naming the topic and the highest position up to which
/// Kafka acknowledged every unit.
///
/// ```
/// tapedeck-publish-cursor 1
/// topic tapedeck.flows
/// position 18446744073709
/// ```
///
/// It is replaced atomically (`FileSystem.writeAtomically`: temporary file, fsync, rename, fsync
/// of the directory), so after any crash it holds the old cursor or the new one. A missing file
/// means nothing was acknowledged yet.
struct PublishCursorFile<Position: PublishPosition> {
    /// The file's path.
    let path: String
    /// The topic the cursor is for.
    let topic: String

    private var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private var name: String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The stored cursor; nil when there is no file.
    func read() throws(DurablePublisherError) -> Position? {
        guard FileSystem.exists(path) else { return nil }
        let bytes: [UInt8]
        do { bytes = try FileSystem.readWholeFile(path) } catch { throw .cursorFile(error) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count == 3, lines[0] == "tapedeck-publish-cursor 1",
              lines[1].hasPrefix("topic "), lines[2].hasPrefix("position ") else {
            throw .cursorUnreadable(path: path, reason: "expected the three lines of a version 1 cursor")
        }
        let storedTopic = String(lines[1].dropFirst("topic ".count))
        guard storedTopic == topic else { throw .cursorForOtherTopic(path: path, topic: storedTopic) }
        let text = String(lines[2].dropFirst("position ".count))
        guard let position = Position(cursorText: text) else {
            throw .cursorUnreadable(path: path, reason: "\"\(text)\" is not a position")
        }
        return position
    }

    /// Replaces the stored cursor.
    func write(_ position: Position) throws(DurablePublisherError) {
        let text = "tapedeck-publish-cursor 1\ntopic \(topic)\nposition \(position.cursorText)\n"
        do { try FileSystem.writeAtomically(directory: directory, name: name, bytes: Array(text.utf8)) } catch {
            throw .cursorFile(error)
        }
    }
}
