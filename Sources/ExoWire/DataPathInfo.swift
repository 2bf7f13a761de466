// What `openDataPath` answers besides its three descriptors: the ring region's geometry and
// the tenant's network identity (gateway, owned addresses, port shares).
import ExoPacket

/// The data path of one session, as `dataPathOpened` describes it. The record carries three
/// descriptors (docs/PROTOCOL.md, "Data path"): the ring region memfd, then the
/// daemon-to-tenant eventfd, then the tenant-to-daemon eventfd; the receiver owns and
/// closes all three.
public struct DataPathInfo: Equatable, Sendable {
    /// `SessionRingsLayout` version of the region (1).
    public var layoutVersion: UInt16
    /// Slots of each of the four rings (a power of two).
    public var ringCapacity: UInt32
    /// Bytes of the ring region (`SessionRingsLayout.byteCount`).
    public var regionSize: UInt32
    /// Largest IPv4 packet the link carries (the Ethernet header not counted).
    public var mtu: UInt16
    /// Bytes per frame; a descriptor's length is at most this.
    public var frameSize: UInt32
    /// Host side address of the link (the tenants' gateway), host byte order.
    public var gateway: UInt32
    /// The gateway's MAC address.
    public var gatewayMAC: MACAddress
    /// Prefix length of the link's subnet, 0 to 32.
    public var prefixLength: UInt8
    /// Addresses the tenant owns whole.
    public var addresses: [AddressGrant]
    /// Port ranges the tenant may bind on shared addresses.
    public var portShares: [WirePortShare]

    public init(
        layoutVersion: UInt16, ringCapacity: UInt32, regionSize: UInt32, mtu: UInt16, frameSize: UInt32,
        gateway: UInt32, gatewayMAC: MACAddress, prefixLength: UInt8, addresses: [AddressGrant],
        portShares: [WirePortShare]
    ) {
        self.layoutVersion = layoutVersion
        self.ringCapacity = ringCapacity
        self.regionSize = regionSize
        self.mtu = mtu
        self.frameSize = frameSize
        self.gateway = gateway
        self.gatewayMAC = gatewayMAC
        self.prefixLength = prefixLength
        self.addresses = addresses
        self.portShares = portShares
    }
}

/// An address granted to a tenant and the MAC address its frames must carry.
public struct AddressGrant: Equatable, Sendable {
    /// IPv4 address, host byte order.
    public var address: UInt32
    /// Source MAC the tenant sends with (and receives on) for this address.
    public var mac: MACAddress
    /// True when the tenant owns the address whole (its own MAC; it answers ARP and echo);
    /// false for a shared address (the daemon's MAC; the daemon answers them).
    public var whole: Bool

    public init(address: UInt32, mac: MACAddress, whole: Bool) {
        self.address = address
        self.mac = mac
        self.whole = whole
    }
}

/// A range of ports of one protocol on a shared address, granted to a tenant (the wire form
/// of `ExoCore`'s `PortShare`, named apart so both modules can be imported together).
public struct WirePortShare: Equatable, Sendable {
    /// 1 (ICMP: the range is of echo identifiers), 6 (TCP) or 17 (UDP).
    public var proto: UInt8
    /// IPv4 address, host byte order.
    public var address: UInt32
    public var firstPort: UInt16
    /// At least `firstPort`.
    public var lastPort: UInt16

    public init(proto: UInt8, address: UInt32, firstPort: UInt16, lastPort: UInt16) {
        self.proto = proto
        self.address = address
        self.firstPort = firstPort
        self.lastPort = lastPort
    }

    var isWellFormed: Bool {
        (proto == WireEndpoint.icmp || proto == WireEndpoint.tcp || proto == WireEndpoint.udp) && firstPort <= lastPort
    }
}

/// Why the daemon refused a descriptor the tenant posted (`Event.dataPathFault`'s reason).
public enum DataPathFaultReason: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// The frame number is not in the pool.
    case frameOutOfRange = 1
    /// The length exceeds the frame size (or is too short to be a frame, on tx).
    case badLength = 2
    /// Flag bits that the ring layout does not define.
    case unknownFlags = 3
    /// The session does not hold the frame writable.
    case notHeldWritable = 4
    /// A ring index no well-behaved tenant could have written; the ring is no longer served.
    case ringIndex = 5
    /// The frame is already in flight: on a ring (this session's or another's) and not yet
    /// handed back. The descriptor is dropped; the frame comes back once, for the first one.
    case alreadyInFlight = 6

    public var description: String {
        switch self {
        case .frameOutOfRange: "frameOutOfRange"
        case .badLength: "badLength"
        case .unknownFlags: "unknownFlags"
        case .notHeldWritable: "notHeldWritable"
        case .ringIndex: "ringIndex"
        case .alreadyInFlight: "alreadyInFlight"
        }
    }
}

extension DataPathInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        layoutVersion = try reader.read()
        ringCapacity = try reader.read()
        regionSize = try reader.read()
        mtu = try reader.read()
        frameSize = try reader.read()
        gateway = try reader.read()
        gatewayMAC = try reader.readMAC()
        prefixLength = try reader.read()
        guard prefixLength <= 32 else { throw .badValue("dataPath.prefixLength") }
        addresses = try reader.readList(field: "dataPath.addresses", allowed: FieldRange.list)
        portShares = try reader.readList(field: "dataPath.portShares", allowed: FieldRange.list)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        guard prefixLength <= 32 else { throw .badValue("dataPath.prefixLength") }
        writer.write(layoutVersion)
        writer.write(ringCapacity)
        writer.write(regionSize)
        writer.write(mtu)
        writer.write(frameSize)
        writer.write(gateway)
        writer.writeMAC(gatewayMAC)
        writer.write(prefixLength)
        try writer.writeList(addresses, field: "dataPath.addresses", allowed: FieldRange.list)
        try writer.writeList(portShares, field: "dataPath.portShares", allowed: FieldRange.list)
    }
}

extension AddressGrant: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        address = try reader.read()
        mac = try reader.readMAC()
        whole = try reader.readBool(field: "addressGrant.whole")
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(address)
        writer.writeMAC(mac)
        writer.writeBool(whole)
    }
}

extension WirePortShare: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        proto = try reader.read()
        address = try reader.read()
        firstPort = try reader.read()
        lastPort = try reader.read()
        guard isWellFormed else { throw .badValue("portShare") }
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        guard isWellFormed else { throw .badValue("portShare") }
        writer.write(proto)
        writer.write(address)
        writer.write(firstPort)
        writer.write(lastPort)
    }
}

extension WireReader {
    /// Reads a MAC address: six bytes in transmission order.
    mutating func readMAC() throws(WireDecodeError) -> MACAddress {
        var raw: UInt64 = 0
        for _ in 0..<6 { raw = raw << 8 | UInt64(try read(UInt8.self)) }
        return MACAddress(rawValue: raw)
    }
}

extension WireWriter {
    /// Writes a MAC address: six bytes in transmission order.
    mutating func writeMAC(_ mac: MACAddress) {
        for shift in stride(from: 40, through: 0, by: -8) { write(UInt8(truncatingIfNeeded: mac.rawValue >> UInt64(shift))) }
    }
}
