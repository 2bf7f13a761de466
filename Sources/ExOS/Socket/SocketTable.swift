// A fixed table of sockets of one kind with generational handles. Slots are allocated
// once; a socket's own buffers are allocated when it opens and freed when it closes, never
// while packets flow.

/// At most `capacity` sockets of one kind. A slot's generation grows each time it is freed,
/// so stale handles miss.
struct SocketTable<Socket> {
    private var slots: [Socket?]
    private var generations: [UInt32]
    private var free: [Int]

    init(capacity: Int) {
        slots = Array(repeating: nil, count: capacity)
        generations = Array(repeating: 0, count: capacity)
        free = Array((0..<capacity).reversed())
        free.reserveCapacity(capacity)
    }

    var capacity: Int { slots.count }
    var openCount: Int { slots.count - free.count }

    /// Stores `socket` in a free slot; nil when the table is full.
    mutating func insert(_ socket: Socket) -> SlotHandle? {
        guard let index = free.popLast() else { return nil }
        slots[index] = socket
        return SlotHandle(index: UInt32(index), generation: generations[index])
    }

    /// True when `handle` names an open socket.
    func contains(_ handle: SlotHandle) -> Bool { resolve(handle) != nil }

    /// The slot index of a live handle.
    func resolve(_ handle: SlotHandle) -> Int? {
        let index = Int(handle.index)
        guard index < slots.count, generations[index] == handle.generation, slots[index] != nil else { return nil }
        return index
    }

    /// The handle of the socket in slot `index` (which must be open).
    func handle(at index: Int) -> SlotHandle { SlotHandle(index: UInt32(index), generation: generations[index]) }

    /// Removes the socket `handle` names; returns it.
    @discardableResult
    mutating func remove(_ handle: SlotHandle) -> Socket? {
        guard let index = resolve(handle) else { return nil }
        let socket = slots[index]
        slots[index] = nil
        generations[index] &+= 1
        free.append(index)
        return socket
    }

    /// The socket in slot `index`, in place (no copy of its buffers).
    subscript(index index: Int) -> Socket {
        get { slots[index]! }
        _modify { yield &slots[index]! }
    }

    /// True when slot `index` holds a socket.
    func isOpen(_ index: Int) -> Bool { index >= 0 && index < slots.count && slots[index] != nil }
}
