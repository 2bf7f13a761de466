// The packet path's view of one compiled filter trie: three pointers into memory a
// `FilterTrie` owns, walked depth-first with one hash probe per shape edge.
import ExoWire

/// A read-only view of a compiled `FilterTrie`: plain pointers, so copying it (into a
/// binding table entry, onto the stack) costs no reference counting.
///
/// Invariant (what makes the pointers safe): a `FilterProgram` is only ever obtained from a
/// live `FilterTrie.program`, and whoever stores it also keeps that `FilterTrie` alive and
/// unchanged for as long as the copy can be read (`BindingTable` stores both together and
/// replaces both together). Node 0 is the root; every edge and child index was written by
/// the trie's builder and lies within its own arrays; tables are at most half full, so
/// every probe sequence reaches an empty slot.
public struct FilterProgram: @unchecked Sendable {
    // Sendable: the memory is immutable after the owning trie's init.

    static let noFilter = FilterID.max

    struct Node {
        /// Smallest id of a filter ending here, or `noFilter`.
        var accept: FilterID
        /// Smallest id of a filter ending here or below.
        var subtreeMinimum: FilterID
        /// This node's edges are `firstEdge..<endEdge`.
        var firstEdge: Int32
        var endEdge: Int32
    }

    struct Edge {
        var shape: AtomShape
        /// The edge's table is `slotStart...slotStart + slotMask`.
        var slotStart: Int32
        var slotMask: UInt32
    }

    struct Slot {
        var key: UInt32
        /// The child node, or -1 for an empty slot.
        var child: Int32
    }

    let nodes: UnsafePointer<Node>
    let edges: UnsafePointer<Edge>
    let slots: UnsafePointer<Slot>

    /// The smallest id of a filter `bytes` satisfies, or nil when none does.
    public func match(_ bytes: PacketBytes) -> FilterID? {
        let best = walk(0, bytes, FilterBases(bytes), best: Self.noFilter)
        return best == Self.noFilter ? nil : best
    }

    /// Depth-first over the edges a packet can follow; depth ≤ `PacketFilter.maximumAtoms`.
    private func walk(_ index: Int, _ bytes: PacketBytes, _ bases: FilterBases, best: FilterID) -> FilterID {
        let node = nodes[index]
        var best = min(best, node.accept)
        var edge = Int(node.firstEdge)
        while edge < Int(node.endEdge) {
            defer { edge += 1 }
            guard let value = bases.field(edges[edge].shape, in: bytes) else { continue }
            let child = lookup(edges[edge], value)
            if child >= 0 && nodes[child].subtreeMinimum < best { best = walk(child, bytes, bases, best: best) }
        }
        return best
    }

    /// The child for `key` in `edge`'s table, or -1 (linear probing).
    private func lookup(_ edge: Edge, _ key: UInt32) -> Int {
        let start = Int(edge.slotStart)
        var index = Self.hash(key) & edge.slotMask
        while true {
            let slot = slots[start + Int(index)]
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
