import TapedeckCore

extension EVEAlert {
    /// The flow id that names this alert's evidence and groups the alerts of one flow: Suricata's
    /// `flow_id`, else the stable hash of the canonical 5-tuple (ports 0 when the alert has none).
    public var evidenceFlowID: UInt64 {
        if let flowID { return flowID }
        return FiveTuple(ipProtocol: ipProtocol, source: source, destination: destination,
                         sourcePort: sourcePort ?? 0, destinationPort: destinationPort ?? 0).flowKey.stableHash
    }
}
