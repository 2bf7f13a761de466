// One binding's filters merged DPF-style: a trie whose edges are atom shapes, each with a
// hash from field value to child, flattened into arrays. Built on install; read per packet.
import ExoWire

/// The merged decision structure of one binding's filters.
///
/// Each filter is a path of its (shape-sorted) atoms from the root. A node has one edge per
/// distinct shape among its children; an edge is an open-addressed hash table from masked
/// field value to child node, so following it costs one load and one probe sequence,
/// however many filters share the shape. A packet therefore costs one hash lookup per
/// distinct shape on the paths it can take, not one test per filter.
///
/// Matching semantics: the answer is the *smallest* id among all filters the packet
/// satisfies (the first installed). Every node records the smallest id of the filters
/// that end there and of its whole subtree, so the walk skips subtrees that cannot win.
///
/// Immutable once built; rebuilt whole when the binding's filters change (control path).
/// Matching allocates nothing and takes no locks: it reads arrays of plain values.
public struct FilterTrie: Sendable {
    static let noFilter = FilterID.max

    /// Per node: smallest id of a filter ending here, smallest id in the subtree, and the
    /// node's edges `edgeStart[n]..<edgeStart[n + 1]` (one extra entry closes the last node).
    private var accept: [FilterID] = []
    private var subtreeMinimum: [FilterID] = []
    private var edgeStart: [Int32] = []
    /// Per edge: its shape, and its table `slotStart[e]..<slotStart[e] + slotMask[e] + 1`.
    private var shapes: [AtomShape] = []
    private var slotStart: [Int32] = []
    private var slotMask: [UInt32] = []
    /// Per slot: the key and its child node, or -1 for an empty slot.
    private var slotKey: [UInt32] = []
    private var slotChild: [Int32] = []

    /// Number of trie nodes (for tests and benchmarks).
    public var nodeCount: Int { accept.count }
    /// Number of shape edges (for tests and benchmarks).
    public var edgeCount: Int { shapes.count }

    /// Merges `filters` (id, filter) into one trie.
    public init(_ filters: [(id: FilterID, filter: PacketFilter)]) {
        var builder = Builder()
        for (id, filter) in filters { builder.insert(filter.atoms, id: id) }
        builder.flatten(into: &self)
    }

    /// The smallest id of a filter `bytes` satisfies, or nil when none does.
    public func match(_ bytes: PacketBytes) -> FilterID? {
        guard !accept.isEmpty else { return nil }
        let best = walk(0, bytes, FilterBases(bytes), best: Self.noFilter)
        return best == Self.noFilter ? nil : best
    }

    /// Depth-first over the edges a packet can follow; depth ≤ `PacketFilter.maximumAtoms`.
    private func walk(_ node: Int, _ bytes: PacketBytes, _ bases: FilterBases, best: FilterID) -> FilterID {
        var best = min(best, accept[node])
        for edge in Int(edgeStart[node])..<Int(edgeStart[node + 1]) {
            guard let value = bases.field(shapes[edge], in: bytes) else { continue }
            let child = lookup(edge, value)
            if child >= 0 && subtreeMinimum[child] < best { best = walk(child, bytes, bases, best: best) }
        }
        return best
    }

    /// The child of `edge` for `key`, or -1. Linear probing; tables are at most half full,
    /// so a probe sequence ends at an empty slot.
    private func lookup(_ edge: Int, _ key: UInt32) -> Int {
        let mask = slotMask[edge]
        let start = Int(slotStart[edge])
        var index = Self.hash(key) & mask
        while true {
            let child = slotChild[start + Int(index)]
            if child < 0 { return -1 }
            if slotKey[start + Int(index)] == key { return Int(child) }
            index = (index &+ 1) & mask
        }
    }

    static func hash(_ key: UInt32) -> UInt32 {
        let mixed = key &* 0x9E37_79B1
        return mixed ^ (mixed >> 16)
    }

    /// The trie as dictionaries while it is built (control path; allocates freely).
    private struct Builder {
        struct Node {
            var accept = FilterTrie.noFilter
            /// Shapes in first-seen order, each with its value → child map.
            var shapes: [AtomShape] = []
            var children: [AtomShape: [UInt32: Int]] = [:]
        }
        var nodes = [Node()]

        mutating func insert(_ atoms: [FilterAtom], id: FilterID) {
            var node = 0
            for atom in atoms {
                let shape = atom.shape
                if nodes[node].children[shape] == nil {
                    nodes[node].shapes.append(shape)
                    nodes[node].children[shape] = [:]
                }
                if let child = nodes[node].children[shape]![atom.value] {
                    node = child
                } else {
                    nodes.append(Node())
                    nodes[node].children[shape]![atom.value] = nodes.count - 1
                    node = nodes.count - 1
                }
            }
            nodes[node].accept = min(nodes[node].accept, id)
        }

        /// Writes the arrays. Children are always created after their parent, so a reverse
        /// pass computes subtree minima.
        func flatten(into trie: inout FilterTrie) {
            var minimum = nodes.map(\.accept)
            for index in nodes.indices.reversed() {
                for shape in nodes[index].shapes {
                    for child in nodes[index].children[shape]!.values { minimum[index] = min(minimum[index], minimum[child]) }
                }
            }
            trie.accept = nodes.map(\.accept)
            trie.subtreeMinimum = minimum
            for node in nodes {
                trie.edgeStart.append(Int32(trie.shapes.count))
                for shape in node.shapes { trie.appendEdge(shape, node.children[shape]!) }
            }
            trie.edgeStart.append(Int32(trie.shapes.count))
        }
    }

    /// Appends one edge and its hash table (capacity a power of two ≥ 2 × entries).
    private mutating func appendEdge(_ shape: AtomShape, _ children: [UInt32: Int]) {
        var capacity = 2
        while capacity < 2 * children.count { capacity *= 2 }
        let start = slotKey.count
        shapes.append(shape)
        slotStart.append(Int32(start))
        slotMask.append(UInt32(capacity - 1))
        slotKey.append(contentsOf: repeatElement(0, count: capacity))
        slotChild.append(contentsOf: repeatElement(-1, count: capacity))
        for (key, child) in children {
            var index = Int(Self.hash(key) & UInt32(capacity - 1))
            while slotChild[start + index] >= 0 { index = (index + 1) & (capacity - 1) }
            slotKey[start + index] = key
            slotChild[start + index] = Int32(child)
        }
    }
}
