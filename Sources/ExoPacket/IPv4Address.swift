// A 32-bit IPv4 address held as one integer in host order, and the few classes of address
// the packet path and the address plan must recognise.

/// An IPv4 address. `rawValue` is the address as a number (10.0.0.1 is 0x0A00_0001).
@frozen public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt32

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The address `a.b.c.d`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text (`192.0.2.1`); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let byte = UInt8(part, radix: 10)
            else { return nil }
            value = value << 8 | UInt32(byte)
        }
        rawValue = value
    }

    /// Reads four bytes at `offset`.
    @inlinable public init(_ bytes: PacketBytes, at offset: Int) {
        rawValue = bytes.u32(offset)
    }

    /// Writes the four bytes at `offset`.
    @inlinable public func write(to bytes: MutablePacketBytes, at offset: Int) {
        bytes.setU32(offset, rawValue)
    }

    /// 0.0.0.0.
    public static let any = IPv4Address(rawValue: 0)
    /// 255.255.255.255.
    public static let broadcast = IPv4Address(rawValue: 0xFFFF_FFFF)

    /// 0.0.0.0/8 ("this network"), never a source or destination of a host's own traffic.
    public var isThisNetwork: Bool { rawValue >> 24 == 0 }
    /// 127.0.0.0/8.
    public var isLoopback: Bool { rawValue >> 24 == 127 }
    /// 224.0.0.0/4.
    public var isMulticast: Bool { rawValue >> 28 == 0xE }
    /// 240.0.0.0/4 (reserved; includes the limited broadcast address).
    public var isReserved: Bool { rawValue >> 28 == 0xF }
    /// An address one host can own: not this-network, loopback, multicast or reserved.
    public var isUnicastHost: Bool { !isThisNetwork && !isLoopback && !isMulticast && !isReserved }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        "\(rawValue >> 24).\(rawValue >> 16 & 0xFF).\(rawValue >> 8 & 0xFF).\(rawValue & 0xFF)"
    }
}
