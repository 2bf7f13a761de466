// Where the three filter bases lie in one received frame, found once per frame, and the
// bounds-checked field load every atom test goes through. Packet path: no allocation.
import ExoWire
import ExoPacket

/// The byte offsets of the bases in one frame; -1 where a base is absent.
///
/// Invariant: `link` is always 0; `network` is 14 only when the frame is long enough for
/// an EtherType and it says IPv4; `transport` is `network + IHL × 4` only when the frame
/// holds the IHL byte and IHL ≥ 5. Offsets past the end are fine: `field` checks each load.
public struct FilterBases {
    public let network: Int
    public let transport: Int

    static let ipv4EtherType: UInt16 = 0x0800

    /// Locates the bases in `bytes`.
    public init(_ bytes: PacketBytes) {
        guard bytes.count >= 15, bytes.u16(12) == Self.ipv4EtherType else {
            network = -1
            transport = -1
            return
        }
        network = 14
        let ihl = Int(bytes.u8(14) & 0x0F)
        transport = ihl >= 5 ? 14 + ihl * 4 : -1
    }

    /// The offset of `base`, or -1 when the frame lacks it.
    func offset(of base: FilterBase) -> Int {
        switch base {
        case .link: 0
        case .network: network
        case .transport: transport
        }
    }

    /// The big-endian field `shape` reads, masked; nil when the base is absent or the field
    /// runs past the frame (such a frame matches no atom of that shape).
    func field(_ shape: AtomShape, in bytes: PacketBytes) -> UInt32? {
        let start = offset(of: shape.base)
        guard start >= 0 else { return nil }
        let at = start + Int(shape.offset)
        // Overflow-safe: `at` is at most a few KiB past 0, and `count` is non-negative.
        guard at <= bytes.count - Int(shape.width) else { return nil }
        switch shape.width {
        case 1: return UInt32(bytes.u8(at)) & shape.mask
        case 2: return UInt32(bytes.u16(at)) & shape.mask
        default: return bytes.u32(at) & shape.mask
        }
    }
}
