// The things a tenant binds: a transport endpoint (protocol, address, port) and the
// protocols that have ports (UDP, TCP) or an identifier granted like one (ICMP echo).
import ExoWire
import ExoPacket

/// A protocol whose endpoints a tenant binds. `rawValue` is its IPv4 protocol number.
/// UDP and TCP endpoints are ports; an ICMP endpoint is an echo identifier, which on an
/// address shared by port is granted and bound like a port (it routes echo replies, and
/// errors quoting the tenant's echo requests).
public enum TransportProtocol: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case icmp = 1
    case tcp = 6
    case udp = 17

    /// The transport protocol an IPv4 protocol number names, if it has ports (UDP or TCP;
    /// never ICMP, whose identifier sits elsewhere and only in echo messages).
    public init?(_ proto: IPProtocol) {
        guard proto == .udp || proto == .tcp else { return nil }
        self.init(rawValue: proto.rawValue)
    }

    public var ipProtocol: IPProtocol { IPProtocol(rawValue: rawValue) }
    public var description: String {
        switch self {
        case .icmp: "icmp"
        case .tcp: "tcp"
        case .udp: "udp"
        }
    }
}

/// One transport endpoint: what a port binding names and what a packet's destination (or
/// an ICMP error's quoted source) is looked up by. For `.icmp`, `port` is the echo identifier.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var proto: TransportProtocol
    public var address: IPv4Address
    public var port: UInt16

    public init(_ proto: TransportProtocol, _ address: IPv4Address, _ port: UInt16) {
        self.proto = proto
        self.address = address
        self.port = port
    }

    /// The endpoint packed into one integer: the binding table's hash key.
    var key: UInt64 {
        UInt64(proto.rawValue) << 48 | UInt64(port) << 32 | UInt64(address.rawValue)
    }

    public var description: String { "\(proto) \(address):\(port)" }
}
