import CPcap
import TapedeckCore
import TapedeckPOSIX

#if canImport(Glibc)
import Glibc
#endif

/// Captures an interface through libpcap: the fallback for interfaces ``AFPacketSource`` does not
/// capture (not Ethernet) and for kernels without TPACKET_V3.
///
/// ## Setting up
/// ``init(configuration:)`` creates the handle (`pcap_create`), sets the snapshot length,
/// promiscuous mode, block timeout, buffer size and nanosecond time stamps, activates it, installs
/// the filter compiled for it, and makes it non-blocking (`pcap_setnonblock`), so that the source
/// can wait on libpcap's descriptor (`pcap_get_selectable_fd`) and its stop handle with its own
/// timeout. (In blocking mode, libpcap on a TPACKET_V3 kernel waits for a block without limit,
/// and the kernel hands over no empty block, so a quiet link would never time out.)
///
/// ## Packets
/// Records borrow libpcap's buffer until the next call; libpcap puts VLAN tags back itself.
/// The link type is the interface's (`pcap_datalink`).
///
/// ## Threads
/// Not `Sendable`: one thread at a time owns a source; others stop it through ``stopHandle``.
public final class PcapLiveSource: LivePacketSource {
    /// The configuration the source was opened with.
    public let configuration: PcapLiveConfiguration
    /// The link-layer type of the interface.
    public let linkType: LinkType
    /// Stops the source from any thread.
    public let stopHandle: CaptureStopHandle
    /// libpcap's warning when the capture started with a caveat (`pcap_activate` returned a
    /// `PCAP_WARNING_*`, e.g. promiscuous mode is not supported); `nil` when there was none.
    public let activationWarning: String?
    /// Whether the source has stopped and delivered everything it captured before the stop.
    public private(set) var isFinished = false

    private let handle: PcapHandle
    /// libpcap's descriptor and the stop notifier, for `poll`.
    private let pollDescriptors: UnsafeMutableBufferPointer<pollfd>
    /// When a stopping source stops returning packets; `nil` until stopped.
    private var stopDeadline: ContinuousClock.Instant?
    private var failure: CaptureError?
    private var totals = CaptureStatistics()
    /// libpcap's 32-bit counters at the last ``statistics()``, to add their increments.
    private var lastKernelCounters = pcap_stat()

    /// Opens `configuration.interface` with libpcap and starts capturing.
    ///
    /// - Throws: ``CaptureError/invalidConfiguration(reason:)`` for a configuration
    ///   ``PcapLiveConfiguration/validate()`` refuses, ``CaptureError/invalidFilter(expression:reason:)``
    ///   for a filter libpcap cannot compile, ``CaptureError/cannotCapture(interface:reason:)`` with
    ///   libpcap's message when it cannot open or activate the interface (no such device,
    ///   permission denied), ``CaptureError/system(interface:_:)`` when the stop notifier cannot be made.
    public init(configuration: PcapLiveConfiguration) throws(CaptureError) {
        try configuration.validate()
        let interface = configuration.interface
        let stopHandle: CaptureStopHandle
        do { stopHandle = try CaptureStopHandle() } catch { throw .system(interface: interface, error) }
        let handle: PcapHandle
        do { handle = try PcapHandle.create(interface: interface) } catch {
            throw .cannotCapture(interface: interface, reason: error.message)
        }
        var warning: String?
        do throws(CaptureError) {
            func check(_ status: Int32) throws(CaptureError) {
                if status != 0 { throw .cannotCapture(interface: interface, reason: handle.message(for: status)) }
            }
            try check(handle.setSnapLength(configuration.snapLength))
            try check(handle.setPromiscuous(configuration.promiscuous))
            try check(handle.setTimeout(milliseconds: configuration.blockTimeoutMilliseconds))
            try check(handle.setBufferSize(configuration.bufferSize))
            try check(handle.setNanosecondPrecision())
            let status = handle.activate()
            if status < 0 { try check(status) }
            if status > 0 { warning = handle.message(for: status) }
            if let filter = configuration.filter {
                try check(handle.setFilter(try BPFProgram(expression: filter, compiledOn: handle)))
            }
            do { try handle.setNonBlocking() } catch {
                throw .cannotCapture(interface: interface, reason: error.message)
            }
        } catch {
            handle.close()
            throw error
        }
        self.configuration = configuration
        self.stopHandle = stopHandle
        self.handle = handle
        activationWarning = warning
        linkType = LinkType(dataLink: handle.dataLink)
        pollDescriptors = .allocate(capacity: 2)
        pollDescriptors[0] = pollfd(fd: handle.selectableDescriptor, events: Int16(POLLIN), revents: 0)
        pollDescriptors[1] = pollfd(fd: stopHandle.notifier.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
    }

    deinit {
        handle.close()
        pollDescriptors.deallocate()
    }

    /// The interface name.
    public var name: String { configuration.interface }

    /// The next packet (`pcap_next_ex`), borrowed from libpcap until the following call, waiting
    /// at most `timeoutMilliseconds`; `nil` when none came in time or the source has finished
    /// (see ``LivePacketSource``). A stopping source returns packets until two block timeouts
    /// after the stop and then finishes, leaving any that are still queued.
    ///
    /// - Throws: ``CaptureError/cannotCapture(interface:reason:)`` with libpcap's message (e.g.
    ///   the interface went down), ``CaptureError/system(interface:_:)`` when `poll` fails; every
    ///   later call throws it again.
    public func next(timeoutMilliseconds: Int) throws(CaptureError) -> PacketRecord? {
        if let failure { throw failure }
        if isFinished { return nil }
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(max(0, timeoutMilliseconds)))
        while true {
            // Checked at every packet, so that a stop also takes effect while packets keep coming.
            if stopDeadline == nil, stopHandle.isStopRequested {
                stopDeadline = .now + LiveCapture.drainTime(blockTimeoutMilliseconds: configuration.blockTimeoutMilliseconds)
            }
            if let stopDeadline, ContinuousClock.now >= stopDeadline {
                isFinished = true
                return nil
            }
            switch handle.next(linkType: linkType) {
            case .packet(let record):
                totals.packetsDelivered &+= 1
                return record
            case .noPacket:
                break
            case .endOfFile:  // only after pcap_breakloop, which this source does not call
                isFinished = true
                return nil
            case .error:
                let error = CaptureError.cannotCapture(interface: name, reason: handle.lastError)
                failure = error
                throw error
            }
            var wait = LiveCapture.milliseconds(until: deadline)
            if let stopDeadline {
                wait = min(wait, LiveCapture.milliseconds(until: stopDeadline))
            }
            if wait == 0 {
                if let stopDeadline, ContinuousClock.now >= stopDeadline {
                    isFinished = true
                }
                return nil
            }
            // Once stopping, the stop notifier stays readable: poll libpcap's descriptor alone.
            let descriptors = UnsafeMutableBufferPointer(rebasing: pollDescriptors[0..<(stopDeadline == nil ? 2 : 1)])
            do {
                _ = try Poll.wait(descriptors, timeoutMilliseconds: wait)
            } catch {
                let error = CaptureError.system(interface: name, error)
                failure = error
                throw error
            }
        }
    }

    /// The counters since the source was opened (`pcap_stats`; libpcap has no ring-full or block
    /// counters, so those stay 0). libpcap's counters are 32 bits wide; their increments since the
    /// last call are added, so the totals keep counting past 2³².
    ///
    /// - Throws: ``CaptureError/cannotCapture(interface:reason:)`` when libpcap cannot read them.
    public func statistics() throws(CaptureError) -> CaptureStatistics {
        guard let kernel = handle.statistics() else {
            throw .cannotCapture(interface: name, reason: handle.lastError)
        }
        totals.packetsReceived += UInt64(kernel.ps_recv &- lastKernelCounters.ps_recv)
        totals.packetsDropped += UInt64(kernel.ps_drop &- lastKernelCounters.ps_drop)
        lastKernelCounters = kernel
        return totals
    }
}

@available(*, unavailable, message: "a source and the records it returns belong to one thread at a time")
extension PcapLiveSource: Sendable {}
