// ARP for Ethernet and IPv4 (RFC 826): a checked view over the 28-byte packet and its
// representation. Any other hardware or protocol type is malformed here.

/// What an ARP packet asks or answers.
@frozen public struct ARPOperation: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let request = ARPOperation(rawValue: 1)
    public static let reply = ARPOperation(rawValue: 2)
}

/// A checked view of an Ethernet/IPv4 ARP packet. Checking validates the length and the
/// four type/length fields, so the address accessors are infallible and mean what they say.
/// Borrows its bytes: use it only while they are lent (see `PacketBytes`).
@frozen public struct ARPPacket {
    /// Byte offsets of the fields.
    public enum Field {
        public static let hardwareType = 0..<2
        public static let protocolType = 2..<4
        public static let hardwareLength = 4
        public static let protocolLength = 5
        public static let operation = 6..<8
        public static let senderHardware = 8..<14
        public static let senderProtocol = 14..<18
        public static let targetHardware = 18..<24
        public static let targetProtocol = 24..<28
    }
    /// Bytes in an Ethernet/IPv4 ARP packet (any more is padding).
    public static let length = 28
    /// The hardware type of Ethernet.
    public static let ethernetHardware: UInt16 = 1

    /// The packet (and any padding after it).
    public let bytes: PacketBytes

    /// Checks length, hardware type 1 with 6-byte addresses and protocol IPv4 with 4-byte ones.
    @inlinable public init(checking bytes: PacketBytes) throws(PacketError) {
        guard bytes.count >= Self.length else { throw .truncated }
        guard bytes.u16(Field.hardwareType.lowerBound) == Self.ethernetHardware,
            bytes.u16(Field.protocolType.lowerBound) == EtherType.ipv4.rawValue,
            bytes.u8(Field.hardwareLength) == 6, bytes.u8(Field.protocolLength) == 4
        else { throw .malformed }
        self.bytes = bytes
    }

    @inlinable public var operation: ARPOperation { ARPOperation(rawValue: bytes.u16(Field.operation.lowerBound)) }
    @inlinable public var senderHardware: MACAddress { MACAddress(bytes, at: Field.senderHardware.lowerBound) }
    @inlinable public var senderProtocol: IPv4Address { IPv4Address(bytes, at: Field.senderProtocol.lowerBound) }
    @inlinable public var targetHardware: MACAddress { MACAddress(bytes, at: Field.targetHardware.lowerBound) }
    @inlinable public var targetProtocol: IPv4Address { IPv4Address(bytes, at: Field.targetProtocol.lowerBound) }
}

/// The meaning of an Ethernet/IPv4 ARP packet.
public struct ARPRepr: Hashable, Sendable {
    public var operation: ARPOperation
    public var senderHardware: MACAddress
    public var senderProtocol: IPv4Address
    public var targetHardware: MACAddress
    public var targetProtocol: IPv4Address

    public init(
        operation: ARPOperation, senderHardware: MACAddress, senderProtocol: IPv4Address,
        targetHardware: MACAddress, targetProtocol: IPv4Address
    ) {
        self.operation = operation
        self.senderHardware = senderHardware
        self.senderProtocol = senderProtocol
        self.targetHardware = targetHardware
        self.targetProtocol = targetProtocol
    }

    /// Reads a checked packet; only requests and replies are representable.
    public init(parsing packet: ARPPacket) throws(PacketError) {
        guard packet.operation == .request || packet.operation == .reply else { throw .malformed }
        self.init(
            operation: packet.operation, senderHardware: packet.senderHardware, senderProtocol: packet.senderProtocol,
            targetHardware: packet.targetHardware, targetProtocol: packet.targetProtocol)
    }

    /// Writes the 28 bytes at the start of `bytes` (which must hold at least 28).
    public func emit(into bytes: MutablePacketBytes) {
        precondition(bytes.count >= ARPPacket.length, "ARP buffer too short")
        bytes.setU16(ARPPacket.Field.hardwareType.lowerBound, ARPPacket.ethernetHardware)
        bytes.setU16(ARPPacket.Field.protocolType.lowerBound, EtherType.ipv4.rawValue)
        bytes.setU8(ARPPacket.Field.hardwareLength, 6)
        bytes.setU8(ARPPacket.Field.protocolLength, 4)
        bytes.setU16(ARPPacket.Field.operation.lowerBound, operation.rawValue)
        senderHardware.write(to: bytes, at: ARPPacket.Field.senderHardware.lowerBound)
        senderProtocol.write(to: bytes, at: ARPPacket.Field.senderProtocol.lowerBound)
        targetHardware.write(to: bytes, at: ARPPacket.Field.targetHardware.lowerBound)
        targetProtocol.write(to: bytes, at: ARPPacket.Field.targetProtocol.lowerBound)
    }
}
