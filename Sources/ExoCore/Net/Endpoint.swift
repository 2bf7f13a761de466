// The things a tenant binds: a transport endpoint (protocol, address, port) and the two
// transport protocols that have ports.
import ExoWire

/// A transport protocol with ports. `rawValue` is its IPv4 protocol number.
public enum TransportProtocol: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case tcp = 6
    case udp = 17

    /// The transport protocol an IPv4 protocol number names, if it has ports.
    public init?(_ proto: IPProtocol) {
        self.init(rawValue: proto.rawValue)
    }

    public var ipProtocol: IPProtocol { IPProtocol(rawValue: rawValue) }
    public var description: String { self == .tcp ? "tcp" : "udp" }
}

/// One transport endpoint: what a port binding names and what a packet's destination (or
/// an ICMP error's quoted source) is looked up by.
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
