// One binding's filters merged DPF-style: a trie whose edges are atom shapes, each with a
// hash from field value to child, flattened into memory it owns. Built on install.
import ExoWire

/// The merged decision structure of one binding's filters, and the owner of its memory.
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
/// The packet path reads it through `program`, a plain pointer value (no reference count).
public final class FilterTrie: @unchecked Sendable {
    // Sendable: every stored property is set in init and never written again; the memory
    // behind `program` is written only before init returns.

    /// The compiled trie; valid for as long as this object lives.
    public let program: FilterProgram
    private let nodes: UnsafeMutableBufferPointer<FilterProgram.Node>
    private let edges: UnsafeMutableBufferPointer<FilterProgram.Edge>
    private let slots: UnsafeMutableBufferPointer<FilterProgram.Slot>

    /// Number of trie nodes (for tests and benchmarks).
    public var nodeCount: Int { nodes.count }
    /// Number of shape edges (for tests and benchmarks).
    public var edgeCount: Int { edges.count }

    /// Merges `filters` (id, filter) into one trie.
    public init(_ filters: [(id: FilterID, filter: PacketFilter)]) {
        var builder = Builder()
        for (id, filter) in filters { builder.insert(filter.atoms, id: id) }
        let flat = builder.flatten()
        nodes = .allocate(capacity: flat.nodes.count)
        _ = nodes.initialize(from: flat.nodes)
        edges = .allocate(capacity: max(1, flat.edges.count))
        _ = edges.initialize(from: flat.edges)
        slots = .allocate(capacity: max(1, flat.slots.count))
        _ = slots.initialize(from: flat.slots)
        program = FilterProgram(nodes: UnsafePointer(nodes.baseAddress!), edges: UnsafePointer(edges.baseAddress!),
            slots: UnsafePointer(slots.baseAddress!))
    }

    deinit {
        nodes.deallocate()
        edges.deallocate()
        slots.deallocate()
    }

    /// The smallest id of a filter `bytes` satisfies, or nil when none does.
    public func match(_ bytes: PacketBytes) -> FilterID? { program.match(bytes) }

    /// The trie as dictionaries while it is built (control path; allocates freely).
    private struct Builder {
        struct Node {
            var accept = FilterProgram.noFilter
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

        /// The flat arrays. Children are always created after their parent, so a reverse
        /// pass computes subtree minima.
        func flatten() -> (nodes: [FilterProgram.Node], edges: [FilterProgram.Edge], slots: [FilterProgram.Slot]) {
            var minimum = nodes.map(\.accept)
            for index in nodes.indices.reversed() {
                for shape in nodes[index].shapes {
                    for child in nodes[index].children[shape]!.values { minimum[index] = min(minimum[index], minimum[child]) }
                }
            }
            var flatNodes: [FilterProgram.Node] = []
            var edges: [FilterProgram.Edge] = []
            var slots: [FilterProgram.Slot] = []
            for (index, node) in nodes.enumerated() {
                let first = Int32(edges.count)
                for shape in node.shapes { Self.appendEdge(shape, node.children[shape]!, &edges, &slots) }
                flatNodes.append(FilterProgram.Node(accept: node.accept, subtreeMinimum: minimum[index], firstEdge: first,
                    endEdge: Int32(edges.count)))
            }
            return (flatNodes, edges, slots)
        }

        /// Appends one edge and its hash table (capacity a power of two ≥ 2 × entries).
        static func appendEdge(
            _ shape: AtomShape, _ children: [UInt32: Int], _ edges: inout [FilterProgram.Edge],
            _ slots: inout [FilterProgram.Slot]
        ) {
            var capacity = 2
            while capacity < 2 * children.count { capacity *= 2 }
            let start = slots.count
            edges.append(FilterProgram.Edge(shape: shape, slotStart: Int32(start), slotMask: UInt32(capacity - 1)))
            slots.append(contentsOf: repeatElement(FilterProgram.Slot(key: 0, child: -1), count: capacity))
            for (key, child) in children {
                var index = Int(FilterProgram.hash(key) & UInt32(capacity - 1))
                while slots[start + index].child >= 0 { index = (index + 1) & (capacity - 1) }
                slots[start + index] = FilterProgram.Slot(key: key, child: Int32(child))
            }
        }
    }
}
