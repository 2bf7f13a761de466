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
        var builder = FilterTrieBuilder()
        for (rank, entry) in ordered.enumerated() { builder.insert(entry.filter.atoms, rank: FilterProgram.Rank(rank)) }
        let idBytes = ordered.count * MemoryLayout<FilterID>.stride
        let prefix = (idBytes + 63) / 64 * 64  // the root starts a cache line
        var image = FilterImage(prefix: prefix, expectedBytes: builder.expectedBytes)
        builder.serialize(into: &image)
        for (rank, entry) in ordered.enumerated() {
            image.block.storeBytes(of: entry.id, toByteOffset: prefix - MemoryLayout<FilterID>.stride * (rank + 1),
                as: FilterID.self)
        }
        block = image.block
        byteCount = image.count
        nodeCount = builder.nodes.count
        edgeCount = builder.edgeCount
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
}
