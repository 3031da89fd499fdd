import TapedeckAlerts
import TapedeckCore
import TapedeckPOSIX
import TapedeckStorage

/// What the store holds, for `/v1/stats`, `/metrics` and the alert wait.
enum StoreStatus {
    /// The time of the newest stored packet (``StoreReader/newestPacketTime``).
    static func newestPacket(in store: StoreReader) -> Timestamp? { store.newestPacketTime }

    /// The oldest stored packet (``StoreReader/oldestPacketTime``).
    static func oldestPacket(in store: StoreReader) -> Timestamp? { store.oldestPacketTime }

    /// The recorder's counters from `capture-stats.json` (see `Storage/FORMAT.md`), as JSON; nil
    /// when there is no such file or it is not a JSON object of reasonable size.
    static func captureStatistics(in directory: String) -> JSONValue? {
        jsonObject(at: directory + "/capture-stats.json")
    }

    /// The Kafka flow publisher's counters and lag from `flow-publisher-stats.json` (see
    /// `Storage/FORMAT.md`), as JSON; nil when there is no such file or it is not a JSON object.
    static func flowPublisherStatistics(in directory: String) -> JSONValue? {
        jsonObject(at: directory + "/flow-publisher-stats.json")
    }

    /// The JSON object in the file at `path`, if it is one of reasonable size.
    private static func jsonObject(at path: String) -> JSONValue? {
        guard FileSystem.exists(path), let size = try? FileSystem.fileSize(path), size <= 1 << 20,
              let bytes = try? FileSystem.readWholeFile(path), let json = try? JSONParser.parse(bytes),
              case .object = json else { return nil }
        return json
    }
}
