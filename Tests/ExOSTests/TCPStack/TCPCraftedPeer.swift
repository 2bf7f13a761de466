// A hand-driven TCP peer for one ExOS stack (host 1): the test writes each segment the peer
// sends (sequence numbers, flags, options, timestamps) and reads back what the stack sent,
// so that single transitions, forged resets and stale segments can be specified exactly.

import ExoPacket
import Testing

@testable import ExOS

/// A segment the stack sent, as values.
struct SentSegment {
    var header: TCPRepr
    var payload: [UInt8]
    var flags: TCPFlags { header.flags }
    var sequence: TCPSequenceNumber { header.sequenceNumber }
    var acknowledgement: TCPSequenceNumber { header.acknowledgementNumber }
}

struct CraftedPeer {
    var stack: NetworkStack
    var now = Instant.zero
    static let address = Hosts.strangerAddress
    static let port: UInt16 = 40000
    static let stackEndpoint = IPv4Endpoint(address: Hosts.address(1), port: 80)
    var handle: TCPHandle?
    var listener: TCPListenerHandle?
    /// The peer's next sequence number and the next it expects from the stack.
    var sendNext = TCPSequenceNumber(1_000_000)
    var receiveNext = TCPSequenceNumber(0)
    /// The peer's timestamp clock (TSval it sends) and the stack's latest TSval (to echo).
    var clock: UInt32 = 5000
    var echo: UInt32 = 0
    /// Every segment the stack sent, in order.
    var log: [SentSegment] = []

    init(limits: StackLimits = Hosts.quiet) {
        self.init(configuration: Hosts.owned(1, limits: limits))
    }

    /// A peer of a stack configured as `configuration`, starting at `now`.
    init(configuration: StackConfiguration, now: Instant = .zero) {
        self.now = now
        stack = NetworkStack(configuration: configuration, now: now)
        // An ARP request from the peer teaches the stack its MAC.
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(1)), now: now)
        _ = stack.drainRaw(now: now)
    }

    /// Sends a segment from the peer; unspecified numbers are the peer's SND.NXT and
    /// RCV.NXT, and SND.NXT advances past what it sends.
    mutating func send(
        _ flags: TCPFlags, sequence: TCPSequenceNumber? = nil, acknowledgement: TCPSequenceNumber? = nil,
        payload: [UInt8] = [], window: UInt16 = 65535, timestamp: UInt32? = nil, options: TCPOptions? = nil,
        sack: [TCPSACKBlock] = []
    ) {
        var segmentOptions = options ?? TCPOptions()
        if options == nil { segmentOptions.timestamps = TCPTimestamps(value: timestamp ?? clock, echoReply: echo) }
        for block in sack { _ = segmentOptions.sackBlocks.append(block) }
        let header = TCPRepr(
            sourcePort: Self.port, destinationPort: Self.stackEndpoint.port, sequenceNumber: sequence ?? sendNext,
            acknowledgementNumber: flags.contains(.ack) ? (acknowledgement ?? receiveNext) : TCPSequenceNumber(0),
            flags: flags, window: window, options: segmentOptions, payloadLength: payload.count)
        if sequence == nil {
            sendNext += payload.count + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0)
        }
        stack.inject(Self.frame(header, payload: payload), now: now)
    }

    static func frame(_ header: TCPRepr, payload: [UInt8]) -> [UInt8] {
        let ipLength = IPv4Packet.minimumHeaderLength + header.length
        var frame = [UInt8](repeating: 0, count: EthernetPacket.headerLength + ipLength)
        MutablePacketBytes.with(&frame) { bytes in
            EthernetRepr(destination: Hosts.mac(1), source: Hosts.stranger, etherType: .ipv4).emit(
                into: try! MutableEthernetPacket(checking: bytes))
            let ip = bytes.dropFirst(EthernetPacket.headerLength)
            let tcp = ip.dropFirst(IPv4Packet.minimumHeaderLength)
            for (i, byte) in payload.enumerated() { tcp.setU8(header.headerLength + i, byte) }
            _ = try! header.emit(into: tcp, source: address, destination: Hosts.address(1))
            _ = try! IPv4Repr(source: address, destination: Hosts.address(1), protocol: .tcp, payloadLength: header.length)
                .emit(into: ip)
        }
        return frame
    }

    /// What the stack sent since the last call; RCV.NXT and the echoed TSval follow it.
    mutating func received() -> [SentSegment] {
        var segments: [SentSegment] = []
        for frame in stack.drainRaw(now: now) {
            let parsed: SentSegment? = frame.withUnsafeBytes { raw in
                let bytes = PacketBytes(unsafeBuffer: raw)
                guard let ethernet = try? EthernetPacket(checking: bytes), let ip = try? IPv4Packet(checking: ethernet.payload),
                    ip.protocol == .tcp, let header = try? TCPHeader(checking: ip.payload),
                    let repr = try? TCPRepr(parsing: header, source: ip.source, destination: ip.destination)
                else { return nil }
                return SentSegment(header: repr, payload: header.payload.array)
            }
            guard let segment = parsed else { continue }
            let end = segment.sequence + segment.payload.count + (segment.flags.contains(.syn) ? 1 : 0)
                + (segment.flags.contains(.fin) ? 1 : 0)
            if segment.flags.contains(.syn) || (end.isAfter(receiveNext) && !segment.sequence.isAfter(receiveNext)) {
                receiveNext = end
            }
            if let timestamps = segment.header.options.timestamps { echo = timestamps.value }
            segments.append(segment)
        }
        log += segments
        return segments
    }

    /// Moves the clock by `interval` (running the stack's timers) and returns what it sent.
    mutating func wait(_ interval: Interval) -> [SentSegment] {
        let end = now + interval
        var segments: [SentSegment] = []
        while let deadline = stack.nextDeadline, deadline <= end {
            if deadline > now { now = deadline }
            segments += received()
            if stack.nextDeadline == deadline, !stack.hasFramesToSend { now = now + .microseconds(1) }
        }
        now = end
        return segments + received()
    }

    /// The stack listens on port 80 and the peer opens a connection to it, offering MSS,
    /// window scaling, SACK and timestamps; the stack's side is accepted.
    mutating func openPassively(backlog: Int = 8, options: TCPConnectionOptions = .init()) -> Bool {
        listener = try! stack.listenTCP(port: Self.stackEndpoint.port, backlog: backlog, options: options)
        send(.syn, options: Self.synOptions(clock))
        guard let synAck = received().first(where: { $0.flags == [.syn, .ack] }) else { return false }
        guard synAck.acknowledgement == sendNext else { return false }
        send(.ack)
        handle = stack.accept(listener!)
        _ = received()
        return handle != nil && stack.tcp.state(handle!) == .established
    }

    /// The stack connects to the peer, which answers its SYN.
    mutating func openActively(options: TCPConnectionOptions = .init()) -> Bool {
        handle = try! stack.connectTCP(
            to: IPv4Endpoint(address: Self.address, port: Self.port), port: Self.stackEndpoint.port, options: options,
            now: now)
        guard let syn = received().first(where: { $0.flags == .syn }) else { return false }
        send([.syn, .ack], acknowledgement: syn.sequence + 1, options: Self.synOptions(clock, echo: echo))
        _ = received()
        return stack.tcp.state(handle!) == .established
    }

    static func synOptions(_ clock: UInt32, echo: UInt32 = 0) -> TCPOptions {
        var options = TCPOptions()
        options.maximumSegmentSize = 1460
        options.windowScale = 0
        options.sackPermitted = true
        options.timestamps = TCPTimestamps(value: clock, echoReply: echo)
        return options
    }

    /// Writes `bytes` on the stack's side of the connection.
    mutating func write(_ bytes: [UInt8]) -> Int { (try? stack.write(handle!, bytes[...], now: now)) ?? 0 }

    var state: TCPState? { stack.tcp.state(handle!) }
    var block: TCPControlBlock { stack.tcp.connections.table[index: stack.tcp.connections.table.resolve(handle!.slot)!] }
}
