// The packet path's view of one compiled filter trie: three pointers into memory a
// `FilterTrie` owns, walked depth-first with one hash probe per shape edge.
import ExoWire
import ExoPacket

/// A read-only view of a compiled `FilterTrie`: one plain pointer, so copying it (into a
/// binding table entry, onto the stack) costs no reference counting and keeps entries small.
///
/// Layout of the block (after the id table that precedes the root), depth first from the
/// root at offset 0: a node's `Node` record, then
/// its `edgeCount` `Edge`s, then each edge's hash table of `Slot`s, then its children's
/// subtrees. Edges name their table and slots their child by byte offset in the block.
///
/// Invariant (what makes the pointer safe): a `FilterProgram` is only ever obtained from a
/// live `FilterTrie.program`, and whoever stores it also keeps that `FilterTrie` alive and
/// unchanged for as long as the copy can be read (`BindingTable` stores both together and
/// replaces both together). Every offset was written by the trie's builder, is aligned for
/// what it names and lies within the block; tables are at most half full, so every probe
/// sequence reaches an empty slot.
public struct FilterProgram: @unchecked Sendable {
    // Sendable: the memory is immutable after the owning trie's init.

    /// A filter's rank among the trie's filters in id order (so comparing ranks compares
    /// ids); `noRank` where none ends.
    typealias Rank = UInt32
    static let noRank = Rank.max

    struct Node {
        /// Smallest rank of a filter ending here, or `noRank`.
        var accept: Rank
        /// Smallest rank of a filter ending here or below.
        var subtreeMinimum: Rank
        /// The edges that follow this record.
        var edgeCount: UInt32
    }

    struct Edge {
        var shape: AtomShape
        /// With `slotMask` 0, the edge's only child: its offset is `target` and its value `key`
        /// (no table; most edges of most tries have one child). Otherwise `target` is the byte
        /// offset of the edge's table of `slotMask + 1` slots and `key` is unused.
        var target: UInt32
        var slotMask: UInt32
        var key: UInt32
    }

    struct Slot {
        var key: UInt32
        /// Byte offset of the child node, or -1 for an empty slot.
        var child: Int32
    }

    static let nodeStride = MemoryLayout<Node>.stride
    static let nodeAlignment = MemoryLayout<Node>.alignment
    static let edgeStride = MemoryLayout<Edge>.stride
    static let slotStride = MemoryLayout<Slot>.stride
    static let slotAlignment = MemoryLayout<Slot>.alignment

    let base: UnsafeRawPointer

    /// The smallest id of a filter `bytes` satisfies, or nil when none does. Ids sit just
    /// before the root, the id of rank r at `base - 8 × (r + 1)`.
    public func match(_ bytes: PacketBytes) -> FilterID? {
        let best = walk(0, bytes, FilterBases(bytes), best: Self.noRank)
        guard best != Self.noRank else { return nil }
        return base.loadUnaligned(fromByteOffset: -MemoryLayout<FilterID>.stride * (Int(best) + 1), as: FilterID.self)
    }

    /// Whether `bytes` satisfies any filter: what delivery needs. Stops at the first filter
    /// found, so a hit reads only the nodes of one path.
    public func matchesAny(_ bytes: PacketBytes) -> Bool {
        any(0, bytes, FilterBases(bytes))
    }

    /// Depth-first over the edges a packet can follow; depth ≤ `PacketFilter.maximumAtoms`.
    private func walk(_ offset: Int, _ bytes: PacketBytes, _ bases: FilterBases, best: Rank) -> Rank {
        let node = base.load(fromByteOffset: offset, as: Node.self)
        var best = min(best, node.accept)
        var edgeOffset = offset + Self.nodeStride
        for _ in 0..<node.edgeCount {
            defer { edgeOffset += Self.edgeStride }
            let edge = base.load(fromByteOffset: edgeOffset, as: Edge.self)
            guard let value = bases.field(edge.shape, in: bytes) else { continue }
            let child = lookup(edge, value)
            if child >= 0 && base.load(fromByteOffset: child, as: Node.self).subtreeMinimum < best {
                best = walk(child, bytes, bases, best: best)
            }
        }
        return best
    }

    private func any(_ offset: Int, _ bytes: PacketBytes, _ bases: FilterBases) -> Bool {
        let node = base.load(fromByteOffset: offset, as: Node.self)
        if node.accept != Self.noRank { return true }
        var edgeOffset = offset + Self.nodeStride
        for _ in 0..<node.edgeCount {
            defer { edgeOffset += Self.edgeStride }
            let edge = base.load(fromByteOffset: edgeOffset, as: Edge.self)
            guard let value = bases.field(edge.shape, in: bytes) else { continue }
            let child = lookup(edge, value)
            if child >= 0 && any(child, bytes, bases) { return true }
        }
        return false
    }

    /// The child's offset for `key` in `edge`'s table, or -1 (linear probing).
    private func lookup(_ edge: Edge, _ key: UInt32) -> Int {
        if edge.slotMask == 0 { return edge.key == key ? Int(edge.target) : -1 }
        let table = Int(edge.target)
        var index = Self.hash(key) & edge.slotMask
        while true {
            let slot = base.load(fromByteOffset: table + Int(index) * Self.slotStride, as: Slot.self)
            if slot.child < 0 { return -1 }
            if slot.key == key { return Int(slot.child) }
            index = (index &+ 1) & edge.slotMask
        }
    }

    static func hash(_ key: UInt32) -> UInt32 {
        let mixed = key &* 0x9E37_79B1
        return mixed ^ (mixed >> 16)
    }
}
