// One DPF atom: a big-endian field of 1, 2 or 4 bytes at an offset from one of three bases,
// masked and compared with a value. The unit every filter is a conjunction of.
import ExoWire

/// Where an atom's offset counts from.
public enum FilterBase: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible, BitwiseCopyable {
    /// The first byte of the Ethernet frame.
    case link = 0
    /// The first byte of the IPv4 header (link + 14); absent in frames that are not IPv4.
    case network = 1
    /// The first byte past the IPv4 header, options included (network + IHL × 4); absent in
    /// frames that are not IPv4 or whose IHL is below 5. Header-relative, so an atom on a
    /// UDP port still finds it when the sender adds IP options.
    case transport = 2

    public var description: String {
        switch self {
        case .link: "link"
        case .network: "network"
        case .transport: "transport"
        }
    }
}

/// The part of an atom that says which bits it reads: the trie's key. Atoms of one shape
/// differ only in the value they compare with.
public struct AtomShape: Hashable, Sendable, BitwiseCopyable {
    // Declared in this order so the shape packs into 8 bytes (a compiled trie edge holds one).
    public var base: FilterBase
    /// 1, 2 or 4 bytes.
    public var width: UInt8
    public var offset: UInt16
    public var mask: UInt32

    public init(base: FilterBase, offset: UInt16, width: UInt8, mask: UInt32) {
        self.base = base
        self.width = width
        self.offset = offset
        self.mask = mask
    }

    /// Total order used to sort a filter's atoms, so filters with the same shapes share a
    /// trie path whatever order their atoms were written in.
    static func < (a: AtomShape, b: AtomShape) -> Bool {
        (a.base.rawValue, a.offset, a.width, a.mask) < (b.base.rawValue, b.offset, b.width, b.mask)
    }
}

/// One test: `(field(base + offset, width) & mask) == value`, the field read big-endian.
/// A packet too short for the field, or without the base, does not match.
public struct FilterAtom: Hashable, Sendable, CustomStringConvertible {
    public var base: FilterBase
    public var offset: UInt16
    /// 1, 2 or 4 (checked when a filter is validated).
    public var width: UInt8
    public var mask: UInt32
    public var value: UInt32

    /// Largest `offset + width`: a jumbo frame's length. An atom past it could never match.
    public static let maximumEnd = 9_216

    public init(_ base: FilterBase, offset: UInt16, width: UInt8, mask: UInt32? = nil, value: UInt32) {
        self.base = base
        self.offset = offset
        self.width = width
        self.mask = mask ?? Self.fullMask(width: width)
        self.value = value
    }

    /// All bits of a field `width` bytes wide (0 for a width that is not 1, 2 or 4).
    public static func fullMask(width: UInt8) -> UInt32 {
        switch width {
        case 1: 0xFF
        case 2: 0xFFFF
        case 4: 0xFFFF_FFFF
        default: 0
        }
    }

    public var shape: AtomShape { AtomShape(base: base, offset: offset, width: width, mask: mask) }

    /// Checks the atom alone: width, bound, value within mask (and mask within width).
    func validate() throws(ExoError) {
        let full = Self.fullMask(width: width)
        guard full != 0 else { throw .filterBadAtom }
        guard Int(offset) + Int(width) <= Self.maximumEnd else { throw .filterOffsetTooLarge }
        guard mask & ~full == 0, value & ~mask == 0 else { throw .filterValueOutsideMask }
    }

    /// `(mask byte, value byte)` of the atom's `index`-th byte (0 = first in memory).
    func byte(_ index: Int) -> (mask: UInt8, value: UInt8) {
        let shift = UInt32(8 * (Int(width) - 1 - index))
        return (UInt8(truncatingIfNeeded: mask >> shift), UInt8(truncatingIfNeeded: value >> shift))
    }

    public var description: String {
        let hexMask = String(mask, radix: 16)
        let hexValue = String(value, radix: 16)
        return "\(base)+\(offset)/\(width) & 0x\(hexMask) == 0x\(hexValue)"
    }
}
