import TapedeckCore
import TapedeckQuery

/// The part of a Suricata EVE alert (`event_type: alert`) that says which packets caused it:
/// the flow's addresses, ports and protocol, the alert time and the flow's start.
///
/// Suricata writes `timestamp` as `2019-03-14T19:04:03.371057+0000` (microseconds, offset
/// without a colon), IPv6 addresses fully expanded (`2a00:1450:4007:080a:0000:0000:0000:200a`)
/// and `proto` as `"TCP"`, `"UDP"`, `"ICMP"`, `"IPv6-ICMP"`, another name, or a number.
public struct EVEAlert: Equatable, Sendable {
    /// When the alert fired (`timestamp`).
    public var timestamp: Timestamp
    /// When the flow began (`flow.start`), if the alert says.
    public var flowStart: Timestamp?
    /// Suricata's flow id (`flow_id`).
    public var flowID: UInt64?
    /// `src_ip` and `dest_ip`.
    public var source: IPAddress
    public var destination: IPAddress
    /// `src_port` and `dest_port`; nil for protocols without ports (ICMP).
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    /// The IP protocol number of `proto`.
    public var ipProtocol: UInt8
    /// `alert.signature_id` and `alert.signature`, if present.
    public var signatureID: Int64?
    public var signature: String?

    public init(timestamp: Timestamp, flowStart: Timestamp? = nil, flowID: UInt64? = nil, source: IPAddress,
                destination: IPAddress, sourcePort: UInt16?, destinationPort: UInt16?, ipProtocol: UInt8,
                signatureID: Int64? = nil, signature: String? = nil) {
        self.timestamp = timestamp
        self.flowStart = flowStart
        self.flowID = flowID
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.ipProtocol = ipProtocol
        self.signatureID = signatureID
        self.signature = signature
    }

    /// Reads an alert from one EVE JSON object.
    /// - Throws: ``AlertError`` naming the missing or malformed field (its `alertIndex` unset).
    public init(json: JSONValue) throws(AlertError) {
        guard case .object = json else { throw AlertError(message: "an EVE alert must be a JSON object, not \(json.kind)") }
        if let eventType = json["event_type"] {
            guard eventType.string == "alert" else {
                throw AlertError(message: "'event_type' is \(eventType.serialized), not \"alert\"", reason: .notAnAlert)
            }
        }
        timestamp = try Self.time(json, "timestamp")
        if let flow = json["flow"] {
            guard case .object = flow else { throw AlertError(message: "'flow' must be an object, not \(flow.kind)") }
            if flow["start"] != nil { flowStart = try Self.time(flow, "start", name: "flow.start") }
        }
        if let flowID = json["flow_id"] {
            guard let value = flowID.uint64 ?? flowID.int64.map({ UInt64(bitPattern: $0) }) else {
                throw AlertError(message: "'flow_id' must be an integer, not \(flowID.serialized)")
            }
            self.flowID = value
        }
        source = try Self.address(json, "src_ip")
        destination = try Self.address(json, "dest_ip")
        guard source.isIPv6 == destination.isIPv6 else {
            throw AlertError(message: "'src_ip' and 'dest_ip' are of different IP versions", reason: .invalidAddress)
        }
        sourcePort = try Self.port(json, "src_port")
        destinationPort = try Self.port(json, "dest_port")
        guard let proto = json["proto"] else { throw AlertError(message: "missing 'proto'", reason: .missingField) }
        guard let number = IPProtocolName.number(of: proto) else {
            throw AlertError(message: "'proto' \(proto.serialized) is not a known protocol name or a number 0-255", reason: .unknownProtocol)
        }
        ipProtocol = number
        if let alert = json["alert"] {
            guard case .object = alert else { throw AlertError(message: "'alert' must be an object, not \(alert.kind)") }
            if let value = alert["signature_id"] {
                guard let number = value.int64 else {
                    throw AlertError(message: "'alert.signature_id' must be an integer, not \(value.serialized)")
                }
                signatureID = number
            }
            if let value = alert["signature"] {
                guard let text = value.string else {
                    throw AlertError(message: "'alert.signature' must be a string, not \(value.serialized)")
                }
                signature = text
            }
        }
    }

    private static func time(_ json: JSONValue, _ key: String, name: String? = nil) throws(AlertError) -> Timestamp {
        let name = name ?? key
        guard let value = json[key] else { throw AlertError(message: "missing '\(name)'", reason: .missingField) }
        guard let text = value.string, let time = TimeText.parseTime(text) else {
            throw AlertError(message: "'\(name)' is not a time like 2019-03-14T19:04:03.371057+0000: \(value.serialized)",
                             reason: .invalidTimestamp)
        }
        return time
    }

    private static func address(_ json: JSONValue, _ key: String) throws(AlertError) -> IPAddress {
        guard let value = json[key] else { throw AlertError(message: "missing '\(key)'", reason: .missingField) }
        guard let text = value.string, let address = IPAddress(text) else {
            throw AlertError(message: "'\(key)' is not an IP address: \(value.serialized)", reason: .invalidAddress)
        }
        return address
    }

    private static func port(_ json: JSONValue, _ key: String) throws(AlertError) -> UInt16? {
        guard let value = json[key], value != .null else { return nil }
        guard let number = value.int64, (0...65535).contains(number) else {
            throw AlertError(message: "'\(key)' is not a port number 0-65535: \(value.serialized)", reason: .invalidPort)
        }
        return UInt16(number)
    }
}
