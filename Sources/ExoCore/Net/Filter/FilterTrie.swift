// One binding's filters merged DPF-style: a trie whose edges are atom shapes, each with a
// hash from field value to child, laid out depth first in one block it owns. Built on install.
import ExoWire
import ExoPacket

/// The merged decision structure of one binding's filters, and the owner of its memory.
///
/// Each filter is a path of its (shape-sorted) atoms from the root. A node has one edge per
/// distinct shape among its children; an edge is an open-addressed hash table from masked
/// field value to child node, so following it costs one load and one probe sequence,
/// however many filters share the shape. A packet therefore costs one hash lookup per
/// distinct shape on the paths it can take, not one test per filter.
///
/// Layout: one cache-line-aligned block, depth first: each node's record, then its edges,
/// then their hash slots, then its children's subtrees (see `FilterProgram`). A walk down
/// one path reads consecutive bytes of one allocation, which is what keeps 10,000
/// bindings' tries (most of them out of cache) close to the cost of one.
///
/// Matching semantics: `match` answers the *smallest* id among all filters the packet
/// satisfies (the first installed); every node records the smallest id of the filters that
/// end there and of its whole subtree, so the walk skips subtrees that cannot win.
/// Delivery only needs `matchesAny`, which stops at the first filter found.
///
/// Immutable once built; rebuilt whole when the binding's filters change (control path).
/// The packet path reads it through `program`, a plain pointer value (no reference count).
public final class FilterTrie: @unchecked Sendable {
    // Sendable: every stored property is set in init and never written again; the block
    // behind `program` is written only before init returns.

    /// The compiled trie; valid for as long as this object lives.
    public let program: FilterProgram
    private let block: UnsafeMutableRawPointer

    /// Number of trie nodes (for tests and benchmarks).
    public let nodeCount: Int
    /// Number of shape edges (for tests and benchmarks).
    public let edgeCount: Int
    /// Bytes of the compiled block.
    public let byteCount: Int

    /// Merges `filters` (id, filter) into one trie.
    public init(_ filters: [(id: FilterID, filter: PacketFilter)]) {
        // Nodes hold ranks (positions in id order, 4 bytes) rather than ids (8): smaller
        // records, the same order. The ids go in a table just before the root.
        let ordered = filters.sorted { $0.id < $1.id }
        var builder = Builder()
        for (rank, entry) in ordered.enumerated() { builder.insert(entry.filter.atoms, rank: FilterProgram.Rank(rank)) }
        let image = builder.serialize()
        let idBytes = ordered.count * MemoryLayout<FilterID>.stride
        let prefix = (idBytes + 63) / 64 * 64  // the root starts a cache line
        byteCount = prefix + image.count
        let block = UnsafeMutableRawPointer.allocate(byteCount: max(1, byteCount), alignment: 64)
        for (rank, entry) in ordered.enumerated() {
            block.storeBytes(of: entry.id, toByteOffset: prefix - MemoryLayout<FilterID>.stride * (rank + 1), as: FilterID.self)
        }
        image.withUnsafeBytes { (block + prefix).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        self.block = block
        nodeCount = builder.nodes.count
        edgeCount = builder.nodes.reduce(0) { $0 + $1.shapes.count }
        program = FilterProgram(base: UnsafeRawPointer(block + prefix))
    }

    deinit {
        // The block holds only trivial values: nothing to deinitialize.
        block.deallocate()
    }

    /// The smallest id of a filter `bytes` satisfies, or nil when none does.
    public func match(_ bytes: PacketBytes) -> FilterID? { program.match(bytes) }

    /// Whether `bytes` satisfies any of the filters.
    public func matchesAny(_ bytes: PacketBytes) -> Bool { program.matchesAny(bytes) }

    /// The trie as dictionaries while it is built (control path; allocates freely).
    private struct Builder {
        struct Node {
            var accept = FilterProgram.noRank
            /// Shapes in first-seen order, each with its value → child map.
            var shapes: [AtomShape] = []
            var children: [AtomShape: [UInt32: Int]] = [:]
        }
        var nodes = [Node()]

        mutating func insert(_ atoms: [FilterAtom], rank: FilterProgram.Rank) {
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
            nodes[node].accept = min(nodes[node].accept, rank)
        }

        /// The byte image of the trie, depth first from the root at offset 0.
        func serialize() -> [UInt8] {
            // Children are always created after their parent: a reverse pass gives subtree minima.
            var minimum = nodes.map(\.accept)
            for index in nodes.indices.reversed() {
                for shape in nodes[index].shapes {
                    for child in nodes[index].children[shape]!.values { minimum[index] = min(minimum[index], minimum[child]) }
                }
            }
            var image = ImageWriter()
            _ = emit(0, minimum: minimum, into: &image)
            return image.bytes
        }

        /// Writes node `index` (record, edges, slots) and then its subtrees; returns the
        /// node's offset.
        private func emit(_ index: Int, minimum: [FilterProgram.Rank], into image: inout ImageWriter) -> Int {
            typealias P = FilterProgram
            let node = nodes[index]
            let offset = image.reserve(P.nodeStride + node.shapes.count * P.edgeStride, alignment: P.nodeAlignment)
            // Tables only for edges with several children; a lone child sits in its edge.
            var tables: [(slots: Int, capacity: Int)] = []
            for shape in node.shapes {
                let children = node.children[shape]!.count
                guard children > 1 else {
                    tables.append((0, 1))
                    continue
                }
                var capacity = 2
                while capacity < 2 * children { capacity *= 2 }
                let slots = image.reserve(capacity * P.slotStride, alignment: P.slotAlignment)
                for slot in 0..<capacity { image.store(P.Slot(key: 0, child: -1), at: slots + slot * P.slotStride) }
                tables.append((slots, capacity))
            }
            image.store(P.Node(accept: node.accept, subtreeMinimum: minimum[index], edgeCount: UInt32(node.shapes.count)),
                at: offset)
            for (number, shape) in node.shapes.enumerated() {
                let (slots, capacity) = tables[number]
                let edgeAt = offset + P.nodeStride + number * P.edgeStride
                let children = node.children[shape]!.sorted(by: { $0.value < $1.value })
                if capacity == 1, let (key, child) = children.first {
                    let childOffset = emit(child, minimum: minimum, into: &image)
                    image.store(P.Edge(shape: shape, target: UInt32(childOffset), slotMask: 0, key: key), at: edgeAt)
                    continue
                }
                image.store(P.Edge(shape: shape, target: UInt32(slots), slotMask: UInt32(capacity - 1), key: 0), at: edgeAt)
                for (key, child) in children {
                    let childOffset = emit(child, minimum: minimum, into: &image)
                    var probe = Int(P.hash(key) & UInt32(capacity - 1))
                    while image.load(P.Slot.self, at: slots + probe * P.slotStride).child >= 0 {
                        probe = (probe + 1) & (capacity - 1)
                    }
                    image.store(P.Slot(key: key, child: Int32(childOffset)), at: slots + probe * P.slotStride)
                }
            }
            return offset
        }
    }

    /// A growing byte image with aligned reservations (control path).
    private struct ImageWriter {
        var bytes: [UInt8] = []

        mutating func reserve(_ count: Int, alignment: Int) -> Int {
            let offset = (bytes.count + alignment - 1) / alignment * alignment
            bytes.append(contentsOf: repeatElement(0, count: offset + count - bytes.count))
            return offset
        }

        mutating func store<T: BitwiseCopyable>(_ value: T, at offset: Int) {
            bytes.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: T.self) }
        }

        func load<T: BitwiseCopyable>(_ type: T.Type, at offset: Int) -> T {
            bytes.withUnsafeBytes { $0.load(fromByteOffset: offset, as: T.self) }
        }
    }
}
