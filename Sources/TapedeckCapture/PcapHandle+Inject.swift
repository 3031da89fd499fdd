import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// The libpcap call that sends, for ``PcapSender``.
extension PcapHandle {
    /// Sends `frame` as it is, link-layer header included (`pcap_inject`). Returns the number of
    /// bytes sent, or `PCAP_ERROR` with the `errno` of the failed `send` (0 when libpcap failed for
    /// another reason); the handle's message (``lastError``) says more.
    @inline(__always)
    func inject(_ frame: UnsafeRawBufferPointer) -> (result: Int32, errno: Int32) {
        errno = 0
        let result = pcap_inject(pointer, frame.baseAddress, frame.count)
        return (result, result < 0 ? errno : 0)
    }
}
