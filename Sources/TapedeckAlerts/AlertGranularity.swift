/// How much traffic around an alert to carve.
public enum AlertGranularity: String, CaseIterable, Sendable {
    /// The alert's flow: both directions of its 5-tuple.
    case flow
    /// All traffic between the alert's two hosts.
    case hosts
    /// Everything to or from the alert's source host.
    case src
    /// Everything to or from the alert's destination host.
    case dst
}
