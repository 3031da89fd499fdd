/// Reads the alerts of a request body or a file: one EVE object, a JSON array of them, or
/// NDJSON (one object per line, as Suricata's `eve.json` is written).
public enum EVEReader {
    /// The alerts in `bytes`, in input order.
    /// - Throws: ``AlertError``: JSON syntax errors carry the byte offset; bad alerts carry
    ///   their 0-based index among the input's alerts; an input without any alert is an error.
    public static func alerts(in bytes: [UInt8]) throws(AlertError) -> [EVEAlert] {
        var parser = JSONParser(bytes: bytes)
        var values: [JSONValue] = []
        while true {
            let value: JSONValue?
            do {
                value = try parser.nextValue()
            } catch {
                throw AlertError(message: "invalid JSON: \(error.message)", reason: .malformedJSON, alertIndex: values.isEmpty ? nil : values.count,
                                 offset: error.offset)
            }
            guard let value else { break }
            values.append(value)
        }
        if values.count == 1, case .array(let elements) = values[0] { values = elements }
        guard !values.isEmpty else { throw AlertError(message: "no alert in the input (expected an EVE alert object, an array or NDJSON)") }
        var alerts: [EVEAlert] = []
        alerts.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            do {
                alerts.append(try EVEAlert(json: value))
            } catch {
                throw AlertError(message: error.message, reason: error.reason, alertIndex: index)
            }
        }
        return alerts
    }
}
