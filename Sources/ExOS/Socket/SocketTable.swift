// A fixed table of sockets of one kind with generational handles. Slots are allocated
// once; a socket's own buffers are allocated when it opens and freed when it closes, never
// while packets flow.

/// At most `capacity` sockets of one kind. A slot's generation grows each time it is freed,
/// so stale handles miss.
struct SocketTable<Socket> {
    /// Every slot holds a socket value; a free slot holds the vacant placeholder, which
    /// lives one past the last slot (`slots[capacity]`). Not optionals: unwrapping an
    /// optional copies the socket (retaining its buffers) on every access, where a plain
    /// element is borrowed or modified in place. Not a stored `vacant` either: the table
    /// itself must stay a few words, since a call that takes it by value (`resolve`, when
    /// not inlined) copies all of it, and a control block is a kilobyte.
    private var slots: [Socket]
    /// Which slots hold an open socket.
    private var occupied: [Bool]
    private var generations: [UInt32]
    private var free: [Int]

    init(capacity: Int, vacant: Socket) {
        slots = Array(repeating: vacant, count: capacity + 1)
        occupied = Array(repeating: false, count: capacity)
        generations = Array(repeating: 0, count: capacity)
        free = Array((0..<capacity).reversed())
        free.reserveCapacity(capacity)
    }

    var capacity: Int { occupied.count }
    var openCount: Int { occupied.count - free.count }

    /// Stores `socket` in a free slot; nil when the table is full.
    mutating func insert(_ socket: Socket) -> SlotHandle? {
        guard let index = free.popLast() else { return nil }
        slots[index] = socket
        occupied[index] = true
        return SlotHandle(index: UInt32(index), generation: generations[index])
    }

    /// True when `handle` names an open socket.
    func contains(_ handle: SlotHandle) -> Bool { resolve(handle) != nil }

    /// The slot index of a live handle.
    func resolve(_ handle: SlotHandle) -> Int? {
        let index = Int(handle.index)
        guard index < occupied.count, generations[index] == handle.generation, occupied[index] else { return nil }
        return index
    }

    /// The handle of the socket in slot `index` (which must be open).
    func handle(at index: Int) -> SlotHandle { SlotHandle(index: UInt32(index), generation: generations[index]) }

    /// Removes the socket `handle` names; returns it.
    @discardableResult
    mutating func remove(_ handle: SlotHandle) -> Socket? {
        guard let index = resolve(handle) else { return nil }
        let socket = slots[index]
        slots[index] = slots[occupied.count]
        occupied[index] = false
        generations[index] &+= 1
        free.append(index)
        return socket
    }

    /// The socket in slot `index`, borrowed or modified in place (never copied, so its
    /// buffers are not retained per packet).
    subscript(index index: Int) -> Socket {
        _read { yield slots[index] }
        _modify { yield &slots[index] }
    }

    /// True when slot `index` holds a socket.
    func isOpen(_ index: Int) -> Bool { index >= 0 && index < occupied.count && occupied[index] }
}

// A plain value: sendable when its sockets are (the stack moves to its driver's thread).
extension SocketTable: Sendable where Socket: Sendable {}
