/// The timeout a flow is subject to; each class keeps its flows in order of last activity.
enum ActivityClass: Int, CaseIterable {
    /// TCP, not ended (``FlowTrackerConfiguration/tcpEstablishedTimeout``).
    case tcpEstablished
    /// TCP, both FINs seen, the last one not acknowledged (``FlowTrackerConfiguration/tcpClosingTimeout``).
    case tcpClosing
    /// TCP, ended by RST or acknowledged FINs, collecting stragglers (``FlowTrackerConfiguration/tcpClosedLinger``).
    case tcpClosed
    /// UDP (``FlowTrackerConfiguration/udpTimeout``).
    case udp
    /// Anything else (``FlowTrackerConfiguration/otherTimeout``).
    case other
}
