import CTapedeckLinux
import TapedeckCore
import TapedeckPOSIX

#if canImport(Glibc)
import Glibc
#endif

/// Captures an Ethernet (or loopback) interface through an `AF_PACKET` socket with a TPACKET_V3
/// receive ring that the kernel fills and this source reads in place.
///
/// ## Setting up
/// ``init(configuration:)`` opens a raw packet socket that receives nothing yet, selects
/// TPACKET_V3, attaches the compiled filter, allocates and maps the ring (see
/// ``AFPacketConfiguration``), turns on promiscuous mode, and only then binds to the interface
/// for every protocol, so that the first packet in the ring is already a filtered packet of that
/// interface; then it joins the fanout group, if any. Capturing needs root or `CAP_NET_RAW`.
/// On a loopback interface, where every packet passes once out and once in, it keeps the
/// incoming copy only (`PACKET_IGNORE_OUTGOING`, Linux 4.20), as libpcap does.
///
/// ## Packets
/// ``next(timeoutMilliseconds:)`` returns the packets of the block the kernel handed over, one
/// after another, borrowed from the ring (valid until the next call); when a block is used up it
/// goes back to the kernel, and when the next block is not ready the source waits (`poll`) for
/// it, at most the timeout. The per-packet path neither allocates nor copies packet bytes.
///
/// Records carry the kernel's nanosecond receive time stamp (`tp_sec`, `tp_nsec`), the original
/// length (`tp_len`) and the captured bytes (`tp_snaplen`); a VLAN tag the kernel took out of the
/// frame is put back in front of the EtherType, with the TPID it had (802.1Q or 802.1ad), so the
/// stored frame is the frame on the wire. The link type is Ethernet.
///
/// ## Threads
/// Not `Sendable`: records borrow the ring, so one thread at a time owns a source. Other threads
/// stop it through ``stopHandle``; see ``LivePacketSource`` for the stop and for a capture loop.
public final class AFPacketSource: LivePacketSource {
    /// The configuration the source was opened with.
    public let configuration: AFPacketConfiguration
    /// Stops the source from any thread.
    public let stopHandle: CaptureStopHandle
    /// Whether the source has stopped and delivered everything it captured before the stop.
    public private(set) var isFinished = false

    private let socket: PacketSocket
    private var ring: PacketRing
    private let snapLength: Int
    /// The socket and the stop notifier, for `poll`.
    private let pollDescriptors: UnsafeMutableBufferPointer<pollfd>
    /// Whether the source holds the current block (the kernel has handed it over, and the
    /// source has not returned it yet).
    private var holdsBlock = false
    /// Packets of the held block not returned yet, and where the next one starts.
    private var packetsLeft = 0
    private var frame: UnsafeMutableRawPointer?
    /// When a stopping source gives up waiting for the kernel's last block; `nil` until stopped.
    private var stopDeadline: ContinuousClock.Instant?
    private var failure: CaptureError?
    private var totals = CaptureStatistics()

    /// Opens the socket and the ring and starts capturing on `configuration.interface`.
    ///
    /// - Throws: ``CaptureError/invalidConfiguration(reason:)`` for a configuration
    ///   ``AFPacketConfiguration/validate()`` refuses, ``CaptureError/invalidFilter(expression:reason:)``
    ///   for a filter libpcap cannot compile, ``CaptureError/cannotCapture(interface:reason:)`` for an
    ///   interface that is not Ethernet or loopback, ``CaptureError/system(interface:_:)`` when a system
    ///   call fails (`ENODEV`: no such interface; `EPERM`: not root; `ENOMEM`: the ring is too large).
    public init(configuration: AFPacketConfiguration) throws(CaptureError) {
        try configuration.validate()
        let interface = configuration.interface
        func system<Result>(_ body: () throws(Errno) -> Result) throws(CaptureError) -> Result {
            do { return try body() } catch { throw .system(interface: interface, error) }
        }
        let index = try system { () throws(Errno) in try NetworkInterface.index(named: interface) }
        // The compiled filter cuts packets to the snapshot length in the kernel, so that the ring
        // holds only what is kept; the empty expression accepts everything.
        let program = configuration.filter != nil || configuration.snapLength < LiveCapture.maximumSnapLength
            ? try BPFProgram(expression: configuration.filter ?? "", snapLength: configuration.snapLength)
            : nil
        let stopHandle = try system { () throws(Errno) in try CaptureStopHandle() }
        let socket = try system { () throws(Errno) in try PacketSocket.open() }
        var ring: PacketRing?
        do throws(CaptureError) {
            try system { () throws(Errno) in try socket.bind(interfaceIndex: index, protocol: 0) }
            let hardwareType = try system { () throws(Errno) in try socket.hardwareType() }
            guard hardwareType == ARPHRD_ETHER || hardwareType == ARPHRD_LOOPBACK else {
                throw .cannotCapture(interface: interface, reason: "its link layer (ARPHRD \(hardwareType)) is not"
                    + " Ethernet; the AF_PACKET source captures Ethernet and loopback interfaces, libpcap the others")
            }
            try system { () throws(Errno) in
                if hardwareType == ARPHRD_LOOPBACK { try socket.ignoreOutgoingPackets() }
                try socket.useTPacketV3()
                if let program { try socket.attachFilter(program) }
                try socket.setReceiveRing(blockSize: configuration.blockSize, blockCount: configuration.blockCount,
                                          frameSize: configuration.frameSize,
                                          blockTimeoutMilliseconds: configuration.blockTimeoutMilliseconds)
                ring = try PacketRing(socket: socket, blockSize: configuration.blockSize,
                                      blockCount: configuration.blockCount)
                if configuration.promiscuous { try socket.addPromiscuousMembership(interfaceIndex: index) }
                try socket.bind(interfaceIndex: index, protocol: ETH_P_ALL)
                if let group = configuration.fanoutGroup { try socket.joinFanoutGroup(group) }
            }
        } catch {
            ring?.unmap()
            socket.close()
            throw error
        }
        self.configuration = configuration
        self.stopHandle = stopHandle
        self.socket = socket
        self.ring = ring!
        snapLength = configuration.snapLength
        pollDescriptors = .allocate(capacity: 2)
        pollDescriptors[0] = pollfd(fd: socket.socket.rawValue, events: Int16(POLLIN), revents: 0)
        pollDescriptors[1] = pollfd(fd: stopHandle.notifier.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
    }

    deinit {
        ring.unmap()
        socket.close()
        pollDescriptors.deallocate()
    }

    /// The interface name.
    public var name: String { configuration.interface }

    /// Ethernet: loopback interfaces on Linux carry Ethernet frames too.
    public var linkType: LinkType { .ethernet }

    /// Whether the ring's pages are locked in memory (`MAP_LOCKED` was allowed).
    public var isRingLocked: Bool { ring.isLocked }

    /// The next packet, borrowed from the ring until the following call, waiting at most
    /// `timeoutMilliseconds` for the kernel to hand over a block; `nil` when none came in time or
    /// the source has finished (see ``LivePacketSource``).
    ///
    /// - Throws: ``CaptureError/system(interface:_:)`` when `poll` fails or the socket reports an
    ///   error (`ENETDOWN`: the interface went down or away); every later call throws it again.
    public func next(timeoutMilliseconds: Int) throws(CaptureError) -> PacketRecord? {
        if packetsLeft > 0 {
            return takePacket()
        }
        do {
            return try nextBlock(timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            failure = failure ?? error
            throw error
        }
    }

    /// The counters since the source was opened; adds the kernel's counters, which this read
    /// resets (`PACKET_STATISTICS`), to the totals.
    ///
    /// - Throws: ``CaptureError/system(interface:_:)`` when `getsockopt` fails.
    public func statistics() throws(CaptureError) -> CaptureStatistics {
        let kernel: tpacket_stats_v3
        do { kernel = try socket.statistics() } catch { throw .system(interface: name, error) }
        totals.packetsReceived += UInt64(kernel.tp_packets)
        totals.packetsDropped += UInt64(kernel.tp_drops)
        totals.ringFullEvents += UInt64(kernel.tp_freeze_q_cnt)
        return totals
    }

    /// Returns the next packet of the held block.
    @inline(__always)
    private func takePacket() -> PacketRecord {
        let header = frame.unsafelyUnwrapped.assumingMemoryBound(to: tpacket3_hdr.self)
        packetsLeft &-= 1
        frame = UnsafeMutableRawPointer(header) + Int(header.pointee.tp_next_offset)
        totals.packetsDelivered &+= 1
        return TPacketFrame.record(header, snapLength: snapLength)
    }

    /// Returns the used-up block, then takes the first packet of the next block, waiting for it.
    private func nextBlock(timeoutMilliseconds: Int) throws(CaptureError) -> PacketRecord? {
        if let failure { throw failure }
        if isFinished { return nil }
        if holdsBlock {
            ring.releaseCurrent()
            holdsBlock = false
        }
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(max(0, timeoutMilliseconds)))
        while true {
            // Checked at every block, so that a stop also takes effect while blocks keep coming.
            if stopDeadline == nil, stopHandle.isStopRequested {
                try beginStopping()
            }
            if let (block, status) = ring.readyBlock() {
                if status & UInt32(TP_STATUS_BLK_TMO) != 0 {
                    totals.blocksTimedOut += 1
                } else {
                    totals.blocksFull += 1
                }
                let count = Int(block.pointee.hdr.bh1.num_pkts)
                if count == 0 {
                    ring.releaseCurrent()
                    continue
                }
                holdsBlock = true
                packetsLeft = count
                frame = UnsafeMutableRawPointer(block) + Int(block.pointee.hdr.bh1.offset_to_first_pkt)
                return takePacket()
            }
            var wait = LiveCapture.milliseconds(until: deadline)
            if let stopDeadline {
                let left = LiveCapture.milliseconds(until: stopDeadline)
                if left == 0 {
                    isFinished = true
                    return nil
                }
                wait = min(wait, left)
            }
            if wait == 0 {
                return nil
            }
            try waitForBlock(milliseconds: wait)
        }
    }

    /// Stops new packets from entering the ring and starts the wait for the block the kernel is
    /// still filling.
    private func beginStopping() throws(CaptureError) {
        do { try socket.attachRejectAllFilter() } catch { throw .system(interface: name, error) }
        stopDeadline = .now + LiveCapture.drainTime(blockTimeoutMilliseconds: configuration.blockTimeoutMilliseconds)
    }

    /// Waits until the kernel hands over a block, the stop handle fires (until the source is
    /// stopping), or `milliseconds` pass.
    private func waitForBlock(milliseconds: Int32) throws(CaptureError) {
        let descriptors = UnsafeMutableBufferPointer(rebasing: pollDescriptors[0..<(stopDeadline == nil ? 2 : 1)])
        do throws(Errno) {
            _ = try Poll.wait(descriptors, timeoutMilliseconds: milliseconds)
            if descriptors[0].revents & Int16(POLLERR) != 0 {
                let code = try socket.pendingError()
                if code != 0 {
                    throw Errno(code: code, function: "poll", context: "packet socket fd \(socket.socket.rawValue)")
                }
            }
        } catch {
            throw .system(interface: name, error)
        }
    }
}

@available(*, unavailable, message: "a source and the records it returns belong to one thread at a time")
extension AFPacketSource: Sendable {}
