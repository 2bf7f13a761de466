// One UDP socket inside the stack: its bound endpoint, optional peer, bounded receive and
// transmit queues, and the last error the network reported for its flow.

import ExoPacket

/// An IPv4 address and a port: where a UDP socket or a TCP connection is bound or aimed.
public struct IPv4Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// The address.
    public var address: IPv4Address
    /// The port (UDP or TCP).
    public var port: UInt16

    /// `address`:`port`.
    public init(address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { "\(address):\(port)" }
}

/// A UDP socket's endpoint (the same value as TCP's).
public typealias UDPEndpoint = IPv4Endpoint

/// An ICMP error about a flow of the stack's (RFC 1122 §4.1.3.3 asks that UDP report them).
public struct ICMPErrorReport: Hashable, Sendable {
    /// Destination unreachable (3), time exceeded (11) or parameter problem (12).
    public var type: UInt8
    /// The code within the type (for destination unreachable, 3 is port unreachable).
    public var code: UInt8
    /// Who sent the error (a router, or the destination itself).
    public var reporter: IPv4Address
    /// The destination of the datagram the error quotes.
    public var destination: IPv4Address
    /// Its destination port (UDP) or echo sequence number (ICMP).
    public var destinationPort: UInt16

    /// Port unreachable: nobody listens at the destination.
    public var isPortUnreachable: Bool { type == 3 && code == 3 }
}

/// An error a socket holds until the application takes it.
public enum SocketError: Error, Hashable, Sendable {
    /// The network answered a datagram with an ICMP error.
    case icmp(ICMPErrorReport)
    /// ARP found no MAC for the next hop toward this destination; datagrams to it were dropped.
    case hostUnreachable(IPv4Address)
}

/// A datagram's source, as a socket's receive queue keeps it.
struct ReceivedFrom {
    var source: UDPEndpoint
    /// The local address it was sent to.
    var destination: IPv4Address
}

struct UDPSocketState {
    let local: UDPEndpoint
    /// Index of `local.address` among the stack's addresses.
    let localIndex: Int
    var remote: UDPEndpoint?
    var receiveQueue: PacketQueue<ReceivedFrom>
    var transmitQueue: PacketQueue<UDPEndpoint>
    var error: SocketError?
    /// Readiness already announced and not yet consumed (so events never repeat).
    var readableAnnounced = false
    var writableAnnounced = false
    /// The transmit queue refused a send since it was last writable.
    var wantsWritable = false
    /// On the stack's list of sockets with datagrams to send.
    var transmitScheduled = false

    init(local: UDPEndpoint, localIndex: Int, limits: StackLimits) {
        self.local = local
        self.localIndex = localIndex
        let anyone = UDPEndpoint(address: .any, port: 0)
        receiveQueue = PacketQueue(
            packets: limits.socketReceivePackets, bytes: limits.socketReceiveBytes,
            filler: ReceivedFrom(source: anyone, destination: .any))
        transmitQueue = PacketQueue(
            packets: limits.socketTransmitPackets, bytes: limits.socketTransmitBytes, filler: anyone)
    }

    /// What a free slot of the socket table holds: one tiny queue each way, shared by every
    /// free slot (never modified, only replaced).
    static let vacant: UDPSocketState = {
        var tiny = StackLimits()
        tiny.socketReceivePackets = 1
        tiny.socketReceiveBytes = 1
        tiny.socketTransmitPackets = 1
        tiny.socketTransmitBytes = 1
        return UDPSocketState(local: UDPEndpoint(address: .any, port: 0), localIndex: 0, limits: tiny)
    }()

    /// True when a datagram from `source` passes the connected-peer filter.
    func accepts(from source: UDPEndpoint) -> Bool { remote.map { $0 == source } ?? true }
}
