// The filters of `exobench demux`: DPF atoms of mixed shapes (source port, payload bytes,
// source address, link-level bytes), per binding kind, and the frame fields that satisfy them.

import ExoCore
import ExoWire
import ExoPacket

/// The fields of a benchmark frame that its filters can look at. A filter is made from the
/// fields of one such value (its atoms take their values from it), and a hit is a random
/// frame with the filter's fields imposed, so it varies wherever the filter does not look.
struct FrameFields {
    var sourceMAC: MACAddress
    var source: IPv4Address
    var sourcePort: UInt16
    /// Only whole-address bindings' frames use it (an endpoint binding fixes its port).
    var destinationPort: UInt16
    /// The first two payload bytes.
    var payload: [UInt8]

    /// A peer's fields: MAC 02:aa:…, source 10.9.x.y, source port 20000–59999.
    static func peer(_ random: inout SplitMix) -> FrameFields {
        FrameFields(
            sourceMAC: MACAddress(rawValue: 0x02AA_0000_0000 | (random.next() & 0xFFFF_FFFF)),
            source: IPv4Address(rawValue: 0x0A09_0000 | UInt32(truncatingIfNeeded: random.next() % 0xFFFE + 1)),
            sourcePort: UInt16(truncatingIfNeeded: 20_000 + random.next() % 40_000),
            destinationPort: UInt16(truncatingIfNeeded: 1 + random.next() % 60_000),
            payload: [UInt8(truncatingIfNeeded: random.next()), UInt8(truncatingIfNeeded: random.next())])
    }

    /// Fields no filter of the benchmark accepts: every filter has an atom on the source port
    /// (here 1–999, below every filter's port and its high byte), on the source /16 (here
    /// 10.8.x.y), or on the MAC prefix (here 02:bb). `DemuxCommand.check` verifies it.
    static func stranger(_ random: inout SplitMix) -> FrameFields {
        var fields = peer(&random)
        fields.sourceMAC = MACAddress(rawValue: 0x02BB_0000_0000 | (random.next() & 0xFFFF_FFFF))
        fields.source = IPv4Address(rawValue: 0x0A08_0000 | UInt32(truncatingIfNeeded: random.next() % 0xFFFE + 1))
        fields.sourcePort = UInt16(truncatingIfNeeded: 1 + random.next() % 999)
        return fields
    }
}

/// One atom as the benchmark uses it: which bytes, from which base, under which mask.
enum FilterShape: CaseIterable {
    case sourcePort, sourcePortHigh, payloadByte, payloadHighNibble, sourceSubnet, sourceAddress
    case sourceMACHigh, sourceMACLow, destinationPort

    /// The atom of this shape that `fields` satisfy; `proto` places the payload (past the
    /// 8-byte UDP or 20-byte TCP header: transport-relative, so IPv4 options would not move it).
    func atom(_ fields: FrameFields, proto: TransportProtocol) -> FilterAtom {
        let payloadOffset: UInt16 = proto == .tcp ? 20 : 8
        let mac = fields.sourceMAC.rawValue
        switch self {
        case .sourcePort: return FilterAtom(.transport, offset: 0, width: 2, value: UInt32(fields.sourcePort))
        case .sourcePortHigh:
            return FilterAtom(.transport, offset: 0, width: 2, mask: 0xFF00, value: UInt32(fields.sourcePort & 0xFF00))
        case .payloadByte: return FilterAtom(.transport, offset: payloadOffset, width: 1, value: UInt32(fields.payload[0]))
        case .payloadHighNibble:
            return FilterAtom(.transport, offset: payloadOffset + 1, width: 1, mask: 0xF0, value: UInt32(fields.payload[1] & 0xF0))
        case .sourceSubnet:
            return FilterAtom(.network, offset: 12, width: 4, mask: 0xFFFF_FF00, value: fields.source.rawValue & 0xFFFF_FF00)
        case .sourceAddress: return FilterAtom(.network, offset: 12, width: 4, value: fields.source.rawValue)
        case .sourceMACHigh: return FilterAtom(.link, offset: 6, width: 4, value: UInt32(truncatingIfNeeded: mac >> 16))
        case .sourceMACLow: return FilterAtom(.link, offset: 10, width: 2, value: UInt32(truncatingIfNeeded: mac & 0xFFFF))
        case .destinationPort: return FilterAtom(.transport, offset: 2, width: 2, value: UInt32(fields.destinationPort))
        }
    }

    /// Copies the bits this shape reads from `source` into `target`, leaving the others.
    func impose(_ source: FrameFields, on target: inout FrameFields) {
        switch self {
        case .sourcePort: target.sourcePort = source.sourcePort
        case .sourcePortHigh: target.sourcePort = (source.sourcePort & 0xFF00) | (target.sourcePort & 0x00FF)
        case .payloadByte: target.payload[0] = source.payload[0]
        case .payloadHighNibble: target.payload[1] = (source.payload[1] & 0xF0) | (target.payload[1] & 0x0F)
        case .sourceSubnet:
            target.source = IPv4Address(rawValue: (source.source.rawValue & 0xFFFF_FF00) | (target.source.rawValue & 0xFF))
        case .sourceAddress: target.source = source.source
        case .sourceMACHigh:
            target.sourceMAC = MACAddress(rawValue: (source.sourceMAC.rawValue & ~0xFFFF) | (target.sourceMAC.rawValue & 0xFFFF))
        case .sourceMACLow:
            target.sourceMAC = MACAddress(rawValue: (target.sourceMAC.rawValue & ~0xFFFF) | (source.sourceMAC.rawValue & 0xFFFF))
        case .destinationPort: target.destinationPort = source.destinationPort
        }
    }
}

/// One installed filter: the fields its atoms were taken from, and their shapes.
struct DemuxFilter {
    var fields: FrameFields
    var shapes: [FilterShape]

    func atoms(proto: TransportProtocol) -> [FilterAtom] { shapes.map { $0.atom(fields, proto: proto) } }
}

/// Which filters each binding gets: several shapes per filter everywhere, several filters on
/// some bindings. The single binding of the 1-binding table is a UDP endpoint of the first
/// kind (three filters), so the smallest table is not the cheapest case.
enum DemuxRecipe {
    /// Shapes of the filters of the `index`-th UDP endpoint binding.
    static func udpEndpoint(_ index: Int) -> [[FilterShape]] {
        index % 2 == 0
            ? [[.sourcePort], [.sourcePortHigh, .payloadByte, .payloadHighNibble], [.sourceSubnet, .sourcePort]]
            : [[.sourceMACHigh, .sourceMACLow, .sourcePort]]
    }

    /// Shapes of the filters of a TCP endpoint binding.
    static let tcpEndpoint: [[FilterShape]] = [[.sourcePort, .payloadByte], [.sourceAddress, .sourcePortHigh]]

    /// Shapes of the filters of a whole-address binding (its frames' ports are not fixed).
    static let address: [[FilterShape]] = [[.sourceAddress, .destinationPort], [.sourceMACHigh, .sourceMACLow, .sourceSubnet]]

    /// Filters of `shapes`, each from fresh peer fields.
    static func filters(_ shapes: [[FilterShape]], _ random: inout SplitMix) -> [DemuxFilter] {
        shapes.map { DemuxFilter(fields: .peer(&random), shapes: $0) }
    }
}
