// A first-in first-out queue whose storage is allocated once, off the packet path: the
// staging areas and the free pool of a data path, which never hold more than its frames.

/// A FIFO of at most `capacity` elements in a circular array. Pushing never allocates; the
/// capacity only changes through `reserve(_:)` (when frames are added, not per packet).
struct FixedQueue<Element> {
    private var storage: [Element]
    private var head = 0
    private(set) var count = 0
    private let filler: Element

    init(capacity: Int, filler: Element) {
        self.filler = filler
        storage = Array(repeating: filler, count: max(capacity, 1))
    }

    var capacity: Int { storage.count }
    var isEmpty: Bool { count == 0 }

    /// Grows the storage to hold at least `capacity` elements, keeping their order.
    mutating func reserve(_ capacity: Int) {
        guard capacity > storage.count else { return }
        var grown = Array(repeating: filler, count: capacity)
        for i in 0..<count { grown[i] = storage[(head + i) % storage.count] }
        storage = grown
        head = 0
    }

    /// Appends `element`; the caller guarantees room (a frame is in at most one queue).
    mutating func push(_ element: Element) {
        precondition(count < storage.count, "FixedQueue overflow: a frame was queued twice")
        var tail = head + count
        if tail >= storage.count { tail -= storage.count }
        storage[tail] = element
        count += 1
    }

    /// Removes and returns the oldest element.
    mutating func pop() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count { head = 0 }
        count -= 1
        return element
    }

    /// Offers the oldest elements that lie contiguously in storage (all of them unless they
    /// wrap) to `publish`, which returns how many it took; those are removed.
    mutating func drainFront<Failure: Error>(
        _ publish: (Span<Element>) throws(Failure) -> Int
    ) throws(Failure) -> Int {
        guard count > 0 else { return 0 }
        let end = min(head + count, storage.count)
        let taken = try publish(storage.span.extracting(head..<end))
        precondition(taken >= 0 && taken <= end - head, "FixedQueue.drainFront took more than offered")
        head += taken
        if head == storage.count { head = 0 }
        count -= taken
        return taken
    }

    /// The element `offset` places after the oldest.
    subscript(offset: Int) -> Element { storage[(head + offset) % storage.count] }
}

// A plain value: sendable when its elements are (the network stack holds some).
extension FixedQueue: Sendable where Element: Sendable {}
