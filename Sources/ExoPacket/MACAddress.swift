// A 48-bit Ethernet hardware address, stored in one integer so comparing, hashing and
// copying one costs nothing.

/// An Ethernet MAC address. `rawValue` holds the six bytes big-endian in its low 48 bits.
@frozen public struct MACAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    /// The address whose six bytes, in wire order, are the low 48 bits of `rawValue`.
    @inlinable public init(rawValue: UInt64) {
        self.rawValue = rawValue & 0xFFFF_FFFF_FFFF
    }

    /// The address `a:b:c:d:e:f`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        let high = UInt64(a) << 40 | UInt64(b) << 32 | UInt64(c) << 24
        self.init(rawValue: high | UInt64(d) << 16 | UInt64(e) << 8 | UInt64(f))
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (hex, either case); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var value: UInt64 = 0
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            value = value << 8 | UInt64(byte)
        }
        self.init(rawValue: value)
    }

    /// Reads six bytes at `offset`.
    @inlinable public init(_ bytes: PacketBytes, at offset: Int) {
        self.init(rawValue: UInt64(bytes.u16(offset)) << 32 | UInt64(bytes.u32(offset + 2)))
    }

    /// Writes the six bytes at `offset`.
    @inlinable public func write(to bytes: MutablePacketBytes, at offset: Int) {
        bytes.setU16(offset, UInt16(truncatingIfNeeded: rawValue >> 32))
        bytes.setU32(offset + 2, UInt32(truncatingIfNeeded: rawValue))
    }

    /// ff:ff:ff:ff:ff:ff.
    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    /// 00:00:00:00:00:00 (the unknown target of an ARP request).
    public static let zero = MACAddress(rawValue: 0)

    /// The group bit (least significant bit of the first byte): multicast, broadcast included.
    @inlinable public var isMulticast: Bool { rawValue & (1 << 40) != 0 }
    /// All ones.
    @inlinable public var isBroadcast: Bool { rawValue == 0xFFFF_FFFF_FFFF }
    /// The U/L bit (second bit of the first byte): assigned locally, not by a vendor.
    @inlinable public var isLocallyAdministered: Bool { rawValue & (1 << 41) != 0 }
    /// A single station's address: neither multicast nor all zeros.
    @inlinable public var isUnicast: Bool { !isMulticast && rawValue != 0 }

    /// The six bytes in wire order.
    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64($0))) } }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
