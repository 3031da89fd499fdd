import TapedeckCore

/// A pull-based source of captured packets: a capture file (``PcapFileReader``) or a live
/// interface (``LivePacketSource``: ``AFPacketSource``, ``PcapLiveSource``).
///
/// ## Borrowed records
/// ``next()`` returns a ``PacketRecord`` whose `bytes` point into the source's own buffer
/// (libpcap's packet buffer, a ring frame). The record is valid only until the next call to
/// `next()` or until the source is released; copy the bytes (for example into a storage block)
/// before asking for the next packet. That is what lets the per-packet path run without
/// allocating or copying.
///
/// For the same reason a source is deliberately not a `Sequence`: collecting its records into an
/// array would keep pointers into a buffer that has since been overwritten.
///
/// ## End and failure
/// `next()` returns `nil` at a clean end of input (for a live source: once it has stopped and
/// delivered what it captured) and keeps returning `nil`. When it throws, every packet before the
/// damage has already been returned, and later calls throw the same error.
public protocol PacketSource {
    /// What the packets come from, for messages and logs (a file path, an interface name).
    var name: String { get }

    /// The link-layer type of every packet this source returns.
    var linkType: LinkType { get }

    /// The next packet, borrowed until the following call; `nil` at the end of the input.
    mutating func next() throws(CaptureError) -> PacketRecord?
}
