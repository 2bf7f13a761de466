// A filter: a conjunction of atoms, checked once at install time (each atom, the atoms
// against each other, and all of them against the binding they narrow) and kept sorted.
import ExoWire
import ExoPacket

/// Daemon-unique id of one installed filter; never reused within a run. Ids grow with
/// installation order, so "the first-installed matching filter" is the smallest id.
public typealias FilterID = UInt64

/// A validated conjunction of 1 to `maximumAtoms` atoms, sorted by shape with duplicates
/// removed. Only `init(validating:for:)` makes one, so every value satisfies the checks.
public struct PacketFilter: Hashable, Sendable {
    /// Most atoms in one filter.
    public static let maximumAtoms = 16

    /// The atoms, sorted by shape, each shape at most once.
    public let atoms: [FilterAtom]

    /// Validates `atoms` as a filter narrowing `target`:
    /// - `.filterAtomCount` unless there are 1 to `maximumAtoms` atoms;
    /// - `.filterBadAtom` for a width other than 1, 2, 4; `.filterOffsetTooLarge` past
    ///   `FilterAtom.maximumEnd`; `.filterValueOutsideMask` for value bits the mask clears
    ///   (or mask bits past the width): such an atom could never match;
    /// - `.filterWidensBinding` for an atom on a field the binding fixes (EtherType, IPv4
    ///   protocol, destination address, destination port; for icmp, echo reply type, code and
    ///   identifier) whose masked value differs from
    ///   the binding's: it would select another binding's traffic, or nothing;
    /// - `.filterContradictory` for two atoms that demand different values of one bit.
    public init(validating atoms: [FilterAtom], for target: BindingTarget) throws(ExoError) {
        guard (1...Self.maximumAtoms).contains(atoms.count) else { throw .filterAtomCount }
        for atom in atoms { try atom.validate() }
        var bits = FixedBits()
        let fixed = FixedBits.binding(target, ipv4Only: Self.onlyIPv4(atoms))
        for atom in atoms {
            for index in 0..<Int(atom.width) {
                guard let position = FixedBits.position(atom.base, Int(atom.offset) + index) else { continue }
                let (mask, value) = atom.byte(index)
                guard fixed.agrees(position, mask: mask, value: value) else { throw .filterWidensBinding }
                guard bits.add(position, mask: mask, value: value) else { throw .filterContradictory }
            }
        }
        var sorted = atoms.sorted { $0.shape < $1.shape }
        // Two atoms of one shape that passed the contradiction check have the same value.
        var seen = Set<AtomShape>()
        sorted.removeAll { !seen.insert($0.shape).inserted }
        self.atoms = sorted
    }

    /// True when the atoms can only match IPv4 frames: one of them needs an IPv4 base, or
    /// pins the EtherType to IPv4. Only then do link offsets 14 on mean the IPv4 header.
    static func onlyIPv4(_ atoms: [FilterAtom]) -> Bool {
        atoms.contains { atom in
            atom.base != .link
                || (atom.offset == 12 && atom.width == 2 && atom.mask == 0xFFFF && atom.value == 0x0800)
        }
    }

    /// True when `bytes` satisfies every atom (linear evaluation; the trie does it merged).
    public func matches(_ bytes: PacketBytes) -> Bool {
        let bases = FilterBases(bytes)
        return atoms.allSatisfy { atom in bases.field(atom.shape, in: bytes) == atom.value }
    }
}

/// Bits pinned to values, by byte position: what a binding fixes, or what a filter's atoms
/// demand so far. Link and network offsets share one coordinate space (a filter with any
/// network atom only matches IPv4 frames, where network = link + 14); transport offsets
/// have their own, since they move with IHL. Control path only.
struct FixedBits {
    enum Position: Hashable {
        case frame(Int)
        case transport(Int)
    }

    private var bytes: [Position: (mask: UInt8, value: UInt8)] = [:]

    static func position(_ base: FilterBase, _ offset: Int) -> Position? {
        switch base {
        case .link: .frame(offset)
        case .network: .frame(14 + offset)
        case .transport: .transport(offset)
        }
    }

    /// Pins `mask` bits of the byte at `position` to `value`; false if a pinned bit differs.
    mutating func add(_ position: Position, mask: UInt8, value: UInt8) -> Bool {
        guard agrees(position, mask: mask, value: value) else { return false }
        let old = bytes[position] ?? (0, 0)
        bytes[position] = (old.mask | mask, old.value | (value & mask))
        return true
    }

    /// True when no bit both pins differs.
    func agrees(_ position: Position, mask: UInt8, value: UInt8) -> Bool {
        guard let pinned = bytes[position] else { return true }
        return (pinned.value ^ value) & pinned.mask & mask == 0
    }

    mutating func pin(_ position: Position, _ value: UInt32, width: Int) {
        for index in 0..<width {
            let shift = UInt32(8 * (width - 1 - index))
            let byte = UInt8(truncatingIfNeeded: value >> shift)
            switch position {
            case .frame(let o): _ = add(.frame(o + index), mask: 0xFF, value: byte)
            case .transport(let o): _ = add(.transport(o + index), mask: 0xFF, value: byte)
            }
        }
    }

    /// What every frame a binding of `target` receives by its own lookup has in common: an
    /// endpoint fixes the EtherType, the IPv4 protocol, destination address and destination
    /// port (an icmp endpoint: ICMP type echo reply, code 0 and the identifier, bytes 4-5,
    /// instead; errors quoting its requests bypass filters); a whole address fixes the IPv4 destination address, but also receives ARP, so
    /// that pin applies only to filters that can match IPv4 frames alone (`ipv4Only`).
    static func binding(_ target: BindingTarget, ipv4Only: Bool) -> FixedBits {
        var bits = FixedBits()
        switch target {
        case .endpoint(let endpoint):
            bits.pin(.frame(12), 0x0800, width: 2)
            bits.pin(.frame(14 + 9), UInt32(endpoint.proto.rawValue), width: 1)
            bits.pin(.frame(14 + 16), endpoint.address.rawValue, width: 4)
            if endpoint.proto == .icmp {
                bits.pin(.transport(0), UInt32(ICMPv4Type.echoReply.rawValue), width: 1)
                bits.pin(.transport(1), 0, width: 1)
                bits.pin(.transport(4), UInt32(endpoint.port), width: 2)
            } else {
                bits.pin(.transport(2), UInt32(endpoint.port), width: 2)
            }
        case .address(let address):
            if ipv4Only { bits.pin(.frame(14 + 16), address.rawValue, width: 4) }
        }
        return bits
    }
}
