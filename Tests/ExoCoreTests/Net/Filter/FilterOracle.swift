// The property tests' independent referee: every atom of every filter of every binding
// evaluated straight from the frame's bytes, in the most obvious way, with no trie.
import ExoCore
import ExoWire
import ExoPacket

/// One installed filter as the oracle keeps it (its own copy of what was asked for).
struct OracleFilter {
    var id: FilterID
    var target: BindingTarget
    var session: SessionID
    var atoms: [FilterAtom]
}

enum FilterOracle {
    /// The start of `base` in `frame`, recomputed from the bytes: link 0; network 14 for an
    /// IPv4 EtherType; transport 14 + 4 × IHL when IHL ≥ 5.
    static func start(_ base: FilterBase, _ frame: [UInt8]) -> Int? {
        let isIPv4 = frame.count >= 14 && frame[12] == 0x08 && frame[13] == 0x00
        switch base {
        case .link: return 0
        case .network: return isIPv4 ? 14 : nil
        case .transport:
            guard isIPv4, frame.count > 14 else { return nil }
            let ihl = Int(frame[14] & 0x0F)
            return ihl >= 5 ? 14 + 4 * ihl : nil
        }
    }

    static func holds(_ atom: FilterAtom, _ frame: [UInt8]) -> Bool {
        guard let start = start(atom.base, frame) else { return false }
        let first = start + Int(atom.offset)
        guard first + Int(atom.width) <= frame.count else { return false }
        var field: UInt32 = 0
        for byte in frame[first..<(first + Int(atom.width))] { field = field << 8 | UInt32(byte) }
        return field & atom.mask == atom.value
    }

    /// The smallest id among `target`'s filters that `frame` satisfies.
    static func firstMatch(_ filters: [OracleFilter], on target: BindingTarget, _ frame: [UInt8]) -> FilterID? {
        filters.filter { $0.target == target && $0.atoms.allSatisfy { holds($0, frame) } }.map(\.id).min()
    }

    /// Whether the binding `target` itself takes `frame` (before filters): an IPv4 datagram
    /// to its address (and, for an endpoint, its protocol and destination port, or for an
    /// echo identifier an echo reply with it), or ARP whose target is its address.
    static func bindingTakes(_ target: BindingTarget, _ frame: [UInt8]) -> Bool {
        guard frame.count >= 42 else { return false }
        let u16 = { (i: Int) in UInt16(frame[i]) << 8 | UInt16(frame[i + 1]) }
        let u32 = { (i: Int) in UInt32(u16(i)) << 16 | UInt32(u16(i + 2)) }
        let isARP = u16(12) == 0x0806
        switch target {
        case .address(let address):
            return isARP ? u32(38) == address.rawValue : (start(.network, frame) != nil && u32(30) == address.rawValue)
        case .endpoint(let e):
            guard start(.network, frame) != nil, frame[23] == e.proto.rawValue, u32(30) == e.address.rawValue,
                let t = start(.transport, frame), t + (e.proto == .icmp ? 8 : 4) <= frame.count
            else { return false }
            // An echo identifier takes echo replies (type 0, code 0) carrying it; a port,
            // datagrams to it.
            return e.proto == .icmp ? u16(t) == 0 && u16(t + 4) == e.port : u16(t + 2) == e.port
        }
    }

    /// Whether `target`'s binding, narrowed by its filters, accepts `frame`.
    static func accepts(_ filters: [OracleFilter], _ target: BindingTarget, _ frame: [UInt8]) -> Bool {
        guard bindingTakes(target, frame) else { return false }
        let own = filters.filter { $0.target == target }
        return own.isEmpty || firstMatch(own, on: target, frame) != nil
    }
}
