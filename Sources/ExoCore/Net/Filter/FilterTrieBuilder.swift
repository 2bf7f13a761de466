// Building a `FilterTrie`: the filters merged into nodes and edges (control path), then
// written depth first into one block. A tenant's install rebuilds its binding's trie on the
// daemon's one thread, so the build is linear in the filters and does its per-byte work with
// plain pointer stores: 1,024 filters on one binding cost well under a millisecond even in a
// debug build, where generic collection code (the old byte-array image) took over 10 ms.

/// The trie while it is built: nodes with their edges in first-seen order, each edge with
/// its children in creation order and a value → child index for merging.
struct FilterTrieBuilder {
    struct Edge {
        var shape: AtomShape
        /// Masked field values and their child nodes, in creation order.
        var keys: [UInt32] = []
        var children: [Int] = []
        /// Value → position in `keys`/`children`.
        var position: [UInt32: Int] = [:]
    }

    struct Node {
        var accept = FilterProgram.noRank
        var edges: [Edge] = []
        /// Shape → position in `edges`.
        var edgePosition: [AtomShape: Int] = [:]
    }

    private(set) var nodes = [Node()]
    private(set) var edgeCount = 0
    /// Hash-table slots the image will hold (for sizing it up front).
    private var slotCount = 0

    /// Adds one filter's (shape-sorted) atoms as a path from the root, ending at `rank`.
    mutating func insert(_ atoms: [FilterAtom], rank: FilterProgram.Rank) {
        var node = 0
        for atom in atoms {
            let shape = atom.shape
            let edge: Int
            if let existing = nodes[node].edgePosition[shape] {
                edge = existing
            } else {
                edge = nodes[node].edges.count
                nodes[node].edges.append(Edge(shape: shape))
                nodes[node].edgePosition[shape] = edge
                edgeCount += 1
            }
            if let position = nodes[node].edges[edge].position[atom.value] {
                node = nodes[node].edges[edge].children[position]
                continue
            }
            let child = nodes.count
            nodes.append(Node())
            let count = nodes[node].edges[edge].keys.count
            nodes[node].edges[edge].keys.append(atom.value)
            nodes[node].edges[edge].children.append(child)
            nodes[node].edges[edge].position[atom.value] = count
            // A table (at most half full) once an edge has two children.
            slotCount += Self.capacity(children: count + 1) - Self.capacity(children: count)
            node = child
        }
        nodes[node].accept = min(nodes[node].accept, rank)
    }

    /// The image's size if no alignment padding were needed (a first allocation).
    var expectedBytes: Int {
        nodes.count * FilterProgram.nodeStride + edgeCount * FilterProgram.edgeStride
            + slotCount * FilterProgram.slotStride + 64
    }

    /// Slots of the hash table of an edge with `children` children; 0 below two (the lone
    /// child sits in its edge).
    static func capacity(children: Int) -> Int {
        guard children > 1 else { return 0 }
        var capacity = 2
        while capacity < 2 * children { capacity *= 2 }
        return capacity
    }

    /// Writes the trie depth first, the root at the image's offset 0.
    func serialize(into image: inout FilterImage) {
        // Children are always created after their parent: a reverse pass gives subtree minima.
        var minimum = nodes.map(\.accept)
        for index in nodes.indices.reversed() {
            for edge in nodes[index].edges {
                for child in edge.children { minimum[index] = min(minimum[index], minimum[child]) }
            }
        }
        _ = emit(0, minimum: minimum, into: &image)
    }

    /// Writes node `index` (record, edges, slots) and then its subtrees; returns the node's
    /// offset.
    private func emit(_ index: Int, minimum: [FilterProgram.Rank], into image: inout FilterImage) -> Int {
        typealias P = FilterProgram
        let node = nodes[index]
        let offset = image.reserve(P.nodeStride + node.edges.count * P.edgeStride, alignment: P.nodeAlignment)
        var tables: [Int] = []
        for edge in node.edges {
            let capacity = Self.capacity(children: edge.children.count)
            guard capacity > 0 else {
                tables.append(0)
                continue
            }
            let slots = image.reserve(capacity * P.slotStride, alignment: P.slotAlignment)
            image.emptySlots(at: slots, count: capacity)
            tables.append(slots)
        }
        image.store(P.Node(accept: node.accept, subtreeMinimum: minimum[index], edgeCount: UInt32(node.edges.count)),
            at: offset)
        for (number, edge) in node.edges.enumerated() {
            let edgeAt = offset + P.nodeStride + number * P.edgeStride
            let capacity = Self.capacity(children: edge.children.count)
            if capacity == 0 {
                let childOffset = emit(edge.children[0], minimum: minimum, into: &image)
                image.store(P.Edge(shape: edge.shape, target: UInt32(childOffset), slotMask: 0, key: edge.keys[0]),
                    at: edgeAt)
                continue
            }
            let slots = tables[number]
            image.store(P.Edge(shape: edge.shape, target: UInt32(slots), slotMask: UInt32(capacity - 1), key: 0),
                at: edgeAt)
            for position in 0..<edge.children.count {
                let childOffset = emit(edge.children[position], minimum: minimum, into: &image)
                image.insert(P.Slot(key: edge.keys[position], child: Int32(childOffset)), table: slots,
                    capacity: capacity)
            }
        }
        return offset
    }
}

/// A growing, 64-byte-aligned block holding `prefix` bytes (the id table) and then the
/// trie's image; offsets are relative to the image's start (the root). Ownership of `block`
/// passes to the `FilterTrie` built from it. Bytes never written (alignment padding) are
/// never read.
struct FilterImage {
    private(set) var block: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes in use, the prefix included.
    private(set) var count: Int
    let prefix: Int

    init(prefix: Int, expectedBytes: Int) {
        self.prefix = prefix
        capacity = prefix + max(64, expectedBytes)
        block = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        count = prefix
    }

    /// Reserves `size` bytes at the next `alignment`; returns their image offset.
    mutating func reserve(_ size: Int, alignment: Int) -> Int {
        let offset = (count - prefix + alignment - 1) / alignment * alignment
        let end = prefix + offset + size
        if end > capacity {
            let grown = max(end, 2 * capacity)
            let larger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 64)
            larger.copyMemory(from: block, byteCount: count)
            block.deallocate()
            block = larger
            capacity = grown
        }
        count = end
        return offset
    }

    mutating func store(_ node: FilterProgram.Node, at offset: Int) {
        (block + prefix).storeBytes(of: node, toByteOffset: offset, as: FilterProgram.Node.self)
    }

    mutating func store(_ edge: FilterProgram.Edge, at offset: Int) {
        (block + prefix).storeBytes(of: edge, toByteOffset: offset, as: FilterProgram.Edge.self)
    }

    /// Marks `count` slots from `table` empty.
    mutating func emptySlots(at table: Int, count: Int) {
        let empty = FilterProgram.Slot(key: 0, child: -1)
        for slot in 0..<count {
            (block + prefix).storeBytes(of: empty, toByteOffset: table + slot * FilterProgram.slotStride,
                as: FilterProgram.Slot.self)
        }
    }

    /// Puts `slot` into the table of `capacity` slots at `table` (linear probing, as
    /// `FilterProgram.lookup` reads it).
    mutating func insert(_ slot: FilterProgram.Slot, table: Int, capacity: Int) {
        let root = block + prefix
        var probe = Int(FilterProgram.hash(slot.key) & UInt32(capacity - 1))
        while root.load(fromByteOffset: table + probe * FilterProgram.slotStride, as: FilterProgram.Slot.self).child >= 0 {
            probe = (probe + 1) & (capacity - 1)
        }
        root.storeBytes(of: slot, toByteOffset: table + probe * FilterProgram.slotStride, as: FilterProgram.Slot.self)
    }
}
