// The filter-compiler target: atoms as a tenant sends them, validated against the binding
// they narrow, merged into one DPF trie, and the trie's answer for a frame compared with a
// filter-by-filter evaluation of the same atoms.

import ExoCore
import ExoPacket
import ExoWire

enum FilterCompilerFuzzing {
    /// Most filters one input installs (the trie merges them; more only slows the fuzzer).
    static let maximumFilters = 8

    /// Input: one byte choosing the binding, then per filter a count byte and that many
    /// 12-byte wire atoms, then the frame. Property: the compiled trie's match is the first
    /// installed (smallest id) filter that the frame satisfies atom by atom, and `matchesAny`
    /// agrees with it.
    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFinding) -> FuzzVerdict {
        var input = FuzzBytes(bytes)
        let target = binding(input.byte(), port: input.uint16())
        var installed: [(id: FilterID, filter: PacketFilter)] = []
        let filterCount = Int(input.byte()) % (maximumFilters + 1)
        for index in 0..<filterCount {
            let atoms = wireAtoms(&input, count: Int(input.byte() % 20))
            guard let filter = validated(atoms, for: target) else { continue }
            installed.append((id: FilterID(100 + index), filter: filter))
        }
        let trie = FilterTrie(installed)
        let frame = PacketBytes(unsafeBuffer: input.rest())
        let expected = installed.first { $0.filter.matches(frame) }?.id
        let matched = trie.match(frame)
        guard matched == expected else {
            throw FuzzFinding(
                "trie of \(installed.count) filters matched \(String(describing: matched)), "
                    + "filter by filter \(String(describing: expected))")
        }
        guard trie.matchesAny(frame) == (expected != nil) else {
            throw FuzzFinding("matchesAny disagrees with match (\(String(describing: expected)))")
        }
        return matched == nil ? .refused : .accepted
    }

    /// A UDP or TCP endpoint, or a whole address, on 10.9.0.2.
    static func binding(_ choice: UInt8, port: UInt16) -> BindingTarget {
        let address = IPv4Address(10, 9, 0, 2)
        switch choice % 3 {
        case 0: return .endpoint(Endpoint(.udp, address, port))
        case 1: return .endpoint(Endpoint(.tcp, address, port))
        default: return .address(address)
        }
    }

    private static func wireAtoms(_ input: inout FuzzBytes, count: Int) -> [WireFilterAtom] {
        (0..<count).map { _ in
            WireFilterAtom(
                base: input.byte(), offset: input.uint16(), width: input.byte(), mask: input.uint32(),
                value: input.uint32())
        }
    }

    /// The daemon's decoding and validation of one installFilter request's atoms; nil where
    /// it refuses them (a typed error to the tenant, not a finding).
    private static func validated(_ atoms: [WireFilterAtom], for target: BindingTarget) -> PacketFilter? {
        var decoded: [FilterAtom] = []
        for atom in atoms {
            guard let base = FilterBase(rawValue: atom.base) else { return nil }
            decoded.append(FilterAtom(base, offset: atom.offset, width: atom.width, mask: atom.mask, value: atom.value))
        }
        return try? PacketFilter(validating: decoded, for: target)
    }
}
