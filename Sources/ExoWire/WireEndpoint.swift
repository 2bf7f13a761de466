// What a tenant binds on the data path, as the control protocol carries it: a transport
// endpoint (protocol, address, port or echo identifier) or, with protocol 0, a whole address.

/// A bind target on the wire. `proto` is 0 (the whole `address`: ARP, echo and everything no
/// endpoint binding claims), 1 (ICMP echo: `port` is the echo identifier), 6 (TCP) or
/// 17 (UDP); `port` is 0 when `proto` is 0.
///
/// The wire form of `ExoCore`'s `BindingTarget` (an `Endpoint` or a whole address); named
/// apart so that code importing both modules needs no qualification.
public struct WireEndpoint: Equatable, Hashable, Sendable {
    /// The protocol value of a whole-address binding.
    public static let wholeAddress: UInt8 = 0
    /// The IPv4 protocol number of ICMP (an echo identifier binding).
    public static let icmp: UInt8 = 1
    /// The IPv4 protocol number of TCP.
    public static let tcp: UInt8 = 6
    /// The IPv4 protocol number of UDP.
    public static let udp: UInt8 = 17

    public var proto: UInt8
    /// IPv4 address, host byte order.
    public var address: UInt32
    public var port: UInt16

    public init(proto: UInt8, address: UInt32, port: UInt16) {
        self.proto = proto
        self.address = address
        self.port = port
    }

    /// A whole-address binding of `address`.
    public static func whole(_ address: UInt32) -> WireEndpoint {
        WireEndpoint(proto: wholeAddress, address: address, port: 0)
    }

    /// Whether the codec accepts this value: a known protocol, and port 0 for a whole address.
    public var isWellFormed: Bool {
        switch proto {
        case Self.wholeAddress: port == 0
        case Self.icmp, Self.tcp, Self.udp: true
        default: false
        }
    }
}

extension WireEndpoint: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        proto = try reader.read()
        address = try reader.read()
        port = try reader.read()
        guard isWellFormed else { throw .badValue("endpoint") }
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        guard isWellFormed else { throw .badValue("endpoint") }
        writer.write(proto)
        writer.write(address)
        writer.write(port)
    }
}
